/**
 * A user's relationships: manager (read, set and remove by reference), direct reports,
 * memberOf / transitiveMemberOf (with casts and `/$count`), licenseDetails, assignLicense,
 * getMemberGroups and checkMemberGroups.
 */
import { badRequest, notFound } from '../graph/errors.js';
import { PERMISSIONS } from '../graph/permissions.js';
import { json, noContent } from '../graph/types.js';
import { requireObject } from '../model/body.js';
import type { DirectoryObject } from '../model/directory.js';
import { referenceBody } from '../model/references.js';
import { LICENSE_DETAILS, USER } from '../model/schema.js';
import { contextFragment, project } from '../odata/projection.js';
import { assertOnly } from '../odata/query-options.js';
import { type RouteContext, type RouteDef, contextUrl, findObject, findUser } from './context.js';
import { bySeq, relationshipList } from './directory-lists.js';
import { checkSelect, projectObject, roleObjects } from './shape.js';

function groupsAndRoles(ctx: RouteContext, id: string, transitive: boolean): DirectoryObject[] {
  const { directory } = ctx.tenant;
  const groupIds = transitive ? directory.transitiveGroupsOf(id) : [...directory.groupsOf(id)];
  const groups = groupIds.map((g) => directory.get(g)).filter((g): g is DirectoryObject => g !== undefined);
  return [...groups, ...roleObjects(ctx, id)];
}

function memberOfRoutes(relation: 'memberOf' | 'transitiveMemberOf'): RouteDef[] {
  const transitive = relation === 'transitiveMemberOf';
  const source = (ctx: RouteContext) => bySeq(groupsAndRoles(ctx, findUser(ctx, ctx.params[0] as string).id, transitive));
  return [
    {
      method: 'GET',
      pattern: `/users/{id}/${relation}`,
      permissions: PERMISSIONS.memberOfRead,
      handle: (ctx) => relationshipList(ctx, source(ctx), {}),
    },
    {
      method: 'GET',
      pattern: `/users/{id}/${relation}/$count`,
      permissions: PERMISSIONS.memberOfRead,
      handle: (ctx) => relationshipList(ctx, source(ctx), { count: true }),
    },
    {
      method: 'GET',
      pattern: `/users/{id}/${relation}/{cast}`,
      permissions: PERMISSIONS.memberOfRead,
      handle: (ctx) => relationshipList(ctx, source(ctx), { cast: ctx.params[1] }),
    },
    {
      method: 'GET',
      pattern: `/users/{id}/${relation}/{cast}/$count`,
      permissions: PERMISSIONS.memberOfRead,
      handle: (ctx) => relationshipList(ctx, source(ctx), { cast: ctx.params[1], count: true }),
    },
  ];
}

function memberGroups(ctx: RouteContext, securityOnly: boolean): string[] {
  const { directory } = ctx.tenant;
  const user = findUser(ctx, ctx.params[0] as string);
  return directory.transitiveGroupsOf(user.id).filter((id) => !securityOnly || directory.get(id)?.data.securityEnabled === true);
}

/** Routes of a user's relationships. */
export const userRelationRoutes: RouteDef[] = [
  {
    method: 'GET',
    pattern: '/users/{id}/manager',
    permissions: PERMISSIONS.usersRead,
    handle(ctx) {
      const options = ctx.options();
      assertOnly(options, ['select']);
      const user = findUser(ctx, ctx.params[0] as string);
      const manager = user.managerId ? ctx.tenant.directory.get(user.managerId) : undefined;
      if (!manager) throw notFound('manager');
      const select = checkSelect([USER], options.select, false);
      return json(200, { '@odata.context': contextUrl(ctx, 'directoryObjects/$entity'), ...projectObject(manager, select) });
    },
  },
  {
    method: 'PUT',
    pattern: '/users/{id}/manager/$ref',
    permissions: PERMISSIONS.managerWrite,
    handle(ctx) {
      const user = findUser(ctx, ctx.params[0] as string);
      const managerId = referenceBody(ctx.request.body);
      const manager = findObject(ctx, managerId);
      if (manager.kind !== 'user') throw badRequest('The manager of a user must be a user or an organizational contact.');
      if (manager.id === user.id) throw badRequest('A user cannot be their own manager.');
      ctx.tenant.directory.setManager(user, manager.id);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    pattern: '/users/{id}/manager/$ref',
    permissions: PERMISSIONS.managerWrite,
    handle(ctx) {
      const user = findUser(ctx, ctx.params[0] as string);
      if (!user.managerId) throw notFound('manager');
      ctx.tenant.directory.setManager(user, undefined);
      return noContent();
    },
  },
  {
    method: 'GET',
    pattern: '/users/{id}/directReports',
    permissions: PERMISSIONS.usersRead,
    handle(ctx) {
      const { directory } = ctx.tenant;
      const user = findUser(ctx, ctx.params[0] as string);
      const reports = directory
        .directReports(user.id)
        .map((id) => directory.get(id))
        .filter((o): o is DirectoryObject => o !== undefined);
      return relationshipList(ctx, bySeq(reports), {});
    },
  },
  ...memberOfRoutes('memberOf'),
  ...memberOfRoutes('transitiveMemberOf'),
  {
    method: 'GET',
    pattern: '/users/{id}/licenseDetails',
    permissions: PERMISSIONS.licenseRead,
    handle(ctx) {
      const options = ctx.options();
      assertOnly(options, ['select']);
      const user = findUser(ctx, ctx.params[0] as string);
      const select = checkSelect([LICENSE_DETAILS], options.select, false);
      const value = ctx.tenant.licenses.details(user).map((d) => project(LICENSE_DETAILS, d, select));
      const fragment = `users('${user.id}')/${contextFragment('licenseDetails', select)}`;
      return json(200, { '@odata.context': contextUrl(ctx, fragment), value });
    },
  },
  {
    method: 'POST',
    pattern: '/users/{id}/assignLicense',
    permissions: PERMISSIONS.licenseWrite,
    handle(ctx) {
      const user = findUser(ctx, ctx.params[0] as string);
      ctx.tenant.licenses.assign(ctx.tenant.directory, user, ctx.request.body, ctx.now);
      return json(200, { '@odata.context': contextUrl(ctx, 'users/$entity'), ...project(USER, user.data, undefined) });
    },
  },
  {
    method: 'POST',
    pattern: '/users/{id}/getMemberGroups',
    permissions: PERMISSIONS.memberOfRead,
    handle(ctx) {
      const body = requireObject(ctx.request.body);
      if (typeof body.securityEnabledOnly !== 'boolean')
        throw badRequest("Invalid value specified for property 'securityEnabledOnly'.");
      return json(200, {
        '@odata.context': contextUrl(ctx, 'Collection(Edm.String)'),
        value: memberGroups(ctx, body.securityEnabledOnly),
      });
    },
  },
  {
    method: 'POST',
    pattern: '/users/{id}/checkMemberGroups',
    permissions: PERMISSIONS.memberOfRead,
    handle(ctx) {
      const body = requireObject(ctx.request.body);
      const ids = body.groupIds;
      if (!Array.isArray(ids) || ids.length > 20 || ids.some((id) => typeof id !== 'string')) {
        throw badRequest("Invalid value specified for property 'groupIds'.");
      }
      const groups = new Set(memberGroups(ctx, false));
      const value = (ids as string[]).filter((id) => groups.has(id.toLowerCase()));
      return json(200, { '@odata.context': contextUrl(ctx, 'Collection(Edm.String)'), value });
    },
  },
];
