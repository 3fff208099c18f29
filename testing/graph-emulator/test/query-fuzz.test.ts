/** Random query strings and bodies through the real HTTP front: every answer is a Graph answer (never a 500). */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { EVENTUAL, type TestTenant, startTenant } from './helpers.js';

let t: TestTenant;
let group: string;
beforeAll(async () => {
  t = await startTenant();
  t.graph.state.addUsers(20, (i) => ({ displayName: `Fuzz ${i}`, department: i % 2 ? 'A' : 'B' }));
  group = t.graph.state.addGroup();
});
afterAll(() => t.graph.close());

const option = fc.constantFrom(
  '$filter',
  '$select',
  '$top',
  '$count',
  '$orderby',
  '$search',
  '$expand',
  '$skiptoken',
  'filter',
  '$skip',
  '$x',
);
const value = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    "displayName eq 'Fuzz 1'",
    'id,displayName',
    '5',
    'true',
    'displayName desc',
    '"displayName:fuzz"',
    'manager',
    'memberOf($select=id)',
  ),
);

test('query options on collections', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(
        '/users',
        '/groups',
        `/groups/${group}/members`,
        '/users/$count',
        '/roleManagement/directory/roleDefinitions',
        '/identityGovernance/entitlementManagement/assignments',
      ),
      fc.array(fc.tuple(option, value), { maxLength: 4 }),
      fc.boolean(),
      async (path, pairs, eventual) => {
        const query = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        const r = await t.call('GET', `${path}?${query}`, undefined, eventual ? EVENTUAL : {});
        expect([200, 400]).toContain(r.status);
        if (r.status === 400) expect(typeof r.json.error.code).toBe('string');
      },
    ),
    { numRuns: 300 },
  );
});

test('arbitrary JSON bodies on writes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(
        ['POST', '/users'],
        ['POST', '/groups'],
        ['PATCH', `/groups/${group}`],
        ['POST', `/groups/${group}/members/$ref`],
        ['POST', '/$batch'],
        ['POST', '/roleManagement/directory/roleAssignments'],
      ),
      fc.jsonValue({ maxDepth: 4 }),
      async ([method, path], body) => {
        const r = await t.call(method as string, path as string, JSON.stringify(body));
        expect(r.status).toBeLessThan(500);
      },
    ),
    { numRuns: 300 },
  );
});
