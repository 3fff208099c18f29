/** One Identity Manager: long `or` filters over `userName`, `id` and `externalId` (§3.7). */
import { fail, ids, q, same, type ReplayStep as Step, USER } from './step.js';

/** Forty `userName eq` terms, three of which exist. */
const MANY_NAMES = Array.from({ length: 40 }, (_, i) =>
  i === 0 ? 'oi.a' : i === 20 ? 'oi.b' : i === 39 ? 'oi.c' : `oi.missing${i}`,
);
const MISSING_IDS = Array.from(
  { length: 18 },
  (_, i) => `0f0e${String(i).padStart(4, '0')}-5c1b-4b7e-9a52-3d6c2b1e8f${String(i).padStart(2, '0')}`,
);

export const ONE_IDENTITY: Step[] = [
  ...['a', 'b', 'c'].map(
    (x): Step => ({
      name: `create oi.${x}`,
      method: 'POST',
      url: '/Users',
      body: { schemas: [USER], userName: `oi.${x}`, externalId: `oi-ext-${x}`, active: true },
      status: 201,
      capture: { [x]: 'id' },
    }),
  ),
  {
    name: `${MANY_NAMES.length} userName terms joined by or`,
    method: 'GET',
    url: `/Users?filter=${q(MANY_NAMES.map((n) => `userName eq "${n}"`).join(' or '))}&count=100`,
    status: 200,
    check: (b) => {
      const names = (b.Resources as { userName: string }[]).map((r) => r.userName).sort();
      if (b.totalResults !== 3 || names.join() !== 'oi.a,oi.b,oi.c') fail(b);
    },
  },
  {
    name: '20 id terms joined by or, two of which exist',
    method: 'GET',
    url: `/Users?filter=${q(['{{a}}', ...MISSING_IDS, '{{c}}'].map((id) => `id eq "${id}"`).join(' or '))}`,
    status: 200,
    check: (b, v) => {
      if (b.totalResults !== 2 || !same(ids(b.Resources), [v.a, v.c])) fail(b);
    },
  },
  {
    name: 'externalId terms joined by or',
    method: 'GET',
    url: `/Users?filter=${q(['a', 'b', 'c', 'x', 'y', 'z'].map((x) => `externalId eq "oi-ext-${x}"`).join(' or '))}`,
    status: 200,
    check: (b, v) => {
      if (b.totalResults !== 3 || !same(ids(b.Resources), [v.a, v.b, v.c])) fail(b);
    },
  },
];
