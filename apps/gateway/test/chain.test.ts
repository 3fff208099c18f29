/**
 * Gateway chaining against real gateways: a front gateway with `chainingBaseUrl` in front of a
 * second gateway that owns the Loki store, and a recording server for what is (not) sent on.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChainingBaseUrl } from '@scimgw/chain';
import { loadConfig } from '@scimgw/server';
import { startInstance } from '../src/instance.js';
import { startTestGateway, TEST_BASIC_AUTH, type TestGateway } from '../src/testing.js';
import { httpReplayHandle, IDP_REPLAYS, runReplay } from './idp-http-replay.js';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OTHER_AUTH = `Basic ${Buffer.from('second:s3cond-only').toString('base64')}`;

let back: TestGateway;
let front: TestGateway;
let passFront: TestGateway;

beforeAll(async () => {
  // The gateway that owns the store: trusts the front as a proxy, so its locations point there.
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
  front = await startTestGateway({
    scimgateway: {
      chainingBaseUrl: back.base,
      auth: {
        basic: [
          { username: 'gwadmin', password: 'password' },
          { username: 'reader', password: 'r34d', readOnly: true },
        ],
      },
    },
    endpoint: { persistence: false, exampleData: false },
  });
  // Pass-through: credentials the front does not know are left to the next gateway.
  passFront = await startTestGateway({
    scimgateway: {
      chainingBaseUrl: `${back.base}/`,
      auth: { basic: [{ username: 'gwadmin', password: 'password' }], passThrough: { enabled: true } },
    },
    endpoint: { persistence: false, exampleData: false },
  });
});
afterAll(async () => {
  await Promise.all([front?.stop(), passFront?.stop(), back?.stop()]);
});

describe('gateway chaining (chainingBaseUrl)', () => {
  it('creates, reads, patches, lists and deletes through the front; the data lives in the next gateway', async () => {
    const created = await front.call('POST', '/Users', { userName: 'chained.user', name: { givenName: 'C', familyName: 'U' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // Locations point at the front, where the client is.
    expect(created.headers.get('location')).toBe(`${front.base}/Users/${id}`);
    expect(created.body.meta.location).toBe(`${front.base}/Users/${id}`);
    expect(created.headers.get('etag')).toMatch(/^W\//);

    const direct = await back.call('GET', `/Users/${id}`);
    expect(direct.status).toBe(200);
    expect(direct.body.userName).toBe('chained.user');

    const patched = await front.call('PATCH', `/Users/${id}`, {
      Operations: [{ op: 'replace', path: 'title', value: 'Relayed' }],
    });
    expect(patched.status).toBe(200);
    expect((await back.call('GET', `/Users/${id}`)).body.title).toBe('Relayed');

    // ETags work end to end: a stale If-Match is the next gateway's 412.
    const stale = await front.call('PUT', `/Users/${id}`, { userName: 'chained.user' }, { 'if-match': 'W/"stale"' });
    expect(stale.status).toBe(412);

    const listed = await front.call(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "chained.user"')}&attributes=userName`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.Resources).toEqual([{ schemas: expect.any(Array), id, userName: 'chained.user' }]);

    expect((await front.call('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await back.call('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('passes the request id on, and answers with it', async () => {
    const r = await front.call('GET', '/ServiceProviderConfig', undefined, { 'x-request-id': 'chain-req-42' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('chain-req-42');
    expect(back.logs()).toContain('chain-req-42');
  });

  it('authorizes locally first: a wrong password or a read-only write never reaches the next gateway', async () => {
    const before = back.logs().length;
    const wrong = await front.call('GET', '/Users', undefined, { authorization: OTHER_AUTH });
    expect(wrong.status).toBe(401);
    const readOnly = await front.call(
      'POST',
      '/Users',
      { userName: 'nope' },
      {
        authorization: `Basic ${Buffer.from('reader:r34d').toString('base64')}`,
      },
    );
    expect(readOnly.status).toBe(405); // read-only credentials may not write (docs/guide/authentication.md)
    expect(back.logs().slice(before)).not.toMatch(/"path":"\/Users"/);
    // The same request with a good credential does reach it (the check above can fail).
    expect((await front.call('GET', '/Users')).status).toBe(200);
    expect(back.logs().slice(before)).toMatch(/"path":"\/Users"/);
  });

  it('with pass-through, leaves unknown credentials to the next gateway and relays its verdict', async () => {
    // `second` exists only on the next gateway.
    const ok = await passFront.call('GET', '/Users', undefined, { authorization: OTHER_AUTH });
    expect(ok.status).toBe(200);
    const bad = await passFront.call('GET', '/Users', undefined, {
      authorization: `Basic ${Buffer.from('second:wrong').toString('base64')}`,
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(bad.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('keeps probes and /auth local, and forwards tenant paths as they are', async () => {
    expect((await front.call('GET', '/ping')).status).toBe(200);
    const auth = await front.call('GET', '/auth');
    expect(auth.body).toMatchObject({ authenticated: true, method: 'basic' });
    // The next gateway has no tenant "t1": its 404, not the front's.
    const tenant = await front.call('GET', '/t1/Users');
    expect(tenant.status).toBe(404);
    expect(back.logs()).toContain('/t1/Users');
  });
});

describe('every IdP replay through the chain', () => {
  for (const [name, steps] of IDP_REPLAYS) {
    it(`${name}: answered through the front as the next gateway answers it`, async () => {
      await runReplay(httpReplayHandle(front.base), steps);
    });
  }
  it('and it all landed in the next gateway', async () => {
    const names = ((await back.call('GET', '/Users?count=1000')).body.Resources as { userName: string }[]).map((u) => u.userName);
    for (const n of [
      'dade.murphy@example.com',
      'onelogin.user@example.com',
      'im.user',
      'sp.same@example.com',
      'aws.5@example.com',
    ])
      expect(names).toContain(n);
    expect(names.filter((n) => n === 'sp.same@example.com')).toHaveLength(1);
  });
});

describe('what goes to the next gateway', () => {
  let seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  let recorder: Server;
  let gw: TestGateway;

  beforeAll(async () => {
    seen = [];
    recorder = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.writeHead(201, { 'content-type': 'application/scim+json', location: 'http://x/Users/1', 'x-internal': 'secret' });
        // A body in several chunks, relayed as it comes.
        res.write('{"id":"1",');
        setTimeout(() => res.end('"userName":"über"}'), 20);
      });
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
    gw = await startTestGateway({
      scimgateway: { chainingBaseUrl: `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/base` },
      endpoint: { persistence: false, exampleData: false },
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await new Promise((r) => recorder?.close(r));
  });

  it('sends method, path, query, body and the client headers; relays status, chosen headers and the body', async () => {
    const r = await gw.call('POST', '/scim/v2/Users?x=1', { userName: 'über' }, { 'x-forwarded-for': '10.0.0.9' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: '1', userName: 'über' });
    expect(r.headers.get('location')).toBe('http://x/Users/1');
    expect(r.headers.get('x-internal')).toBeNull();
    expect(r.headers.get('x-request-id')).toBeTruthy();
    const s = seen.at(-1)!;
    expect(s.method).toBe('POST');
    expect(s.url).toBe('/base/scim/v2/Users?x=1');
    expect(JSON.parse(s.body)).toEqual({ userName: 'über' });
    expect(s.headers.authorization).toBe(TEST_BASIC_AUTH);
    expect(s.headers['content-type']).toBe('application/scim+json');
    expect(s.headers['x-request-id']).toBe(r.headers.get('x-request-id'));
    // The front does not trust proxies, so the client's X-Forwarded-For is kept and extended,
    // and the origin is the front's own.
    expect(s.headers['x-forwarded-for']).toBe('10.0.0.9, 127.0.0.1');
    expect(s.headers['x-forwarded-host']).toBe(new URL(gw.base).host);
    expect(s.headers['x-forwarded-proto']).toBe('http');
    expect(s.headers['accept-encoding']).toBe('identity');
  });

  it('never logs the forwarded credentials', () => {
    expect(gw.logs()).not.toContain(TEST_BASIC_AUTH.slice('Basic '.length));
    expect(gw.logs()).not.toContain('password');
  });
});

describe('when the next gateway cannot answer', () => {
  it('answers 502 with a SCIM error naming the next gateway, not its path or the credentials', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const gw = await startTestGateway({
      scimgateway: { chainingBaseUrl: `http://127.0.0.1:${port}/hidden-path` },
      endpoint: { persistence: false, exampleData: false },
    });
    try {
      const r = await gw.call('GET', '/Users');
      expect(r.status).toBe(502);
      expect(r.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect(r.body.detail).toContain(`127.0.0.1:${port}`);
      expect(r.body.detail).toContain('ECONNREFUSED');
      expect(r.body.detail).not.toContain('hidden-path');
      expect(gw.logs()).not.toContain(TEST_BASIC_AUTH.slice('Basic '.length));
    } finally {
      await gw.stop();
    }
  });
});

describe('a gateway that only chains', () => {
  it('starts without a connector and forwards to the next gateway', async () => {
    const back = await startTestGateway({ endpoint: { persistence: false, exampleData: false } });
    // `front.json` names no connector: chainingBaseUrl makes that fine.
    const front = await startTestGateway({ name: 'front', scimgateway: { chainingBaseUrl: back.base } });
    try {
      expect(front.logs()).toContain(`"chainingBaseUrl":"${back.base}"`);
      const created = await front.call('POST', '/Groups', { displayName: 'chained group' });
      expect(created.status).toBe(201);
      expect((await back.call('GET', `/Groups/${created.body.id}`)).body.displayName).toBe('chained group');
      expect((await front.call('GET', '/ResourceTypes')).body.Resources.map((r: { name: string }) => r.name)).toContain('Group');
    } finally {
      await Promise.all([front.stop(), back.stop()]);
    }
  });
});

describe('chainingBaseUrl at startup', () => {
  it('accepts http(s) URLs and nothing else, naming the config path', () => {
    expect(parseChainingBaseUrl(null)).toBeUndefined();
    expect(parseChainingBaseUrl('')).toBeUndefined();
    expect(parseChainingBaseUrl('https://gw2.example:8880/')).toBe('https://gw2.example:8880');
    expect(parseChainingBaseUrl('http://gw2/scim/')).toBe('http://gw2/scim');
    for (const bad of ['gw2:8880', 'ftp://gw2', 'https://u:p@gw2', 'https://gw2/?a=1', 42]) {
      expect(() => parseChainingBaseUrl(bad)).toThrow(/^scimgateway\.chainingBaseUrl: /);
    }
    // The message about a credential in the URL does not repeat it.
    expect(() => parseChainingBaseUrl('https://user:pa55@gw2')).toThrow(/must not contain a user name or password/);
    expect(() => parseChainingBaseUrl('https://user:pa55@gw2')).not.toThrow(/pa55/);
  });

  it('never crashes on any string: a URL or a clear error', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const u = parseChainingBaseUrl(s);
          if (u !== undefined) expect(['http:', 'https:']).toContain(new URL(u).protocol);
        } catch (e) {
          expect((e as Error).message).toMatch(/^scimgateway\.chainingBaseUrl: /);
        }
      }),
    );
  });

  it('stops the gateway from starting with a bad value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-chain-'));
    try {
      mkdirSync(join(dir, 'config'));
      const file = join(dir, 'config', 'connector-loki.json');
      writeFileSync(
        file,
        JSON.stringify({
          scimgateway: { port: 0, chainingBaseUrl: 'gw2:8880', auth: { basic: [{ username: 'a', password: 'b' }] } },
          endpoint: { persistence: false },
        }),
      );
      await expect(startInstance(loadConfig(file, { env: { SEED: 's' } }), { port: 0 })).rejects.toThrow(
        /connector-loki\.json: scimgateway\.chainingBaseUrl: must be an http:\/\/ or https:\/\/ URL/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
