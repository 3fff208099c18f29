/**
 * End to end through a real gateway (HTTP, authentication, configuration with a secret reference,
 * the gateway's log stream) into MongoDB.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMongoConnector } from '../src/index.js';
import { type Backend, REAL_URL, startBackend, uniqueDb } from './helpers/backend.js';

const SECRET = 'gw-e2e-S3cret!';
let backend: Backend;
let gw: TestGateway;
let secretDir: string;

beforeAll(async () => {
  backend = await startBackend(process.env.MONGODB_URL ? {} : { users: [{ username: 'gw', password: SECRET }] });
  // The password is a `process.text.<file>` reference, resolved by the gateway's configuration loader.
  secretDir = mkdtempSync(join(tmpdir(), 'gw-secret-'));
  writeFileSync(join(secretDir, 'pw'), `${SECRET}\n`);
  const credentials = backend.srv ? { username: backend.user('gw'), password: `process.text.${join(secretDir, 'pw')}` } : {};
  gw = await startTestGateway({
    name: 'connector-mongodb',
    endpoint: {
      connection: { url: backend.srv ? backend.bareUrl : backend.url, ...credentials },
      database: uniqueDb('gw'),
      exampleData: true,
      entity: { acme: {} },
    },
    connector: (cfg) =>
      createMongoConnector({
        ...(cfg.endpoint as object),
        connection: (cfg.endpoint as { connection: never }).connection,
        tenants: cfg.tenants,
      }),
  });
});
afterAll(async () => {
  await gw?.stop();
  await backend.stop();
  rmSync(secretDir, { recursive: true, force: true });
});

describe('through a gateway', () => {
  it('serves the example data, tenants, filters, PATCH and ETags over HTTP', async () => {
    const bjensen = await gw.call('GET', '/Users/bjensen');
    expect(bjensen.status).toBe(200);
    expect(bjensen.body).toMatchObject({
      userName: 'bjensen',
      meta: { resourceType: 'User', location: `${gw.base}/Users/bjensen` },
    });
    const etag = bjensen.headers.get('etag') as string;
    expect(etag).toMatch(/^W\//);
    const found = await gw.call(
      'GET',
      `/Users?filter=${encodeURIComponent('emails[type eq "work" and value co "@EXAMPLE.com"]')}&sortBy=userName`,
    );
    expect((found.body as { Resources: { userName: string }[] }).Resources.map((r) => r.userName)).toEqual(['bjensen', 'jsmith']);
    const patched = await gw.call(
      'PATCH',
      '/Users/bjensen',
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: 'Lead Guide' }],
      },
      { 'if-match': etag },
    );
    expect(patched.status).toBe(200);
    const stale = await gw.call(
      'PATCH',
      '/Users/bjensen',
      { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
      { 'if-match': etag },
    );
    expect(stale.status).toBe(412);
    // Every tenant gets its own example data; what one tenant creates, the others do not see.
    expect(((await gw.call('GET', '/acme/Users/bjensen')).body as { title: string }).title).toBe('Tour Guide');
    const acme = await gw.call('POST', '/acme/Users', { userName: 'newbie' });
    expect(acme.status).toBe(201);
    expect((await gw.call('GET', `/Users/${(acme.body as { id: string }).id}`)).status).toBe(404);
    expect((await gw.call('GET', '/other/Users')).status).toBe(404);
  });

  it('never logs the database password', async () => {
    await gw.call('GET', '/Users?count=1');
    expect(gw.logs().length).toBeGreaterThan(0);
    expect(gw.logs()).not.toContain(SECRET);
  });
});

// Stops and restarts the test server: not against a real MongoDB.
describe.skipIf(REAL_URL)('a gateway started while MongoDB is down', () => {
  it('answers 503 while it is, and serves once it is up, without a restart', async () => {
    const late = await startBackend();
    await late.srv!.stop();
    const down = await startTestGateway({
      name: 'connector-mongodb',
      endpoint: { connection: { url: late.url, timeouts: { serverSelectionMS: 300 } }, database: uniqueDb('gwlate') },
      connector: (cfg) =>
        createMongoConnector({
          ...(cfg.endpoint as object),
          connection: (cfg.endpoint as { connection: never }).connection,
          tenants: cfg.tenants,
        }),
    });
    try {
      const refused = await down.call('GET', '/Users');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      await late.srv!.restart();
      await vi.waitFor(
        async () => {
          const res = await down.call('GET', '/Users');
          if (res.status !== 200) throw new Error(`still ${res.status}`);
        },
        { timeout: 10_000, interval: 50 },
      );
      expect((await down.call('POST', '/Users', { userName: 'after-outage' })).status).toBe(201);
    } finally {
      await down.stop();
      await late.stop();
    }
  });
});
