// The workloads (a)–(g) of issue 31 as request makers for lib/load.mjs, on a gateway seeded by
// lib/seed.mjs: one definition for bench/run.mjs (requests per second) and bench/cost.mjs (CPU per
// request), so the two always measure the same requests.

/** A random element of a list. */
export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

/** Workload key → its name and request maker, for a store seeded with `users` users. */
export function workloads(seeded, users) {
  return {
    a: { name: 'GET /ping', make: () => ({ path: '/ping' }) },
    b: {
      name: 'GET /Users?filter=userName eq',
      make: () => ({ path: `/Users?filter=${encodeURIComponent(`userName eq "${pick(seeded.userNames)}"`)}` }),
    },
    c: {
      name: 'GET /Users?startIndex&count=100',
      make: () => ({ path: `/Users?startIndex=${1 + Math.floor(Math.random() * Math.max(1, users - 100))}&count=100` }),
    },
    d: {
      name: 'POST /Users',
      make: (i) => ({
        method: 'POST',
        path: '/Users',
        body: { userName: `${seeded.prefix}-new-${process.hrtime.bigint()}-${i}`, name: { givenName: 'N', familyName: 'B' } },
      }),
    },
    e: {
      name: 'PATCH /Users/{id} replace',
      make: (i) => ({
        method: 'PATCH',
        path: `/Users/${pick(seeded.userIds)}`,
        body: { Operations: [{ op: 'replace', path: 'title', value: `t${i}` }] },
      }),
    },
    f: {
      name: 'PATCH /Groups/{big} add member',
      make: (i) => ({
        method: 'PATCH',
        path: `/Groups/${seeded.bigGroupId}`,
        body: {
          Operations: [
            {
              op: 'add',
              path: 'members',
              value: [{ value: `${seeded.prefix}-extra-${i}-${Math.random().toString(36).slice(2)}` }],
            },
          ],
        },
      }),
    },
    g: { name: 'GET /Groups/{big}', make: () => ({ path: `/Groups/${seeded.bigGroupId}` }) },
  };
}
