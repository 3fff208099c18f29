import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connector } from '@scimgw/core';
import { testContext } from '@scimgw/core/testkit';
import { startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLegacyPluginConnector } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
type Rec = Record<string, any>;
const calls = (): Rec[] => (globalThis as Rec).__legacyMemoryCalls;
const lastCall = (key: string): Rec | undefined => [...calls()].reverse().find((c) => key in c)?.[key];

describe('a plugin written for the older API, served through the gateway', () => {
  let gw: TestGateway;
  let connector: Connector;
  let logs: ReturnType<typeof testContext>['logs'];

  beforeAll(async () => {
    const ctx = testContext(
      { legacyPlugin: { file: join(here, 'plugins', 'plugin-memory.ts') }, entity: { undefined: {} } },
      { baseDir: here },
    );
    logs = ctx.logs;
    connector = await createLegacyPluginConnector(ctx);
    gw = await startTestGateway({ name: 'connector-legacy-plugin', connector: () => connector });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('creates a user: POST body reaches createUser type-converted, the id is looked up by userName', async () => {
    const r = await gw.call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ value: 'bjensen@example.com', type: 'work' }],
      password: 'secret-never-logged',
    });
    expect(r.status).toBe(201);
    expect(r.body.id).toBe('bjensen');
    expect(r.body.emails).toEqual([{ value: 'bjensen@example.com', type: 'work' }]);
    expect(lastCall('createUser')?.emails).toEqual({ work: { value: 'bjensen@example.com', type: 'work' } });
    expect(lastCall('createUser')?.schemas).toBeUndefined();
  });

  it('answers 409 uniqueness for err.name += "#409"', async () => {
    const r = await gw.call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'BJENSEN' });
    expect(r.status).toBe(409);
    expect(r.body.scimType).toBe('uniqueness');
    // The plugin's message already names the method: not prefixed a second time.
    expect(r.body.detail).toBe('createUser error: Duplicate key userName=BJENSEN');
  });

  it('reads by id (getObj id eq) and answers 404 for an unknown id', async () => {
    expect((await gw.call('GET', '/Users/bjensen')).body.userName).toBe('bjensen');
    expect(lastCall('getObj')).toMatchObject({ attribute: 'id', operator: 'eq', value: 'bjensen' });
    expect((await gw.call('GET', '/Users/nobody')).status).toBe(404);
  });

  it('hands simple filters over as getObj, multi-valued attributes by .value', async () => {
    for (const u of ['jsmith', 'asmith', 'zed']) {
      await gw.call('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: u,
        emails: [{ value: `${u}@x.org`, type: 'home' }],
      });
    }
    const r = await gw.call('GET', `/Users?filter=${encodeURIComponent('userName sw "j"')}`);
    expect(r.body.Resources.map((u: Rec) => u.userName)).toEqual(['jsmith']);
    expect(lastCall('getObj')).toMatchObject({ attribute: 'userName', operator: 'sw', value: 'j', rawFilter: 'userName sw "j"' });
    const e = await gw.call('GET', `/Users?filter=${encodeURIComponent('emails eq "zed@x.org"')}`);
    expect(e.body.Resources.map((u: Rec) => u.userName)).toEqual(['zed']);
    expect(lastCall('getObj')).toMatchObject({ attribute: 'emails.value', operator: 'eq' });
  });

  it('splits or / and as the older gateway did: the core combines single-filter calls', async () => {
    const r = await gw.call('GET', `/Users?filter=${encodeURIComponent('userName eq "zed" or userName eq "asmith"')}`);
    expect(r.body.Resources.map((u: Rec) => u.userName).sort()).toEqual(['asmith', 'zed']);
    const a = await gw.call('GET', `/Users?filter=${encodeURIComponent('userName co "smith" and emails.value ew "x.org"')}`);
    expect(a.body.Resources.map((u: Rec) => u.userName).sort()).toEqual(['asmith', 'jsmith']);
  });

  it('answers 400 invalidFilter for err.name = "invalidFilter"', async () => {
    const r = await gw.call('GET', `/Users?filter=${encodeURIComponent('userName gt "a"')}`);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe('invalidFilter');
  });

  it('pages with startIndex/count and the plugin totalResults', async () => {
    const p1 = await gw.call('GET', '/Users?startIndex=1&count=2');
    expect(p1.body.totalResults).toBe(4);
    expect(p1.body.Resources).toHaveLength(2);
    expect(lastCall('getObj')).toMatchObject({ startIndex: 1, count: 2 });
    const p2 = await gw.call('GET', '/Users?startIndex=3&count=2');
    expect(p2.body.Resources).toHaveLength(2);
    const ids = [...p1.body.Resources, ...p2.body.Resources].map((u: Rec) => u.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('PATCH reaches modifyUser in the older attrObj shape (type-keyed, "" for cleared, delete markers)', async () => {
    const r = await gw.call('PATCH', '/Users/bjensen', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'name.givenName', value: 'Babs' },
        { op: 'remove', path: 'name.familyName' },
        { op: 'add', path: 'emails', value: [{ value: 'babs@home.org', type: 'home' }] },
        { op: 'remove', path: 'emails[type eq "work"]' },
        { op: 'replace', path: 'active', value: 'False' },
      ],
    });
    expect(r.status).toBe(200);
    expect(lastCall('modifyUser')).toEqual({
      name: { givenName: 'Babs', familyName: '' },
      emails: { home: { value: 'babs@home.org', type: 'home' }, work: { type: 'work', value: '', operation: 'delete' } },
      active: false,
    });
    expect(r.body.name).toEqual({ givenName: 'Babs' });
    expect(r.body.emails).toEqual([{ value: 'babs@home.org', type: 'home' }]);
    expect(r.body.active).toBe(false);
  });

  it('group membership: adds and removes reach modifyGroup as members with delete markers', async () => {
    const g = await gw.call('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Admins',
      members: [{ value: 'bjensen' }],
    });
    expect(g.status).toBe(201);
    expect(g.body.id).toBe('Admins');
    const add = await gw.call('PATCH', '/Groups/Admins', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'jsmith' }] }],
    });
    expect(add.status).toBe(204);
    expect(lastCall('modifyGroup')).toEqual({ members: [{ value: 'jsmith' }] });
    // Entra's removal form
    await gw.call('PATCH', '/Groups/Admins', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'bjensen' }] }],
    });
    expect(lastCall('modifyGroup')).toEqual({ members: [{ value: 'bjensen', operation: 'delete' }] });
    await gw.call('PATCH', '/Groups/Admins', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: 'members[value eq "jsmith"]' }],
    });
    expect(lastCall('modifyGroup')).toEqual({ members: [{ operation: 'delete', value: 'jsmith' }] });
    await gw.call('PATCH', '/Groups/Admins', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'members', value: [{ value: 'zed' }] }],
    });
    expect(lastCall('modifyGroup')).toEqual({ members: [{ operation: 'delete' }, { value: 'zed' }] });
    const read = await gw.call('GET', '/Groups/Admins');
    expect(read.body.members.map((m: Rec) => m.value)).toEqual(['zed']);
    const members = await gw.call('GET', `/Groups?filter=${encodeURIComponent('members.value eq "zed"')}`);
    expect(members.body.Resources.map((x: Rec) => x.id)).toEqual(['Admins']);
  });

  it('serves /Roles and /Entitlements from getRoles and getEntitlements, read-only', async () => {
    const all = await gw.call('GET', '/Roles');
    expect(all.status).toBe(200);
    expect(all.body.totalResults).toBe(3);
    expect(all.body.Resources.map((r: Rec) => r.id)).toEqual(['r-admin', 'r-reader', 'r-old']);
    expect(all.body.Resources[0].schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Role']);
    const one = await gw.call('GET', '/Roles/r-reader');
    expect(one.body).toMatchObject({ displayName: 'Reader', value: 'reader', type: 'Eligible', enabled: true });
    expect(lastCall('getRoles')).toMatchObject({ attribute: 'id', operator: 'eq', value: 'r-reader' });
    const found = await gw.call('GET', `/Roles?filter=${encodeURIComponent('displayName sw "Retired"')}`);
    expect(found.body.Resources.map((r: Rec) => r.id)).toEqual(['r-old']);
    expect(lastCall('getRoles')).toMatchObject({ attribute: 'displayName', operator: 'sw', value: 'Retired' });
    expect((await gw.call('GET', '/Roles/nope')).status).toBe(404);
    const ent = await gw.call('GET', '/Entitlements');
    expect(ent.body.Resources).toEqual([
      expect.objectContaining({ id: 'e-e5', displayName: 'Office 365 E5', value: 'ENTERPRISEPREMIUM', type: 'License' }),
    ]);
    for (const [method, url] of [
      ['POST', '/Roles'],
      ['PUT', '/Roles/r-admin'],
      ['PATCH', '/Roles/r-admin'],
      ['DELETE', '/Roles/r-admin'],
      ['POST', '/Entitlements'],
    ] as const) {
      const body =
        method === 'DELETE'
          ? undefined
          : method === 'PATCH'
            ? {
                schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
                Operations: [{ op: 'replace', path: 'displayName', value: 'x' }],
              }
            : { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Role'], displayName: 'x' };
      const r = await gw.call(method, url, body);
      // No write reaches the plugin: refused as not allowed, or (PATCH) for the read-only attribute it names.
      const refused = r.status === 405 || r.status === 501 || (r.status === 400 && r.body.scimType === 'mutability');
      expect(refused, `${method} ${url} ${JSON.stringify(r.body)}`).toBe(true);
    }
    expect((await gw.call('GET', '/Roles/r-admin')).body.displayName).toBe('Administrator');
  });

  it('serves API gateway mode from getApi … deleteApi and publicApi, answers as the plugin returns them', async () => {
    const list = await gw.call('GET', '/api?model=Tesla');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([{ id: '1', model: 'Tesla', title: 'Model 3' }]);
    expect(lastCall('getApi')).toEqual({ baseEntity: 'undefined', id: undefined, query: { model: 'Tesla' }, ctx: undefined });
    expect((await gw.call('GET', '/api/2')).body).toEqual({ id: '2', model: 'BMW', title: 'i4' });
    const missing = await gw.call('GET', '/api/99');
    expect(missing.status).toBe(404);
    // A message that does not name the method gets it in front.
    expect(missing.body.detail).toBe('getApi: product 99 not found');
    const created = await gw.call('POST', '/api', { model: 'Volvo', title: 'EX30' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ model: 'Volvo', title: 'EX30', id: '3' });
    expect((await gw.call('PUT', '/api/3', { model: 'Volvo', title: 'EX40' })).body.title).toBe('EX40');
    expect((await gw.call('PATCH', '/api/3', { title: 'EX90' })).body).toEqual({ model: 'Volvo', title: 'EX90', id: '3' });
    expect((await gw.call('DELETE', '/api/3')).status).toBe(204);
    expect((await gw.call('DELETE', '/api/3')).status).toBe(404);
    // The authenticated routes stay authenticated.
    expect((await gw.call('GET', '/api', undefined, { authorization: '' })).status).toBe(401);
    expect((await gw.call('POST', '/api', { model: 'x' }, { authorization: '' })).status).toBe(401);
    // publicApi answers GET /pub/api without credentials.
    const pub = await gw.call('GET', '/pub/api?model=BMW', undefined, { authorization: '' });
    expect(pub.status).toBe(200);
    expect(pub.body).toEqual([{ model: 'BMW' }]);
    expect(lastCall('publicApi')).toEqual({
      baseEntity: 'undefined',
      method: 'GET',
      id: undefined,
      query: { model: 'BMW' },
      body: undefined,
    });
  });

  it('answers the status and scimType a plugin names as "scimType#status"', async () => {
    const r = await gw.call('PATCH', '/Groups/Admins', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'ghost' }] }],
    });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe('invalidValue');
  });

  it('answers an opaque 500 for a plain Error and logs its message only on the gateway side', async () => {
    const r = await gw.call('PATCH', '/Users/zed', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'boom' }],
    });
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toContain('db01');
    expect(gw.logs() + JSON.stringify(logs)).toContain('db01');
  });

  it('PUT becomes modifyUser changes; DELETE calls deleteUser; 404 for "#404"', async () => {
    const put = await gw.call('PUT', '/Users/asmith', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'asmith',
      title: 'Boss',
    });
    expect(put.status).toBe(200);
    expect(put.body.title).toBe('Boss');
    expect(put.body.emails).toBeUndefined();
    expect((await gw.call('DELETE', '/Users/asmith')).status).toBe(204);
    expect((await gw.call('DELETE', '/Users/asmith')).status).toBe(404);
  });

  it('never logs the password the client sent', () => {
    expect(gw.logs()).not.toContain('secret-never-logged');
    expect(JSON.stringify(logs)).not.toContain('secret-never-logged');
  });
});

describe('a CommonJS plugin (require("scimgateway"))', () => {
  it('loads, reads its configuration and serves its users', async () => {
    const ctx = testContext(
      { legacyPlugin: { file: join(here, 'plugins', 'plugin-commonjs.cjs') }, idPrefix: 'u-' },
      { baseDir: here },
    );
    const connector = await createLegacyPluginConnector(ctx);
    expect(Object.keys(connector.resources)).toEqual(['User']);
    // A getApi of the older five-parameter form gets an empty body in the fourth place.
    expect(await connector.host?.api?.get?.('7', { q: '1' }, { tenant: 'acme' })).toEqual({
      baseEntity: 'acme',
      id: '7',
      apiQuery: { q: '1' },
      apiObj: undefined,
      ctx: undefined,
    });
    expect(connector.host?.api?.post).toBeUndefined();
    expect(connector.host?.api?.publicGet).toBeUndefined();
    const gw = await startTestGateway({ name: 'connector-legacy-plugin', connector: () => connector });
    try {
      const created = await gw.call('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'kim',
      });
      expect(created.status).toBe(201);
      expect(created.body.id).toBe('u-kim');
      const all = await gw.call('GET', '/Users');
      expect(all.body.Resources.map((u: Rec) => u.userName).sort()).toEqual(['bjensen', 'kim']);
    } finally {
      await gw.stop();
    }
  });
});

describe('loading', () => {
  it('names the file and line of a plugin that does not compile', async () => {
    const ctx = testContext({ legacyPlugin: { file: join(here, 'plugins', 'broken.ts.txt') } }, { baseDir: here });
    await expect(createLegacyPluginConnector(ctx)).rejects.toThrow(/broken\.ts\.txt/);
  });
  it('refuses a file that defines no getUsers', async () => {
    const ctx = testContext({ legacyPlugin: { file: join(here, 'plugins', 'not-a-plugin.mjs') } }, { baseDir: here });
    await expect(createLegacyPluginConnector(ctx)).rejects.toThrow(/defines no getUsers/);
  });
});
