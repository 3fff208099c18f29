/**
 * A group's relationships: members (list, cast, `/$count`, add and remove by reference),
 * transitiveMembers, owners, memberOf and transitiveMemberOf. Direct members page straight
 * from the membership index.
 */
import { badRequest, notFound } from '../graph/errors.js';
import { PERMISSIONS } from '../graph/permissions.js';
import { noContent } from '../graph/types.js';
import type { DirectoryObject } from '../model/directory.js';
import { addMemberByReference, alreadyExists, removeMemberByReference } from '../model/membership.js';
import { referenceBody } from '../model/references.js';
import { type RouteContext, type RouteDef, findGroup, findObject } from './context.js';
import { type RelationshipSource, bySeq, relationshipList } from './directory-lists.js';

function directMembers(ctx: RouteContext): { source: RelationshipSource; size: number } {
  const { directory } = ctx.tenant;
  const members = directory.membersOf(findGroup(ctx, ctx.params[0] as string).id);
  return {
    size: members.size,
    *source(afterSeq) {
      for (const { id, seq } of members.after(afterSeq)) {
        const object = directory.get(id);
        if (object) yield { seq, object };
      }
    },
  };
}

function objects(ctx: RouteContext, ids: Iterable<string>): DirectoryObject[] {
  const out: DirectoryObject[] = [];
  for (const id of ids) {
    const object = ctx.tenant.directory.get(id);
    if (object) out.push(object);
  }
  return out;
}

type Source = (ctx: RouteContext) => { source: RelationshipSource; size?: number };

function listRoutes(relation: string, source: Source, permissions: readonly string[]): RouteDef[] {
  const list = (count: boolean, withCast: boolean) => (ctx: RouteContext) => {
    const { source: items, size } = source(ctx);
    const cast = withCast ? ctx.params[1] : undefined;
    return relationshipList(ctx, items, { count, cast, ...(size === undefined || cast ? {} : { size }) });
  };
  return [
    { method: 'GET', pattern: `/groups/{id}/${relation}`, permissions, handle: list(false, false) },
    { method: 'GET', pattern: `/groups/{id}/${relation}/$count`, permissions, handle: list(true, false) },
    { method: 'GET', pattern: `/groups/{id}/${relation}/{cast}`, permissions, handle: list(false, true) },
    { method: 'GET', pattern: `/groups/{id}/${relation}/{cast}/$count`, permissions, handle: list(true, true) },
  ];
}

const transitiveMembers: Source = (ctx) => ({
  source: bySeq(objects(ctx, ctx.tenant.directory.transitiveMembers(findGroup(ctx, ctx.params[0] as string).id))),
});
const owners: Source = (ctx) => ({
  source: bySeq(objects(ctx, ctx.tenant.directory.ownersOf(findGroup(ctx, ctx.params[0] as string).id).values())),
});
const memberOf: Source = (ctx) => ({
  source: bySeq(objects(ctx, ctx.tenant.directory.groupsOf(findGroup(ctx, ctx.params[0] as string).id))),
});
const transitiveMemberOf: Source = (ctx) => ({
  source: bySeq(objects(ctx, ctx.tenant.directory.transitiveGroupsOf(findGroup(ctx, ctx.params[0] as string).id))),
});

/** Routes of a group's relationships. */
export const groupMemberRoutes: RouteDef[] = [
  ...listRoutes('members', directMembers, PERMISSIONS.membersRead),
  ...listRoutes('transitiveMembers', transitiveMembers, PERMISSIONS.membersRead),
  ...listRoutes('owners', owners, PERMISSIONS.groupsRead),
  ...listRoutes('memberOf', memberOf, PERMISSIONS.groupsRead),
  ...listRoutes('transitiveMemberOf', transitiveMemberOf, PERMISSIONS.groupsRead),
  {
    method: 'POST',
    pattern: '/groups/{id}/members/$ref',
    permissions: PERMISSIONS.membersWrite,
    handle(ctx) {
      const group = findGroup(ctx, ctx.params[0] as string);
      addMemberByReference(ctx.tenant, group, referenceBody(ctx.request.body), ctx.now);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    pattern: '/groups/{id}/members/{memberId}/$ref',
    permissions: PERMISSIONS.membersWrite,
    handle(ctx) {
      removeMemberByReference(ctx.tenant, findGroup(ctx, ctx.params[0] as string), ctx.params[1] as string);
      return noContent();
    },
  },
  {
    method: 'POST',
    pattern: '/groups/{id}/owners/$ref',
    permissions: PERMISSIONS.ownersWrite,
    handle(ctx) {
      const group = findGroup(ctx, ctx.params[0] as string);
      const owner = findObject(ctx, referenceBody(ctx.request.body));
      if (owner.kind !== 'user' && owner.kind !== 'servicePrincipal')
        throw badRequest('Owners must be users or service principals.');
      if (!ctx.tenant.directory.addOwner(group.id, owner.id)) throw alreadyExists('owners');
      return noContent();
    },
  },
  {
    method: 'DELETE',
    pattern: '/groups/{id}/owners/{ownerId}/$ref',
    permissions: PERMISSIONS.ownersWrite,
    handle(ctx) {
      const group = findGroup(ctx, ctx.params[0] as string);
      if (!ctx.tenant.directory.removeOwner(group.id, (ctx.params[1] as string).toLowerCase()))
        throw notFound(ctx.params[1] as string);
      return noContent();
    },
  },
];
