/**
 * The SQL-injection corpus: quotes, comments, statement separators, LIKE wildcards, backslashes,
 * NUL, placeholders of every dialect, dollar quoting and unicode homoglyphs of quotes and
 * keywords — in every attribute, filter value, id, sort key and member value. Each must be stored
 * and read back byte for byte, or compared literally; nothing may change the statement.
 */
import type { ScimResource } from '@scimgw/core';
import { type FilterNode, matchesFilter, type PathResolver, serializeFilter } from '@scimgw/core/filter';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import type { FreshConnector, FreshFactory, SuiteCase } from './types.js';
import { check } from './types.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Values that would change a statement if they were ever spliced into it. */
export const INJECTION_CORPUS: readonly string[] = [
  "'",
  "''",
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE scim_users; --",
  '"; DROP TABLE "scim_users"; --',
  '`; DROP TABLE `scim_users`; --',
  "x' UNION SELECT id, user_name FROM scim_users --",
  "' AND pg_sleep(3) IS NULL AND '",
  "' AND SLEEP(3) AND '",
  '/* comment */',
  '-- comment',
  '# comment',
  ';',
  '%',
  '_',
  '%_%',
  '!',
  '!%',
  '[a-z]%',
  '\\',
  "\\'",
  '\\\\',
  '\\%',
  '\\0',
  '\\x27',
  '$1',
  '?',
  '??',
  '@p1',
  ':name',
  '$$; DROP TABLE x; $$',
  '$fn$',
  "E'\\''",
  'CHAR(39)',
  '0x27',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
  '${1+1}',
  'NULL',
  'null',
  'true',
  '{}',
  '[]',
  '\r\n',
  '\t',
  ' leading and trailing ',
  '\u2019', // right single quotation mark
  '\u02bc', // modifier letter apostrophe (folded to a quote by some converters)
  '\uff07', // fullwidth apostrophe
  '\uff1b', // fullwidth semicolon
  'ＳＥＬＥＣＴ', // fullwidth keyword
  'ЅЕLЕСТ', // Cyrillic homoglyphs of SELECT
  'а', // Cyrillic a
  'ß',
  'Ǆ',
  '😀',
  'a\u0000b',
  '\u0000',
];

/** True for values PostgreSQL `text` cannot hold (U+0000). */
export const hasNul = (s: string) => s.includes('\u0000');

/** Options of {@link injectionCases}. */
export interface InjectionOptions {
  /** How the database treats U+0000 in text: stored (MySQL, MariaDB) or refused with 400 (PostgreSQL). */
  nul: 'store' | 'reject';
}

function userBody(i: number, v: string): Record<string, unknown> {
  return {
    userName: `inj-${i}-${v}`,
    externalId: v,
    displayName: v,
    title: v,
    name: { givenName: v, familyName: `F${v}` },
    emails: [{ value: v, type: v }],
    addresses: [{ locality: v, country: v }],
    roles: [{ value: v }],
    [ENT]: { department: v, employeeNumber: v },
  };
}

function sameValues(stored: ScimResource, v: string): string | undefined {
  const ent = stored[ENT] as Record<string, unknown> | undefined;
  const email = (stored.emails as Record<string, unknown>[] | undefined)?.[0];
  const address = (stored.addresses as Record<string, unknown>[] | undefined)?.[0];
  const pairs: [string, unknown][] = [
    ['externalId', stored.externalId],
    ['displayName', stored.displayName],
    ['title', stored.title],
    ['name.givenName', (stored.name as Record<string, unknown> | undefined)?.givenName],
    ['emails.value', email?.value],
    ['emails.type', email?.type],
    ['addresses.locality', address?.locality],
    ['roles.value', (stored.roles as Record<string, unknown>[] | undefined)?.[0]?.value],
    ['department', ent?.department],
    ['employeeNumber', ent?.employeeNumber],
  ];
  const bad = pairs.find(([, got]) => got !== v);
  return bad ? `${bad[0]} came back as ${JSON.stringify(bad[1])}` : undefined;
}

const FILTER_PATHS = [
  'userName',
  'externalId',
  'displayName',
  'title',
  'name.givenName',
  'emails.value',
  'emails.type',
  'addresses.locality',
  'roles.value',
  `${ENT}:department`,
];

async function call(h: ScimHandler, method: string, url: string, body?: unknown) {
  const r = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return r as { status: number; body: Record<string, unknown> & { Resources?: ScimResource[]; totalResults?: number } };
}

interface State {
  h: ScimHandler;
  done(): Promise<void>;
  stored: Map<string, { id: string; v: string }>;
  resolve: PathResolver | undefined;
  admin: FreshConnector['sql'];
}

/** The injection cases; they share one database. */
export function injectionCases(fresh: FreshFactory, options: InjectionOptions): SuiteCase[] {
  let state: Promise<State> | undefined;
  const get = () =>
    (state ??= (async () => {
      const f = await fresh();
      const registry = f.connector.registry;
      const rt = registry?.resourceType('User');
      return {
        h: createScimHandler({ connector: f.connector }),
        done: f.done,
        stored: new Map(),
        resolve: registry && rt ? registry.resolver(rt) : undefined,
        admin: f.sql,
      };
    })());
  return [
    {
      name: 'every corpus value is stored in every kind of attribute and read back unchanged',
      async run() {
        const s = await get();
        for (const [i, v] of INJECTION_CORPUS.entries()) {
          const created = await call(s.h, 'POST', '/Users', userBody(i, v));
          if (hasNul(v) && options.nul === 'reject') {
            check(
              created.status === 400 && created.body.scimType === 'invalidValue',
              `${JSON.stringify(v)}: PostgreSQL cannot store U+0000; expected 400 invalidValue, got ${created.status} ${JSON.stringify(created.body)}`,
            );
            continue;
          }
          check(
            created.status === 201,
            `${JSON.stringify(v)}: create answered ${created.status} ${JSON.stringify(created.body)}`,
          );
          const id = String(created.body.id);
          const got = await call(s.h, 'GET', `/Users/${encodeURIComponent(id)}`);
          check(got.status === 200, `${JSON.stringify(v)}: read answered ${got.status}`);
          check(
            got.body.userName === `inj-${i}-${v}`,
            `${JSON.stringify(v)}: userName came back as ${JSON.stringify(got.body.userName)}`,
          );
          const diff = sameValues(got.body, v);
          check(diff === undefined, `${JSON.stringify(v)}: ${diff}`);
          s.stored.set(id, { id, v });
        }
      },
    },
    {
      name: 'every corpus value compares literally in eq, ne, co, sw, ew and value paths',
      async run() {
        const s = await get();
        const all = (await call(s.h, 'GET', '/Users?count=1000')).body.Resources ?? [];
        check(all.length === s.stored.size, `stored ${s.stored.size}, listed ${all.length}`);
        for (const v of INJECTION_CORPUS) {
          if (hasNul(v) && options.nul === 'reject') continue;
          for (const path of FILTER_PATHS) {
            for (const op of ['eq', 'co', 'sw', 'ew', 'ne'] as const) {
              const attr = path.startsWith('urn:')
                ? { uri: ENT, attr: 'department' }
                : { attr: path.split('.')[0] as string, ...(path.includes('.') ? { sub: path.split('.')[1] } : {}) };
              const filter: FilterNode = { type: 'compare', path: attr, op, value: v };
              const text = serializeFilter(filter);
              const res = await call(s.h, 'GET', `/Users?count=1000&filter=${encodeURIComponent(text)}`);
              check(res.status === 200, `${text}: ${res.status} ${JSON.stringify(res.body)}`);
              const got = (res.body.Resources ?? []).map((r) => r.id).sort();
              const want = all
                .filter((u) => matchesFilter(filter, u, s.resolve))
                .map((u) => u.id)
                .sort();
              check(JSON.stringify(got) === JSON.stringify(want), `${text}: got ${got.length}, want ${want.length}`);
            }
          }
          const vpFilter: FilterNode = {
            type: 'valuePath',
            path: { attr: 'emails' },
            filter: {
              type: 'and',
              filters: [
                { type: 'compare', path: { attr: 'type' }, op: 'eq', value: v },
                { type: 'compare', path: { attr: 'value' }, op: 'eq', value: v },
              ],
            },
          };
          const vp = serializeFilter(vpFilter);
          const res = await call(s.h, 'GET', `/Users?filter=${encodeURIComponent(vp)}`);
          const want = all.filter((u) => matchesFilter(vpFilter, u, s.resolve)).length;
          check(
            res.status === 200 && res.body.totalResults === want,
            `${vp}: ${res.status} ${res.body.totalResults}, want ${want}`,
          );
        }
      },
    },
    {
      name: 'corpus values as ids, sort keys and attribute names are 404 or 400, never 500',
      async run() {
        const s = await get();
        for (const v of INJECTION_CORPUS) {
          const enc = encodeURIComponent(v);
          for (const [method, body] of [
            ['GET', undefined],
            ['DELETE', undefined],
            ['PUT', { userName: 'x' }],
            ['PATCH', { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }],
          ] as const) {
            const r = await call(s.h, method, `/Users/${enc}`, body);
            check(r.status === 404, `${method} /Users/${JSON.stringify(v)}: ${r.status} ${JSON.stringify(r.body)}`);
          }
          const g = await call(s.h, 'GET', `/Groups/${enc}`);
          check(g.status === 404, `GET /Groups/${JSON.stringify(v)}: ${g.status}`);
          const sorted = await call(s.h, 'GET', `/Users?sortBy=${enc}&count=5`);
          check(
            sorted.status === 200 || sorted.status === 400,
            `sortBy=${JSON.stringify(v)}: ${sorted.status} ${JSON.stringify(sorted.body)}`,
          );
          const byId = await call(s.h, 'GET', `/Users?filter=${encodeURIComponent(`id eq ${JSON.stringify(v)}`)}`);
          check(
            byId.status === 200 && byId.body.totalResults === 0,
            `id eq ${JSON.stringify(v)}: ${byId.status} ${byId.body.totalResults}`,
          );
          const attr = await call(s.h, 'GET', `/Users?filter=${encodeURIComponent(`${v} eq "x"`)}`);
          check(attr.status === 400 || attr.status === 200, `attribute ${JSON.stringify(v)}: ${attr.status}`);
        }
      },
    },
    {
      name: 'corpus values as group names and member values are stored literally; membership stays per value',
      async run() {
        const s = await get();
        const values = INJECTION_CORPUS.filter((v) => !(hasNul(v) && options.nul === 'reject'));
        const g = await call(s.h, 'POST', '/Groups', {
          displayName: "g'; DROP TABLE scim_groups; --",
          members: values.map((v) => ({ value: v })),
        });
        check(g.status === 201, `group: ${g.status} ${JSON.stringify(g.body)}`);
        const gid = encodeURIComponent(String(g.body.id));
        const read = await call(s.h, 'GET', `/Groups/${gid}`);
        const members = ((read.body.members as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
        check(JSON.stringify(members) === JSON.stringify([...values].sort()), `members came back as ${JSON.stringify(members)}`);
        for (const v of values) {
          const found = await call(
            s.h,
            'GET',
            `/Groups?filter=${encodeURIComponent(`members.value eq ${JSON.stringify(v)}`)}&excludedAttributes=members`,
          );
          check(found.body.totalResults === 1, `members.value eq ${JSON.stringify(v)}: ${found.body.totalResults}`);
        }
        const victim = values.find((v) => v === '%') as string;
        const rm = await call(s.h, 'PATCH', `/Groups/${gid}`, {
          Operations: [{ op: 'remove', path: `members[value eq ${JSON.stringify(victim)}]` }],
        });
        check(rm.status === 204, `remove: ${rm.status}`);
        const after = await call(s.h, 'GET', `/Groups/${gid}`);
        const left = ((after.body.members as { value: string }[] | undefined) ?? []).map((m) => m.value);
        check(
          left.length === values.length - 1 && !left.includes(victim),
          `removing "%" removed ${values.length - left.length} members`,
        );
      },
    },
    {
      name: 'the tables are intact: every stored user is still there and nothing else',
      async run() {
        const s = await get();
        const list = await call(s.h, 'GET', '/Users?count=1000');
        check(list.body.totalResults === s.stored.size, `listed ${list.body.totalResults}, stored ${s.stored.size}`);
        if (s.admin) {
          const rows = await s.admin('SELECT COUNT(*) AS n FROM scim_users');
          const n = Number(rows[0]?.n);
          check(n === s.stored.size, `the users table holds ${n} rows, ${s.stored.size} were stored`);
        }
      },
    },
    {
      name: 'cleanup',
      async run() {
        if (state) await (await state).done();
        state = undefined;
      },
    },
  ];
}
