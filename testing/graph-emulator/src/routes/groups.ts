/** `/groups`: list, count, create (with `members@odata.bind`), read, update, delete. */
import { PERMISSIONS } from '../graph/permissions.js';
import { json, noContent, text } from '../graph/types.js';
import { checkBody } from '../model/body.js';
import { MAX_BINDS, createGroup, tooManyBinds, updateGroup } from '../model/groups.js';
import { applyBinds, resolveBinds } from '../model/membership.js';
import { GROUP } from '../model/schema.js';
import { type CollectionSpec, countCollection, listCollection } from '../odata/collection.js';
import { contextFragment, project } from '../odata/projection.js';
import { assertOnly } from '../odata/query-options.js';
import { type RouteContext, type RouteDef, collectionRequest, contextUrl, findGroup, listed } from './context.js';
import { GROUP_RULES } from './directory-lists.js';
import { applyExpand, checkExpand } from './expand.js';
import { GROUP_TARGET, checkSelect } from './shape.js';

function groupsSpec(ctx: RouteContext, select: string[] | undefined): CollectionSpec {
  const { directory, replication } = ctx.tenant;
  const expand = ctx.options().expand;
  return {
    target: GROUP_TARGET,
    *items(afterSeq) {
      for (const { id, seq } of directory.groups.after(afterSeq)) {
        if (!listed(ctx, id)) continue;
        yield { seq, record: directory.get(id)?.data ?? {} };
      }
    },
    ...(replication.size === 0 ? { size: directory.groups.size } : {}),
    project: (record) => {
      const out = project(GROUP, record, select);
      const group = directory.get(record.id as string);
      if (group) applyExpand(ctx, group, out, expand);
      return out;
    },
    context: contextUrl(ctx, contextFragment('groups', select)),
    directory: GROUP_RULES,
  };
}

function bindPermissions(ctx: RouteContext): readonly string[] {
  const body = ctx.request.body;
  if (body === null || typeof body !== 'object') return PERMISSIONS.groupsWrite;
  const keys = Object.keys(body);
  return keys.length > 0 && keys.every((k) => k === 'members@odata.bind') ? PERMISSIONS.membersWrite : PERMISSIONS.groupsWrite;
}

/** Routes of the groups collection. */
export const groupRoutes: RouteDef[] = [
  {
    method: 'GET',
    pattern: '/groups',
    permissions: PERMISSIONS.groupsRead,
    handle(ctx) {
      const options = ctx.options();
      checkExpand('group', options.expand);
      const select = checkSelect([GROUP], options.select, false);
      return json(200, listCollection(collectionRequest(ctx), groupsSpec(ctx, select)));
    },
  },
  {
    method: 'GET',
    pattern: '/groups/$count',
    permissions: PERMISSIONS.groupsRead,
    handle: (ctx) => text(String(countCollection(collectionRequest(ctx), groupsSpec(ctx, undefined)))),
  },
  {
    method: 'POST',
    pattern: '/groups',
    permissions: PERMISSIONS.groupsCreate,
    handle(ctx) {
      const { tenant } = ctx;
      const { group, binds } = createGroup(tenant, ctx.request.body);
      try {
        applyBinds(tenant, group, resolveBinds(tenant, group, binds, ctx.now));
      } catch (error) {
        tenant.directory.remove(group.id);
        throw error;
      }
      tenant.replication.created(group.id, 'group', ctx.now);
      return json(201, { '@odata.context': contextUrl(ctx, 'groups/$entity'), ...project(GROUP, group.data, undefined) });
    },
  },
  {
    method: 'GET',
    pattern: '/groups/{id}',
    permissions: PERMISSIONS.groupsRead,
    handle(ctx) {
      const options = ctx.options();
      assertOnly(options, ['select', 'expand']);
      checkExpand('group', options.expand);
      const select = checkSelect([GROUP], options.select, true);
      const group = findGroup(ctx, ctx.params[0] as string);
      const body: Record<string, unknown> = {
        '@odata.context': contextUrl(ctx, `${contextFragment('groups', select)}/$entity`),
        ...project(GROUP, group.data, select),
      };
      applyExpand(ctx, group, body, options.expand);
      return json(200, body);
    },
  },
  {
    method: 'PATCH',
    pattern: '/groups/{id}',
    permissions: bindPermissions,
    handle(ctx) {
      const { tenant } = ctx;
      const group = findGroup(ctx, ctx.params[0] as string);
      // References are resolved before anything changes, so a bad member leaves the group as it was.
      const { binds } = checkBody(GROUP, ctx.request.body, 'update');
      if ([...binds.values()].reduce((sum, list) => sum + list.length, 0) > MAX_BINDS) throw tooManyBinds();
      const planned = resolveBinds(tenant, group, binds, ctx.now);
      updateGroup(tenant, group, ctx.request.body);
      applyBinds(tenant, group, planned);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    pattern: '/groups/{id}',
    permissions: PERMISSIONS.groupsWrite,
    handle(ctx) {
      ctx.tenant.deleteObject(findGroup(ctx, ctx.params[0] as string).id);
      return noContent();
    },
  },
];
