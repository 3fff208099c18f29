/**
 * Tokens through @azure/msal-node, all three ways: client secret, certificate (PEM, encrypted
 * PEM, PFX) and a federated credential for which the connector itself is the issuer (its
 * OpenID configuration and JWKS served from `host.publicRoutes`); token reuse, renewal after a
 * 401, national clouds, and credentials that never reach a log.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Connector } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { type GraphEmulator, startGraphEmulator } from '@scimgw/testing-graph-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraIdConnector, type EntraIdConfigInput } from '../src/index.js';
import { ALL_PERMISSIONS, emulatorFetch } from './helpers.js';

const run = promisify(execFile);

let dir: string;
let certPem: string;
let keyPem: string;
let graph: GraphEmulator;
let issuerServer: Server;
let issuer: string;
let served: Connector | undefined;
let clock = 0;
const secretApp = { clientId: randomUUID(), secret: `Sec~${randomUUID()}` };
const certApp = { clientId: randomUUID() };
const fedApp = { clientId: randomUUID(), subject: `scimgw-${randomUUID()}` };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'entra-certs-'));
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=scimgw-test',
  ]);
  await run('openssl', [
    'pkcs12',
    '-export',
    '-inkey',
    join(dir, 'key.pem'),
    '-in',
    join(dir, 'cert.pem'),
    '-out',
    join(dir, 'app.pfx'),
    '-passout',
    'pass:pfx-pass',
  ]);
  await run('openssl', [
    'pkcs8',
    '-topk8',
    '-in',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'key-enc.pem'),
    '-passout',
    'pass:key-pass',
  ]);
  [certPem, keyPem] = await Promise.all([readFile(join(dir, 'cert.pem'), 'utf8'), readFile(join(dir, 'key.pem'), 'utf8')]);
  // The federated issuer is the connector itself: its public routes, served over HTTP here.
  issuerServer = createServer(async (req, res) => {
    const route = served?.host?.publicRoutes?.().find((r) => r.path === req.url);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await route.document()));
  });
  await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}/fed`;
  graph = await startGraphEmulator({
    clouds: ['global', 'usgov', 'china'],
    domains: ['contoso.com'],
    federation: { allowHttpIssuers: true, cacheSeconds: 0 },
    now: () => Date.now() + clock,
    apps: [
      { clientId: secretApp.clientId, secret: secretApp.secret, permissions: ALL_PERMISSIONS },
      { clientId: certApp.clientId, certificatePem: certPem, permissions: ALL_PERMISSIONS },
      { clientId: fedApp.clientId, federated: { issuer, subject: fedApp.subject }, permissions: ALL_PERMISSIONS },
    ],
  });
});

afterAll(async () => {
  await graph?.close();
  await new Promise<void>((resolve) => issuerServer?.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

type Auth = EntraIdConfigInput['entity'][string]['connection']['auth'];

function connector(auth: Auth, extra: Record<string, unknown> = {}) {
  const config: EntraIdConfigInput = {
    entity: { undefined: { connection: { auth }, ...extra } },
    retry: { baseDelayMs: 5 },
  };
  const ctx = testContext(config);
  const c = createEntraIdConnector({ config, logger: ctx.log, certsDir: dir, fetch: emulatorFetch(graph) });
  return { connector: c, handler: createScimHandler({ connector: c }), logs: ctx.logs };
}

async function listUsers(handler: ReturnType<typeof createScimHandler>) {
  return handler.handle({ method: 'GET', url: '/Users?count=1' });
}

describe('client secret', () => {
  it('gets a token once and reuses it', async () => {
    const {
      connector: c,
      handler,
      logs,
    } = connector({
      type: 'oauth',
      options: { azureTenantId: graph.tenantId, clientId: secretApp.clientId, clientSecret: secretApp.secret },
    });
    graph.calls.reset();
    for (let i = 0; i < 3; i++) expect((await listUsers(handler)).status).toBe(200);
    expect(graph.calls.tokenRequests().map((t) => [t.method, t.status])).toEqual([['secret', 200]]);
    expect(JSON.stringify(logs)).not.toContain(secretApp.secret);
    await c.close?.();
  });

  it('gets a new token when Graph refuses the cached one (401), once', async () => {
    const { connector: c, handler } = connector({
      type: 'oauth',
      options: { azureTenantId: graph.tenantId, clientId: secretApp.clientId, clientSecret: secretApp.secret },
    });
    expect((await listUsers(handler)).status).toBe(200);
    graph.calls.reset();
    clock = 2 * 3600_000; // Graph's clock: the cached token has expired.
    try {
      expect((await listUsers(handler)).status).toBe(200);
      expect(graph.calls.count({ status: 401 })).toBe(1);
      expect(graph.calls.tokenRequests()).toHaveLength(1);
    } finally {
      clock = 0;
      await c.close?.();
    }
  });

  it('a wrong secret is a 502 naming the AADSTS error, and the secret is nowhere', async () => {
    const wrong = `Wrong~${randomUUID()}`;
    const {
      connector: c,
      handler,
      logs,
    } = connector({
      type: 'oauth',
      options: { azureTenantId: graph.tenantId, clientId: secretApp.clientId, clientSecret: wrong },
    });
    const res = await listUsers(handler);
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).toMatch(/AADSTS7000215/);
    expect(JSON.stringify([res.body, logs])).not.toContain(wrong);
    await c.close?.();
  });
});

describe('certificate', () => {
  it('PEM key and certificate files under certsDir', async () => {
    const {
      connector: c,
      handler,
      logs,
    } = connector({
      type: 'oauthJwtBearer',
      options: { azureTenantId: graph.tenantId, clientId: certApp.clientId, tls: { key: 'key.pem', cert: 'cert.pem' } },
    });
    graph.calls.reset();
    expect((await listUsers(handler)).status).toBe(200);
    expect(graph.calls.tokenRequests().map((t) => t.method)).toEqual(['certificate']);
    expect(JSON.stringify(logs)).not.toContain('PRIVATE KEY');
    await c.close?.();
  });

  it('an encrypted PEM key with its passphrase, given inline', async () => {
    const encrypted = await readFile(join(dir, 'key-enc.pem'), 'utf8');
    const { connector: c, handler } = connector({
      type: 'oauthJwtBearer',
      options: {
        azureTenantId: graph.tenantId,
        clientId: certApp.clientId,
        tls: { key: encrypted, cert: certPem, passphrase: 'key-pass' },
      },
    });
    expect((await listUsers(handler)).status).toBe(200);
    await c.close?.();
  });

  it('a PFX (PKCS#12) file', async () => {
    const { connector: c, handler } = connector({
      type: 'oauthJwtBearer',
      options: { azureTenantId: graph.tenantId, clientId: certApp.clientId, tls: { pfx: 'app.pfx', passphrase: 'pfx-pass' } },
    });
    graph.calls.reset();
    expect((await listUsers(handler)).status).toBe(200);
    expect(graph.calls.tokenRequests().map((t) => t.method)).toEqual(['certificate']);
    await c.close?.();
  });

  it('the seed form: auth.type "oauth" with a certificate instead of a secret', async () => {
    const { connector: c, handler } = connector({
      type: 'oauth',
      options: { azureTenantId: graph.tenantId, clientId: certApp.clientId, tls: { key: 'key.pem', cert: 'cert.pem' } },
    });
    expect((await listUsers(handler)).status).toBe(200);
    await c.close?.();
  });

  it('fails at startup for a wrong PFX passphrase or a key that is not the certificate’s', async () => {
    expect(() =>
      connector({
        type: 'oauthJwtBearer',
        options: { azureTenantId: graph.tenantId, clientId: certApp.clientId, tls: { pfx: 'app.pfx', passphrase: 'nope' } },
      }),
    ).toThrow(/auth\.options\.tls/);
    const otherKey = join(dir, 'other.pem');
    await run('openssl', ['genrsa', '-out', otherKey, '2048']);
    expect(() =>
      connector({
        type: 'oauthJwtBearer',
        options: { azureTenantId: graph.tenantId, clientId: certApp.clientId, tls: { key: 'other.pem', cert: 'cert.pem' } },
      }),
    ).toThrow(/does not belong to the certificate/);
    expect(keyPem).toContain('PRIVATE KEY');
  });
});

describe('federated credential (the gateway is the issuer)', () => {
  it('signs an assertion Entra verifies against the JWKS the connector serves', async () => {
    const made = connector({
      type: 'oauthJwtBearer',
      options: {
        azureTenantId: graph.tenantId,
        clientId: fedApp.clientId,
        fedCred: { issuer, subject: fedApp.subject, name: 'scimgw' },
      },
    });
    served = made.connector;
    const routes = made.connector.host?.publicRoutes?.() ?? [];
    expect(routes.map((r) => r.path).sort()).toEqual(['/fed/.well-known/jwks.json', '/fed/.well-known/openid-configuration']);
    graph.calls.reset();
    expect((await listUsers(made.handler)).status).toBe(200);
    expect(graph.calls.tokenRequests().map((t) => [t.method, t.status])).toEqual([['federated', 200]]);
    const jwks = (await routes.find((r) => r.path.endsWith('jwks.json'))?.document()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBe(1);
    expect(jwks.keys.some((k) => 'd' in k)).toBe(false);
    expect(JSON.stringify(made.logs)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
    await made.connector.close?.();
  });

  it('is refused when the subject does not match the federated credential', async () => {
    const made = connector({
      type: 'oauthJwtBearer',
      options: { azureTenantId: graph.tenantId, clientId: fedApp.clientId, fedCred: { issuer, subject: 'someone-else' } },
    });
    served = made.connector;
    const res = await listUsers(made.handler);
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).toMatch(/AADSTS/);
    await made.connector.close?.();
  });
});

describe('national clouds', () => {
  for (const cloud of ['usgov', 'china'] as const) {
    it(`${cloud}: tokens from its login host, calls to its Graph host`, async () => {
      const { connector: c, handler } = connector(
        {
          type: 'oauth',
          options: { azureTenantId: graph.tenantId, clientId: secretApp.clientId, clientSecret: secretApp.secret },
        },
        { cloud },
      );
      graph.state.addUser({ userPrincipalName: `in-${cloud}@contoso.com` });
      const res = await handler.handle({
        method: 'GET',
        url: `/Users?filter=${encodeURIComponent(`userName eq "in-${cloud}@contoso.com"`)}`,
      });
      expect(res.status).toBe(200);
      expect((res.body as { totalResults: number }).totalResults).toBe(1);
      await c.close?.();
    });
  }

  it('the token scope follows the Graph URL: another cloud’s Graph cannot be asked for (AADSTS500011)', async () => {
    const config: EntraIdConfigInput = {
      entity: {
        undefined: {
          cloud: 'usgov',
          connection: {
            baseUrls: ['https://graph.microsoft.com/v1.0'],
            auth: {
              type: 'oauth',
              options: { azureTenantId: graph.tenantId, clientId: secretApp.clientId, clientSecret: secretApp.secret },
            },
          },
        },
      },
    };
    const wrong = createEntraIdConnector({ config, certsDir: dir, fetch: emulatorFetch(graph) });
    const res = await createScimHandler({ connector: wrong }).handle({ method: 'GET', url: '/Users?count=1' });
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).toMatch(/AADSTS500011/);
    await wrong.close?.();
  });
});
