/** Starting chain proxies from configuration objects written to a temporary folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { httpCaller, type TestCall } from '@scimgw/testing-kit';
import { type ChainProxy, prepareProxyConfig, startChainProxy } from '../src/index.js';

/** A running test proxy. */
export interface TestProxy {
  proxy: ChainProxy;
  base: string;
  dir: string;
  file: string;
  logs: () => string;
  call: TestCall;
  stop: () => Promise<void>;
}

/** Writes `config/chain-proxy.json` with the test defaults under a new temporary folder. */
export function writeProxyConfig(
  scimgateway: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-proxy-'));
  mkdirSync(join(dir, 'config'));
  const file = join(dir, 'config', 'chain-proxy.json');
  writeFileSync(
    file,
    JSON.stringify({
      scimgateway: {
        port: 0,
        localhostonly: true,
        log: { loglevel: { console: 'debug', file: 'off' }, colorize: false },
        auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
        ...scimgateway,
      },
      ...extra,
    }),
  );
  return { dir, file };
}

/** Starts a chain proxy in this process. */
export async function startTestProxy(scimgateway: Record<string, unknown>): Promise<TestProxy> {
  const { dir, file } = writeProxyConfig(scimgateway);
  const out = new PassThrough();
  let captured = '';
  out.on('data', (c) => (captured += c));
  const proxy = await startChainProxy(await prepareProxyConfig(file, { env: { SEED: 'test-seed' } }), { port: 0, stdout: out });
  const base = `http://127.0.0.1:${proxy.port}`;
  return {
    proxy,
    base,
    dir,
    file,
    logs: () => captured,
    call: httpCaller(base),
    async stop() {
      await proxy.close(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
