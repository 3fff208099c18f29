/** Test gateways on loopback: a config file in a temp dir, started with the real gateway host. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Connector } from '@scimgw/core';
import { type GatewayInstance, startInstance } from '@scimgw/gateway';
import { loadConfig } from '@scimgw/server';
import type { GenericEntityConfig } from '../src/index.js';

export const BASIC = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;

export interface TestGateway {
  gw: GatewayInstance;
  base: string;
  logs: () => string;
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: any }>;
  stop: () => Promise<void>;
}

/** Starts a gateway from `{ scimgateway, endpoint }`; `name` picks the connector (`connector-loki`). */
export async function startGateway(
  name: string,
  endpoint: Record<string, unknown>,
  opts: { scimgateway?: Record<string, unknown>; connector?: (cfg: ReturnType<typeof loadConfig>) => Connector } = {},
): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-generic-'));
  mkdirSync(join(dir, 'config'));
  const file = join(dir, 'config', `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      scimgateway: {
        port: 0,
        localhostonly: true,
        log: { loglevel: { console: 'debug', file: 'off' }, colorize: false },
        auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
        ...opts.scimgateway,
      },
      endpoint,
    }),
  );
  const out = new PassThrough();
  let captured = '';
  out.on('data', (c) => (captured += c));
  const cfg = loadConfig(file, { env: { SEED: 'test-seed' } });
  const gw = await startInstance(cfg, { port: 0, stdout: out, ...(opts.connector ? { connector: opts.connector(cfg) } : {}) });
  const base = `http://127.0.0.1:${gw.port}`;
  return {
    gw,
    base,
    logs: () => captured,
    async call(method, path, body, headers = {}) {
      const res = await fetch(base + path, {
        method,
        headers: {
          authorization: BASIC,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, body: parsed };
    },
    async stop() {
      await gw.close(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `endpoint.entity` section pointing a generic connector at `base`. */
export function entityFor(base: string, extra: Record<string, unknown> = {}): Record<string, GenericEntityConfig> {
  return {
    undefined: {
      connection: {
        baseUrls: [base],
        auth: { type: 'basic' as const, options: { username: 'gwadmin', password: 'password' } },
        retry: { attempts: 1 },
      },
      ...extra,
    },
  };
}

/** A recording HTTP proxy in front of `target`: every request that passes is kept. */
export async function startRecordingProxy(target: () => string): Promise<{
  base: string;
  requests: { method: string; url: string; body: any }[];
  close: () => Promise<void>;
}> {
  const { createServer } = await import('node:http');
  const requests: { method: string; url: string; body: any }[] = [];
  const server = createServer((req, res) => {
    (async () => {
      let text = '';
      for await (const c of req) text += c;
      requests.push({ method: req.method ?? '', url: req.url ?? '', body: text ? JSON.parse(text) : undefined });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const up = await fetch(target() + (req.url ?? '/'), {
        method: req.method ?? 'GET',
        headers,
        ...(text ? { body: text } : {}),
      });
      const out = Buffer.from(await up.arrayBuffer());
      const h: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') h[k] = v;
      });
      res.writeHead(up.status, h);
      res.end(out);
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
