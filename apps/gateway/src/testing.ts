/**
 * Test helpers for connector authors and this repository: start a real gateway
 * on a free loopback port from a configuration object, and call it over HTTP.
 * Exported as `@scimgw/gateway/testing`.
 *
 * @example
 * const t = await startTestGateway({ name: 'connector-loki', endpoint: { persistence: false } });
 * const r = await t.call('GET', '/Users');
 * await t.stop();
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Connector } from '@scimgw/core';
import { type LoadedConfig, loadConfig } from '@scimgw/server';
import { type GatewayInstance, startInstance } from './instance.js';

/** `Authorization` header for the test credential `gwadmin` / `password`. */
export const TEST_BASIC_AUTH = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;

/** A JSON answer: status, headers and the parsed body (or the raw text). */
export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are arbitrary JSON, read with property access
  body: any;
}

/** Calls `base + path` with the test credential; an `authorization: ''` header sends none. */
export type TestCall = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<TestResponse>;

/** Builds a {@link TestCall} for a base URL. */
export function httpCaller(base: string, contentType = 'application/scim+json'): TestCall {
  return async (method, path, body, headers = {}) => {
    const h: Record<string, string> = {
      authorization: TEST_BASIC_AUTH,
      ...(body === undefined ? {} : { 'content-type': contentType }),
      ...headers,
    };
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
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

/** Options of {@link startTestGateway}. */
export interface TestGatewayOptions {
  /** Config file name without `.json`; picks the connector (`connector-loki`). */
  name?: string;
  /** Overrides of the `scimgateway` section (port 0, basic gwadmin/password, debug console by default). */
  scimgateway?: Record<string, unknown>;
  endpoint?: Record<string, unknown>;
  /** Use this connector instead of loading the package. */
  connector?: (cfg: LoadedConfig) => Connector;
  /** Content type of request bodies. Default `application/scim+json`. */
  contentType?: string;
}

/** A running test gateway. */
export interface TestGateway {
  gw: GatewayInstance;
  base: string;
  /** Its directory (config/, data/, logs/). */
  dir: string;
  /** Everything the console sink printed. */
  logs: () => string;
  call: TestCall;
  stop: () => Promise<void>;
}

/** Starts a gateway from a configuration object written to a temporary directory. */
export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-test-'));
  mkdirSync(join(dir, 'config'));
  const file = join(dir, 'config', `${opts.name ?? 'connector-loki'}.json`);
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
      endpoint: opts.endpoint ?? {},
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
    dir,
    logs: () => captured,
    call: httpCaller(base, opts.contentType),
    async stop() {
      await gw.close(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
