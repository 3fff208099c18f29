/**
 * A user's `groups` (RFC 7643 §4.1.2), computed from the groups' members: it is read-only and always
 * current, as in the embedded store. One aggregation serves a whole page of users; the server
 * filters each group's members down to the page's users, so big groups are not transferred.
 */
import type { Document } from 'mongodb';
import type { Tenant } from './tenancy.js';

/** One element of a user's `groups`. */
export interface GroupRef {
  value: string;
  display?: string;
  type: 'direct';
}

/** Groups of each of `userIds` (users without groups are absent from the map). */
export async function groupsOfUsers(
  tenant: Tenant,
  userIds: readonly string[],
  maxTimeMS: number,
): Promise<Map<string, GroupRef[]>> {
  const out = new Map<string, GroupRef[]>();
  if (userIds.length === 0) return out;
  const ids = [...new Set(userIds)];
  const pipeline: Document[] = [
    { $match: { ...tenant.scope(false), 'members.value': { $in: ids } } },
    {
      $project: {
        _id: 0,
        id: 1,
        displayName: 1,
        m: {
          $map: {
            input: { $filter: { input: '$members', as: 'x', cond: { $in: ['$$x.value', { $literal: ids }] } } },
            as: 'x',
            in: '$$x.value',
          },
        },
      },
    },
  ];
  for await (const g of tenant.groups.aggregate(pipeline, { maxTimeMS })) {
    if (typeof g.id !== 'string' || !Array.isArray(g.m)) continue;
    for (const uid of g.m) {
      if (typeof uid !== 'string') continue;
      let list = out.get(uid);
      if (!list) out.set(uid, (list = []));
      if (list.some((r) => r.value === g.id)) continue;
      list.push({ value: g.id, ...(typeof g.displayName === 'string' ? { display: g.displayName } : {}), type: 'direct' });
    }
  }
  return out;
}
