/**
 * Filters on `meta.resourceType` and `meta.location`, which the gateway adds as it serves a
 * resource and no connector stores: decided before the query goes out, so they select what a
 * client sees in `meta`. A property compares every answer with the filter evaluated over the
 * served resources themselves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../src/filter/index.js';
import { matchesFilter } from '../src/filter/evaluate.js';
import { createScimHandler } from '../src/handler/index.js';
import { type QueryRequest, URN } from '../src/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';

const ORIGIN = 'https://gw.example';
type List = {
  totalResults: number;
  Resources: { id: string; userName?: string; displayName?: string; meta: { location: string } }[];
};

async function setup() {
  const queries: QueryRequest[] = [];
  const h = createScimHandler({ connector: memoryConnector({ queries }) });
  const call = async (method: string, url: string, body?: unknown) =>
    h.handle({ method, url, origin: ORIGIN, headers: {}, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const ids: string[] = [];
  for (const userName of ['ada', 'bob', 'cy d/e'])
    ids.push(String(((await call('POST', '/Users', { userName })).body as { id: string }).id));
  await call('POST', '/Groups', { displayName: 'Ops' });
  const list = async (url: string) => (await call('GET', url)).body as List;
  return { call, list, ids, queries };
}

const q = (filter: string) => `/Users?filter=${encodeURIComponent(filter)}`;

describe('filters on the meta attributes the gateway adds', () => {
  it('meta.resourceType: the type searched; a filter that cannot match asks the connector nothing', async () => {
    const { list, queries } = await setup();
    expect((await list(q('meta.resourceType eq "User"'))).totalResults).toBe(3);
    expect((await list(q('meta.resourceType pr and userName eq "bob"'))).Resources.map((r) => r.userName)).toEqual(['bob']);
    const before = queries.length;
    expect((await list(q('meta.resourceType eq "Group"'))).totalResults).toBe(0);
    expect((await list(q('meta.resourceType eq "Group" and userName eq "bob"'))).totalResults).toBe(0);
    expect(queries.length).toBe(before);
    expect((await list('/Groups?filter=' + encodeURIComponent('meta.resourceType eq "Group"'))).totalResults).toBe(1);
  });

  it('meta.location: pr, eq and ne by the URL a client was given; other operators are 400', async () => {
    const { call, list, ids } = await setup();
    expect((await list(q('meta.location pr'))).totalResults).toBe(3);
    const all = await list('/Users');
    for (const r of all.Resources) {
      const found = await list(q(`meta.location eq "${r.meta.location}"`));
      expect(found.Resources.map((x) => x.id)).toEqual([r.id]);
      expect((await list(q(`meta.location ne "${r.meta.location}"`))).totalResults).toBe(2);
    }
    expect(ids).toContain(all.Resources.find((r) => r.userName === 'cy d/e')?.id);
    // Another type's URL, another origin, no id: nothing.
    expect((await list(q(`meta.location eq "${ORIGIN}/Groups/${ids[0]}"`))).totalResults).toBe(0);
    expect((await list(q(`meta.location eq "https://elsewhere/Users/${ids[0]}"`))).totalResults).toBe(0);
    expect((await list(q(`meta.location eq "${ORIGIN}/Users/"`))).totalResults).toBe(0);
    const bad = await call('GET', q('meta.location co "Users"'));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ scimType: 'invalidFilter' });
  });

  it('a root search narrowed to one type', async () => {
    const { call } = await setup();
    const r = await call('POST', '/.search', { schemas: [URN.SearchRequest], filter: 'meta.resourceType eq "Group"' });
    expect((r.body as List).Resources.map((x) => x.displayName)).toEqual(['Ops']);
  });

  it('property: the answer is the filter evaluated over the resources as served', async () => {
    const { list } = await setup();
    const served = (await list('/Users')).Resources;
    const leaf = fc.oneof(
      fc.constantFrom('"User"', '"Group"', '"user"').map((v) => `meta.resourceType eq ${v}`),
      fc.constant('meta.resourceType pr'),
      fc.constant('meta.location pr'),
      fc.constantFrom(...served.map((r) => r.meta.location), `${ORIGIN}/Users/none`).map((u) => `meta.location eq "${u}"`),
      fc.constantFrom('ada', 'bob', 'zed').map((n) => `userName eq "${n}"`),
    );
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
        tie('e').map((a) => `not (${a})`),
      ),
    })).e;
    await fc.assert(
      fc.asyncProperty(expr, async (filter) => {
        const got = (await list(q(filter))).Resources.map((r) => r.id).sort();
        const want = served
          .filter((r) => matchesFilter(parseFilter(filter), r))
          .map((r) => r.id)
          .sort();
        expect(got).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });
});
