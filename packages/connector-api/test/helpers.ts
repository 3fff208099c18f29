/** Test gateways on loopback: a config file in a temp dir, started with the real gateway host. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Connector } from '@scimgw/core';
import { type GatewayInstance, startInstance } from '@scimgw/gateway';
import { loadConfig } from '@scimgw/server';

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
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-api-'));
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
      const h: Record<string, string> = {
        authorization: BASIC,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      };
      // An empty authorization header means "send none".
      if (h.authorization === '') delete h.authorization;
      const res = await fetch(base + path, {
        method,
        headers: h,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async stop() {
      await gw.close(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
