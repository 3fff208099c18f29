import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Authenticator, createAuthenticator } from '../src/index.js';
import { basicHeader } from './helpers.js';

/** A minimal host wired the way the gateway wires the package: tenant from the path, auth, then the "handler". */
function host(auth: Authenticator): Server {
  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (s += c));
      req.on('end', () => resolve(s));
    });
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const remoteAddress = req.socket.remoteAddress ?? '';
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      const r = await auth.tokenEndpoint({ headers: req.headers, body: await readBody(req), remoteAddress });
      res.writeHead(r.status, r.headers).end(JSON.stringify(r.body));
      return;
    }
    const first = url.pathname.split('/')[1] ?? '';
    const tenant = ['Users', 'Groups', 'auth', ''].includes(first) ? undefined : first;
    // This stand-in host's route table: GET reads, POST …/.search reads, everything else writes.
    const access: 'read' | 'write' =
      req.method === 'GET' || (req.method === 'POST' && url.pathname === '/Users/.search') ? 'read' : 'write';
    const authReq = { method: req.method ?? 'GET', access, tenant, headers: req.headers, remoteAddress };
    const r = url.pathname.endsWith('/auth') ? await auth.validate(authReq) : await auth.authenticate(authReq);
    if (!r.ok) {
      res.writeHead(r.status, { ...r.headers, 'content-type': 'application/scim+json' });
      res.end(
        JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(r.status), detail: r.detail }),
      );
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ principal: r.principal, client: auth.clientAddress({ headers: req.headers, remoteAddress }) }));
  });
}

const servers: Server[] = [];
async function start(auth: Authenticator): Promise<string> {
  const s = host(auth);
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

let open: string;
let guarded: string;
let proxied: string;
beforeAll(async () => {
  const auth = {
    basic: [
      { username: 'gwadmin', password: 'password' },
      { username: 'gwread', password: 'password', readOnly: true },
    ],
    bearerOAuth: [{ clientId: 'idp', clientSecret: 'idp-secret' }],
  };
  open = await start(await createAuthenticator({ auth, rateLimit: { maxFailures: 5, windowSeconds: 60 } }));
  guarded = await start(await createAuthenticator({ auth, ipAllowList: ['13.66.141.64/27'] }));
  proxied = await start(await createAuthenticator({ auth, ipAllowList: ['13.66.141.64/27'], trustedProxies: ['127.0.0.1/32'] }));
});
afterAll(async () => {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

describe('over real HTTP on 127.0.0.1', () => {
  it('basic: 200 with the right password, 401 + WWW-Authenticate otherwise', async () => {
    const ok = await fetch(`${open}/Users`, { headers: { authorization: basicHeader('gwadmin', 'password') } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { principal: { name: string } }).principal.name).toBe('gwadmin');
    const bad = await fetch(`${open}/Users`, { headers: { authorization: basicHeader('gwadmin', 'nope') } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="scimgw", charset="UTF-8"');
    const none = await fetch(`${open}/Users`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic realm="scimgw"');
  });

  it('read-only: 405 on writes, 200 on POST /.search', async () => {
    const h = { authorization: basicHeader('gwread', 'password'), 'content-type': 'application/scim+json' };
    expect((await fetch(`${open}/Users`, { method: 'POST', headers: h, body: '{}' })).status).toBe(405);
    expect((await fetch(`${open}/Users/.search`, { method: 'POST', headers: h, body: '{}' })).status).toBe(200);
    expect((await fetch(`${open}/auth`, { headers: h })).status).toBe(200);
  });

  it('client credentials end to end', async () => {
    const t = await fetch(`${open}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicHeader('idp', 'idp-secret') },
      body: 'grant_type=client_credentials',
    });
    expect(t.status).toBe(200);
    expect(t.headers.get('cache-control')).toBe('no-store');
    const { access_token } = (await t.json()) as { access_token: string };
    const r = await fetch(`${open}/Groups`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(r.status).toBe(200);
    const wrong = await fetch(`${open}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=idp&client_secret=guess',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('X-Forwarded-For from an untrusted peer cannot get past the allow list', async () => {
    const h = { authorization: basicHeader('gwadmin', 'password'), 'x-forwarded-for': '13.66.141.70' };
    const r = await fetch(`${guarded}/Users`, { headers: h });
    expect(r.status).toBe(403);
    // The same header from a trusted proxy (this test client plays the proxy) is believed.
    const p = await fetch(`${proxied}/Users`, { headers: h });
    expect(p.status).toBe(200);
    expect(((await p.json()) as { client: string }).client).toBe('13.66.141.70');
    // A client behind the proxy that prepends an allowed address is still refused.
    const spoof = await fetch(`${proxied}/Users`, { headers: { ...h, 'x-forwarded-for': '13.66.141.70, 203.0.113.9' } });
    expect(spoof.status).toBe(403);
  });

  it('rate limits failed logins with Retry-After', async () => {
    const h = { authorization: basicHeader('gwadmin', 'guess') };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${open}/Users`, { headers: h })).status);
    // Earlier tests in this file already spent failures from 127.0.0.1 on this server.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    const last = await fetch(`${open}/Users`, { headers: { authorization: basicHeader('gwadmin', 'password') } });
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
