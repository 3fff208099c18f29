/**
 * Redirects on Node, where the transport follows them itself (undici's dispatcher, no redirect
 * interceptor): which method and body the next hop gets, which headers stay behind, where it stops.
 * deadline.test.ts covers credentials on same- and cross-origin redirects on Node and on Bun.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperRest, type HelperRest } from '../src/index.js';
import { json, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let other: TestServer;
const helpers: HelperRest[] = [];

beforeAll(async () => {
  other = await startServer((req, res, body) =>
    json(res, 200, { method: req.method, url: req.url, body, authorization: req.headers.authorization ?? null }),
  );
  server = await startServer((req, res, body) => {
    const url = req.url ?? '';
    const hop = /^\/(30[0-8])\/(.*)$/.exec(url);
    if (hop) {
      res.writeHead(Number(hop[1]), { location: `/${hop[2]}` });
      res.end('moved: this body is not read');
      return;
    }
    if (url === '/away') {
      res.writeHead(307, { location: `${other.url}/there?x=1` });
      res.end();
      return;
    }
    const loop = /^\/loop\/(\d+)$/.exec(url);
    if (loop) {
      res.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` });
      res.end();
      return;
    }
    if (url === '/dead-end') {
      res.writeHead(307, { location: 'http://127.0.0.1:1/gone' });
      res.end();
      return;
    }
    if (url === '/nowhere') {
      res.writeHead(302);
      res.end();
      return;
    }
    json(res, 200, {
      method: req.method,
      url,
      body,
      contentType: req.headers['content-type'] ?? null,
      authorization: req.headers.authorization ?? null,
      custom: req.headers['x-custom'] ?? null,
    });
  });
});
afterAll(async () => {
  await Promise.all(helpers.map((h) => h.close()));
  await Promise.all([server, other].map((s) => s?.close()));
});

function helper(): HelperRest {
  const h = createHelperRest({
    endpoint: {
      entity: {
        undefined: {
          connection: {
            baseUrls: [server.url],
            auth: { type: 'bearer', options: { token: 'tok' } },
            options: { headers: { 'x-custom': 'kept' } },
            retry: { attempts: 1 },
          },
        },
      },
    },
  });
  helpers.push(h);
  return h;
}

describe('redirects (Node transport)', () => {
  it.each([
    ['301', 'POST', 'GET', ''],
    ['302', 'POST', 'GET', ''],
    ['303', 'POST', 'GET', ''],
    ['303', 'PUT', 'GET', ''],
    ['307', 'POST', 'POST', '{"a":1}'],
    ['308', 'PUT', 'PUT', '{"a":1}'],
    ['302', 'PUT', 'PUT', '{"a":1}'],
  ])('%s after %s: the next hop is a %s with body %j', async (status, method, nextMethod, nextBody) => {
    const r = await helper().doRequest<Record<string, unknown>>(undefined, method, `/${status}/done`, { a: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      method: nextMethod,
      url: '/done',
      body: nextBody,
      // A body dropped takes its Content-* headers with it.
      contentType: nextBody ? 'application/json' : null,
      authorization: 'Bearer tok',
      custom: 'kept',
    });
    expect(r.url).toBe(`${server.url}/done`);
  });

  it('follows a chain, and the answer names the URL that answered', async () => {
    const r = await helper().doRequest<Record<string, unknown>>(undefined, 'GET', '/301/302/done');
    expect(r.body).toMatchObject({ method: 'GET', url: '/done' });
    expect(r.url).toBe(`${server.url}/done`);
  });

  it('keeps the method and body to another origin, but not the credentials', async () => {
    const r = await helper().doRequest<Record<string, unknown>>(undefined, 'POST', '/away', { b: 2 });
    expect(r.body).toEqual({ method: 'POST', url: '/there?x=1', body: '{"b":2}', authorization: null });
    expect(r.url).toBe(`${other.url}/there?x=1`);
  });

  it('stops after five hops and answers with the sixth redirect', async () => {
    const before = server.requests.length;
    const r = await helper().doRequest(undefined, 'GET', '/loop/0');
    expect(r.status).toBe(302);
    expect(server.requests.slice(before).map((q) => q.url)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/loop/${i}`));
  });

  it('a write whose redirect leads nowhere is not sent again: the first request reached the target', async () => {
    const h = createHelperRest({
      endpoint: { entity: { undefined: { connection: { baseUrls: [server.url], retry: { attempts: 3 } } } } },
    });
    helpers.push(h);
    const before = server.requests.length;
    const err = await h.doRequest(undefined, 'POST', '/dead-end', { c: 3 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reached: true });
    expect(server.requests.slice(before).map((q) => `${q.method} ${q.url}`)).toEqual(['POST /dead-end']);
    // A read may be sent again (it changes nothing): the same dead end is tried on each attempt.
    const reads = server.requests.length;
    await h.doRequest(undefined, 'GET', '/dead-end').catch(() => undefined);
    expect(server.requests.length - reads).toBeGreaterThanOrEqual(1);
  });

  it('answers a redirect without a Location as it is', async () => {
    const r = await helper().doRequest(undefined, 'GET', '/nowhere');
    expect(r.status).toBe(302);
    expect(r.url).toBe(`${server.url}/nowhere`);
  });
});
