/**
 * Membership changes with Graph's checks: the member must exist (and have replicated), may not
 * already be a member, and must be of a kind the group accepts. Each change is one indexed
 * operation, whatever the size of the group.
 */
import { type GraphError, badRequest, notFound } from '../graph/errors.js';
import type { DirectoryObject } from './directory.js';
import { referenceId } from './references.js';
import type { Tenant } from './tenant.js';

/** The 400 Graph answers when a reference already exists. */
export function alreadyExists(property: 'members' | 'owners'): GraphError {
  return badRequest(`One or more added object references already exist for the following modified properties: '${property}'.`);
}

function lookup(tenant: Tenant, id: string, now: number): DirectoryObject {
  const object = tenant.directory.get(id);
  if (!object || object.kind === 'directoryRole' || !tenant.replication.readable(id, now)) throw notFound(id);
  return object;
}

/** Checks that `member` may be added to `group` as a member. */
export function checkMember(group: DirectoryObject, member: DirectoryObject): void {
  const types = (group.data.groupTypes as string[] | undefined) ?? [];
  if (types.includes('DynamicMembership')) {
    throw badRequest(
      'Members of a group with dynamic membership are managed by its membership rule and cannot be added or removed.',
    );
  }
  if (member.id === group.id) throw badRequest('A group cannot be a member of itself.');
  if (member.kind === 'group' && types.includes('Unified')) {
    throw badRequest('Microsoft 365 groups cannot have groups as members.');
  }
  if (member.kind === 'group' && group.data.isAssignableToRole === true) {
    throw badRequest('Groups that can be assigned to roles cannot have groups as members.');
  }
}

/** Resolves the targets of `members@odata.bind` / `owners@odata.bind` before anything changes. */
export function resolveBinds(
  tenant: Tenant,
  group: DirectoryObject,
  binds: ReadonlyMap<string, readonly string[]>,
  now: number,
): Array<{ property: 'members' | 'owners'; object: DirectoryObject }> {
  const planned: Array<{ property: 'members' | 'owners'; object: DirectoryObject }> = [];
  for (const [property, urls] of binds) {
    const seen = new Set<string>();
    for (const url of urls) {
      const object = lookup(tenant, referenceId(url), now);
      const kind = property as 'members' | 'owners';
      if (kind === 'members') checkMember(group, object);
      else if (object.kind !== 'user' && object.kind !== 'servicePrincipal')
        throw badRequest('Owners must be users or service principals.');
      const exists =
        kind === 'members' ? tenant.directory.isMember(group.id, object.id) : tenant.directory.ownersOf(group.id).has(object.id);
      if (exists || seen.has(object.id)) throw alreadyExists(kind);
      seen.add(object.id);
      planned.push({ property: kind, object });
    }
  }
  return planned;
}

/** Applies resolved binds. */
export function applyBinds(tenant: Tenant, group: DirectoryObject, planned: ReturnType<typeof resolveBinds>): void {
  for (const { property, object } of planned) {
    if (property === 'members') tenant.directory.addMember(group.id, object.id);
    else tenant.directory.addOwner(group.id, object.id);
  }
}

/** POST /groups/{id}/members/$ref. */
export function addMemberByReference(tenant: Tenant, group: DirectoryObject, memberId: string, now: number): void {
  const member = lookup(tenant, memberId, now);
  checkMember(group, member);
  if (!tenant.directory.addMember(group.id, member.id)) throw alreadyExists('members');
}

/** DELETE /groups/{id}/members/{memberId}/$ref. */
export function removeMemberByReference(tenant: Tenant, group: DirectoryObject, memberId: string): void {
  const types = (group.data.groupTypes as string[] | undefined) ?? [];
  if (types.includes('DynamicMembership')) {
    throw badRequest(
      'Members of a group with dynamic membership are managed by its membership rule and cannot be added or removed.',
    );
  }
  if (!tenant.directory.removeMember(group.id, memberId.toLowerCase())) throw notFound(memberId);
}
