/** `/users`: list, count, create, read, update, delete — and `/me`, which needs a signed-in user. */
import { PERMISSIONS } from '../graph/permissions.js';
import { badRequest } from '../graph/errors.js';
import { json, noContent, text } from '../graph/types.js';
import { USER } from '../model/schema.js';
import { createUser, updateUser } from '../model/users.js';
import { type CollectionSpec, countCollection, listCollection } from '../odata/collection.js';
import { contextFragment, project } from '../odata/projection.js';
import { assertOnly } from '../odata/query-options.js';
import { type RouteContext, type RouteDef, collectionRequest, contextUrl, findUser, listed } from './context.js';
import { USER_RULES } from './directory-lists.js';
import { applyExpand, checkExpand } from './expand.js';
import { USER_TARGET, checkSelect } from './shape.js';

function usersSpec(ctx: RouteContext, select: string[] | undefined): CollectionSpec {
  const { directory, replication } = ctx.tenant;
  const expand = ctx.options().expand;
  return {
    target: USER_TARGET,
    *items(afterSeq) {
      for (const { id, seq } of directory.users.after(afterSeq)) {
        if (!listed(ctx, id)) continue;
        yield { seq, record: directory.get(id)?.data ?? {} };
      }
    },
    ...(replication.size === 0 ? { size: directory.users.size } : {}),
    project: (record) => {
      const out = project(USER, record, select);
      const user = directory.get(record.id as string);
      if (user) applyExpand(ctx, user, out, expand);
      return out;
    },
    context: contextUrl(ctx, contextFragment('users', select)),
    directory: USER_RULES,
  };
}

function entity(ctx: RouteContext, data: Record<string, unknown>, select?: string[]): Record<string, unknown> {
  const fragment = `${contextFragment('users', select)}/$entity`;
  return { '@odata.context': contextUrl(ctx, fragment), ...project(USER, data, select) };
}

const meRefused = () => {
  throw badRequest('/me request is only valid with delegated authentication flow.');
};

/** Routes of the users collection. */
export const userRoutes: RouteDef[] = [
  {
    method: 'GET',
    pattern: '/users',
    permissions: PERMISSIONS.usersRead,
    handle(ctx) {
      const options = ctx.options();
      checkExpand('user', options.expand);
      const select = checkSelect([USER], options.select, false);
      return json(200, listCollection(collectionRequest(ctx), usersSpec(ctx, select)));
    },
  },
  {
    method: 'GET',
    pattern: '/users/$count',
    permissions: PERMISSIONS.usersRead,
    handle: (ctx) => text(String(countCollection(collectionRequest(ctx), usersSpec(ctx, undefined)))),
  },
  {
    method: 'POST',
    pattern: '/users',
    permissions: PERMISSIONS.usersWrite,
    handle(ctx) {
      const user = createUser(ctx.tenant, ctx.request.body);
      ctx.tenant.replication.created(user.id, 'user', ctx.now);
      return json(201, entity(ctx, user.data));
    },
  },
  {
    method: 'GET',
    pattern: '/users/{id}',
    permissions: PERMISSIONS.usersRead,
    handle(ctx) {
      const options = ctx.options();
      assertOnly(options, ['select', 'expand']);
      checkExpand('user', options.expand);
      const select = checkSelect([USER], options.select, true);
      const user = findUser(ctx, ctx.params[0] as string);
      const body = entity(ctx, user.data, select);
      applyExpand(ctx, user, body, options.expand);
      return json(200, body);
    },
  },
  {
    method: 'PATCH',
    pattern: '/users/{id}',
    permissions: (ctx) => {
      const body = ctx.request.body;
      const password = body !== null && typeof body === 'object' && Object.hasOwn(body, 'passwordProfile');
      return password ? PERMISSIONS.usersPassword : PERMISSIONS.usersWrite;
    },
    handle(ctx) {
      updateUser(ctx.tenant, findUser(ctx, ctx.params[0] as string), ctx.request.body);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    pattern: '/users/{id}',
    permissions: PERMISSIONS.usersDelete,
    handle(ctx) {
      ctx.tenant.deleteObject(findUser(ctx, ctx.params[0] as string).id);
      return noContent();
    },
  },
  ...(['GET', 'POST', 'PATCH', 'DELETE'] as const).flatMap((method) => [
    { method, pattern: '/me', permissions: [], handle: meRefused },
    { method, pattern: '/me/{any}', permissions: [], handle: meRefused },
    { method, pattern: '/me/{any}/{more}', permissions: [], handle: meRefused },
  ]),
];
