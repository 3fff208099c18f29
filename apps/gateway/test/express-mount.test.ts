/**
 * The express adapter: the gateway mounted under `/scim` in an application's own express 5 app,
 * next to the application's routes. The whole HTTP suite runs through the mount.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '@scimgw/server';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimMiddleware } from '../src/express.js';
import { buildInstance, type InstanceParts } from '../src/instance.js';
import { httpCaller } from '../src/testing.js';
import { type HttpTarget, httpCases } from './http-suite.js';

let dir: string;
let parts: InstanceParts;
let server: Server;
let origin: string;
let target: HttpTarget;
let logs = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scimgw-express-'));
  mkdirSync(join(dir, 'config'));
  const file = join(dir, 'config', 'connector-loki.json');
  writeFileSync(
    file,
    JSON.stringify({
      scimgateway: {
        port: 0,
        localhostonly: true,
        log: { loglevel: { console: 'debug', file: 'off' }, colorize: false },
        auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
        mcp: { enabled: true },
      },
      endpoint: { persistence: false },
    }),
  );
  const out = new PassThrough();
  out.on('data', (c) => (logs += c));
  parts = await buildInstance(loadConfig(file, { env: { SEED: 'test-seed' } }), { stdout: out });
  const app = express();
  app.get('/hello', (_req, res) => {
    res.json({ app: 'own route' });
  });
  app.use('/scim', scimMiddleware(parts));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  parts.setReady(true);
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target = { base: `${origin}/scim`, call: httpCaller(`${origin}/scim`) };
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await parts?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('HTTP suite through the express adapter (mounted at /scim)', () => {
  for (const c of httpCases) it(c.name, () => c.run(target));
});

describe('express adapter', () => {
  it("leaves the application's own routes to the application", async () => {
    const r = await fetch(`${origin}/hello`);
    expect(await r.json()).toEqual({ app: 'own route' });
    // Outside the mount, express's own 404; the gateway does not see it.
    expect((await fetch(`${origin}/Users`)).status).toBe(404);
  });

  it('answers unknown paths under the mount with a SCIM error, and logs paths as the gateway sees them', async () => {
    const r = await target.call('GET', '/nowhere');
    expect(r.status).toBe(404);
    expect(r.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(logs).toMatch(/"path":"\/nowhere"/);
  });

  it('Location and meta.location carry the mount path', async () => {
    const c = await target.call('POST', '/Users', { userName: 'mounted-user' });
    expect(c.status).toBe(201);
    expect(c.headers.get('location')).toBe(`${origin}/scim/Users/${c.body.id}`);
    const r = await target.call('GET', `/Users/${c.body.id}`);
    expect(r.body.meta.location).toBe(`${origin}/scim/Users/${c.body.id}`);
  });

  it('probes answer under the mount, readiness follows setReady', async () => {
    expect((await fetch(`${origin}/scim/readyz`)).status).toBe(200);
    parts.setReady(false);
    expect((await fetch(`${origin}/scim/readyz`)).status).toBe(503);
    parts.setReady(true);
  });
});
