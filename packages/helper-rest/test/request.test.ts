import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHelperRest,
  type HelperRest,
  RestAbortedError,
  RestConfigError,
  RestError,
  RestNetworkError,
  RestTimeoutError,
} from '../src/index.js';
import { FAST_RETRY, json, refusedPort, startServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
const helpers: HelperRest[] = [];
afterAll(async () => {
  await Promise.all(helpers.map((h) => h.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

function helper(baseUrls: string[], extra: Record<string, unknown> = {}): HelperRest {
  const h = createHelperRest({
    endpoint: { entity: { undefined: { connection: { baseUrls, retry: FAST_RETRY, timeout: 2000, ...extra } } } },
  });
  helpers.push(h);
  return h;
}

describe('doRequest basics', () => {
  let echo: TestServer;
  beforeAll(async () => {
    echo = await server((req, res, body) => {
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (req.url === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('plain words');
      } else json(res, 200, { method: req.method, url: req.url, body, contentType: req.headers['content-type'] ?? null });
    });
  });

  it('sends JSON and parses the JSON response', async () => {
    const h = helper([echo.url], { options: { headers: { 'x-tenant-header': 'abc' } } });
    const r = await h.doRequest<{ method: string; body: string; contentType: string }>(undefined, 'post', '/Users', {
      userName: 'bjensen',
    });
    expect(r.status).toBe(200);
    expect(r.body.method).toBe('POST');
    expect(JSON.parse(r.body.body)).toEqual({ userName: 'bjensen' });
    expect(r.body.contentType).toBe('application/json');
    const rec = echo.requests.at(-1)!;
    expect(rec.headers['x-tenant-header']).toBe('abc');
    expect(rec.headers.accept).toBe('application/json');
    expect(rec.headers.authorization).toBeUndefined();
  });

  it('appends query parameters and keeps existing ones', async () => {
    const h = helper([`${echo.url}/base/`]);
    const r = await h.doRequest<{ url: string }>(undefined, 'GET', '/users?$top=5', undefined, undefined, {
      query: { $filter: "userName eq 'a b'", skip: undefined },
    });
    expect(r.body.url).toBe('/base/users?$top=5&%24filter=userName+eq+%27a+b%27');
  });

  it('encodes form bodies when the content type says so', async () => {
    const h = helper([echo.url]);
    const r = await h.doRequest<{ body: string }>(undefined, 'POST', '/form', { a: '1 2', b: 'x&y' }, undefined, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.body.body).toBe('a=1+2&b=x%26y');
  });

  it('returns undefined for an empty body and text for non-JSON', async () => {
    const h = helper([echo.url]);
    expect((await h.doRequest(undefined, 'DELETE', '/empty')).body).toBeUndefined();
    expect((await h.doRequest(undefined, 'GET', '/text')).body).toBe('plain words');
    const bytes = (await h.doRequest(undefined, 'GET', '/text', undefined, undefined, { responseType: 'bytes' })).body;
    expect(bytes).toBeInstanceOf(Uint8Array);
  });

  it('rejects unknown tenants and relative paths without baseUrls', async () => {
    const h = helper([echo.url]);
    await expect(h.doRequest('nope', 'GET', '/x')).rejects.toBeInstanceOf(RestConfigError);
    const bare = createHelperRest({ endpoint: { entity: { t1: { connection: { baseUrls: [] } } } } });
    helpers.push(bare);
    await expect(bare.doRequest('t1', 'GET', '/x')).rejects.toThrow(/no baseUrls/);
    const abs = await bare.doRequest<{ url: string }>('t1', 'GET', `${echo.url}/abs`);
    expect(abs.body.url).toBe('/abs');
  });

  it('treats baseEntity undefined and "undefined" as the default tenant', async () => {
    const h = helper([echo.url]);
    expect((await h.doRequest('undefined', 'GET', '/x')).status).toBe(200);
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const h = createHelperRest({
      endpoint: { entity: { undefined: { connection: { baseUrls: ['http://127.0.0.1:9/api'] } } } },
      fetch: async (input, init) => {
        seen.push(`${init?.method} ${String(input)}`);
        return new Response(JSON.stringify({ injected: true }), { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    helpers.push(h);
    const r = await h.doRequest<{ injected: boolean }>(undefined, 'GET', '/x');
    expect(r.body.injected).toBe(true);
    expect(seen).toEqual(['GET http://127.0.0.1:9/api/x']);
  });

  it('fails after close()', async () => {
    const h = helper([echo.url]);
    await h.close();
    await expect(h.doRequest(undefined, 'GET', '/x')).rejects.toBeInstanceOf(RestConfigError);
  });
});

describe('errors', () => {
  it('turns HTTP errors into RestError with the parsed body', async () => {
    const s = await server((_req, res) => json(res, 409, { detail: 'userName taken', scimType: 'uniqueness' }));
    const h = helper([s.url]);
    const err = await h.doRequest(undefined, 'POST', '/Users', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestError);
    const re = err as RestError;
    expect(re.status).toBe(409);
    expect(re.body).toEqual({ detail: 'userName taken', scimType: 'uniqueness' });
    expect(re.message).toContain('userName taken');
    expect(re.toScimError().status).toBe(409);
    expect(s.requests).toHaveLength(1);
  });
});

describe('failover', () => {
  it('moves to the next base URL on connection refused and sticks to it', async () => {
    const s = await server((req, res) => json(res, 200, { ok: req.url }));
    const dead = `http://127.0.0.1:${await refusedPort()}`;
    const h = helper([dead, s.url]);
    const r1 = await h.doRequest(undefined, 'GET', '/a');
    expect(r1.url).toBe(`${s.url}/a`);
    const r2 = await h.doRequest(undefined, 'POST', '/b', { x: 1 });
    expect(r2.url).toBe(`${s.url}/b`);
    expect(s.requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });

  it('fails over for POST too (the request never reached the dead server)', async () => {
    const s = await server((_req, res) => json(res, 201, { id: '1' }));
    const h = helper([`http://127.0.0.1:${await refusedPort()}`, s.url]);
    const r = await h.doRequest(undefined, 'POST', '/Users', { userName: 'x' });
    expect(r.status).toBe(201);
    expect(s.requests).toHaveLength(1);
  });

  it('gives up after bounded attempts when every base URL is down', async () => {
    const h = helper([`http://127.0.0.1:${await refusedPort()}`, `http://127.0.0.1:${await refusedPort()}`]);
    const err = await h.doRequest(undefined, 'GET', '/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestNetworkError);
    expect((err as RestNetworkError).reached).toBe(false);
    expect((err as RestNetworkError).errno).toBe('ECONNREFUSED');
  });

  it('keeps failover for absolute links under a base URL (e.g. @odata.nextLink)', async () => {
    const s = await server((req, res) => json(res, 200, { url: req.url }));
    const dead = `http://127.0.0.1:${await refusedPort()}/v1`;
    const h = helper([dead, `${s.url}/v1`]);
    const r = await h.doRequest<{ url: string }>(undefined, 'GET', `${dead}/users?$skiptoken=abc`);
    expect(r.body.url).toBe('/v1/users?$skiptoken=abc');
  });
});

describe('retries', () => {
  it('retries 429 honouring Retry-After in seconds', async () => {
    const s = await server((_req, res, _b, n) =>
      n === 1 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '1' }) : json(res, 200, { n }),
    );
    const h = helper([s.url]);
    const t0 = Date.now();
    const r = await h.doRequest<{ n: number }>(undefined, 'GET', '/x');
    expect(r.body.n).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('retries 503 honouring Retry-After as an HTTP-date', async () => {
    const s = await server((_req, res, _b, n) =>
      n === 1 ? json(res, 503, {}, { 'retry-after': new Date(Date.now() + 1500).toUTCString() }) : json(res, 200, { n }),
    );
    const h = helper([s.url]);
    const t0 = Date.now();
    const r = await h.doRequest<{ n: number }>(undefined, 'GET', '/x');
    expect(r.body.n).toBe(2);
    // HTTP-dates have one-second resolution: at least ~0.5 s must have been waited.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
  });

  it('stops after the configured number of attempts', async () => {
    const s = await server((_req, res) => json(res, 502, { error: { message: 'bad gateway' } }));
    const h = helper([s.url]);
    const err = await h.doRequest(undefined, 'GET', '/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestError);
    expect((err as RestError).status).toBe(502);
    expect(s.requests).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs and reports it', async () => {
    const s = await server((_req, res) => json(res, 429, {}, { 'retry-after': '3600' }));
    const h = helper([s.url]);
    const err = (await h.doRequest(undefined, 'GET', '/x').catch((e: unknown) => e)) as RestError;
    expect(err.status).toBe(429);
    expect(err.retryAfter).toBe(3600);
    expect(s.requests).toHaveLength(1);
    const scim = err.toScimError();
    expect(scim.status).toBe(503);
    expect(scim.headers['retry-after']).toBe('3600');
  });

  it('never retries POST or PATCH that reached the server', async () => {
    const s = await server((_req, res) => json(res, 503, {}, { 'retry-after': '0' }));
    const h = helper([s.url]);
    await expect(h.doRequest(undefined, 'POST', '/Users', { a: 1 })).rejects.toBeInstanceOf(RestError);
    await expect(h.doRequest(undefined, 'PATCH', '/Users/1', { a: 1 })).rejects.toBeInstanceOf(RestError);
    expect(s.requests).toHaveLength(2);
  });

  it('retries POST when retryNonIdempotent is set', async () => {
    const s = await server((_req, res, _b, n) => (n < 3 ? json(res, 429, {}, { 'retry-after': '0' }) : json(res, 201, { n })));
    const h = helper([s.url]);
    const r = await h.doRequest<{ n: number }>(undefined, 'POST', '/Users', { a: 1 }, undefined, { retryNonIdempotent: true });
    expect(r.body.n).toBe(3);
  });

  it('retry: false means one attempt', async () => {
    const s = await server((_req, res) => json(res, 503, {}));
    const h = helper([s.url]);
    await expect(h.doRequest(undefined, 'GET', '/x', undefined, undefined, { retry: false })).rejects.toBeInstanceOf(RestError);
    expect(s.requests).toHaveLength(1);
  });

  it('retries a GET whose connection was reset, but not a POST', async () => {
    const s = await server((req, res, _b, n) => {
      if (n === 1 || req.method === 'POST') req.socket.destroy();
      else json(res, 200, { n });
    });
    const h = helper([s.url]);
    const r = await h.doRequest<{ n: number }>(undefined, 'GET', '/x');
    expect(r.body.n).toBe(2);
    const before = s.requests.length;
    const err = await h.doRequest(undefined, 'POST', '/x', { a: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestNetworkError);
    expect((err as RestNetworkError).reached).toBe(true);
    expect(s.requests.length - before).toBe(1);
  });
});

describe('timeouts and abort', () => {
  let silent: TestServer;
  beforeAll(async () => {
    silent = await server(() => {
      // never answers
    });
  });

  it('times out each attempt and gives up after bounded attempts', async () => {
    const h = helper([silent.url]);
    const before = silent.requests.length;
    const t0 = Date.now();
    const err = await h.doRequest(undefined, 'GET', '/hang', undefined, undefined, { timeout: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestTimeoutError);
    expect(silent.requests.length - before).toBe(3);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((err as RestTimeoutError).toScimError().status).toBe(504);
  });

  it('does not retry a timed-out POST', async () => {
    const h = helper([silent.url]);
    const before = silent.requests.length;
    await expect(h.doRequest(undefined, 'POST', '/hang', {}, undefined, { timeout: 100 })).rejects.toBeInstanceOf(
      RestTimeoutError,
    );
    expect(silent.requests.length - before).toBe(1);
  });

  it('honours ctx.signal without retrying', async () => {
    const h = helper([silent.url]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('client went away')), 100);
    const before = silent.requests.length;
    const t0 = Date.now();
    const err = await h.doRequest(undefined, 'GET', '/hang', undefined, { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestAbortedError);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(silent.requests.length - before).toBe(1);
  });

  it('one signal shared by the calls of an inbound request aborts those in flight, not the finished ones', async () => {
    const ok = await server((_req, res) => json(res, 200, { ok: true }));
    const fast = helper([ok.url]);
    const slow = helper([silent.url]);
    const ac = new AbortController();
    const ctx = { signal: ac.signal };
    // Calls that finished before the abort keep their answers.
    for (let i = 0; i < 3; i++) expect((await fast.doRequest(undefined, 'GET', `/done-${i}`, undefined, ctx)).status).toBe(200);
    const before = silent.requests.length;
    const pending = [0, 1].map((i) =>
      slow.doRequest(undefined, 'GET', `/hang-shared-${i}`, undefined, ctx).catch((e: unknown) => e),
    );
    setTimeout(() => ac.abort(new Error('client went away')), 100);
    const t0 = Date.now();
    const errs = await Promise.all(pending);
    for (const e of errs) expect(e).toBeInstanceOf(RestAbortedError);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(silent.requests.length - before).toBe(2);
    // A call made with the aborted signal does not go out.
    await expect(fast.doRequest(undefined, 'GET', '/after', undefined, ctx)).rejects.toBeInstanceOf(RestAbortedError);
    expect(ok.requests.map((r) => r.url)).toEqual(['/done-0', '/done-1', '/done-2']);
  });

  it("does not ask for ctx.signal on an inbound request's first call that ends quickly; later calls check it", async () => {
    // The gateway makes a request's signal when it is first read: a read by id should not need one.
    const ok = await server((_req, res) => json(res, 200, { ok: true }));
    const h = helper([ok.url]);
    const ac = new AbortController();
    let reads = 0;
    const ctx = {
      get signal() {
        reads++;
        return ac.signal;
      },
    };
    expect((await h.doRequest(undefined, 'GET', '/quick', undefined, ctx)).status).toBe(200);
    expect(reads).toBe(0);
    // The client leaves before the next page is asked for: that call does not go out.
    ac.abort(new Error('client went away'));
    const err = await h.doRequest(undefined, 'GET', '/next', undefined, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestAbortedError);
    expect((err as RestAbortedError).cause).toBe(ac.signal.reason);
    expect(reads).toBeGreaterThan(0);
    expect(ok.requests.map((r) => r.url)).toEqual(['/quick']);
  });

  it('a first call whose exchange runs long stops when its client is already gone', async () => {
    const h = helper([silent.url]);
    const ac = new AbortController();
    ac.abort(new Error('client went away'));
    const before = silent.requests.length;
    const t0 = Date.now();
    const err = await h.doRequest(undefined, 'GET', '/hang-gone', undefined, { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestAbortedError);
    expect((err as RestAbortedError).cause).toBe(ac.signal.reason);
    // Not retried, and well before the attempt's timeout (2 s).
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(silent.requests.length - before).toBe(1);
  });

  it('an exchange with a caller that never aborts still ends at its timeout', async () => {
    const h = helper([silent.url]);
    const ac = new AbortController();
    const before = silent.requests.length;
    const err = await h
      .doRequest(undefined, 'GET', '/hang-timeout', undefined, { signal: ac.signal }, { timeout: 250, retry: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestTimeoutError);
    expect(ac.signal.aborted).toBe(false);
    expect(silent.requests.length - before).toBe(1);
  });

  it('aborts while waiting between retries', async () => {
    const s = await server((_req, res) => json(res, 503, {}, { 'retry-after': '3' }));
    const h = helper([s.url]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    await expect(h.doRequest(undefined, 'GET', '/x', undefined, { signal: ac.signal })).rejects.toBeInstanceOf(RestAbortedError);
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});
