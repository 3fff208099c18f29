/**
 * An instance loads the heavy libraries of a feature only when its configuration uses the feature:
 * `scimgw start` (dist/cli.js) in a child process whose every ES module resolution is logged by a
 * Node module hook. With HTTP Basic only and no metrics, neither `jose` (JWT, OAuth, SCIM Stream
 * signatures) nor `prom-client` is loaded; with metrics on, prom-client is (which also shows the
 * hook sees the gateway's lazy imports).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, stopProcess } from './process-helpers.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'scimgw-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hook = join(dir, 'log-modules.mjs');
writeFileSync(
  hook,
  `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.SCIMGW_MODULE_LOG, r.url + '\\\\n');
  return r;
}\`));
`,
);

/** The URLs of the modules `scimgw start` resolved until it was ready, with `metrics` on or off. */
async function modulesLoaded(name: string, metrics: boolean): Promise<string[]> {
  const cwd = join(dir, name);
  mkdirSync(join(cwd, 'config'), { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(cwd, 'config', 'connector-loki.json'),
    JSON.stringify({
      scimgateway: {
        port,
        localhostonly: true,
        auth: { basic: [{ username: 'u', password: 'p' }] },
        log: { loglevel: { console: 'error', file: 'off' } },
        metrics: { enabled: metrics },
      },
      endpoint: { persistence: false, exampleData: false },
    }),
  );
  const log = join(cwd, 'modules.log');
  writeFileSync(log, '');
  const p = await startProcess(process.execPath, ['--import', hook, cli, 'start'], {
    cwd,
    port,
    env: { ...process.env, SEED: 'test', SCIMGW_MODULE_LOG: log },
  });
  await stopProcess(p);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const from = (urls: string[], pkg: string) => urls.filter((u) => u.includes(`/node_modules/${pkg}/`));

describe('modules an instance loads', () => {
  it('HTTP Basic without metrics: no jose, no prom-client', async () => {
    const urls = await modulesLoaded('basic', false);
    expect(urls.some((u) => u.includes('/connector-loki/'))).toBe(true);
    expect(from(urls, 'jose')).toEqual([]);
    expect(from(urls, 'prom-client')).toEqual([]);
  }, 60_000);

  it('with metrics on, prom-client is loaded', async () => {
    const urls = await modulesLoaded('metrics', true);
    expect(from(urls, 'prom-client').length).toBeGreaterThan(0);
    expect(from(urls, 'jose')).toEqual([]);
  }, 60_000);
});
