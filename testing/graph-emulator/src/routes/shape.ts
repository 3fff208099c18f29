/** How directory objects appear in responses: per-type default sets, `$select`, `@odata.type`. */
import type { DirectoryObject } from '../model/directory.js';
import type { Tenant } from '../model/tenant.js';
import { DIRECTORY_OBJECT, DIRECTORY_ROLE, GROUP, SERVICE_PRINCIPAL, type TypeDef, USER } from '../model/schema.js';
import { project, resolveSelect } from '../odata/projection.js';
import { type QueryTarget, typeTarget, unknownProperty } from '../odata/target.js';

/** The type definition of a stored object. */
export function typeOf(object: DirectoryObject): TypeDef {
  switch (object.kind) {
    case 'user':
      return USER;
    case 'group':
      return GROUP;
    case 'directoryRole':
      return DIRECTORY_ROLE;
    default:
      return SERVICE_PRINCIPAL;
  }
}

/** Entity set name of an object kind (`users`, `groups`, `servicePrincipals`). */
export function entitySetOf(object: DirectoryObject): string {
  return object.kind === 'user'
    ? 'users'
    : object.kind === 'group'
      ? 'groups'
      : object.kind === 'directoryRole'
        ? 'directoryRoles'
        : 'servicePrincipals';
}

/** Query targets. */
export const USER_TARGET = typeTarget(USER);
export const GROUP_TARGET = typeTarget(GROUP);

/** A `directoryObject` collection: only `id` is filterable before a cast. */
export const DIRECTORY_OBJECT_TARGET: QueryTarget = {
  odataName: 'microsoft.graph.directoryObject',
  label: 'DirectoryObject',
  resolve(segments) {
    if (segments.length === 1 && (segments[0] ?? '').toLowerCase() === 'id')
      return typeTarget(DIRECTORY_OBJECT).resolve(segments);
    throw unknownProperty(segments[0] ?? '', 'microsoft.graph.directoryObject');
  },
};

/** Checks a `$select` for a collection of `types` and returns canonical names. */
export function checkSelect(
  types: readonly TypeDef[],
  select: readonly string[] | undefined,
  single: boolean,
): string[] | undefined {
  if (!select) return undefined;
  const label = types.length === 1 ? (types[0] as TypeDef).name : 'directoryObject';
  return resolveSelect(types, select, label, single);
}

/** An object as it appears in a `directoryObject` collection (with `@odata.type`). */
export function projectObject(object: DirectoryObject, select: readonly string[] | undefined): Record<string, unknown> {
  const type = typeOf(object);
  const names = select?.filter((name) => name === '*' || type.properties.has(name.toLowerCase()));
  return project(type, object.data, names, { withType: true });
}

/** The data a filter or search reads for an object (its stored properties plus `id`). */
export function recordOf(object: DirectoryObject): Record<string, unknown> {
  return object.data;
}

/** The activated directory roles a principal holds, as directory objects for memberOf lists. */
export function roleObjects(ctx: { tenant: Tenant }, principalId: string): DirectoryObject[] {
  const { roles } = ctx.tenant;
  return roles
    .rolesOf(principalId)
    .map((role) => ({ id: role.id, kind: 'directoryRole', seq: role.seq, data: roles.activatedJson(role) }));
}
