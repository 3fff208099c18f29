/** AWS IAM Identity Center: RFC 9865 cursor pages (§3.7). */
import { fail, q, same, type ReplayStep as Step, USER } from './step.js';

/** Ids seen across the cursor pages of one run (reset by the first page). */
const seen = new Set<string>();
const page = (b: { Resources: { id: string; userName: string }[] }, size: number, first = false) => {
  if (first) seen.clear();
  if (b.Resources.length !== size) fail(b);
  for (const r of b.Resources) {
    if (!r.userName.startsWith('aws.') || seen.has(r.id)) fail(b);
    seen.add(r.id);
  }
};

export const AWS_CURSOR: Step[] = [
  ...[1, 2, 3, 4, 5].map(
    (n): Step => ({
      name: `create aws.${n}`,
      method: 'POST',
      url: '/Users',
      body: { schemas: [USER], userName: `aws.${n}@example.com`, active: true },
      status: 201,
      capture: { [`u${n}`]: 'id' },
    }),
  ),
  {
    name: 'first cursor page',
    method: 'GET',
    url: `/Users?filter=${q('userName sw "aws."')}&count=2&cursor`,
    status: 200,
    capture: { c1: 'nextCursor' },
    check: (b) => {
      page(b, 2, true);
      if (typeof b.nextCursor !== 'string' || b.nextCursor === '') fail(b);
    },
  },
  {
    name: 'second cursor page',
    method: 'GET',
    url: `/Users?filter=${q('userName sw "aws."')}&count=2&cursor={{c1}}`,
    status: 200,
    capture: { c2: 'nextCursor' },
    check: (b) => {
      page(b, 2);
      if (typeof b.nextCursor !== 'string' || b.nextCursor === '') fail(b);
    },
  },
  {
    name: 'last cursor page: the fifth user, no next cursor',
    method: 'GET',
    url: `/Users?filter=${q('userName sw "aws."')}&count=2&cursor={{c2}}`,
    status: 200,
    check: (b, v) => {
      page(b, 1);
      if (b.nextCursor !== undefined) fail(b);
      if (!same([...seen].sort(), [v.u1, v.u2, v.u3, v.u4, v.u5])) fail([...seen]);
    },
  },
  {
    name: 'a cursor that was never issued is 400 invalidCursor',
    method: 'GET',
    url: `/Users?filter=${q('userName sw "aws."')}&count=2&cursor=not-a-cursor`,
    status: 400,
    check: (b) => {
      if (b.scimType !== 'invalidCursor') fail(b);
    },
  },
];
