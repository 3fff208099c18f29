/**
 * `$expand` on users and groups: `manager`, `directReports`, `memberOf`, `transitiveMemberOf`,
 * `members`, `owners`. Expanded collections carry at most 20 objects, as Graph documents.
 */
import type { DirectoryObject, UserObject } from '../model/directory.js';
import { GROUP, SERVICE_PRINCIPAL, USER } from '../model/schema.js';
import { selectError } from '../odata/projection.js';
import type { ExpandItem } from '../odata/query-options.js';
import type { RouteContext } from './context.js';
import { checkSelect, projectObject, roleObjects } from './shape.js';

/** Most objects an expanded collection carries. */
export const EXPAND_LIMIT = 20;

const USER_EXPANDS = new Set(['manager', 'directreports', 'memberof', 'transitivememberof']);
const GROUP_EXPANDS = new Set(['members', 'owners', 'memberof', 'transitivememberof']);
const CANONICAL: Record<string, string> = {
  manager: 'manager',
  directreports: 'directReports',
  memberof: 'memberOf',
  transitivememberof: 'transitiveMemberOf',
  members: 'members',
  owners: 'owners',
};

/** Checks `$expand` items for a user or group collection. */
export function checkExpand(kind: 'user' | 'group', expand: readonly ExpandItem[] | undefined): void {
  for (const item of expand ?? []) {
    const allowed = kind === 'user' ? USER_EXPANDS : GROUP_EXPANDS;
    if (!allowed.has(item.name.toLowerCase())) throw selectError(item.name, kind);
    checkSelect([USER, GROUP, SERVICE_PRINCIPAL], item.select, false);
  }
}

function related(ctx: RouteContext, object: DirectoryObject, name: string): DirectoryObject[] | DirectoryObject | undefined {
  const { directory } = ctx.tenant;
  const visible = (id: string) => directory.get(id);
  const many = (ids: Iterable<string>) => {
    const out: DirectoryObject[] = [];
    for (const id of ids) {
      const found = visible(id);
      if (found) out.push(found);
      if (out.length >= EXPAND_LIMIT) break;
    }
    return out;
  };
  switch (name) {
    case 'manager': {
      const managerId = (object as UserObject).managerId;
      return managerId ? visible(managerId) : undefined;
    }
    case 'directreports':
      return many(directory.directReports(object.id));
    case 'memberof':
      return [...many(directory.groupsOf(object.id)), ...roleObjects(ctx, object.id)].slice(0, EXPAND_LIMIT);
    case 'transitivememberof':
      return many(directory.transitiveGroupsOf(object.id));
    case 'members':
      return many(
        (function* () {
          for (const { id } of directory.membersOf(object.id).after()) yield id;
        })(),
      );
    case 'owners':
      return many(directory.ownersOf(object.id).values());
    default:
      return undefined;
  }
}

/** Adds the expanded navigation properties to an already projected object. */
export function applyExpand(
  ctx: RouteContext,
  object: DirectoryObject,
  out: Record<string, unknown>,
  expand: readonly ExpandItem[] | undefined,
): void {
  for (const item of expand ?? []) {
    const name = item.name.toLowerCase();
    const value = related(ctx, object, name);
    const select = checkSelect([USER, GROUP, SERVICE_PRINCIPAL], item.select, false);
    const key = CANONICAL[name] ?? item.name;
    if (Array.isArray(value)) out[key] = value.map((o) => projectObject(o, select));
    else if (value) out[key] = projectObject(value, select);
  }
}
