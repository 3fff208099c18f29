// Memory probe of the embedded store, in process (no HTTP): writes a snapshot of N users with the
// scale run's loader, opens it with @scimgw/connector-loki, collects, and prints resident memory,
// heap used, external memory, the peak resident memory of the load (VmHWM) and the load time.
//
//   node --expose-gc bench/memory.mjs [--users N]     (default 100000)
//   bun bench/memory.mjs --users 100000
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLokiConnector } from '../packages/connector-loki/dist/index.js';
import { writeLokiSnapshot } from './lib/loader.mjs';

const { values: opt } = parseArgs({ options: { users: { type: 'string' } } });
const users = Number(opt.users ?? 100_000);
const MiB = (n) => Math.round(n / 1048576);
const status = (key) => {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
};
const gc = () => (globalThis.gc ? globalThis.gc() : globalThis.Bun?.gc(true));

const dir = mkdtempSync(join(tmpdir(), 'scimgw-mem-'));
try {
  writeLokiSnapshot(dir, { users, groups: 100, prefix: 'm' });
  gc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const connector = createLokiConnector({ directory: dir, exampleData: false, fsync: false });
  await connector.open();
  const loadSeconds = (performance.now() - t0) / 1000;
  const peak = status('VmHWM');
  const afterLoad = process.memoryUsage().rss;
  gc();
  const after = process.memoryUsage();
  const perUser = (after.heapUsed + after.external - before.heapUsed - before.external) / users;
  console.log(
    `users=${users} load=${loadSeconds.toFixed(1)}s rss before=${MiB(before.rss)} MiB, right after load=${MiB(afterLoad)} MiB, ` +
      `after gc=${MiB(after.rss)} MiB, peak=${peak ?? 'n/a'} MiB; heapUsed=${MiB(after.heapUsed)} MiB ` +
      `external=${MiB(after.external)} MiB; store ≈ ${Math.round(perUser)} bytes per user`,
  );
  await connector.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
