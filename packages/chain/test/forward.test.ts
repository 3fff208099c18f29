/** forwardRequest against a recording node:http server, and parseChainingBaseUrl. */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainRequestHeaders, forwardRequest, parseChainingBaseUrl } from '../src/index.js';

let next: Server;
let nextBase: string;
let seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
let front: Server;
let frontBase: string;

beforeAll(async () => {
  next = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(201, { 'content-type': 'application/scim+json', etag: 'W/"1"', 'set-cookie': 'x=1' });
      res.write('{"a":');
      setTimeout(() => res.end('1}'), 10);
    });
  });
  await new Promise<void>((r) => next.listen(0, '127.0.0.1', r));
  nextBase = `http://127.0.0.1:${(next.address() as AddressInfo).port}/base`;
  // A minimal host: every request forwarded as it is.
  front = createServer((req, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      forwardRequest(
        nextBase,
        {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body,
          requestId: 'r1',
          clientAddress: '10.0.0.1',
          origin: 'https://front.example:8443',
        },
        res,
        { 'x-request-id': 'r1' },
      ).catch((e: { status: number; message: string }) => {
        res.writeHead(e.status);
        res.end(e.message);
      });
    });
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  frontBase = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all([new Promise((r) => next.close(r)), new Promise((r) => front.close(r))]);
});

describe('forwardRequest', () => {
  it('sends method, path, query, body and the chosen headers; relays status, chosen headers and the body', async () => {
    seen = [];
    const r = await fetch(`${frontBase}/Users?x=1`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer t',
        'content-type': 'application/scim+json',
        cookie: 'c=1',
        'x-forwarded-for': '1.2.3.4',
      },
      body: '{"userName":"ü"}',
    });
    expect(r.status).toBe(201);
    expect(await r.text()).toBe('{"a":1}');
    expect(r.headers.get('etag')).toBe('W/"1"');
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(r.headers.get('x-request-id')).toBe('r1');
    const s = seen[0]!;
    expect(s.url).toBe('/base/Users?x=1');
    expect(s.body).toBe('{"userName":"ü"}');
    expect(s.headers.authorization).toBe('Bearer t');
    expect(s.headers.cookie).toBeUndefined();
    expect(s.headers['x-forwarded-for']).toBe('1.2.3.4, 10.0.0.1');
    expect(s.headers['x-forwarded-proto']).toBe('https');
    expect(s.headers['x-forwarded-host']).toBe('front.example:8443');
  });

  it('fails with 502 naming the host, not the path, when the next gateway is down', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const res = { once() {}, off() {}, destroyed: false } as unknown as ServerResponse;
    const p = forwardRequest(
      `http://127.0.0.1:${port}/secret-path`,
      { method: 'GET', url: '/Users', headers: {}, body: undefined, requestId: 'r', clientAddress: '', origin: 'http://x' },
      res,
      {},
    );
    await expect(p).rejects.toMatchObject({ status: 502, message: expect.stringContaining(`127.0.0.1:${port}`) });
    await expect(p).rejects.toMatchObject({ message: expect.not.stringContaining('secret-path') });
  });

  it('headers: X-Forwarded-For starts with the client when there was none', () => {
    const h = chainRequestHeaders({
      method: 'GET',
      url: '/',
      headers: {},
      body: undefined,
      requestId: 'q',
      clientAddress: '::1',
      origin: 'http://h:1',
    });
    expect(h).toMatchObject({
      'x-forwarded-for': '::1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'h:1',
      'x-request-id': 'q',
    });
  });
});

describe('parseChainingBaseUrl', () => {
  it('accepts http(s) URLs only, naming the config path, never echoing a credential', () => {
    expect(parseChainingBaseUrl(undefined)).toBeUndefined();
    expect(parseChainingBaseUrl('http://gw2/scim/')).toBe('http://gw2/scim');
    for (const bad of ['gw2', 'ftp://gw2', 'https://gw2/#x', 7])
      expect(() => parseChainingBaseUrl(bad)).toThrow(/^scimgateway\.chainingBaseUrl: /);
    expect(() => parseChainingBaseUrl('https://u:pa55@gw2')).not.toThrow(/pa55/);
    expect(() => parseChainingBaseUrl('x', 'front.chainingBaseUrl')).toThrow(/^front\.chainingBaseUrl: /);
  });

  it('never throws anything but its own error on any string', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseChainingBaseUrl(s);
        } catch (e) {
          expect((e as Error).message).toMatch(/^scimgateway\.chainingBaseUrl: /);
        }
      }),
    );
  });
});
