/**
 * A layout that is not the default: the database makes the keys, other table and column names,
 * custom typed attributes (integer, dateTime) in an extension, emails as a JSON column, a list of
 * strings in a child table, and group members as a child table of plain values. The contract kit
 * and typed filters run on it; the connector packages create the tables with their own DDL.
 */
import type { ScimResource } from '@scimgw/core';
import { type FilterNode, matchesFilter, parseFilter } from '@scimgw/core/filter';
import { createScimHandler } from '@scimgw/core/handler';
import { connectorContractCases } from '@scimgw/core/testkit';
import type { FreshFactory, SuiteCase } from './types.js';
import { check } from './types.js';

export const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

/**
 * The layout (tables `people`, `person_tags`, `teams`, `team_members`). `lowerCase`: generated
 * lower-case columns where the database needs them (MariaDB: `{ login: 'login_lower' }`).
 */
export const customLayout = (lowerCase?: Record<string, string>) => ({
  users: {
    table: 'people',
    key: 'pid',
    keyGeneration: 'database',
    version: 'rev',
    created: 'created_at',
    lastModified: 'changed_at',
    ...(lowerCase ? { lowerCase } : {}),
    multiValued: {
      mails: { json: 'mails' },
      tags: { table: 'person_tags', owner: 'pid', value: 'tag', order: 'seq' },
      teams: { memberOf: true },
    },
  },
  groups: {
    table: 'teams',
    key: 'tid',
    keyGeneration: 'database',
    version: 'rev',
    multiValued: { member: { table: 'team_members', owner: 'tid', value: 'member', unique: true } },
  },
});

/** The map that goes with {@link customLayout}. */
export const CUSTOM_MAP = {
  user: {
    login: { mapTo: 'userName' },
    full_name: { mapTo: 'displayName' },
    given: { mapTo: 'name.givenName' },
    family: { mapTo: 'name.familyName' },
    is_active: { mapTo: 'active', type: 'boolean' },
    level: { mapTo: `${ACME}:level`, type: 'integer' },
    hired: { mapTo: `${ACME}:hired`, type: 'datetime' },
    mails: { mapTo: 'emails', type: 'complexArray' },
    tags: { mapTo: `${ACME}:tags`, type: 'array' },
    teams: { mapTo: 'groups', type: 'complexArray' },
    secret: { mapTo: 'password' },
  },
  group: {
    name: { mapTo: 'displayName' },
    member: { mapTo: 'members.value', type: 'array' },
  },
};

const FILTERS = [
  `${ACME}:level gt 3`,
  `${ACME}:level eq 2`,
  `${ACME}:level le 1 or ${ACME}:level pr`,
  `not (${ACME}:level pr)`,
  `${ACME}:level co 1`,
  `${ACME}:hired ge "2021-01-01T00:00:00Z"`,
  `${ACME}:hired lt "2020-06-01"`,
  `${ACME}:tags eq "blue"`,
  `${ACME}:tags co "re"`,
  `not (${ACME}:tags pr)`,
  `${ACME}:tags ne "red"`,
  'emails[type eq "work" and value sw "p"]',
  'emails.value ew "example.org"',
  'emails[primary eq true]',
  'active eq true and name.familyName co "a"',
  'userName gt "p3"',
  'meta.created le "2100-01-01T00:00:00Z"',
];

/** Cases on the custom layout: the contract kit, typed filters, membership in a table of plain values. */
export function customLayoutCases(fresh: FreshFactory): SuiteCase[] {
  let state: Promise<Awaited<ReturnType<FreshFactory>>> | undefined;
  const get = () => (state ??= fresh());
  const kit = connectorContractCases({ connector: async () => (await get()).connector }).map((c) => ({
    name: `contract kit: ${c.name}`,
    run: c.run,
  }));
  return [
    ...kit,
    {
      name: 'a password column: written on create, kept by a PUT without one (Okta custom apps send PUT for every change), changed by a PUT or PATCH with one',
      async run() {
        const fresh = await get();
        const sqlOf = fresh.sql;
        check(sqlOf !== undefined, 'this case reads the column behind the connector: give the suite an sql hook');
        const h = createScimHandler({ connector: fresh.connector });
        const send = async (method: string, url: string, body: unknown) =>
          h.handle({ method, url, body: JSON.stringify(body) }) as Promise<{ status: number; body: ScimResource }>;
        // Unquoted names on PostgreSQL and MariaDB; HANA folds them to upper case, so quoted there.
        const secretOf = async (login: string) => {
          try {
            return (await sqlOf(`SELECT secret FROM people WHERE login = '${login}'`))[0]?.secret;
          } catch {
            return (await sqlOf(`SELECT "secret" FROM "people" WHERE "login" = '${login}'`))[0]?.secret;
          }
        };
        const made = await send('POST', '/Users', { userName: 'pw.keep', password: 'first-secret', displayName: 'A' });
        check(made.status === 201 && made.body.password === undefined, `create: ${made.status} ${JSON.stringify(made.body)}`);
        check((await secretOf('pw.keep')) === 'first-secret', 'the password was not written on create');
        const id = String(made.body.id);
        const put = await send('PUT', `/Users/${id}`, { userName: 'pw.keep', displayName: 'B' });
        check(put.status === 200 && put.body.displayName === 'B', `PUT: ${put.status}`);
        check((await secretOf('pw.keep')) === 'first-secret', 'a PUT without a password cleared the stored one');
        await send('PUT', `/Users/${id}`, { userName: 'pw.keep', displayName: 'B', password: 'second-secret' });
        check((await secretOf('pw.keep')) === 'second-secret', 'a PUT with a password did not change it');
        const patch = await send('PATCH', `/Users/${id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'password', value: 'third-secret' }],
        });
        check(patch.status === 200, `PATCH: ${patch.status}`);
        check((await secretOf('pw.keep')) === 'third-secret', 'a PATCH of the password did not change it');
        check((await send('DELETE', `/Users/${id}`, undefined)).status === 204, 'delete');
      },
    },
    {
      name: 'database-made ids: numeric, and anything else is simply not found',
      async run() {
        const h = createScimHandler({ connector: (await get()).connector });
        const u = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'ids.user' }) });
        check(u.status === 201 && /^\d+$/.test(String((u.body as ScimResource).id)), `id ${(u.body as ScimResource).id}`);
        for (const id of ['abc', '1.5', '99999999999', '-', "1' OR '1'='1", '1e3']) {
          const r = await h.handle({ method: 'GET', url: `/Users/${encodeURIComponent(id)}` });
          check(r.status === 404, `GET /Users/${id}: ${r.status}`);
          const f = await h.handle({ method: 'GET', url: `/Users?filter=${encodeURIComponent(`id eq ${JSON.stringify(id)}`)}` });
          check(f.status === 200 && (f.body as { totalResults: number }).totalResults === 0, `id eq ${id}: ${f.status}`);
        }
      },
    },
    {
      name: 'a database-made id is named by its canonical text only: 01, 001, +1, " 1", 1.0 are not found by GET, PUT, PATCH, DELETE or filters, and are no member value',
      async run() {
        const h = createScimHandler({ connector: (await get()).connector });
        const made = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'canonical.user' }) });
        check(made.status === 201, `create: ${made.status} ${JSON.stringify(made.body)}`);
        const id = String((made.body as ScimResource).id);
        check(/^[1-9]\d*$/.test(id), `a database-made id is canonical decimal text: ${id}`);
        const count = async (filter: string, type = 'Users') => {
          const r = await h.handle({ method: 'GET', url: `/${type}?filter=${encodeURIComponent(filter)}` });
          check(r.status === 200, `${filter}: ${r.status} ${JSON.stringify(r.body)}`);
          return (r.body as { totalResults: number }).totalResults;
        };
        const aliases = [`0${id}`, `00${id}`, `+${id}`, ` ${id}`, `${id} `, `${id}.0`, `-0${id}`, '-0', '00'];
        for (const alias of aliases) {
          const url = `/Users/${encodeURIComponent(alias)}`;
          const got = await h.handle({ method: 'GET', url });
          check(got.status === 404, `GET /Users/${JSON.stringify(alias)}: ${got.status}, the user "${id}" answered`);
          const put = await h.handle({
            method: 'PUT',
            url,
            body: JSON.stringify({ userName: 'canonical.user', displayName: 'P' }),
          });
          check(put.status === 404, `PUT /Users/${JSON.stringify(alias)}: ${put.status}`);
          const patch = await h.handle({
            method: 'PATCH',
            url,
            body: JSON.stringify({ Operations: [{ op: 'replace', path: 'displayName', value: 'Q' }] }),
          });
          check(patch.status === 404, `PATCH /Users/${JSON.stringify(alias)}: ${patch.status}`);
          const del = await h.handle({ method: 'DELETE', url });
          check(del.status === 404, `DELETE /Users/${JSON.stringify(alias)}: ${del.status}`);
          check((await count(`id eq ${JSON.stringify(alias)}`)) === 0, `id eq ${JSON.stringify(alias)} found the user "${id}"`);
        }
        const still = await h.handle({ method: 'GET', url: `/Users/${id}` });
        check(still.status === 200, `the user is still there, untouched: ${still.status}`);
        check((still.body as ScimResource).displayName === undefined, 'a PUT or PATCH by an alias changed the user');
        check((await count(`id eq "${id}"`)) === 1, `id eq "${id}"`);

        const g = await h.handle({
          method: 'POST',
          url: '/Groups',
          body: JSON.stringify({ displayName: 'Canonical', members: [{ value: id }] }),
        });
        check(g.status === 201, `group: ${g.status} ${JSON.stringify(g.body)}`);
        const gid = String((g.body as ScimResource).id);
        const patchGroup = (ops: unknown[]) =>
          h.handle({ method: 'PATCH', url: `/Groups/${gid}`, body: JSON.stringify({ Operations: ops }) });
        const membersOf = async () =>
          (((await h.handle({ method: 'GET', url: `/Groups/${gid}` })).body as ScimResource).members as { value: string }[]).map(
            (m) => m.value,
          );
        for (const alias of [`0${id}`, `+${id}`, ` ${id}`]) {
          check((await count(`members.value eq ${JSON.stringify(alias)}`, 'Groups')) === 0, `members.value eq ${alias}`);
          const removed = await patchGroup([{ op: 'remove', path: `members[value eq ${JSON.stringify(alias)}]` }]);
          check(removed.status === 204 || removed.status === 200, `remove ${alias}: ${removed.status}`);
          const removedByValue = await patchGroup([{ op: 'remove', path: 'members', value: [{ value: alias }] }]);
          check(
            removedByValue.status === 204 || removedByValue.status === 200,
            `remove ${alias} by value: ${removedByValue.status}`,
          );
          check(JSON.stringify(await membersOf()) === JSON.stringify([id]), `removing ${JSON.stringify(alias)} removed "${id}"`);
          const added = await patchGroup([{ op: 'add', path: 'members', value: [{ value: alias }] }]);
          check(
            added.status === 400,
            `adding the member ${JSON.stringify(alias)}: ${added.status} ${JSON.stringify(added.body)}`,
          );
        }
        check(JSON.stringify(await membersOf()) === JSON.stringify([id]), `members ${JSON.stringify(await membersOf())}`);
        check((await count(`members.value eq "${id}"`, 'Groups')) === 1, `members.value eq "${id}"`);
        check((await h.handle({ method: 'DELETE', url: `/Groups/${gid}` })).status === 204, 'delete the group');
        check((await h.handle({ method: 'DELETE', url: `/Users/${id}` })).status === 204, 'delete the user');
      },
    },
    {
      name: 'typed custom attributes, a JSON column and a list table filter and sort as the core evaluates them',
      async run() {
        const h = createScimHandler({ connector: (await get()).connector });
        const colours = ['red', 'blue', 'green', 'reed'];
        for (let i = 0; i < 12; i++) {
          const body = {
            userName: `p${i}`,
            active: i % 3 !== 0,
            name: { givenName: `G${i}`, familyName: ['Adams', 'Brown', 'Cole'][i % 3] },
            emails:
              i % 4 === 3
                ? undefined
                : [{ value: `p${i}@${i % 2 ? 'example.org' : 'x.io'}`, type: i % 2 ? 'work' : 'home', primary: i % 5 === 0 }],
            [ACME]: {
              ...(i % 6 === 5 ? {} : { level: i % 5 }),
              ...(i % 4 === 0 ? {} : { hired: new Date(Date.UTC(2019 + (i % 4), i % 12, 1)).toISOString() }),
              ...(i % 3 === 2 ? {} : { tags: [colours[i % 4], colours[(i + 1) % 4]] }),
            },
          };
          const r = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify(body) });
          check(r.status === 201, `create p${i}: ${r.status} ${JSON.stringify(r.body)}`);
          const stored = r.body as ScimResource;
          const ext = stored[ACME] as Record<string, unknown> | undefined;
          if (i % 6 !== 5) check(ext?.level === i % 5, `level of p${i} came back as ${JSON.stringify(ext?.level)}`);
        }
        const all = ((await h.handle({ method: 'GET', url: '/Users?count=1000' })).body as { Resources: ScimResource[] })
          .Resources;
        const connector = (await get()).connector;
        const rt = connector.registry?.resourceType('User');
        const resolve = rt ? connector.registry?.resolver(rt) : undefined;
        for (const text of FILTERS) {
          const filter: FilterNode = parseFilter(text);
          const res = await h.handle({ method: 'GET', url: `/Users?count=1000&filter=${encodeURIComponent(text)}` });
          check(res.status === 200, `${text}: ${res.status} ${JSON.stringify(res.body)}`);
          const got = (res.body as { Resources: ScimResource[] }).Resources.map((r) => r.id).sort();
          const want = all
            .filter((u) => matchesFilter(filter, u, resolve))
            .map((u) => u.id)
            .sort();
          check(JSON.stringify(got) === JSON.stringify(want), `${text}: got ${got}, want ${want}`);
        }
        const byLevel = await h.handle({
          method: 'GET',
          url: `/Users?sortBy=${encodeURIComponent(`${ACME}:level`)}&sortOrder=descending&count=3`,
        });
        const levels = (byLevel.body as { Resources: ScimResource[] }).Resources.map(
          (r) => (r[ACME] as Record<string, unknown>)?.level,
        );
        check(JSON.stringify(levels) === JSON.stringify([4, 4, 3]), `sorted levels ${JSON.stringify(levels)}`);
      },
    },
    {
      name: 'group members in a table of plain values, and the groups of a user from it',
      async run() {
        const h = createScimHandler({ connector: (await get()).connector });
        const ids: string[] = [];
        for (const n of ['m1', 'm2', 'm3']) {
          const r = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: n }) });
          ids.push(String((r.body as ScimResource).id));
        }
        const g = await h.handle({
          method: 'POST',
          url: '/Groups',
          body: JSON.stringify({ displayName: 'Team A', members: [{ value: ids[0] }, { value: ids[1] }] }),
        });
        check(g.status === 201, `group: ${g.status} ${JSON.stringify(g.body)}`);
        const gid = String((g.body as ScimResource).id);
        const patch = (ops: unknown[]) =>
          h.handle({ method: 'PATCH', url: `/Groups/${gid}`, body: JSON.stringify({ Operations: ops }) });
        check(
          (await patch([{ op: 'add', path: 'members', value: [{ value: ids[2] }, { value: ids[0] }] }])).status === 204,
          'add',
        );
        check((await patch([{ op: 'remove', path: `members[value eq "${ids[1]}"]` }])).status === 204, 'remove');
        const read = await h.handle({ method: 'GET', url: `/Groups/${gid}` });
        const members = ((read.body as ScimResource).members as { value: string }[]).map((m) => m.value).sort();
        check(JSON.stringify(members) === JSON.stringify([ids[0], ids[2]].sort()), `members ${members}`);
        const byMember = await h.handle({
          method: 'GET',
          url: `/Groups?filter=${encodeURIComponent(`members.value eq "${ids[2]}"`)}`,
        });
        check((byMember.body as { totalResults: number }).totalResults === 1, 'members.value eq');
        const user = await h.handle({ method: 'GET', url: `/Users/${ids[0]}` });
        const groups = (user.body as ScimResource).groups as { value: string; display?: string }[] | undefined;
        check(
          groups?.length === 1 && groups[0]?.value === gid && groups[0]?.display === 'Team A',
          `groups ${JSON.stringify(groups)}`,
        );
        const inTeam = await h.handle({
          method: 'GET',
          url: `/Users?filter=${encodeURIComponent(`groups.display eq "team a"`)}`,
        });
        check((inTeam.body as { totalResults: number }).totalResults === 2, 'groups.display eq (case-insensitive)');
        check((await h.handle({ method: 'DELETE', url: `/Users/${ids[2]}` })).status === 204, 'delete member');
        const after = await h.handle({ method: 'GET', url: `/Groups/${gid}` });
        const left = ((after.body as ScimResource).members as { value: string }[]).map((m) => m.value);
        check(JSON.stringify(left) === JSON.stringify([ids[0]]), `deleting a user removes its memberships: ${left}`);
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
