import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperRest, type EndpointConfig, type HelperRest, RestNetworkError } from '../src/index.js';
import {
  captureLogger,
  FAST_RETRY,
  json,
  makePki,
  type Pki,
  startProxy,
  startServer,
  type TestProxy,
  type TestServer,
} from './helpers.js';

const servers: { close(): Promise<void> }[] = [];
const helpers: HelperRest[] = [];
let pki: Pki;
let tlsApi: TestServer;
let mtlsApi: TestServer;
let untrusted: TestServer;
let plainApi: TestServer;

beforeAll(async () => {
  pki = makePki();
  tlsApi = await startServer((req, res) => json(res, 200, { secure: true, url: req.url }), {
    key: pki.serverKey,
    cert: pki.serverCert,
  });
  mtlsApi = await startServer(
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      json(res, 200, { clientCn: peer?.subject?.CN ?? null });
    },
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true },
  );
  untrusted = await startServer((_req, res) => json(res, 200, { ok: true }), { key: pki.otherKey, cert: pki.otherCert });
  plainApi = await startServer((req, res) =>
    json(res, 200, { via: req.headers.via ?? null, url: req.url, authorization: req.headers.authorization ?? null }),
  );
  servers.push(tlsApi, mtlsApi, untrusted, plainApi);
});
afterAll(async () => {
  await Promise.all(helpers.map((h) => h.close()));
  await Promise.all(servers.map((s) => s.close()));
});

function make(connection: Record<string, unknown>, logger = captureLogger()): HelperRest {
  const endpoint: EndpointConfig = { entity: { undefined: { connection: { retry: FAST_RETRY, timeout: 3000, ...connection } } } };
  const h = createHelperRest({ endpoint, certsDir: pki.dir, logger });
  helpers.push(h);
  return h;
}

describe('TLS', () => {
  it('rejects a server signed by an unknown CA, without retrying', async () => {
    const h = make({ baseUrls: [tlsApi.url] });
    const before = tlsApi.requests.length;
    const err = (await h.doRequest(undefined, 'GET', '/x').catch((e: unknown) => e)) as RestNetworkError;
    expect(err).toBeInstanceOf(RestNetworkError);
    expect(err.fatal).toBe(true);
    expect(tlsApi.requests.length).toBe(before);
  });

  it('trusts a CA from the certs dir (in addition to the default roots)', async () => {
    const h = make({ baseUrls: [tlsApi.url], options: { tls: { ca: 'ca.pem' } } });
    const r = await h.doRequest<{ secure: boolean }>(undefined, 'GET', '/x');
    expect(r.body.secure).toBe(true);
  });

  it('accepts an absolute path and an array of CAs', async () => {
    const h = make({ baseUrls: [tlsApi.url], options: { tls: { ca: [`${pki.dir}/other.pem`, `${pki.dir}/ca.pem`] } } });
    expect((await h.doRequest(undefined, 'GET', '/x')).status).toBe(200);
  });

  it('presents a client certificate for mutual TLS', async () => {
    const without = make({ baseUrls: [mtlsApi.url], options: { tls: { ca: 'ca.pem' } }, retry: { attempts: 1 } });
    await expect(without.doRequest(undefined, 'GET', '/x')).rejects.toBeInstanceOf(RestNetworkError);
    const h = make({ baseUrls: [mtlsApi.url], options: { tls: { ca: 'ca.pem', cert: 'client.pem', key: 'client.key' } } });
    const r = await h.doRequest<{ clientCn: string }>(undefined, 'GET', '/x');
    expect(r.body.clientCn).toBe('gateway-client');
  });

  it('rejectUnauthorized: false accepts an untrusted certificate', async () => {
    const strict = make({ baseUrls: [untrusted.url], options: { tls: { ca: 'ca.pem' } } });
    await expect(strict.doRequest(undefined, 'GET', '/x')).rejects.toBeInstanceOf(RestNetworkError);
    const lax = make({ baseUrls: [untrusted.url], options: { tls: { rejectUnauthorized: false } } });
    expect((await lax.doRequest(undefined, 'GET', '/x')).status).toBe(200);
  });

  it('fails at startup for a missing certificate file', () => {
    expect(() => make({ baseUrls: [tlsApi.url], options: { tls: { ca: 'nope.pem' } } })).toThrow(/nope\.pem/);
  });
});

describe('proxy', () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startProxy('proxyuser', 'pr0xy-pa55word');
    servers.push(proxy);
  });

  it('sends plain HTTP through an authenticating proxy', async () => {
    const h = make({
      baseUrls: [plainApi.url],
      proxy: { host: proxy.url, username: 'proxyuser', password: 'pr0xy-pa55word' },
      auth: { type: 'bearer', options: { token: 'api-token-through-proxy' } },
    });
    const before = proxy.forwarded.length;
    const r = await h.doRequest<{ url: string; authorization: string }>(undefined, 'GET', '/via-proxy');
    expect(r.body.url).toBe('/via-proxy');
    expect(r.body.authorization).toBe('Bearer api-token-through-proxy');
    expect(proxy.forwarded.length - before).toBe(1);
    expect(proxy.forwarded.at(-1)).toContain(String(plainApi.port));
  });

  it('tunnels HTTPS through the proxy (CONNECT) with a custom CA', async () => {
    const h = make({
      baseUrls: [tlsApi.url],
      proxy: { host: `127.0.0.1:${proxy.port}`, username: 'proxyuser', password: 'pr0xy-pa55word' },
      options: { tls: { ca: 'ca.pem' } },
    });
    const r = await h.doRequest<{ secure: boolean }>(undefined, 'GET', '/tunnel');
    expect(r.body.secure).toBe(true);
    expect(proxy.requests.some((x) => x.method === 'CONNECT' && x.url === `127.0.0.1:${tlsApi.port}`)).toBe(true);
  });

  it('fails when the proxy rejects the credentials, and never logs the proxy password', async () => {
    const logger = captureLogger();
    const h = make(
      { baseUrls: [plainApi.url], proxy: { host: proxy.url, username: 'proxyuser', password: 'wrong-proxy-pass' } },
      logger,
    );
    const rejectedBefore = proxy.rejected;
    await expect(h.doRequest(undefined, 'GET', '/x')).rejects.toThrow(/proxy authentication failed/);
    // A wrong proxy password is a configuration error: one try, no retries.
    expect(proxy.rejected - rejectedBefore).toBe(1);
    expect(logger.text()).not.toContain('wrong-proxy-pass');
    expect(logger.text()).not.toContain(Buffer.from('proxyuser:wrong-proxy-pass').toString('base64'));
  });

  it('accepts credentials as URL user-info in proxy.host', async () => {
    const h = make({ baseUrls: [plainApi.url], proxy: { host: `http://proxyuser:pr0xy-pa55word@127.0.0.1:${proxy.port}` } });
    expect((await h.doRequest(undefined, 'GET', '/userinfo')).status).toBe(200);
  });

  it('treats a null proxy host (seed sample config) as no proxy', async () => {
    const h = make({ baseUrls: [plainApi.url], proxy: { host: null, username: null, password: null } });
    const before = proxy.requests.length;
    expect((await h.doRequest(undefined, 'GET', '/direct')).status).toBe(200);
    expect(proxy.requests.length).toBe(before);
  });
});
