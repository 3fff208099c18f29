/** SailPoint: bursts of parallel creates and membership changes, a create sent again while it runs (§3.7). */
import { fail, GROUP, ids, PATCH, q, same, type ReplayStep as Step, USER } from './step.js';

const BURST = 8;
const members = (v: Record<string, string>, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => v[`m${from + i}`]);

export const SAILPOINT_BURST: Step[] = [
  {
    name: `${BURST} creates at once`,
    concurrent: BURST,
    method: 'POST',
    url: '/Users',
    body: { schemas: [USER], userName: 'sp.user.{{i}}@example.com', active: true },
    status: 201,
    capture: { 'm{{i}}': 'id' },
  },
  {
    name: 'one create sent 6 times at once (a client retrying): one is made, the others are 409',
    concurrent: 6,
    statusCounts: { 201: 1, 409: 5 },
    method: 'POST',
    url: '/Users',
    body: { schemas: [USER], userName: 'sp.same@example.com', active: true },
    status: 201,
    capture: { same: 'id' },
  },
  {
    name: 'and only one user has the name',
    method: 'GET',
    url: `/Users?filter=${q('userName eq "sp.same@example.com"')}`,
    status: 200,
    check: (b, v) => {
      if (b.totalResults !== 1 || b.Resources[0].id !== v.same) fail(b);
    },
  },
  {
    name: 'group for the burst',
    method: 'POST',
    url: '/Groups',
    body: { schemas: [GROUP], displayName: 'SailPoint Burst' },
    status: 201,
    capture: { group: 'id' },
  },
  {
    name: `${BURST} member adds to one group at once`,
    concurrent: BURST,
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: '{{m{{i}}}}' }] }] },
    status: 204,
  },
  {
    name: 'no add was lost',
    method: 'GET',
    url: '/Groups/{{group}}',
    status: 200,
    check: (b, v) => {
      if (!same(ids(b.members), members(v, 0, BURST))) fail(b.members);
    },
  },
  {
    name: `${BURST / 2} member removes at once`,
    concurrent: BURST / 2,
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members[value eq "{{m{{i}}}}"]' }] },
    status: 204,
  },
  {
    name: 'exactly the other half remains',
    method: 'GET',
    url: '/Groups/{{group}}',
    status: 200,
    check: (b, v) => {
      if (!same(ids(b.members), members(v, BURST / 2, BURST))) fail(b.members);
    },
  },
];
