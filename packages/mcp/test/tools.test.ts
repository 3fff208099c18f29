/** Every tool against the embedded store (connector-loki, in memory), called with the SDK's client. */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACME, customRegistry, structured, type TestHost, testHost } from './host.js';

let h: TestHost;
let client: Client;
const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args });

async function newUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call('create_user', { user: { userName, ...extra } });
  expect(r.isError, JSON.stringify(r)).toBeFalsy();
  return structured(r).created.id;
}

beforeEach(async () => {
  h = await testHost({ registry: customRegistry(), config: { destructiveTools: true, pageSize: 2 } });
  client = await h.client();
});

describe('search and get', () => {
  it('search_users filters with SCIM filters and pages with nextStartIndex', async () => {
    for (const n of ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e']) await newUser(n);
    const first = structured(await call('search_users', { filter: 'userName sw "pg-"', sortBy: 'userName' }));
    expect(first).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 2, nextStartIndex: 3 });
    expect(first.Resources.map((u: { userName: string }) => u.userName)).toEqual(['pg-a', 'pg-b']);
    const last = structured(
      await call('search_users', { filter: 'userName sw "pg-"', sortBy: 'userName', startIndex: 5, count: 2 }),
    );
    expect(last.Resources.map((u: { userName: string }) => u.userName)).toEqual(['pg-e']);
    expect(last.nextStartIndex).toBeUndefined();
    const none = structured(await call('search_users', { filter: 'userName eq "nobody-here"' }));
    expect(none).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('search_users projects attributes and filters on a custom extension attribute', async () => {
    await newUser('badge-1', { [ACME]: { badgeNumber: 100 } });
    await newUser('badge-2', { [ACME]: { badgeNumber: 200 } });
    const r = structured(await call('search_users', { filter: `${ACME}:badgeNumber gt 150`, attributes: ['userName'] }));
    expect(r.totalResults).toBe(1);
    expect(r.Resources[0]).toEqual(expect.objectContaining({ userName: 'badge-2', id: expect.any(String) }));
    expect(r.Resources[0][ACME]).toBeUndefined();
  });

  it('a bad filter is answered with the SCIM error, as an error result', async () => {
    const r = await call('search_users', { filter: 'userName eq' });
    expect(r.isError).toBe(true);
    expect(structured(r)).toMatchObject({ status: 400, scimType: 'invalidFilter' });
  });

  it('get_user reads one user, with projections; an unknown id is a 404 error result', async () => {
    const id = await newUser('getme', { title: 'Pilot' });
    const r = structured(await call('get_user', { id, attributes: ['title'] }));
    expect(r).toMatchObject({ id, title: 'Pilot' });
    expect(r.userName).toBeUndefined();
    const ex = structured(await call('get_user', { id, excludedAttributes: ['title'] }));
    expect(ex.title).toBeUndefined();
    const missing = await call('get_user', { id: 'no-such-id' });
    expect(missing.isError).toBe(true);
    expect(structured(missing).status).toBe(404);
  });

  it('search_groups and get_group read groups; ids with quotes and slashes are data', async () => {
    const g = structured(await call('create_group', { group: { displayName: 'Odd "name" / x' } })).created;
    const found = structured(await call('search_groups', { filter: `displayName eq ${JSON.stringify('Odd "name" / x')}` }));
    expect(found.Resources.map((x: { id: string }) => x.id)).toEqual([g.id]);
    expect(structured(await call('get_group', { id: g.id })).displayName).toBe('Odd "name" / x');
  });

  it('reads the store roles and entitlements', async () => {
    const roles = structured(await call('search_roles', {}));
    expect(roles.totalResults).toBeGreaterThan(0);
    const id = roles.Resources[0].id;
    expect(structured(await call('get_role', { id })).id).toBe(id);
    const ents = structured(await call('search_entitlements', { count: 1 }));
    expect(ents.Resources).toHaveLength(1);
    expect(structured(await call('get_entitlement', { id: ents.Resources[0].id })).id).toBe(ents.Resources[0].id);
  });
});

describe('writes', () => {
  it('create_user stores core, enterprise and custom attributes; the password is never answered', async () => {
    const r = structured(
      await call('create_user', {
        user: {
          schemas: ['ignored'],
          userName: 'mkurz',
          name: { givenName: 'Mia', familyName: 'Kurz' },
          emails: [{ value: 'mia@example.com', type: 'work', primary: true }],
          password: 'N0t-in-output!',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
          [ACME]: { badgeNumber: 4711, costCenter: 'R&D', pin: '9911' },
        },
      }),
    );
    expect(JSON.stringify(r)).not.toContain('N0t-in-output!');
    expect(JSON.stringify(r)).not.toContain('9911');
    const stored = (await h.scim('GET', `/Users/${r.created.id}`)).body;
    expect(stored).toMatchObject({
      userName: 'mkurz',
      name: { givenName: 'Mia', familyName: 'Kurz' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
      [ACME]: { badgeNumber: 4711, costCenter: 'R&D' },
    });
    expect(stored.schemas).toEqual(expect.arrayContaining([ACME, 'urn:ietf:params:scim:schemas:core:2.0:User']));
    expect(stored.schemas).not.toContain('ignored');
  });

  it('create_user of a taken userName answers 409 uniqueness', async () => {
    await newUser('twice');
    const r = await call('create_user', { user: { userName: 'twice' } });
    expect(r.isError).toBe(true);
    expect(structured(r)).toMatchObject({ status: 409, scimType: 'uniqueness' });
  });

  it('update_user replaces, removes and applies PATCH operations as one PATCH', async () => {
    const id = await newUser('upd', { title: 'Old', nickName: 'nick', emails: [{ value: 'a@x.org', type: 'work' }] });
    const r = await call('update_user', {
      id,
      replace: { title: 'New', [ACME]: { badgeNumber: 7 } },
      remove: ['nickName'],
      operations: [{ op: 'add', path: 'emails', value: [{ value: 'b@x.org', type: 'home' }] }],
    });
    expect(r.isError, JSON.stringify(r)).toBeFalsy();
    expect(structured(r)).toMatchObject({ updated: id, resource: { title: 'New' } });
    const stored = (await h.scim('GET', `/Users/${id}`)).body;
    expect(stored.title).toBe('New');
    expect(stored.nickName).toBeUndefined();
    expect(stored[ACME]).toEqual({ badgeNumber: 7 });
    expect(stored.emails.map((e: { value: string }) => e.value).sort()).toEqual(['a@x.org', 'b@x.org']);
    // All of it went to the gateway as one PATCH request.
    const patches = h.requests.filter((q) => q.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect((patches[0]?.body as { Operations?: unknown[] } | undefined)?.Operations).toHaveLength(3);
  });

  it('update_user with nothing to change is an error result, and nothing is sent', async () => {
    const id = await newUser('idle');
    const before = h.requests.length;
    const r = await call('update_user', { id, replace: {} });
    expect(r.isError).toBe(true);
    expect(structured(r).error).toMatch(/nothing to change/);
    expect(h.requests.length).toBe(before);
  });

  it('update_user refuses a change the schema forbids with the SCIM error', async () => {
    const id = await newUser('mut');
    const r = await call('update_user', {
      id,
      operations: [{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }],
    });
    expect(r.isError).toBe(true);
    expect(structured(r).status).toBe(400);
  });

  it('deactivate_user sets active to false and keeps the user', async () => {
    const id = await newUser('leaver', { active: true });
    const r = await call('deactivate_user', { id });
    expect(r.isError, JSON.stringify(r)).toBeFalsy();
    expect((await h.scim('GET', `/Users/${id}`)).body.active).toBe(false);
  });

  it('delete_user and delete_group remove the resource', async () => {
    const id = await newUser('gone');
    expect(structured(await call('delete_user', { id }))).toEqual({ deleted: id });
    expect((await h.scim('GET', `/Users/${id}`)).status).toBe(404);
    const g = structured(await call('create_group', { group: { displayName: 'Temp' } })).created;
    expect(structured(await call('delete_group', { id: g.id }))).toEqual({ deleted: g.id });
    expect((await h.scim('GET', `/Groups/${g.id}`)).status).toBe(404);
    const again = await call('delete_user', { id });
    expect(structured(again).status).toBe(404);
  });

  it('create_group, update_group, add_group_members and remove_group_members change membership per member', async () => {
    const a = await newUser('mem-a');
    const b = await newUser('mem-b');
    const c = await newUser('mem-c');
    const g = structured(await call('create_group', { group: { displayName: 'Crew', members: [{ value: a }] } })).created;
    expect(structured(await call('add_group_members', { id: g.id, members: [b, c] }))).toEqual({ group: g.id, added: [b, c] });
    let members = (await h.scim('GET', `/Groups/${g.id}`)).body.members.map((m: { value: string }) => m.value);
    expect(members.sort()).toEqual([a, b, c].sort());
    expect(structured(await call('remove_group_members', { id: g.id, members: [a, c] }))).toEqual({
      group: g.id,
      removed: [a, c],
    });
    members = (await h.scim('GET', `/Groups/${g.id}`)).body.members.map((m: { value: string }) => m.value);
    expect(members).toEqual([b]);
    // The PATCH names only the members given: nothing about b.
    const last = h.requests.at(-1);
    expect(JSON.stringify(last?.body)).not.toContain(b);
    const renamed = await call('update_group', { id: g.id, replace: { displayName: 'Crew 2' } });
    expect(renamed.isError, JSON.stringify(renamed)).toBeFalsy();
    expect((await h.scim('GET', `/Groups/${g.id}`)).body.displayName).toBe('Crew 2');
  });
});
