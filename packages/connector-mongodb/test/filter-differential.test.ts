/**
 * Differential tests: random filters and sorts run through MongoDB (the connector's translation)
 * and through the core's evaluator over the same stored users must select — and order — the same
 * resources. Any difference in meaning (case, `ne`, `eq null`, `pr` on complex values, multi-valued
 * attributes, value paths, dates, numbers, escaping of `co`/`sw`/`ew`, booleans another
 * application stored as strings) fails with the filter that shows it.
 */
import type { Connector, QueryRequest, ScimResource } from '@scimgw/core';
import {
  type AttrPath,
  type CompValue,
  type FilterNode,
  matchesFilter,
  parseFilter,
  serializeFilter,
  sortResources,
} from '@scimgw/core/filter';
import { createScimHandler } from '@scimgw/core/handler';
import fc from 'fast-check';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeKey, translateFilter } from '../src/index.js';
import { type Backend, connectorOn, startBackend, uniqueDb } from './helpers/backend.js';
import { corpusRegistry, corpusUsers, DATES, DEPARTMENTS, DOMAINS, ENT, EXT, TYPES, WORDS } from './helpers/corpus.js';

let backend: Backend;
let connector: Connector & { open(): Promise<void> };
let all: ScimResource[];
const registry = corpusRegistry();
const rt = registry.resourceType('User')!;
const resolve = registry.resolver(rt);
const ctx = {};

/**
 * Users another application wrote straight into MongoDB, with booleans that are not booleans: the
 * strings "true"/"false" in any case (read as booleans), and values no boolean can be read from
 * (served as absent).
 */
function foreignUsers(): Record<string, unknown>[] {
  const meta = { created: '2024-05-01T00:00:00.000Z', lastModified: '2024-05-01T00:00:00.000Z', version: 1 };
  const foreign: [unknown, unknown, unknown][] = [
    ['True', 'TRUE', 'false'],
    ['false', 'yes', 'True'],
    ['FALSE', 'False', 1],
    ['yes', 'true', ''],
    [1, 0, 'fAlSe'],
    ['', 'no', 'TRUE'],
  ];
  return foreign.map(([active, primary, flag], i) => ({
    id: `foreign-${i}`,
    userName: `foreign.user${i}`,
    active,
    emails: [
      { value: `foreign${i}@example.com`, type: 'work', primary },
      { value: `foreign${i}b@example.com`, primary: i % 2 === 0 ? false : 'FALSE' },
    ],
    [encodeKey(EXT)]: { flag },
    meta,
  }));
}

beforeAll(async () => {
  backend = await startBackend();
  const database = uniqueDb('diff');
  connector = connectorOn(backend.url, { registry, database });
  await connector.open();
  const h = createScimHandler({ connector });
  // Two groups, so that filters on the users' computed `groups` have something to find.
  const made: string[] = [];
  for (const body of corpusUsers(90)) {
    const res = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify(body) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    made.push((res.body as { id: string }).id);
  }
  for (const [name, members] of [
    ['Admins', made.slice(0, 10)],
    ['staff', made.filter((_, i) => i % 3 === 0)],
  ] as const) {
    const res = await h.handle({
      method: 'POST',
      url: '/Groups',
      body: JSON.stringify({ displayName: name, members: members.map((value) => ({ value })) }),
    });
    expect(res.status).toBe(201);
  }
  const raw = new MongoClient(backend.url);
  try {
    await raw.db(database).collection('users').insertMany(foreignUsers());
  } finally {
    await raw.close();
  }
  all = (await connector.resources.User!.query!({}, ctx)).resources;
  expect(all).toHaveLength(96);
});
afterAll(async () => {
  await connector?.close?.();
  await backend.stop();
});

type Kind = 'string' | 'exact' | 'bool' | 'int' | 'dec' | 'date' | 'complex';
const PATHS: [AttrPath, Kind][] = [
  [{ attr: 'userName' }, 'string'],
  [{ attr: 'displayName' }, 'string'],
  [{ attr: 'title' }, 'string'],
  [{ attr: 'nickName' }, 'string'],
  [{ attr: 'active' }, 'bool'],
  [{ attr: 'externalId' }, 'exact'],
  [{ attr: 'id' }, 'exact'],
  [{ attr: 'name', sub: 'givenName' }, 'string'],
  [{ attr: 'name', sub: 'familyName' }, 'string'],
  [{ attr: 'name' }, 'complex'],
  [{ attr: 'emails' }, 'string'],
  [{ attr: 'emails', sub: 'value' }, 'string'],
  [{ attr: 'emails', sub: 'type' }, 'string'],
  [{ attr: 'emails', sub: 'primary' }, 'bool'],
  [{ attr: 'addresses' }, 'complex'],
  [{ attr: 'addresses', sub: 'locality' }, 'string'],
  [{ attr: 'meta', sub: 'created' }, 'date'],
  [{ attr: 'groups', sub: 'display' }, 'string'],
  [{ attr: 'groups' }, 'exact'],
  [{ uri: ENT, attr: 'department' }, 'string'],
  [{ uri: ENT, attr: 'employeeNumber' }, 'string'],
  [{ uri: ENT, attr: 'manager', sub: 'value' }, 'exact'],
  [{ uri: ENT, attr: 'manager' }, 'exact'],
  [{ uri: EXT, attr: 'level' }, 'int'],
  [{ uri: EXT, attr: 'score' }, 'dec'],
  [{ uri: EXT, attr: 'since' }, 'date'],
  [{ uri: EXT, attr: 'flag' }, 'bool'],
  [{ uri: EXT, attr: 'code' }, 'exact'],
  [{ uri: EXT, attr: 'tags' }, 'string'],
  [{ attr: 'undefinedAttribute' }, 'string'],
];

const caseVariant = (s: string) =>
  fc.constantFrom(s, s.toLowerCase(), s.toUpperCase(), s.slice(0, Math.max(1, Math.floor(s.length / 2))), s.slice(-3));
const words = fc.constantFrom(
  ...WORDS,
  ...DOMAINS,
  ...TYPES,
  'engineer',
  'oslo',
  'ext-1',
  'EXT-2',
  'mgr-a',
  'AbC',
  'abc',
  'red',
  'x',
);
const text = words.chain(caseVariant);
const punctPrintable = fc.constantFrom(...DEPARTMENTS, '.', '*', '(', ')', '+', '?', '[', '\\', '^$', '|', '@');
const punct = fc.oneof(punctPrintable, fc.constantFrom('\n', '\u0000', 'a\nb'));

function valueFor(kind: Kind, op: string): fc.Arbitrary<CompValue> {
  const ordered = op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
  switch (kind) {
    case 'bool':
      return fc.constantFrom<CompValue>(true, false, 'True', 'false', 'yes', null);
    case 'int':
    case 'dec':
      return fc.oneof(fc.integer({ min: -3, max: 10 }), fc.constantFrom<CompValue>(2.5, '3', 'abc', null, 0));
    case 'date':
      return fc.oneof(
        fc.constantFrom<CompValue>(...DATES, '2025-06-15', '2025-06-15T12:30:00.000+00:00', 'not a date', '2025', null),
        ...(ordered ? [] : [fc.constantFrom<CompValue>('2025-06', 'T12', '.000z')]),
      );
    default:
      // Ordered comparisons on case-insensitive strings follow the collation (ICU), which orders
      // punctuation before digits and letters; against this corpus, alphabetic literals order the
      // same under ICU and under code points (the core's order). Only alphabetic ones, then: a
      // slice of "mgr-a" ("r-a") put "R&D" on different sides ('-' before '&' in ICU, after it
      // in code points), a documented difference that failed CI once.
      if (ordered)
        return fc.oneof(
          text.filter((s) => /^[A-Za-z]+$/.test(s)),
          fc.constantFrom<CompValue>(null, 'm', 'M'),
        );
      // Equality on case-insensitive strings follows the collation too, which ignores control
      // characters ("\n" equals ""), as the unique index does; patterns (co/sw/ew) do not.
      if ((op === 'eq' || op === 'ne') && kind === 'string')
        return fc.oneof(text, punctPrintable, fc.constantFrom<CompValue>(null, 7, true, ''));
      return fc.oneof(text, punct, fc.constantFrom<CompValue>(null, 7, true, ''));
  }
}

const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;

const leaf: fc.Arbitrary<FilterNode> = fc.constantFrom(...PATHS).chain(([path, kind]) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant<FilterNode>({ type: 'present', path }) },
    {
      weight: 5,
      arbitrary: fc
        .constantFrom(...OPS)
        .chain((op) => valueFor(kind, op).map((value): FilterNode => ({ type: 'compare', path, op, value }))),
    },
  ),
);

const EMAIL_SUBS: [string, Kind][] = [
  ['value', 'string'],
  ['type', 'string'],
  ['primary', 'bool'],
  ['display', 'string'],
];
const emailLeaf: fc.Arbitrary<FilterNode> = fc.constantFrom(...EMAIL_SUBS).chain(([attr, kind]) =>
  fc.oneof(
    fc.constant<FilterNode>({ type: 'present', path: { attr } }),
    fc
      .constantFrom(...OPS)
      .chain((op) => valueFor(kind, op).map((value): FilterNode => ({ type: 'compare', path: { attr }, op, value }))),
  ),
);
const emailFilter: fc.Arbitrary<FilterNode> = fc.oneof(
  { weight: 3, arbitrary: emailLeaf },
  { weight: 1, arbitrary: fc.tuple(emailLeaf, emailLeaf).map(([a, b]): FilterNode => ({ type: 'and', filters: [a, b] })) },
  { weight: 1, arbitrary: fc.tuple(emailLeaf, emailLeaf).map(([a, b]): FilterNode => ({ type: 'or', filters: [a, b] })) },
  { weight: 1, arbitrary: emailLeaf.map((f): FilterNode => ({ type: 'not', filter: f })) },
);
const valuePath = fc.oneof(
  emailFilter.map((filter): FilterNode => ({ type: 'valuePath', path: { attr: 'emails' }, filter })),
  fc.constantFrom('Oslo', 'oslo', 'NO', 'x').map(
    (v): FilterNode => ({
      type: 'valuePath',
      path: { attr: 'addresses' },
      filter: { type: 'compare', path: { attr: 'locality' }, op: 'eq', value: v },
    }),
  ),
);

const filterTree: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: valuePath },
    {
      weight: 2,
      arbitrary: fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((filters): FilterNode => ({ type: 'and', filters })),
    },
    {
      weight: 2,
      arbitrary: fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((filters): FilterNode => ({ type: 'or', filters })),
    },
    { weight: 1, arbitrary: tie('node').map((filter): FilterNode => ({ type: 'not', filter })) },
  ),
})).node;

const ids = (rs: ScimResource[]) => rs.map((r) => String(r.id));
const query = (req: QueryRequest) => connector.resources.User!.query!(req, ctx);

describe('booleans stored as something else', () => {
  it('are served as the schema says: "true"/"false" in any case as booleans, anything else not at all', async () => {
    const served = (id: string) => all.find((r) => r.id === id) as Record<string, unknown>;
    expect(served('foreign-0')).toMatchObject({
      active: true,
      emails: [{ primary: true }, { primary: false }],
      [EXT]: { flag: false },
    });
    expect(served('foreign-1')).toMatchObject({ active: false, [EXT]: { flag: true } });
    expect(served('foreign-1').emails).toEqual([
      { value: 'foreign1@example.com', type: 'work' },
      { value: 'foreign1b@example.com', primary: false },
    ]);
    expect(served('foreign-3')).not.toHaveProperty('active');
    expect(served('foreign-3')).not.toHaveProperty(EXT);
    expect(served('foreign-4')).not.toHaveProperty('active');
    expect(served('foreign-5')).not.toHaveProperty('active');
    for (const r of all) {
      expect(['boolean', 'undefined'], JSON.stringify(r)).toContain(typeof r.active);
      for (const e of (r.emails ?? []) as Record<string, unknown>[])
        expect(['boolean', 'undefined'], JSON.stringify(r)).toContain(typeof e.primary);
    }
    // A filter finds what the read shows, with the values the read shows.
    const h = createScimHandler({ connector });
    const res = await h.handle({
      method: 'GET',
      url: `/Users?filter=${encodeURIComponent('active eq false and userName sw "foreign"')}`,
    });
    expect((res.body as { Resources: ScimResource[] }).Resources.map((r) => [r.id, r.active])).toEqual([
      ['foreign-1', false],
      ['foreign-2', false],
    ]);
  });
});

describe('filters: MongoDB and the core evaluator agree', () => {
  it('on hand-picked filters that are easy to get wrong', async () => {
    const cases = [
      'title eq ""',
      'title pr',
      'not (title pr)',
      'title eq null',
      'title ne null',
      'title ne "engineer"',
      'emails pr',
      'emails eq "ALICE0@example.com"',
      'emails[type eq "work" and primary eq true]',
      'emails[not (type eq "work")]',
      'name pr',
      'addresses[locality eq "OSLO"]',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "*c+?"',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw "^$["',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "r&d"',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:code eq "abc"',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:level gt 3',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:level co 1',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:since gt "2025-06-15T12:30:00Z"',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:since eq "2023-03-01T06:00:00Z"',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:flag eq "True"',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:tags eq "RED"',
      'groups.display eq "admins"',
      'groups pr',
      'externalId eq "ext-1" or userName sw "ALICE"',
      'undefinedAttribute pr',
      'meta.created gt "2020-01-01"',
      'name[givenName eq "ALICE"]',
      'name[not (givenName pr)]',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "mgr-A"]',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "MGR-A"',
      'addresses[not (locality eq "oslo")]',
      'emails[value pr and not (primary eq true)]',
      'emails[type ne "work"] and not (emails.type eq "home")',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:tags pr',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:tags ne "red"',
      'id pr and externalId sw "EXT"',
      'userName gt "m" and externalId lt "ext-5"',
      'active eq true',
      'active eq false',
      'active ne true',
      'active ne false',
      'active pr',
      'active eq null',
      'not (active eq false)',
      'emails[primary eq true]',
      'emails[primary eq false]',
      'emails[primary pr]',
      'emails.primary pr',
      'emails[not (primary pr)]',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:flag eq false',
      'urn:test:params:scim:schemas:extension:custom:2.0:User:flag pr',
      'urn:test:params:scim:schemas:extension:custom:2.0:User pr',
    ];
    const h = createScimHandler({ connector });
    for (const text of cases) {
      const expected = ids(all.filter((r) => matchesFilter(parseFilter(text), r, resolve)));
      const res = await h.handle({ method: 'GET', url: `/Users?count=1000&filter=${encodeURIComponent(text)}` });
      expect(res.status, `${text}: ${JSON.stringify(res.body)}`).toBe(200);
      const got = ids((res.body as { Resources: ScimResource[] }).Resources);
      expect(new Set(got), text).toEqual(new Set(expected));
      expect(got.length, text).toBe(expected.length);
    }
  });

  it('on random filters', async () => {
    let exact = 0;
    await fc.assert(
      fc.asyncProperty(filterTree, async (filter) => {
        if (translateFilter(filter, { registry, rt, computed: new Set(['groups']) }).exact) exact++;
        const expected = ids(all.filter((r) => matchesFilter(filter, r, resolve)));
        const got = ids((await query({ filter })).resources);
        expect(new Set(got), serializeFilter(filter)).toEqual(new Set(expected));
        expect(got.length, serializeFilter(filter)).toBe(expected.length);
      }),
      { numRuns: Number(process.env.FILTER_RUNS ?? 300) },
    );
    // Most random filters must run in MongoDB, not in memory.
    expect(exact).toBeGreaterThan(150);
  });

  it('on random sorts, in the same order (ties in insertion order)', async () => {
    const sortable = PATHS.filter(([p]) => p.attr !== 'undefinedAttribute');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sortable),
        fc.constantFrom('ascending' as const, 'descending' as const),
        async ([path], order) => {
          const expected = ids(sortResources(all, path, order, resolve));
          const got = ids((await query({ sort: { path, order } })).resources);
          expect(got, `${JSON.stringify(path)} ${order}`).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
