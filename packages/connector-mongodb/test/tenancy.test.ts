/**
 * Tenants (`baseEntity`), indexes and example data: one database per tenant or one tenant field,
 * isolation in both, uniqueness per tenant, the indexes created once and idempotently, example
 * data only in empty tenants, and projection of requested attributes.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, createConnector, createMongoConnector, indexDefinitions, type MongoConfigInput } from '../src/index.js';
import { type Backend, startBackend, uniqueDb } from './helpers/backend.js';

let backend: Backend;
let client: MongoClient;
beforeAll(async () => {
  backend = await startBackend();
  client = new MongoClient(backend.url);
});
afterAll(async () => {
  await client.close();
  await backend.stop();
});

function parsed(input: MongoConfigInput) {
  const r = configSchema.validate(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe.each(['database', 'field'] as const)('tenancy "%s"', (tenancy) => {
  const database = uniqueDb(`ten_${tenancy}`);
  const cfg = () =>
    parsed({
      connection: { url: backend.url },
      database,
      tenancy,
      ...(tenancy === 'database'
        ? { entity: { acme: { database: `${database}_acme_custom` }, globex: {} } }
        : { entity: { acme: {}, globex: {} } }),
    });

  it('keeps tenants apart: same userName in two tenants, nothing visible across', async () => {
    const connector = await createConnector(testContext(cfg(), { tenants: ['acme', 'globex'] }));
    const h = createScimHandler({ connector });
    const post = (tenant: string, userName: string) =>
      h.handle({ method: 'POST', url: `/${tenant}/Users`, body: JSON.stringify({ userName }) });
    expect((await post('acme', 'shared')).status).toBe(201);
    expect((await post('globex', 'SHARED')).status).toBe(201);
    expect((await post('acme', 'Shared')).status).toBe(409);
    const acme = await h.handle({ method: 'GET', url: '/acme/Users' });
    const globex = await h.handle({ method: 'GET', url: '/globex/Users' });
    const acmeId = (acme.body as { Resources: { id: string }[] }).Resources[0]!.id;
    expect((acme.body as { totalResults: number }).totalResults).toBe(1);
    expect((globex.body as { totalResults: number }).totalResults).toBe(1);
    // An id of one tenant is not found in the other.
    expect((await h.handle({ method: 'GET', url: `/globex/Users/${acmeId}` })).status).toBe(404);
    expect((await h.handle({ method: 'DELETE', url: `/globex/Users/${acmeId}` })).status).toBe(404);
    // The default tenant sees neither; an unknown tenant is 404.
    expect(((await h.handle({ method: 'GET', url: '/Users' })).body as { totalResults: number }).totalResults).toBe(0);
    expect((await h.handle({ method: 'GET', url: '/initech/Users' })).status).toBe(404);
    // Where the data went.
    if (tenancy === 'database') {
      expect(await client.db(`${database}_acme_custom`).collection('users').countDocuments()).toBe(1);
      expect(await client.db(`${database}_globex`).collection('users').countDocuments()).toBe(1);
    } else {
      const users = client.db(database).collection('users');
      expect(await users.countDocuments({ _tenant: 'acme' })).toBe(1);
      expect(await users.countDocuments({ _tenant: 'globex' })).toBe(1);
    }
    await connector.close?.();
  });

  it('creates the indexes once, idempotently, as listed', async () => {
    const a = await createConnector(testContext(cfg(), { tenants: ['acme', 'globex'] }));
    const b = await createConnector(testContext(cfg(), { tenants: ['acme', 'globex'] }));
    await a.close?.();
    await b.close?.();
    const db = client.db(tenancy === 'database' ? `${database}_globex` : database);
    for (const role of ['users', 'groups', 'roles', 'entitlements'] as const) {
      const indexes = await db.collection(role).listIndexes().toArray();
      const byName = new Map(indexes.map((i) => [i.name as string, i]));
      for (const def of indexDefinitions(role, { uniqueGroupDisplayName: false })) {
        const idx = byName.get(def.name);
        expect(idx, `${role}.${def.name}`).toBeDefined();
        const expectedKey = tenancy === 'field' ? { _tenant: 1, ...def.key } : def.key;
        expect(idx?.key).toEqual(expectedKey);
        expect(Boolean(idx?.unique)).toBe(Boolean(def.unique));
        if (def.caseInsensitive) expect(idx?.collation).toMatchObject({ locale: 'en', strength: 2 });
        else expect(idx?.collation).toBeUndefined();
      }
    }
  });
});

describe('indexes', () => {
  it('uniqueGroupDisplayName makes group names unique regardless of case', async () => {
    const connector = createMongoConnector({
      connection: { url: backend.url },
      database: uniqueDb('gname'),
      indexes: { uniqueGroupDisplayName: true },
    });
    await connector.open();
    const h = createScimHandler({ connector });
    const post = (displayName: string) => h.handle({ method: 'POST', url: '/Groups', body: JSON.stringify({ displayName }) });
    expect((await post('Sales')).status).toBe(201);
    const dup = await post('SALES');
    expect(dup.status).toBe(409);
    expect((dup.body as { detail: string }).detail).toContain('displayName');
    await connector.close?.();
  });

  it('users differing only in the case of their userName (older data) fail startup with a clear error', async () => {
    const database = uniqueDb('dupcase');
    await client
      .db(database)
      .collection('users')
      .insertMany([
        { id: 'a', userName: 'Ann' },
        { id: 'b', userName: 'ann' },
      ]);
    const connector = createMongoConnector({ connection: { url: backend.url }, database });
    await expect(connector.open()).rejects.toThrow(/cannot create the indexes of .*\.users/);
    await connector.close?.();
  });

  it('a conflicting index of the same name fails startup with a clear error', async () => {
    const database = uniqueDb('conflict');
    await client.db(database).collection('groups').createIndex({ displayName: 1 }, { name: 'scim_displayName' });
    const connector = createMongoConnector({ connection: { url: backend.url }, database });
    await expect(connector.open()).rejects.toThrow(/cannot create the indexes of .*\.groups .*"Indexes"/);
    await connector.close?.();
  });
});

describe('example data', () => {
  it("seeds an empty tenant once, with the embedded store's users and groups", async () => {
    const database = uniqueDb('example');
    const make = () => createConnector(testContext(parsed({ connection: { url: backend.url }, database, exampleData: true })));
    const first = await make();
    const h = createScimHandler({ connector: first });
    const bjensen = await h.handle({ method: 'GET', url: '/Users/bjensen' });
    expect(bjensen.status).toBe(200);
    expect(bjensen.body).toMatchObject({
      userName: 'bjensen',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984' },
      groups: expect.arrayContaining([expect.objectContaining({ value: 'Admins', display: 'Admins' })]),
    });
    expect(((await h.handle({ method: 'GET', url: '/Roles' })).body as { totalResults: number }).totalResults).toBe(2);
    expect(((await h.handle({ method: 'GET', url: '/Entitlements/vpn' })).body as { displayName: string }).displayName).toBe(
      'VPN access',
    );
    expect((await h.handle({ method: 'POST', url: '/Roles', body: '{}' })).status).toBe(405);
    await h.handle({ method: 'DELETE', url: '/Users/jsmith' });
    await first.close?.();
    // A second start (or a second gateway) does not seed again: jsmith stays deleted.
    const second = await make();
    expect(await second.resources.User!.get!('jsmith', {}, {})).toBeUndefined();
    expect(await client.db(database).collection('users').countDocuments()).toBe(1);
    // And jsmith left the groups when deleted.
    const employees = await second.resources.Group!.get!('Employees', {}, {});
    expect(((employees?.members ?? []) as { value: string }[]).map((m) => m.value)).toEqual(['bjensen']);
    await second.close?.();
  });
});

describe('projection', () => {
  it('excludedAttributes=members does not read the members; attributes= reads only what is asked', async () => {
    const srv = backend.srv;
    const connector = createMongoConnector({ connection: { url: backend.url }, database: uniqueDb('proj') });
    await connector.open();
    const h = createScimHandler({ connector });
    const g = await h.handle({
      method: 'POST',
      url: '/Groups',
      body: JSON.stringify({ displayName: 'P', members: [{ value: 'a' }, { value: 'b' }] }),
    });
    const gid = (g.body as { id: string }).id;
    srv?.calls.clear();
    const list = await h.handle({ method: 'GET', url: '/Groups?excludedAttributes=members' });
    expect((list.body as { Resources: Record<string, unknown>[] }).Resources[0]!.members).toBeUndefined();
    const one = await h.handle({ method: 'GET', url: `/Groups/${gid}?excludedAttributes=members` });
    expect((one.body as Record<string, unknown>).members).toBeUndefined();
    const users = await h.handle({ method: 'GET', url: '/Users?attributes=userName' });
    expect(users.status).toBe(200);
    if (srv) {
      const finds = srv.calls.of('find').map((c) => (c.body as { projection?: Record<string, number> }).projection);
      expect(finds).toContainEqual({ members: 0 });
      expect(finds.some((p) => p && p.userName === 1 && p.emails === undefined)).toBe(true);
    }
    await connector.close?.();
  });
});

describe('configuration', () => {
  it('validates with paths and did-you-mean, and publishes a JSON Schema', () => {
    const bad = configSchema.validate({
      connection: { url: 'http://x', timeouts: { serverSelectionMS: 5 } },
      databse: 'x',
      tenancy: 'schema',
    });
    expect(bad.ok).toBe(false);
    const issues = bad.ok ? [] : bad.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues.join('\n')).toMatch(/connection\.url: must be a mongodb/);
    expect(issues.join('\n')).toMatch(/connection\.timeouts\.serverSelectionMS/);
    expect(issues.join('\n')).toMatch(/databse: unknown key \(did you mean "database"\?\)/);
    expect(issues.join('\n')).toMatch(/tenancy/);
    const good = configSchema.validate({ connection: { url: 'mongodb+srv://cluster0.example.net/' } });
    expect(good.ok && good.value).toMatchObject({
      database: 'scim',
      tenancy: 'database',
      tenantField: '_tenant',
      collections: { users: 'users', groups: 'groups' },
      indexes: { create: true, uniqueGroupDisplayName: false },
      exampleData: false,
      connection: { appName: 'scimgw', timeouts: { serverSelectionMS: 5000, operationMS: 15000 } },
    });
    const field = configSchema.validate({
      connection: { url: 'mongodb://h/' },
      tenancy: 'field',
      entity: { acme: { database: 'other' } },
      tenantField: 'tenant',
    });
    expect(field.ok).toBe(false);
    expect(JSON.stringify(field)).toMatch(/entity.*acme.*database/);
    expect(JSON.stringify(field)).toMatch(/tenantField/);
    expect(configSchema.jsonSchema).toMatchObject({ type: 'object', title: 'connector-mongodb endpoint' });
  });

  it('refuses tenants whose names differ only in case, and tenant databases with invalid names', () => {
    expect(() => createMongoConnector({ connection: { url: backend.url }, entity: { Acme: {}, acme: {} } })).toThrow(
      /differ only in case/,
    );
    expect(() => createMongoConnector({ connection: { url: backend.url }, tenants: ['a.b'] })).toThrow(
      /not a valid MongoDB database name/,
    );
    expect(() => createMongoConnector({ connection: { url: backend.url }, tenancy: 'field', tenants: ['a.b'] })).not.toThrow();
  });
});

describe('entity.undefined', () => {
  it("holds the default tenant's database, as in the older product", async () => {
    const database = uniqueDb('undef');
    const connector = createMongoConnector({
      connection: { url: backend.url },
      database: 'ignored_here',
      entity: { undefined: { database } },
    });
    await connector.open();
    const h = createScimHandler({ connector });
    expect((await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'dflt' }) })).status).toBe(201);
    expect((await h.handle({ method: 'GET', url: '/undefined/Users' })).status).toBe(404);
    expect(await client.db(database).collection('users').countDocuments()).toBe(1);
    await connector.close?.();
  });
});
