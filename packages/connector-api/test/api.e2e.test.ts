/** API-gateway mode through a real gateway over HTTP, against a REST backend on loopback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiConnector, EXAMPLE_ITEMS } from '../src/index.js';
import { type Backend, startBackend } from './backend-server.js';
import { startGateway, type TestGateway } from './helpers.js';

const NO_AUTH = { authorization: '' };
let backend: Backend;
let gw: TestGateway;
let example: TestGateway;
let noPublic: TestGateway;

beforeAll(async () => {
  backend = await startBackend();
  const connection = (username: string, password: string) => ({
    connection: { baseUrls: [backend.base], auth: { type: 'basic', options: { username, password } }, retry: { attempts: 1 } },
  });
  // Loaded by package name from the file name connector-api.json.
  gw = await startGateway('connector-api', {
    resourcePath: '/products',
    entity: { undefined: connection('apiuser', 'Backend-Pa55'), acme: connection('acme', 'Acme-Pa55') },
  });
  example = await startGateway('connector-api', {});
  noPublic = await startGateway(
    'connector-api',
    {},
    { connector: () => createApiConnector({ config: { public: { enabled: false } } }) },
  );
});

afterAll(async () => {
  await noPublic?.stop();
  await example?.stop();
  await gw?.stop();
  await backend?.close();
});

describe('/api (authenticated) → REST backend', () => {
  it('requires authentication', async () => {
    const res = await gw.call('GET', '/api', undefined, NO_AUTH);
    expect(res.status).toBe(401);
    expect(backend.requests).toHaveLength(0);
  });

  it('returns the backend body as-is, query passed along', async () => {
    const all = await gw.call('GET', '/api');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      tenant: 'default',
      value: [
        { id: '1', model: 'Tesla', title: 'Model 3', price: 42990, cost: 31000, supplier: 'Giga Berlin' },
        { id: '2', model: 'Volvo', title: 'EX30', price: 36590, cost: 27000, supplier: 'Zhangjiakou' },
      ],
    });
    const tesla = await gw.call('GET', '/api?model=Tesla');
    expect(tesla.body.value.map((i: { id: string }) => i.id)).toEqual(['1']);
    expect(backend.requests.at(-1)?.url).toBe('/products?model=Tesla');
    const one = await gw.call('GET', '/api/2');
    expect(one.body).toEqual({ id: '2', model: 'Volvo', title: 'EX30', price: 36590, cost: 27000, supplier: 'Zhangjiakou' });
  });

  it('creates, replaces, updates and deletes through the backend', async () => {
    const made = await gw.call('POST', '/api', { model: 'BMW', title: 'i4', price: 57000 });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ model: 'BMW', title: 'i4', price: 57000, id: '11', cost: 1 });
    expect(backend.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: '/products',
      body: { model: 'BMW', title: 'i4', price: 57000 },
    });

    const put = await gw.call('PUT', '/api/11', { model: 'BMW', title: 'i5' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ model: 'BMW', title: 'i5', id: '11' });
    const patch = await gw.call('PATCH', '/api/11', { price: 60000 });
    expect(patch.body).toEqual({ model: 'BMW', title: 'i5', id: '11', price: 60000 });

    const del = await gw.call('DELETE', '/api/11');
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    const withBody = await gw.call('DELETE', '/api/with-body');
    expect(withBody.status).toBe(200);
    expect(withBody.body).toEqual({ deleted: true });
  });

  it('maps backend errors to SCIM errors and rejects bad bodies before calling the backend', async () => {
    const missing = await gw.call('GET', '/api/999');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('product 999 not found');
    const before = backend.requests.length;
    for (const body of ['[]', '{}', '"text"']) {
      const res = await gw.call('POST', '/api', body);
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidSyntax');
    }
    expect(backend.requests.length).toBe(before);
    expect((await gw.call('PUT', '/api', { a: 1 })).status).toBe(405);
  });

  it("routes /<baseEntity>/api with that tenant's backend credentials", async () => {
    const res = await gw.call('GET', '/acme/api');
    expect(res.status).toBe(200);
    expect(res.body.tenant).toBe('acme');
    expect(backend.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from('acme:Acme-Pa55').toString('base64')}`);
    expect((await gw.call('GET', '/nobody/api')).status).toBe(404);
  });

  it('serves no SCIM resources', async () => {
    expect((await gw.call('GET', '/Users')).status).toBe(404);
  });

  it('keeps backend credentials out of the logs', () => {
    expect(gw.logs()).not.toContain('Backend-Pa55');
    expect(gw.logs()).not.toContain(Buffer.from('apiuser:Backend-Pa55').toString('base64'));
    expect(gw.logs()).not.toContain('Acme-Pa55');
  });
});

describe('/pub/api (unauthenticated, because the connector defines publicGet)', () => {
  it('answers without credentials, with public fields only', async () => {
    const res = await gw.call('GET', '/pub/api?model=Tesla', undefined, NO_AUTH);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: '1', model: 'Tesla', title: 'Model 3', price: 42990 }]);
    expect(JSON.stringify(res.body)).not.toMatch(/cost|supplier/);
  });

  it('forwards only allowlisted query parameters to the backend', async () => {
    await gw.call('GET', '/pub/api?model=volvo&supplier=Zhangjiakou&cost=1', undefined, NO_AUTH);
    expect(backend.requests.at(-1)?.url).toBe('/products?model=volvo');
  });

  it('is read-only', async () => {
    expect((await gw.call('POST', '/pub/api', { a: 1 }, NO_AUTH)).status).toBe(404);
  });

  it('works with the built-in example store', async () => {
    const res = await example.call('GET', '/pub/api?model=Tesla', undefined, NO_AUTH);
    expect(res.status).toBe(200);
    expect(res.body.map((i: { title: string }) => i.title)).toEqual(['Model 3', 'Model Y']);
    expect(res.body[0]).toEqual({ id: '1', model: 'Tesla', title: 'Model 3', price: 42990, year: 2024 });
    const all = await example.call('GET', '/api');
    expect(all.body).toHaveLength(EXAMPLE_ITEMS.length);
    expect(all.body[0].cost).toBe(31000);
  });

  it('does not exist when the connector has no publicGet', async () => {
    const res = await noPublic.call('GET', '/pub/api?model=Tesla', undefined, NO_AUTH);
    expect(res.status).toBe(404);
    expect((await noPublic.call('GET', '/api/1')).status).toBe(200);
  });
});

describe("/api with pass-through: the backend judges the caller's own credentials", () => {
  it("forwards the caller's Authorization to the backend, answers its refusal with 401, and asks it nothing on /pub/api", async () => {
    const pt = await startGateway(
      'connector-api',
      {
        resourcePath: '/products',
        entity: {
          undefined: { connection: { baseUrls: [backend.base], auth: { type: 'passThrough' }, retry: { attempts: 1 } } },
        },
      },
      { scimgateway: { auth: { basic: [{ username: 'gwadmin', password: 'password' }], passThrough: { enabled: true } } } },
    );
    try {
      const caller = `Basic ${Buffer.from('apiuser:Backend-Pa55').toString('base64')}`;
      const ok = await pt.call('GET', '/api/1', undefined, { authorization: caller });
      expect(ok.status).toBe(200);
      expect(backend.requests.at(-1)?.authorization).toBe(caller);
      const refused = await pt.call('GET', '/api/1', undefined, {
        authorization: `Basic ${Buffer.from('apiuser:wrong').toString('base64')}`,
      });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/realm=/);
      const before = backend.requests.length;
      // /pub/api has no caller credential to pass: the backend is not asked at all.
      expect((await pt.call('GET', '/pub/api', undefined, NO_AUTH)).status).toBe(401);
      expect(backend.requests.length).toBe(before);
    } finally {
      await pt.stop();
    }
  });
});
