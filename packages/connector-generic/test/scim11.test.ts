/**
 * SCIM version gateway: 2.0 clients → scimgw (connector-generic) → a SCIM 1.1
 * service. The emulator rejects 2.0 shapes, and every request it received is
 * checked for its 1.1 form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMapper } from '@scimgw/mapper';
import { DEFAULT_MAP, patch11, patch20 } from '../src/index.js';
import { entityFor, startGateway, type TestGateway } from './helpers.js';
import { type Scim11Server, startScim11Server } from './scim11-server.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ENT_11 = 'urn:scim:schemas:extension:enterprise:1.0';
const CORE_11 = 'urn:scim:schemas:core:1.0';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const enc = encodeURIComponent;

let v11: Scim11Server;
let gw: TestGateway;

beforeAll(async () => {
  v11 = await startScim11Server();
  gw = await startGateway('connector-generic', { entity: entityFor(v11.base, { scimVersion: '1.1' }) });
});
afterAll(async () => {
  await gw?.stop();
  await v11?.close();
});

const last = (method: string) => [...v11.requests].reverse().find((r) => r.method === method);
const userId = () => [...v11.users.keys()][0] as string;

describe('2.0 clients → SCIM 1.1 target', () => {
  let userId = '';
  let groupId = '';

  it('creates with 1.1 schemas and the 1.0 enterprise URN, answers in 2.0', async () => {
    const res = await gw.call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
      userName: 'bjensen',
      title: 'Boss',
      emails: [{ type: 'work', value: 'b@x' }],
      [ENT]: { employeeNumber: '7' },
    });
    expect(res.status).toBe(201);
    userId = res.body.id;
    expect(last('POST')?.body).toMatchObject({
      schemas: [CORE_11, ENT_11],
      userName: 'bjensen',
      [ENT_11]: { employeeNumber: '7' },
    });
    expect(last('POST')?.body[ENT]).toBeUndefined();
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENT]);
    expect(res.body[ENT]).toEqual({ employeeNumber: '7' });
  });

  it('lists as a 2.0 ListResponse from a 1.1 one', async () => {
    const res = await gw.call('GET', `/Users?filter=${enc('userName eq "bjensen"')}`);
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    expect(res.body.totalResults).toBe(1);
    expect(last('GET')?.url).toContain(`filter=${enc('userName eq "bjensen"')}`);
  });

  it('never sends 1.1 filters it lacks (ne, not, value paths), and still answers them', async () => {
    await gw.call('POST', '/Users', { userName: 'other', title: 'Clerk' });
    const before = v11.requests.length;
    const res = await gw.call(
      'GET',
      `/Users?filter=${enc('title ne "Boss" and emails[type eq "work"] or not (userName sw "x")')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(2);
    for (const r of v11.requests.slice(before)) {
      const f = new URL(r.url, 'http://x').searchParams.get('filter') ?? '';
      expect(f).not.toMatch(/ ne |\[|not /);
    }
    const ne = await gw.call('GET', `/Users?filter=${enc('title ne "Boss"')}`);
    expect(ne.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['other']);
  });

  it('PATCH becomes a 1.1 partial resource: meta.attributes clears, operation "delete" removes', async () => {
    const res = await gw.call('PATCH', `/Users/${userId}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'remove', path: 'title' },
        { op: 'replace', path: `${ENT}:employeeNumber`, value: '8' },
        { op: 'replace', path: 'emails', value: [{ type: 'home', value: 'h@x' }] },
      ],
    });
    expect(res.status).toBe(200);
    const body = last('PATCH')?.body;
    expect(body.Operations).toBeUndefined();
    expect(body.schemas).toEqual([CORE_11, ENT_11]);
    expect(body.meta.attributes.sort()).toEqual(['emails', 'title']);
    expect(body.emails).toEqual([{ type: 'home', value: 'h@x' }]);
    expect(body[ENT_11]).toEqual({ employeeNumber: '8' });
    expect(res.body.title).toBeUndefined();
    expect(res.body.emails).toEqual([{ type: 'home', value: 'h@x' }]);
    expect(v11.users.get(userId)?.[ENT_11]).toEqual({ employeeNumber: '8' });
  });

  it('membership: one element per change, removal marked operation "delete"', async () => {
    const g = await gw.call('POST', '/Groups', { displayName: 'Admins', members: [{ value: userId }] });
    expect(g.status).toBe(201);
    groupId = g.body.id;
    expect(last('POST')?.body).toEqual({ schemas: [CORE_11], displayName: 'Admins', members: [{ value: userId }] });

    const add = await gw.call('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'u-2' }] }],
    });
    expect(add.status).toBe(204);
    expect(last('PATCH')?.body).toEqual({ schemas: [CORE_11], members: [{ value: 'u-2' }] });

    const rm = await gw.call('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: userId }] }],
    });
    expect(rm.status).toBe(204);
    expect(last('PATCH')?.body).toEqual({ schemas: [CORE_11], members: [{ value: userId, operation: 'delete' }] });
    expect(v11.groups.get(groupId)?.members).toEqual([{ value: 'u-2' }]);
  });

  it('the manager goes to the target as 1.1 names it (managerId) and comes back as manager.value', async () => {
    const boss = await gw.call('POST', '/Users', { userName: 'the.boss' });
    expect(boss.status).toBe(201);
    const set = await gw.call('PATCH', `/Users/${userId}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: `${ENT}:manager`, value: boss.body.id }],
    });
    expect(set.status).toBe(200);
    const sent = JSON.stringify(last('PATCH')?.body);
    expect(sent).toContain(`"managerId":"${boss.body.id}"`);
    expect(sent).not.toContain('"value":"' + boss.body.id);
    expect((v11.users.get(userId) as Record<string, any>)[ENT_11].manager).toEqual({ managerId: boss.body.id });
    expect(set.body[ENT].manager).toMatchObject({ value: boss.body.id });
    const read = await gw.call('GET', `/Users/${userId}?attributes=${enc(`${ENT}:manager`)}`);
    expect(read.body[ENT].manager).toMatchObject({ value: boss.body.id });
    expect(last('GET')?.url).toContain(enc(`${ENT_11}:manager`));
    await gw.call('DELETE', `/Users/${boss.body.id}`);
  });

  it('turns 1.1 error bodies into 2.0 errors with the same status', async () => {
    const res = await gw.call('GET', '/Groups/no-such-group');
    expect(res.status).toBe(404);
    const dup = await gw.call('POST', '/Users', { userName: 'bjensen' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], scimType: 'uniqueness' });
  });
});

describe('every 1.1 answer reaches 2.0 clients in 2.0 form', () => {
  it('a filter that matches nothing: the target answers 404, the client gets 200 and an empty list', async () => {
    const res = await gw.call('GET', `/Users?filter=${enc('userName eq "nobody"')}`);
    expect(last('GET')?.status).toBe(404);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0 });
    expect(res.body.Resources ?? []).toEqual([]);
    // With a filter the target can only narrow (`ne` is not 1.1: read page by page, finish here), the same.
    const local = await gw.call('GET', `/Users?filter=${enc('userName sw "nobody" and title ne "x"')}`);
    expect(new URL(last('GET')?.url ?? '', 'http://x').searchParams.get('filter')).toBe('userName sw "nobody"');
    expect(last('GET')?.status).toBe(404);
    expect(local.status).toBe(200);
    expect(local.body.totalResults).toBe(0);
  });

  it('a 404 for one resource stays a 404, in 2.0 form', async () => {
    const res = await gw.call('GET', '/Users/no-such-user');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });

  it("1.1 error bodies become 2.0 errors carrying the target's description", async () => {
    const res = await gw.call('POST', '/Groups', { displayName: 'x'.repeat(65) });
    expect(last('POST')?.status).toBe(400);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidValue',
      detail: 'displayName is longer than 64 characters',
    });
  });

  it('Entra ID provisioning: look up, create, look up again, disable, and groups without members', async () => {
    const userName = 'entra.lookup@example.com';
    const lookup = await gw.call('GET', `/Users?filter=${enc(`userName eq "${userName}"`)}`);
    expect([lookup.status, lookup.body.totalResults]).toEqual([200, 0]);
    const created = await gw.call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
      externalId: 'entra-1',
      userName,
      active: true,
      name: { givenName: 'En', familyName: 'Tra' },
      [ENT]: { department: 'IT' },
    });
    expect(created.status).toBe(201);
    const again = await gw.call('GET', `/Users?filter=${enc(`userName eq "${userName}"`)}`);
    expect([again.status, again.body.totalResults, again.body.Resources[0].id]).toEqual([200, 1, created.body.id]);
    // Entra's dialect: capitalised op, boolean as a string.
    const disabled = await gw.call('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(disabled.status).toBe(200);
    expect(v11.users.get(created.body.id)?.active).toBe(false);
    const group = await gw.call('GET', `/Groups?filter=${enc('displayName eq "No Such Group"')}&excludedAttributes=members`);
    expect([group.status, group.body.totalResults]).toEqual([200, 0]);
  });

  it('a filter the connector finishes itself still reads the attributes it filters on', async () => {
    // `ne` is not 1.1: the connector reads the list and filters on title itself, though the
    // client asked only for userName.
    const full = await gw.call('GET', `/Users?filter=${enc('title ne "Boss"')}`);
    expect(full.body.Resources.map((u: { userName: string }) => u.userName)).toContain('other');
    const res = await gw.call('GET', `/Users?filter=${enc('title ne "Boss"')}&attributes=userName`);
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((u: { id: string }) => u.id)).toEqual(full.body.Resources.map((u: { id: string }) => u.id));
    expect(res.body.Resources.every((u: { title?: string }) => u.title === undefined)).toBe(true);
    const asked = (new URL(last('GET')?.url ?? '', 'http://x').searchParams.get('attributes') ?? '').split(',');
    expect(asked).toEqual(expect.arrayContaining(['id', 'userName', 'title']));
    expect(asked).not.toContain('emails');
  });

  it('excludedAttributes, which 1.1 lacks, reaches the target as the attributes to return', async () => {
    const g = await gw.call('POST', '/Groups', { displayName: 'Projected', members: [{ value: userId() }] });
    expect(g.status).toBe(201);
    const res = await gw.call('GET', `/Groups/${g.body.id}?excludedAttributes=members`);
    expect(res.status).toBe(200);
    expect(res.body.members).toBeUndefined();
    expect(res.body.displayName).toBe('Projected');
    const sent = new URL(last('GET')?.url ?? '', 'http://x').searchParams;
    expect(sent.has('excludedAttributes')).toBe(false);
    const asked = (sent.get('attributes') ?? '').split(',');
    expect(asked).toContain('displayName');
    expect(asked).not.toContain('members');
    // The group has its member at the target; only the projection kept it off the wire.
    expect(Object.keys(v11.groups.get(g.body.id) ?? {})).toContain('members');
  });
});

describe('removals a 1.1 target cannot select itself', () => {
  it('emails[type eq "home"] is sent as the element it selects, found by a read of emails only', async () => {
    const u = await gw.call('POST', '/Users', {
      userName: 'two.mails',
      emails: [
        { type: 'work', value: 'w@x' },
        { type: 'home', value: 'h@x' },
      ],
    });
    expect(u.status).toBe(201);
    const before = v11.requests.length;
    const res = await gw.call('PATCH', `/Users/${u.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: 'emails[type eq "Home"]' }],
    });
    expect(res.status).toBe(200);
    const sent = v11.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${new URL(r.url, 'http://x').searchParams.get('attributes') ?? ''}`)).toEqual([
      'GET emails',
      'PATCH ',
    ]);
    // A 1.1 service matches a delete by `value`: `{ type: "home", operation: "delete" }` would remove nothing.
    expect(sent[1]?.body).toEqual({ schemas: [CORE_11], emails: [{ type: 'home', value: 'h@x', operation: 'delete' }] });
    expect(v11.users.get(u.body.id)?.emails).toEqual([{ type: 'work', value: 'w@x' }]);
    expect(res.body.emails).toEqual([{ type: 'work', value: 'w@x' }]);
  });

  it('a selector that selects nothing sends no PATCH; a removal by value reads nothing', async () => {
    const u = await gw.call('POST', '/Users', { userName: 'one.mail', emails: [{ type: 'work', value: 'o@x' }] });
    let before = v11.requests.length;
    const none = await gw.call('PATCH', `/Users/${u.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: 'emails[type eq "home"]' }],
    });
    expect(none.status).toBe(200);
    expect(v11.requests.slice(before).map((r) => r.method)).not.toContain('PATCH');
    expect(v11.users.get(u.body.id)?.emails).toEqual([{ type: 'work', value: 'o@x' }]);

    before = v11.requests.length;
    const byValue = await gw.call('PATCH', `/Users/${u.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: 'emails[value eq "o@x"]' }],
    });
    expect(byValue.status).toBe(200);
    expect(v11.requests.slice(before)[0]).toMatchObject({
      method: 'PATCH',
      body: { emails: [{ value: 'o@x', operation: 'delete' }] },
    });
    expect(v11.users.get(u.body.id)?.emails).toBeUndefined();
  });
});

describe('PATCH body builders', () => {
  const groups = createMapper(DEFAULT_MAP, { resourceType: 'Group' });
  const users = createMapper(DEFAULT_MAP, { resourceType: 'User' });
  const ch = {
    set: { displayName: 'G' },
    add: { members: [{ value: 'a' }] },
    remove: { members: [{ value: 'b' }] },
    clear: ['externalId'],
  };

  it('2.0: clear, remove by selector, replace, add — in that order', () => {
    expect(patch20(groups, ch)).toEqual({
      schemas: [PATCH],
      Operations: [
        { op: 'remove', path: 'externalId' },
        { op: 'remove', path: 'members[value eq "b"]' },
        { op: 'replace', path: 'displayName', value: 'G' },
        { op: 'add', path: 'members', value: [{ value: 'a' }] },
      ],
    });
  });

  it('1.1: partial resource with meta.attributes and delete marks', () => {
    expect(patch11(groups, ch)).toEqual({
      schemas: [CORE_11],
      displayName: 'G',
      members: [{ value: 'b', operation: 'delete' }, { value: 'a' }],
      meta: { attributes: ['externalId'] },
    });
  });

  it('nested and extension keys land in nested objects', () => {
    const body = patch11(users, {
      set: { 'name.givenName': 'B', [`${ENT}:department`]: 'Ops' },
      add: {},
      remove: {},
      clear: [`${ENT}:division`],
    });
    expect(body).toEqual({
      schemas: [CORE_11, ENT_11],
      name: { givenName: 'B' },
      [ENT_11]: { department: 'Ops' },
      meta: { attributes: [`${ENT_11}:division`] },
    });
  });
});
