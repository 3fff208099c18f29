import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '@scimgw/server';
import { type GatewayInstance, startInstance } from '../src/index.js';

export interface TestGateway {
  gw: GatewayInstance;
  base: string;
  dir: string;
  logs: () => string;
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; headers: Headers; body: any }>;
  stop: () => Promise<void>;
}

export const BASIC = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;

/** Starts a gateway on a free port from a config object (written to a temp dir). */
export async function startGateway(
  gatewayOverrides: Record<string, unknown> = {},
  endpoint: Record<string, unknown> = {},
  name = 'connector-loki',
): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-gw-'));
  mkdirSync(join(dir, 'config'));
  const file = join(dir, 'config', `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      scimgateway: {
        port: 0,
        log: { loglevel: { console: 'debug', file: 'off' }, colorize: false },
        auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
        ...gatewayOverrides,
      },
      endpoint: { persistence: false, ...endpoint },
    }),
  );
  const out = new PassThrough();
  let captured = '';
  out.on('data', (c) => (captured += c));
  const gw = await startInstance(loadConfig(file, { env: { SEED: 'test-seed' } }), { port: 0, stdout: out });
  const base = `http://127.0.0.1:${gw.port}`;
  return {
    gw,
    base,
    dir,
    logs: () => captured,
    async call(method, path, body, headers = {}) {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: BASIC, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async stop() {
      await gw.close(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
