/**
 * TLS and proxy connections on Node and on Bun. The two runtimes take different paths (undici's
 * Agent/ProxyAgent on Node, Bun's own `fetch` options on Bun), so the same script runs on both
 * against the same loopback servers and must see the same.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drive, PROXY_PASSWORD, PROXY_USER, type RestTargets } from './fixtures/rest-drive.js';
import { json, makePki, startProxy, startServer, type TestProxy, type TestServer } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Bun from BUN_BIN or this package's dev dependency. */
function findBun(): string | undefined {
  for (const c of [process.env.BUN_BIN, resolve(here, '../node_modules/.bin/bun')]) if (c && existsSync(c)) return c;
  return undefined;
}

const EXPECTED = {
  unknownCa: { error: 'RestNetworkError', fatal: true, proxyAuth: false },
  trustedCa: { status: 200, secure: true },
  mtlsWithoutCert: { error: 'RestNetworkError', fatal: expect.any(Boolean), proxyAuth: false },
  mtls: { status: 200, clientCn: 'gateway-client' },
  untrustedStrict: { error: 'RestNetworkError', fatal: true, proxyAuth: false },
  untrustedLax: { status: 200, ok: true },
  proxyPlain: { status: 200, authorization: 'Bearer api-token-through-proxy' },
  proxyTunnel: { status: 200, secure: true },
  // A 407 is a configuration error, reported at once: for plain HTTP (Bun sends the request to the
  // proxy, undici tunnels it) and for HTTPS (CONNECT) alike.
  proxyWrongPassword: { error: 'RestNetworkError', fatal: true, proxyAuth: true },
  proxyTunnelWrongPassword: { error: 'RestNetworkError', fatal: true, proxyAuth: true },
  proxyUserInfo: { status: 200, url: '/userinfo' },
  secretsLogged: false,
};

let servers: (TestServer | TestProxy)[] = [];
let proxy: TestProxy;
let tlsApi: TestServer;
let targets: RestTargets;
beforeAll(async () => {
  const pki = makePki();
  tlsApi = await startServer((req, res) => json(res, 200, { secure: true, url: req.url }), {
    key: pki.serverKey,
    cert: pki.serverCert,
  });
  const mtlsApi = await startServer(
    (req, res) => json(res, 200, { clientCn: (req.socket as TLSSocket).getPeerCertificate()?.subject?.CN ?? null }),
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true },
  );
  const untrusted = await startServer((_req, res) => json(res, 200, { ok: true }), { key: pki.otherKey, cert: pki.otherCert });
  const plainApi = await startServer((req, res) =>
    json(res, 200, { url: req.url, authorization: req.headers.authorization ?? null }),
  );
  proxy = await startProxy(PROXY_USER, PROXY_PASSWORD);
  servers = [tlsApi, mtlsApi, untrusted, plainApi, proxy];
  targets = {
    pkiDir: pki.dir,
    tlsUrl: tlsApi.url,
    mtlsUrl: mtlsApi.url,
    untrustedUrl: untrusted.url,
    plainUrl: plainApi.url,
    proxyUrl: proxy.url,
    proxyPort: proxy.port,
  };
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** CONNECT requests to the TLS server since `from`, with the right proxy credentials and with others. */
const tunnels = (from: number) => {
  const good = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;
  const connects = proxy.requests.slice(from).filter((r) => r.method === 'CONNECT' && r.url === `127.0.0.1:${tlsApi.port}`);
  const ok = connects.filter((r) => r.headers['proxy-authorization'] === good).length;
  return { ok, refused: connects.length - ok };
};

describe('TLS and proxy on both runtimes', () => {
  it('on Node (undici)', async () => {
    const from = proxy.requests.length;
    const rejected = proxy.rejected;
    expect(await drive(targets)).toEqual({ runtime: 'node', ...EXPECTED });
    // Two wrong-password requests (plain and tunnelled), each refused once and not retried.
    expect(proxy.rejected - rejected).toBe(2);
    // One tunnel that worked; one refused, and not tried again (a 407 is not retried).
    expect(tunnels(from)).toEqual({ ok: 1, refused: 1 });
  });

  it("on Bun (its fetch's tls and proxy options)", async () => {
    const bun = findBun();
    if (!bun) throw new Error('bun not found: it is a dev dependency of @scimgw/helper-rest (pnpm install), or set BUN_BIN');
    const from = proxy.requests.length;
    const rejected = proxy.rejected;
    const stdout = await new Promise<string>((ok, fail) =>
      execFile(
        bun,
        [join(here, 'fixtures', 'bun-rest.ts'), JSON.stringify(targets)],
        { cwd: resolve(here, '..'), timeout: 60_000 },
        (err, out, errOut) => (err ? fail(new Error(`${err.message}\n${errOut}`)) : ok(out)),
      ),
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ runtime: 'bun', ...EXPECTED });
    expect(proxy.rejected - rejected).toBe(2);
    // One tunnel that worked; one refused, and not tried again (a 407 is not retried).
    expect(tunnels(from)).toEqual({ ok: 1, refused: 1 });
  }, 90_000);
});
