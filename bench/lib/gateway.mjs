// A gateway for a benchmark, started through the CLI (`scimgw start`) with the documented runtime
// flags and environment: the embedded store (journaled, fdatasync on), Basic authentication,
// logging off, Bulk and pages large enough to seed and read big directories.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, GATEWAY_ENV, GATEWAY_RUNTIME_FLAGS, repoDir, startProcess } from './proc.mjs';

/**
 * Starts a gateway on `runtime`. `flags` are added to the documented ones; `beforeStart(dataDir)`
 * runs before the start (to write a store it loads) and its result is returned as `preloaded`.
 * Resolves once it answers `/ping`; `stop(signal)` ends it and removes its directory.
 */
export async function startBenchGateway({
  runtime,
  user = 'gwadmin',
  password = 'password',
  flags = [],
  beforeStart,
  timeoutMs = 300_000,
}) {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-bench-'));
  mkdirSync(join(dir, 'config'));
  const preloaded = beforeStart?.(join(dir, 'data'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'config', 'connector-loki.json'),
    JSON.stringify({
      scimgateway: {
        port,
        localhostonly: true,
        payloadSize: '20mb',
        auth: { basic: [{ username: user, password }] },
        log: { loglevel: { console: 'error', file: 'off' } },
        bulk: { maxOperations: 1000, maxPayloadSize: 20 * 1024 * 1024 },
        scim: { maxPageSize: 1000 },
      },
      endpoint: { persistence: true, directory: 'data', exampleData: false },
    }),
  );
  const t0 = Date.now();
  let p;
  try {
    p = await startProcess(runtime, [join(repoDir, 'apps', 'gateway', 'dist', 'cli.js'), 'start'], {
      flags: [...GATEWAY_RUNTIME_FLAGS[runtime], ...flags],
      cwd: dir,
      env: { SEED: 'bench', ...GATEWAY_ENV },
      readyUrl: `http://127.0.0.1:${port}/ping`,
      timeoutMs,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: p.child.pid,
    child: p.child,
    auth: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    preloaded,
    /** Milliseconds from spawning `scimgw start` to its first answer. */
    startMs: Date.now() - t0,
    /** Ends the gateway (SIGINT lets Node write a --cpu-prof profile) and removes its directory. */
    async stop(signal = 'SIGTERM') {
      if (p.child.exitCode === null) {
        p.child.kill(signal);
        await Promise.race([new Promise((r) => p.child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
        if (p.child.exitCode === null) p.child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
