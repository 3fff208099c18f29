// The SQL read path of `userName eq` in process (no HTTP, no gateway): @scimgw/sql with
// connector-mysql (or connector-postgres) on a seeded database, one lookup after another on one
// pooled connection, as the core calls the connector. It prints, per lookup:
//   - bytes allocated on the JavaScript heap (load-independent: the process runs with a 64 MiB young
//     generation, and only batches without a garbage collection count),
//   - CPU time of the process (user + system; the machine's load moves it less than wall time),
//   - the garbage collections the gateway's own heap settings (--max-semi-space-size=6) would give:
//     one more run in a child process with them, minor and major pauses per 1,000 lookups and their
//     mean and longest duration (--semi-space 6,16,32: one run per young-generation size, in MiB).
// With --heap-profile N it also samples what allocates (V8's sampling heap profiler, collected objects
// included) and prints the N functions that allocate most.
//
//   node bench/sql-read.mjs                            # MariaDB, 10,000 users
//   node bench/sql-read.mjs --stores mysql,postgres --lookups 5000 --heap-profile 25
import { spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cli } from './lib/cli.mjs';
import { repoDir } from './lib/proc.mjs';
import { SQL_TARGETS, seedSql } from './lib/sql-seed.mjs';

const { values: opt } = cli(import.meta.url, {
  stores: { type: 'string', default: 'mysql' },
  users: { type: 'string', default: '10000' },
  lookups: { type: 'string', default: '3000' },
  'heap-profile': { type: 'string' },
  'semi-space': { type: 'string', default: '6' },
  // Internal: the child runs of this script.
  child: { type: 'string' },
});
const lookups = Number(opt.lookups);
const script = fileURLToPath(import.meta.url);

/** The connector on database `name`, and a lookup of user `i`. */
async function open(store, name, prefix) {
  const pkg = SQL_TARGETS[store].package;
  const m = await import(pathToFileURL(join(repoDir, 'packages', pkg, 'dist', 'index.js')).href);
  const create = store === 'mysql' ? m.createMysqlConnector : m.createPostgresConnector;
  const { connector } = await create({ config: { connection: SQL_TARGETS[store].connection(name), pool: { max: 1 } } });
  const { parseFilter } = await import(pathToFileURL(join(repoDir, 'packages', 'core', 'dist', 'filter', 'index.js')).href);
  const ctx = { requestId: 'r', principal: { name: 'bench', method: 'basic' } };
  const users = Number(opt.users);
  const lookup = async () => {
    const i = Math.floor(Math.random() * users);
    const r = await connector.resources.User.query({ filter: parseFilter(`userName eq "${prefix}-user-${i}"`) }, ctx);
    if (r.resources.length !== 1) throw new Error(`userName eq: ${r.resources.length} results`);
  };
  return { connector, lookup };
}

/** Child: measure on an existing database; prints one JSON line. */
async function child(spec) {
  const { connector, lookup } = await open(spec.store, spec.name, spec.prefix);
  let gcs = 0;
  const pauses = { minor: [], major: [] };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcs++;
      (e.detail?.kind === 1 ? pauses.minor : pauses.major).push(e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const settle = () => new Promise((r) => setImmediate(r));
  for (let i = 0; i < 1000; i++) await lookup();
  const out = {};
  if (spec.mode === 'alloc') {
    // Batches of 100 lookups with no collection inside: the heap's growth is what they allocated.
    const perLookup = [];
    const cpu0 = process.cpuUsage();
    let done = 0;
    while (done < lookups) {
      await settle();
      const g = gcs;
      const h0 = process.memoryUsage().heapUsed;
      for (let i = 0; i < 100; i++) await lookup();
      const h1 = process.memoryUsage().heapUsed;
      done += 100;
      await settle();
      if (gcs === g) perLookup.push((h1 - h0) / 100);
    }
    const cpu = process.cpuUsage(cpu0);
    perLookup.sort((a, b) => a - b);
    out.bytesPerLookup = Math.round(perLookup[Math.floor(perLookup.length / 2)] ?? Number.NaN);
    out.batches = perLookup.length;
    out.cpuUsPerLookup = Math.round((cpu.user + cpu.system) / done);
    if (spec.heapProfile) {
      const s = new Session();
      s.connect();
      await s.post('HeapProfiler.startSampling', {
        samplingInterval: 512,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      for (let i = 0; i < lookups; i++) await lookup();
      const { profile } = await s.post('HeapProfiler.stopSampling');
      s.disconnect();
      const byFn = new Map();
      let total = 0;
      const walk = (n) => {
        const f = n.callFrame;
        const where = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/packages\//, '')}:${f.lineNumber + 1}`;
        byFn.set(where, (byFn.get(where) ?? 0) + n.selfSize);
        total += n.selfSize;
        for (const c of n.children) walk(c);
      };
      walk(profile.head);
      out.heapProfile = [...byFn]
        .sort((a, b) => b[1] - a[1])
        .slice(0, Number(spec.heapProfile))
        .map(([where, bytes]) => [where, Math.round(bytes / lookups), Math.round((bytes / total) * 1000) / 10]);
    }
  } else {
    await settle();
    gcs = 0;
    pauses.minor.length = 0;
    pauses.major.length = 0;
    for (let i = 0; i < lookups; i++) await lookup();
    await settle();
    const per1000 = (n) => Math.round((n / lookups) * 1000 * 10) / 10;
    const longest = (l) => Math.round(Math.max(0, ...l) * 100) / 100;
    const mean = (l) => Math.round((l.reduce((a, b) => a + b, 0) / Math.max(1, l.length)) * 100) / 100;
    out.minorPer1000 = per1000(pauses.minor.length);
    out.majorPer1000 = per1000(pauses.major.length);
    out.meanMinorMs = mean(pauses.minor);
    out.longestMinorMs = longest(pauses.minor);
    out.longestMajorMs = longest(pauses.major);
  }
  obs.disconnect();
  await connector.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(flags, spec) {
  const r = spawnSync(process.execPath, [...flags, script, '--child', JSON.stringify(spec), '--lookups', String(lookups)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`child run exited ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  if (opt.child) return child(JSON.parse(opt.child));
  for (const store of opt.stores.split(',')) {
    const prefix = `r${Date.now().toString(36)}`;
    const name = `scimgw_bench_${prefix}`;
    const seeded = await seedSql(store, { name, users: Number(opt.users), prefix });
    try {
      const spec = { store, name, prefix, heapProfile: opt['heap-profile'] };
      const alloc = runChild(['--max-semi-space-size=64', '--min-semi-space-size=64'], { ...spec, mode: 'alloc' });
      console.log(
        `${store}, ${Number(opt.users).toLocaleString('en')} users, userName eq: ${alloc.bytesPerLookup} bytes allocated per lookup (median of ${alloc.batches} batches of 100), ` +
          `${alloc.cpuUsPerLookup} µs CPU per lookup`,
      );
      for (const mib of opt['semi-space'].split(',')) {
        const gc = runChild([`--max-semi-space-size=${Number(mib)}`], { ...spec, mode: 'gc' });
        console.log(
          `  --max-semi-space-size=${Number(mib)}: ${gc.minorPer1000} minor GC per 1,000 lookups (mean ${gc.meanMinorMs} ms, longest ${gc.longestMinorMs} ms), ` +
            `${gc.majorPer1000} other (longest ${gc.longestMajorMs} ms)`,
        );
      }
      if (alloc.heapProfile) {
        console.log('  bytes allocated per lookup by function (sampled):');
        for (const [where, bytes, pct] of alloc.heapProfile)
          console.log(`  ${String(bytes).padStart(7)}  ${String(pct).padStart(5)}%  ${where}`);
      }
    } finally {
      await seeded.drop();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
