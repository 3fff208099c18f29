/**
 * The chain proxy in front of a real gateway (the embedded store): what it forwards, what it
 * answers itself, and what it refuses before anything reaches the gateway behind it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { startTestGateway, TEST_BASIC_AUTH, type TestGateway } from '@scimgw/testing-kit';
import { IDP_REPLAYS, runReplay } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareProxyConfig } from '../src/index.js';
import { startTestProxy, type TestProxy, writeProxyConfig } from './helpers.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let back: TestGateway;
let proxy: TestProxy;

beforeAll(async () => {
  back = await startTestGateway({
    scimgateway: {
      auth: {
        basic: [
          { username: 'gwadmin', password: 'password' },
          { username: 'second', password: 's3cond-only' },
        ],
      },
      trustedProxies: ['127.0.0.1/32'],
    },
    endpoint: { persistence: false, exampleData: false },
  });
  proxy = await startTestProxy({
    chainingBaseUrl: back.base,
    auth: {
      basic: [
        { username: 'gwadmin', password: 'password' },
        { username: 'reader', password: 'r34d', readOnly: true },
      ],
    },
  });
});
afterAll(async () => {
  await Promise.all([proxy?.stop(), back?.stop()]);
});

describe('every IdP replay through the chain proxy', () => {
  for (const [name, steps] of IDP_REPLAYS) {
    it(`${name}: answered through the proxy as the gateway behind answers it`, async () => {
      // The step's own headers (Google's application/json, Okta's user agent) go as the client sent them.
      await runReplay(async (req) => {
        const r = await proxy.call(req.method, req.url, req.body, {
          ...(req.body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          ...req.headers,
        });
        return { status: r.status, body: r.body };
      }, steps);
    });
  }
});

describe('chain proxy in front of a gateway', () => {
  it('creates, reads, patches, lists and deletes; the data lives in the gateway behind it', async () => {
    const created = await proxy.call('POST', '/Users', { userName: 'proxied.user' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`${proxy.base}/Users/${id}`);
    expect((await back.call('GET', `/Users/${id}`)).body.userName).toBe('proxied.user');
    const patched = await proxy.call('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'title', value: 'Front' }] });
    expect(patched.status).toBe(200);
    expect((await back.call('GET', `/Users/${id}`)).body.title).toBe('Front');
    const listed = await proxy.call('GET', `/Users?filter=${encodeURIComponent('userName eq "proxied.user"')}`);
    expect(listed.body.totalResults).toBe(1);
    const group = await proxy.call('POST', '/scim/v2/Groups', { displayName: 'proxied group', members: [{ value: id }] });
    expect(group.status).toBe(201);
    expect((await proxy.call('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await back.call('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('passes the request id on and answers with it', async () => {
    const r = await proxy.call('GET', '/ServiceProviderConfig', undefined, { 'x-request-id': 'proxy-req-7' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('proxy-req-7');
    expect(back.logs()).toContain('proxy-req-7');
    expect(proxy.logs()).toContain('proxy-req-7');
  });

  it('authorizes first: a wrong password and a read-only write never reach the gateway', async () => {
    const before = back.logs().length;
    const wrong = await proxy.call('GET', '/Users', undefined, { authorization: basic('second', 's3cond-only') });
    expect(wrong.status).toBe(401);
    expect(wrong.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    const readOnly = await proxy.call('POST', '/Users', { userName: 'nope' }, { authorization: basic('reader', 'r34d') });
    expect(readOnly.status).toBe(405);
    expect(readOnly.headers.get('allow')).toBe('GET');
    expect(back.logs().slice(before)).not.toMatch(/"path":"\/Users"/);
    // The same check can fail: a good credential does reach it.
    expect((await proxy.call('GET', '/Users')).status).toBe(200);
    expect(back.logs().slice(before)).toMatch(/"path":"\/Users"/);
  });

  it('answers probes and /auth itself; 404 for what it does not serve; tenant paths go on as they are', async () => {
    expect((await proxy.call('GET', '/ping')).status).toBe(200);
    expect((await proxy.call('GET', '/readyz')).body).toEqual({ status: 'ready' });
    expect((await proxy.call('GET', '/auth')).body).toMatchObject({ authenticated: true, method: 'basic' });
    expect((await proxy.call('GET', '/api')).status).toBe(404);
    expect((await proxy.call('GET', '/no/such/thing/here')).status).toBe(404);
    const tenant = await proxy.call('GET', '/t1/Users');
    expect(tenant.status).toBe(404);
    expect(back.logs()).toContain('/t1/Users');
  });

  it('refuses writes a browser sent for another site (403) and form-typed bodies (415), before forwarding', async () => {
    const before = back.logs().length;
    const body = JSON.stringify({ userName: 'forged-through-proxy' });
    const send = (method: string, path: string, headers: Record<string, string>, withBody = true) =>
      fetch(proxy.base + path, {
        method,
        headers: { authorization: basic('gwadmin', 'password'), 'content-type': 'application/scim+json', ...headers },
        ...(withBody ? { body } : {}),
      });
    const forged: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of forged) {
      expect((await send('POST', '/Users', headers)).status).toBe(403);
      expect((await send('DELETE', '/Users/x', headers, false)).status).toBe(403);
      expect((await send('POST', '/Bulk', headers)).status).toBe(403);
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])
      expect((await send('POST', '/Users', { 'content-type': type })).status).toBe(415);
    expect(back.logs().slice(before)).not.toMatch(/"path":"\/(Users|Bulk)/);
    // Controls: the proxy's own origin, and no browser at all, are forwarded.
    expect((await send('POST', '/Users', { origin: proxy.base, 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect(back.logs().slice(before)).toMatch(/"path":"\/Users"/);
  });

  it('refuses a body over payloadSize with 413 before forwarding', async () => {
    const small = await startTestProxy({ chainingBaseUrl: back.base, payloadSize: 100 });
    try {
      const r = await small.call('POST', '/Users', { userName: 'x'.repeat(200) });
      expect(r.status).toBe(413);
    } finally {
      await small.stop();
    }
  });

  it('never logs the credentials it forwards', () => {
    expect(proxy.logs()).not.toContain(TEST_BASIC_AUTH.slice('Basic '.length));
    expect(proxy.logs()).not.toContain('r34d');
  });
});

describe('when the gateway behind cannot answer', () => {
  it('answers 502 naming the host only', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const p = await startTestProxy({ chainingBaseUrl: `http://127.0.0.1:${port}/hidden-path` });
    try {
      const r = await p.call('GET', '/Users');
      expect(r.status).toBe(502);
      expect(r.body.detail).toContain(`127.0.0.1:${port}`);
      expect(r.body.detail).not.toContain('hidden-path');
    } finally {
      await p.stop();
    }
  });
});

describe('configuration checks', () => {
  const problems = async (scimgateway: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const { dir, file } = writeProxyConfig(scimgateway, extra);
    try {
      await prepareProxyConfig(file, { env: { SEED: 's' }, encryptInPlace: false });
      return '';
    } catch (e) {
      return (e as Error).message;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('needs chainingBaseUrl, an http(s) URL', async () => {
    // Without chainingBaseUrl the file names no connector either: the file check says so first.
    expect(await problems({}, { connector: '@scimgw/connector-loki' })).toMatch(/scimgateway\.chainingBaseUrl: required/);
    expect(await problems({ chainingBaseUrl: 'gw2:8880' })).toMatch(
      /scimgateway\.chainingBaseUrl: must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('refuses what needs a connector, naming the config path', async () => {
    const m = await problems({ chainingBaseUrl: 'http://gw2', mcp: { enabled: true } }, { endpoint: { persistence: false } });
    expect(m).toMatch(/scimgateway\.mcp\.enabled: the chain proxy has no MCP server/);
    expect(m).toMatch(/endpoint: the chain proxy has no connector/);
  });

  it('refuses a configuration without any authentication method', async () => {
    expect(await problems({ chainingBaseUrl: 'http://gw2', auth: {} })).toMatch(/scimgateway\.auth: no authentication method/);
  });

  it('accepts a good one', async () => {
    expect(await problems({ chainingBaseUrl: 'https://gw2.example:8880/' })).toBe('');
  });
});

describe('pass-through: the gateway behind judges, the proxy serves its own routes only to its own users', () => {
  it('forwards SCIM with the credential, refuses it on /logger and /auth, and counts every refusal', async () => {
    const pt = await startTestProxy({
      chainingBaseUrl: back.base,
      auth: { basic: [{ username: 'gwadmin', password: 'password' }], passThrough: { enabled: true } },
      rateLimit: { maxFailures: 3, windowSeconds: 60 },
    });
    try {
      const known = basic('second', 's3cond-only');
      expect((await pt.call('GET', '/Users', undefined, { authorization: known })).status).toBe(200);
      for (const path of ['/auth', '/logger']) {
        const r = await pt.call('GET', path, undefined, { authorization: known, accept: 'text/event-stream' });
        expect(r.status, path).toBe(401);
        expect(r.headers.get('www-authenticate')).toMatch(/Basic realm=/);
      }
      // The gateway behind refuses this one: the third refusal reaches the limit.
      expect((await pt.call('GET', '/Users', undefined, { authorization: basic('second', 'wrong') })).status).toBe(401);
      expect((await pt.call('GET', '/Users', undefined, { authorization: known })).status).toBe(429);
      expect(pt.logs()).toMatch(/passed-through credentials refused/);
    } finally {
      await pt.stop();
    }
  });
});
