import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testContext } from '@scimgw/core/testkit';
import { startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLegacyPluginConnector } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A small REST backend: /people with basic auth, 409 for a taken login. */
function backend(): Promise<{ server: Server; url: string; seen: { auth?: string; body?: unknown }[] }> {
  const people = [{ pid: 'p1', login: 'bjensen', first: 'Barbara' }];
  const seen: { auth?: string; body?: unknown }[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((r) => {
      let s = '';
      req.on('data', (c) => {
        s += c;
      });
      req.on('end', () => r(s));
    });
  const server = createServer(async (req, res) => {
    const text = await read(req);
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body });
    const send = (status: number, b: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(b));
    };
    if (req.headers.authorization !== `Basic ${Buffer.from('svc:s3cr3t-pw').toString('base64')}`)
      return send(401, { error: 'who?' });
    const m = /^\/people(?:\/(.+))?$/.exec(req.url ?? '');
    if (!m) return send(404, { error: 'no route' });
    if (req.method === 'GET' && m[1]) {
      const p = people.find((x) => x.pid === decodeURIComponent(m[1] as string));
      return p ? send(200, p) : send(404, { error: 'not found' });
    }
    if (req.method === 'GET') return send(200, people);
    if (req.method === 'POST') {
      if (people.some((p) => p.login === body.login)) return send(409, { error: 'login taken' });
      const p = { pid: `p${people.length + 1}`, login: body.login, first: body.first };
      people.push(p);
      return send(201, p);
    }
    send(405, {});
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })),
  );
}

describe('HelperRest for plugins', () => {
  let be: Awaited<ReturnType<typeof backend>>;
  let gw: TestGateway;
  let logs: { msg: string }[];

  beforeAll(async () => {
    be = await backend();
    const ctx = testContext(
      {
        legacyPlugin: { file: join(here, 'plugins', 'plugin-rest.ts'), groups: false },
        entity: {
          undefined: {
            apiKey: 'k-123',
            connection: { baseUrls: [be.url], auth: { type: 'basic', options: { username: 'svc', password: 's3cr3t-pw' } } },
          },
        },
      },
      { baseDir: here },
    );
    logs = ctx.logs;
    const connector = await createLegacyPluginConnector(ctx);
    gw = await startTestGateway({ name: 'connector-legacy-plugin', connector: () => connector });
  });
  afterAll(async () => {
    await gw?.stop();
    await new Promise((r) => be?.server.close(r));
  });

  it('sends requests with the connection auth and returns {statusCode, body}', async () => {
    const r = await gw.call('GET', '/Users/p1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'p1', userName: 'bjensen', name: { givenName: 'Barbara' } });
    expect(be.seen.at(-1)?.auth).toMatch(/^Basic /);
  });

  it('throws the backend answer as JSON in the message, so the plugin reads statusCode (404 → not found)', async () => {
    expect((await gw.call('GET', '/Users/p9')).status).toBe(404);
  });

  it('a backend 409 rethrown by the plugin answers 409 uniqueness', async () => {
    const ok = await gw.call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'kim',
      name: { givenName: 'Kim' },
    });
    expect(ok.status).toBe(201);
    expect(be.seen.at(-2)?.body).toEqual({ login: 'kim', first: 'Kim', apiKey: 'k-123' });
    const dup = await gw.call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'kim' });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
  });

  it("pass-through: the plugin hands ctx over and the caller's Authorization reaches the backend", async () => {
    const ctx = testContext(
      {
        legacyPlugin: { file: join(here, 'plugins', 'plugin-rest.ts'), groups: false },
        entity: { undefined: { connection: { baseUrls: [be.url] } } },
      },
      { baseDir: here },
    );
    const connector = await createLegacyPluginConnector(ctx);
    expect(connector.passThroughAuth).toBe(true);
    const pt = await startTestGateway({
      name: 'connector-legacy-plugin',
      scimgateway: { auth: { passThrough: { enabled: true } } },
      connector: () => connector,
    });
    try {
      const good = `Basic ${Buffer.from('svc:s3cr3t-pw').toString('base64')}`;
      const ok = await pt.call('GET', '/Users/p1', undefined, { authorization: good });
      expect(ok.status).toBe(200);
      expect(be.seen.at(-1)?.auth).toBe(good);
      const bad = await pt.call('GET', '/Users/p1', undefined, {
        authorization: `Basic ${Buffer.from('svc:nope').toString('base64')}`,
      });
      expect(bad.status).toBe(401);
    } finally {
      await pt.stop();
    }
  });

  it('never logs the connection password', () => {
    expect(gw.logs()).not.toContain('s3cr3t-pw');
    expect(JSON.stringify(logs)).not.toContain('s3cr3t-pw');
  });
});
