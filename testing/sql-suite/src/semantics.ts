/**
 * Filter, sort and paging semantics checked against the core's own evaluator: a deterministic set
 * of users with awkward values (case variants, trailing spaces, empty strings, LIKE wildcards,
 * homoglyphs, missing attributes, several emails) is stored through the connector; then
 * fast-check generates filters (every operator, `and`/`or`/`not`, value paths) and sorts, and
 * whatever the connector answers must be exactly what `matchesFilter`/`sortResources` compute
 * over the same users.
 */
import type { Connector, ScimResource } from '@scimgw/core';
import {
  type AttrPath,
  type CompValue,
  type FilterNode,
  matchesFilter,
  serializeFilter,
  sortResources,
} from '@scimgw/core/filter';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import fc from 'fast-check';
import type { FreshFactory, SuiteCase } from './types.js';
import { check } from './types.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * Characters of the generated values. Two differences between SQL and JavaScript are left out on
 * purpose (the connector guides document them): text compares in code point order in SQL and in
 * UTF-16 order in JavaScript, which disagree only between U+E000–U+FFFF and astral characters; and
 * `toLowerCase` applies context rules (final sigma: "ΣΣ" → "σς") that SQL's `lower` does not.
 * Homoglyphs (Cyrillic "а"), wildcards and quotes are in.
 */
const WORDS = [
  'ann',
  'Ann',
  'ANN',
  'ann ',
  'bob',
  'b%b',
  'b_b',
  'b!b',
  'a\\b',
  "o'neil",
  'ÄÖ',
  'äö',
  'Ωω',
  'аnn',
  'x',
  '',
  'zed',
];

/** A small deterministic generator (the data must be the same in every run). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The users stored for the semantics cases. */
export function semanticsUsers(count = 36): Record<string, unknown>[] {
  const rnd = lcg(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const maybe = <T>(v: T, p = 0.7): T | undefined => (rnd() < p ? v : undefined);
  const users: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const emails = Array.from({ length: Math.floor(rnd() * 4) }, (_, k) => ({
      value: `${pick(WORDS)}${k}@${pick(['ex.org', 'EX.org', 'b%c.io'])}`,
      type: pick(['work', 'home', 'Work', 'other']),
      ...(rnd() < 0.3 ? { primary: rnd() < 0.5 } : {}),
    }));
    // At most one primary per attribute (RFC 7643 §2.4; the core refuses more in a POST).
    emails.reduce((seen, e) => {
      if (e.primary !== true) return seen;
      if (seen) e.primary = false;
      return true;
    }, false);
    const user: Record<string, unknown> = {
      userName: `${pick(WORDS)}-${i}${pick(['', ' ', 'Z', 'z'])}`,
      externalId: maybe(`ext-${pick(WORDS)}`),
      displayName: maybe(pick(WORDS)),
      title: maybe(pick(WORDS), 0.5),
      active: maybe(rnd() < 0.5),
      name: { givenName: maybe(pick(WORDS)), familyName: maybe(pick(WORDS)) },
      ...(emails.length ? { emails } : {}),
      ...(rnd() < 0.4 ? { phoneNumbers: [{ value: `+1 ${Math.floor(rnd() * 1000)}`, type: pick(['work', 'mobile']) }] } : {}),
      ...(rnd() < 0.5
        ? {
            addresses: [
              {
                locality: pick(WORDS),
                country: pick(['DE', 'de', 'US']),
                type: 'work',
                ...(rnd() < 0.5 ? { primary: true } : {}),
              },
            ],
          }
        : {}),
      ...(rnd() < 0.5 ? { roles: [{ value: pick(WORDS), ...(rnd() < 0.5 ? { primary: rnd() < 0.5 } : {}) }] } : {}),
      [ENT]: { employeeNumber: maybe(String(Math.floor(rnd() * 100))), department: maybe(pick(WORDS)) },
    };
    users.push(JSON.parse(JSON.stringify(user)));
  }
  return users;
}

type Kind = 'string' | 'boolean' | 'dateTime';
interface FilterAttr {
  path: AttrPath;
  kind: Kind;
}

const p = (text: string): AttrPath => {
  const urn = text.startsWith('urn:') ? text.slice(0, text.lastIndexOf(':')) : undefined;
  const rest = urn ? text.slice(urn.length + 1) : text;
  const [attr, sub] = rest.split('.') as [string, string | undefined];
  return { ...(urn ? { uri: urn } : {}), attr, ...(sub ? { sub } : {}) };
};

const ATTRS: FilterAttr[] = [
  ...[
    'userName',
    'externalId',
    'displayName',
    'title',
    'name.givenName',
    'name.familyName',
    'emails',
    'emails.value',
    'emails.type',
  ]
    .concat(['phoneNumbers.value', 'addresses.locality', 'addresses.country', 'roles.value', 'id', 'groups.value'])
    .concat([`${ENT}:employeeNumber`, `${ENT}:department`])
    .map((t) => ({ path: p(t), kind: 'string' as const })),
  ...['active', 'emails.primary', 'addresses.primary', 'roles.primary'].map((t) => ({ path: p(t), kind: 'boolean' as const })),
  ...['meta.created', 'meta.lastModified'].map((t) => ({ path: p(t), kind: 'dateTime' as const })),
];

/** Value paths: an attribute and the element members filtered inside it. */
const VALUE_PATHS: { path: AttrPath; subs: FilterAttr[] }[] = [
  { path: p('emails'), subs: [p('value'), p('type'), p('display')].map((x) => ({ path: x, kind: 'string' as const })) },
  { path: p('emails'), subs: [{ path: p('primary'), kind: 'boolean' as const }] },
  { path: p('addresses'), subs: ['locality', 'country', 'type'].map((x) => ({ path: p(x), kind: 'string' as const })) },
  {
    path: p('roles'),
    subs: [
      { path: p('value'), kind: 'string' as const },
      { path: p('primary'), kind: 'boolean' as const },
    ],
  },
];

function valuesAt(users: readonly ScimResource[], path: AttrPath): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (path.sub) walk(o[path.sub]);
      else if ('value' in o) walk(o.value);
    } else out.add(String(v));
  };
  for (const u of users) {
    const base = path.uri ? (u[path.uri] as Record<string, unknown> | undefined) : u;
    const v = base?.[path.attr];
    if (path.sub && !Array.isArray(v) && v && typeof v === 'object') walk((v as Record<string, unknown>)[path.sub]);
    else walk(v);
  }
  return [...out];
}

/**
 * Literals of the attribute's type (the core refuses the others with 400 invalidFilter, tested in
 * core): booleans also as Entra ID's strings, numbers for strings (unquoted values), dates as text.
 */
function valueArb(kind: Kind, seen: string[]): fc.Arbitrary<CompValue> {
  if (kind === 'boolean') return fc.constantFrom<CompValue>(true, false, 'true', 'False', null);
  const variants = seen.flatMap((s) => [s, s.toUpperCase(), s.toLowerCase(), s.slice(0, 2), s.slice(-2), s.trim()]);
  if (kind === 'dateTime') return fc.oneof(fc.constantFrom<CompValue>(...seen, '2000-01-01T00:00:00Z', '2000-01-01', null));
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom<CompValue>(...(variants.length ? variants : ['x'])) },
    { weight: 2, arbitrary: fc.constantFrom<CompValue>(...WORDS, '%', '_', '!', '\\', "'", 'b') },
    { weight: 1, arbitrary: fc.constantFrom<CompValue>(null, 42) },
  );
}

const STRING_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
const BOOL_OPS = ['eq', 'ne'] as const;

function leafArb(attrs: FilterAttr[], users: readonly ScimResource[]): fc.Arbitrary<FilterNode> {
  return fc.constantFrom(...attrs).chain((a) => {
    const ops = a.kind === 'boolean' ? BOOL_OPS : STRING_OPS;
    return fc.oneof(
      { weight: 1, arbitrary: fc.constant<FilterNode>({ type: 'present', path: a.path }) },
      {
        weight: 6,
        arbitrary: fc
          .tuple(fc.constantFrom(...ops), valueArb(a.kind, valuesAt(users, a.path)))
          .map(([op, value]): FilterNode => ({ type: 'compare', path: a.path, op, value })),
      },
    );
  });
}

/** Random filters over the attributes of {@link semanticsUsers}. */
export function filterArb(users: readonly ScimResource[]): fc.Arbitrary<FilterNode> {
  const valuePath = fc.constantFrom(...VALUE_PATHS).chain((vp) => {
    const inner = fc.letrec<{ f: FilterNode }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leafArb(
          vp.subs,
          users.flatMap((u) => {
            const v = u[vp.path.attr];
            return (Array.isArray(v) ? v : []) as ScimResource[];
          }),
        ),
        fc.array(tie('f'), { minLength: 2, maxLength: 2 }).map((filters): FilterNode => ({ type: 'and', filters })),
        fc.array(tie('f'), { minLength: 2, maxLength: 2 }).map((filters): FilterNode => ({ type: 'or', filters })),
        tie('f').map((filter): FilterNode => ({ type: 'not', filter })),
      ),
    })).f;
    return inner.map((filter): FilterNode => ({ type: 'valuePath', path: vp.path, filter }));
  });
  return fc.letrec<{ f: FilterNode }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb(ATTRS, users),
      valuePath,
      fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((filters): FilterNode => ({ type: 'and', filters })),
      fc.array(tie('f'), { minLength: 2, maxLength: 3 }).map((filters): FilterNode => ({ type: 'or', filters })),
      tie('f').map((filter): FilterNode => ({ type: 'not', filter })),
    ),
  })).f;
}

const SORTS = [
  'userName',
  'displayName',
  'title',
  'name.familyName',
  'emails',
  'emails.value',
  'emails.type',
  'active',
  'meta.created',
  'externalId',
  `${ENT}:department`,
  'roles.value',
  'nickName',
];

interface Stored {
  handler: ScimHandler;
  connector: Connector;
  all: ScimResource[];
  done(): Promise<void>;
}

async function seed(fresh: FreshFactory): Promise<Stored> {
  const { connector, done } = await fresh();
  try {
    const handler = createScimHandler({ connector });
    for (const u of semanticsUsers()) {
      const r = await handler.handle({ method: 'POST', url: '/Users', body: JSON.stringify(u) });
      check(r.status === 201, `seeding: ${r.status} ${JSON.stringify(r.body)}`);
    }
    const group = await handler.handle({ method: 'POST', url: '/Groups', body: JSON.stringify({ displayName: 'Ann' }) });
    const list = await handler.handle({ method: 'GET', url: '/Users?count=1000' });
    const all = (list.body as { Resources: ScimResource[] }).Resources;
    // A few memberships, so that `groups.value` has something to find.
    const gid = (group.body as { id: string }).id;
    const members = all.filter((_, i) => i % 3 === 0).map((u) => ({ value: u.id }));
    await handler.handle({
      method: 'PATCH',
      url: `/Groups/${gid}`,
      body: JSON.stringify({ Operations: [{ op: 'add', path: 'members', value: members }] }),
    });
    const again = await handler.handle({ method: 'GET', url: '/Users?count=1000' });
    return { handler, connector, all: (again.body as { Resources: ScimResource[] }).Resources, done };
  } catch (e) {
    await done();
    throw e;
  }
}

const ids = (list: readonly ScimResource[]) => list.map((r) => String(r.id));

/** The semantics cases. `runs` is the number of generated filters. */
export function semanticsCases(fresh: FreshFactory, runs = 150): SuiteCase[] {
  let stored: Promise<Stored> | undefined;
  const get = () => (stored ??= seed(fresh));
  const resolverOf = (s: Stored) => {
    const registry = s.connector.registry;
    const rt = registry?.resourceType('User');
    return registry && rt ? registry.resolver(rt) : undefined;
  };
  return [
    {
      name: 'every generated filter selects exactly the users the core evaluator selects',
      async run() {
        const s = await get();
        const resolve = resolverOf(s);
        await fc.assert(
          fc.asyncProperty(filterArb(s.all), async (filter) => {
            const text = serializeFilter(filter);
            const res = await s.handler.handle({ method: 'GET', url: `/Users?count=1000&filter=${encodeURIComponent(text)}` });
            check(res.status === 200, `${text}: ${res.status} ${JSON.stringify(res.body)}`);
            const got = ids((res.body as { Resources: ScimResource[] }).Resources).sort();
            const want = ids(s.all.filter((u) => matchesFilter(filter, u, resolve))).sort();
            check(
              JSON.stringify(got) === JSON.stringify(want),
              `${text}\n got ${got.length}: ${got}\nwant ${want.length}: ${want}`,
            );
          }),
          { numRuns: runs, seed: Number(process.env.FC_SEED ?? Date.now() % 100000) },
        );
      },
    },
    {
      name: 'sorted pages are the core sort of the filtered users, page by page',
      async run() {
        const s = await get();
        const resolve = resolverOf(s);
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...SORTS),
            fc.constantFrom('ascending', 'descending'),
            fc.option(filterArb(s.all), { nil: undefined }),
            fc.integer({ min: 1, max: 40 }),
            fc.integer({ min: 0, max: 12 }),
            async (sortBy, order, filter, startIndex, count) => {
              const q = `sortBy=${encodeURIComponent(sortBy)}&sortOrder=${order}&startIndex=${startIndex}&count=${count}${filter ? `&filter=${encodeURIComponent(serializeFilter(filter))}` : ''}`;
              const res = await s.handler.handle({ method: 'GET', url: `/Users?${q}` });
              check(res.status === 200, `${q}: ${res.status} ${JSON.stringify(res.body)}`);
              const body = res.body as { Resources: ScimResource[]; totalResults: number };
              const matched = filter ? s.all.filter((u) => matchesFilter(filter, u, resolve)) : s.all;
              const sorted = sortResources(matched, p(sortBy), order as 'ascending', resolve as never);
              const want = ids(sorted.slice(startIndex - 1, startIndex - 1 + count));
              check(body.totalResults === matched.length, `${q}: totalResults ${body.totalResults}, want ${matched.length}`);
              check(
                JSON.stringify(ids(body.Resources)) === JSON.stringify(want),
                `${q}\n got ${ids(body.Resources)}\nwant ${want}`,
              );
            },
          ),
          { numRuns: Math.ceil(runs / 2) },
        );
      },
    },
    {
      name: 'cursor pages (RFC 9865) walk every sorted user exactly once',
      async run() {
        const s = await get();
        const resolve = resolverOf(s);
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...SORTS, undefined),
            fc.constantFrom('ascending', 'descending'),
            fc.integer({ min: 1, max: 9 }),
            async (sortBy, order, count) => {
              const seen: string[] = [];
              let cursor = '';
              for (let i = 0; i < 100; i++) {
                const q = `count=${count}&cursor=${encodeURIComponent(cursor)}${sortBy ? `&sortBy=${encodeURIComponent(sortBy)}&sortOrder=${order}` : ''}`;
                const res = await s.handler.handle({ method: 'GET', url: `/Users?${q}` });
                check(res.status === 200, `${q}: ${res.status} ${JSON.stringify(res.body)}`);
                const body = res.body as { Resources: ScimResource[]; nextCursor?: string; totalResults: number };
                check(body.totalResults === s.all.length, `totalResults ${body.totalResults}`);
                seen.push(...ids(body.Resources));
                if (!body.nextCursor) break;
                cursor = body.nextCursor;
              }
              const want = sortBy ? ids(sortResources(s.all, p(sortBy), order as 'ascending', resolve as never)) : ids(s.all);
              check(
                JSON.stringify(seen) === JSON.stringify(want),
                `sortBy=${sortBy} ${order} count=${count}\n got ${seen}\nwant ${want}`,
              );
            },
          ),
          { numRuns: Math.ceil(runs / 5) },
        );
      },
    },
    {
      name: 'a cursor is refused for another sort or filter, and garbage cursors are 400 invalidCursor',
      async run() {
        const s = await get();
        const first = await s.handler.handle({ method: 'GET', url: '/Users?count=2&cursor=&sortBy=userName' });
        const next = (first.body as { nextCursor?: string }).nextCursor;
        check(typeof next === 'string', 'a first page with more rows has a nextCursor');
        for (const url of [
          `/Users?count=2&cursor=${encodeURIComponent(next as string)}&sortBy=title`,
          `/Users?count=2&cursor=${encodeURIComponent(next as string)}&sortBy=userName&filter=title%20pr`,
          '/Users?count=2&cursor=bm90IGEgY3Vyc29y&sortBy=userName',
          `/Users?count=2&cursor=${'A'.repeat(5000)}`,
        ]) {
          const res = await s.handler.handle({ method: 'GET', url });
          check(
            res.status === 400 && (res.body as { scimType?: string }).scimType === 'invalidCursor',
            `${url.slice(0, 80)}: ${res.status}`,
          );
        }
      },
    },
    {
      name: 'cleanup',
      async run() {
        if (stored) await (await stored).done();
        stored = undefined;
      },
    },
  ];
}
