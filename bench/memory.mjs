// Memory probe of the embedded store, in process (no HTTP): writes a snapshot of N users with the
// scale run's loader, opens it with @scimgw/connector-loki, collects, and prints resident memory,
// heap used, external memory, the peak resident memory of the load (VmHWM) and the load time.
//
// Then, through the connector's query API (no HTTP), the CPU time per query of (b) `userName eq` on
// a random user and (c) a page of 100 at a random offset (process CPU time, which a busy machine
// disturbs less than wall-clock time).
//
//   node --expose-gc bench/memory.mjs [--users N]     (default 100000)
//   bun bench/memory.mjs --users 100000
//   node --expose-gc bench/memory.mjs --dist DIR      another build of the connector (its dist/)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeLokiSnapshot } from './lib/loader.mjs';
import { cli } from './lib/cli.mjs';

const { values: opt } = cli(import.meta.url, { users: { type: 'string' }, dist: { type: 'string' } });
const dist = opt.dist ? resolve(opt.dist) : fileURLToPath(new URL('../packages/connector-loki/dist', import.meta.url));
const { createLokiConnector } = await import(pathToFileURL(join(dist, 'index.js')).href);
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
  const { userNames } = writeLokiSnapshot(dir, { users, groups: 100, prefix: 'm' });
  gc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const connector = createLokiConnector({ directory: dir, exampleData: false, fsync: false });
  await connector.open();
  const loadSeconds = (performance.now() - t0) / 1000;
  const loadCpu = process.cpuUsage(cpu0);
  const peak = status('VmHWM');
  const afterLoad = process.memoryUsage().rss;
  gc();
  const after = process.memoryUsage();
  const perUser = (after.heapUsed + after.external - before.heapUsed - before.external) / users;
  console.log(
    `users=${users} load=${loadSeconds.toFixed(1)}s (CPU ${((loadCpu.user + loadCpu.system) / 1e6).toFixed(1)}s) rss before=${MiB(before.rss)} MiB, right after load=${MiB(afterLoad)} MiB, ` +
      `after gc=${MiB(after.rss)} MiB, peak=${peak ?? 'n/a'} MiB; heapUsed=${MiB(after.heapUsed)} MiB ` +
      `external=${MiB(after.external)} MiB; store ≈ ${Math.round(perUser)} bytes per user`,
  );
  const ctx = { requestId: 'm', principal: { name: 'm', method: 'basic' } };
  const { parseFilter } = await import(new URL('../packages/core/dist/filter/index.js', import.meta.url).href);
  const query = connector.resources.User.query;
  const pick = () => Math.floor(Math.random() * users);
  const cpu = async (n, run) => {
    for (let i = 0; i < Math.min(n, 200); i++) await run(); // warm-up
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await run();
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) / n).toFixed(1);
  };
  const b = await cpu(20_000, () => query({ filter: parseFilter(`userName eq "${userNames[pick()]}"`) }, ctx));
  const c = await cpu(2_000, () => query({ startIndex: pick() + 1, count: 100 }, ctx));
  console.log(`CPU per query through the connector: (b) userName eq ${b} µs, (c) page of 100 ${c} µs`);
  await connector.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
