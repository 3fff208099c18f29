#!/usr/bin/env node
// SQL connectors against the embedded store, in one run: for each directory size and each store
// (Loki, PostgreSQL, MariaDB), a real gateway process is started on a seeded store and measured:
// (b) userName eq, (c) a page of 100 at a random startIndex, (c') pages of 100 by RFC 9865 cursor,
// and (f) one member added to (and removed from) a group of 10 … 50,000 members.
//
//   node bench/sql.mjs                                   # 10,000 and 1,000,000 users, all three stores
//   node bench/sql.mjs --stores postgres --sizes 10000   # one store, one size
//   node bench/sql.mjs --smoke                           # tiny run: every workload answers
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { load } from './lib/load.mjs';
import { writeLokiSnapshot } from './lib/loader.mjs';
import { benchDir, freePort, GATEWAY_ENV, GATEWAY_RUNTIME_FLAGS, repoDir, rssMiB, startProcess } from './lib/proc.mjs';
import { mysqlServer, perRequest } from './lib/mysql-server.mjs';
import { SQL_TARGETS, seedSql } from './lib/sql-seed.mjs';
import { cli } from './lib/cli.mjs';

const { values: opt } = cli(import.meta.url, {
  stores: { type: 'string', default: 'loki,postgres,mysql' },
  sizes: { type: 'string' },
  curve: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string', default: '10' },
  'mysql-buffer-pool': { type: 'string' },
  out: { type: 'string' },
  smoke: { type: 'boolean', default: false },
});
const smoke = opt.smoke;
const stores = opt.stores.split(',');
const sizes = (opt.sizes ?? (smoke ? '300' : '10000,1000000')).split(',').map(Number);
const curveSizes = (opt.curve ?? (smoke ? '10,100' : '10,1000,10000,50000')).split(',').map(Number);
const duration = Number(opt.duration ?? (smoke ? 0.5 : 5));
const warmup = Number(opt.warmup ?? (smoke ? 0.3 : 2));
const connections = Number(opt.connections);
const auth = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;
const headers = { authorization: auth, 'content-type': 'application/scim+json' };
const pick = (list) => list[Math.floor(Math.random() * list.length)];
/** The machine's 1-minute load average: the benchmark shares two cores with whatever else runs. */
const loadAverage = () => Math.round(os.loadavg()[0] * 10) / 10;

async function startGateway(store, endpoint, preload) {
  const dir = mkdtempSync(join(tmpdir(), `scimgw-bench-${store}-`));
  mkdirSync(join(dir, 'config'));
  const preloaded = preload?.(join(dir, 'data'));
  const port = await freePort();
  const name = store === 'loki' ? 'connector-loki' : `connector-${store}`;
  writeFileSync(
    join(dir, 'config', `${name}.json`),
    JSON.stringify({
      ...(store === 'loki' ? {} : { connector: join(repoDir, 'packages', SQL_TARGETS[store].package, 'dist', 'index.js') }),
      scimgateway: {
        port,
        localhostonly: true,
        payloadSize: '20mb',
        auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
        log: { loglevel: { console: 'error', file: 'off' } },
        scim: { maxPageSize: 1000 },
      },
      endpoint,
    }),
  );
  const p = await startProcess('node', [join(repoDir, 'apps', 'gateway', 'dist', 'cli.js'), 'start'], {
    flags: GATEWAY_RUNTIME_FLAGS.node,
    cwd: dir,
    env: { SEED: 'bench', ...GATEWAY_ENV },
    readyUrl: `http://127.0.0.1:${port}/ping`,
    timeoutMs: 600_000,
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: p.child.pid,
    preloaded,
    async stop() {
      await p.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function request(base, method, path, body) {
  const res = await fetch(base + path, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * (b) and (c) with one connection (latency one client sees) and with `connections` (throughput).
 * `server`: MariaDB's counters, read around the one-connection run.
 */
async function measure(base, makeRequest, label, server) {
  await load({ url: base, headers, connections, duration: warmup, makeRequest });
  const before = await server?.counters();
  // This process's own garbage-collection pauses during the run: the load generator runs here, and
  // a pause of it while a request is out counts in that request's latency.
  const pauses = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const single = await load({ url: base, headers, connections: 1, duration, makeRequest });
  gc.disconnect();
  single.clientGc = { pauses: pauses.length, maxMs: Math.round(Math.max(0, ...pauses) * 10) / 10 };
  if (server) single.server = perRequest(before, await server.counters(), single.requests);
  const saturated = await load({ url: base, headers, connections, duration, makeRequest });
  for (const r of [single, saturated])
    if (r.errors || r.non2xx) throw new Error(`${label}: ${r.errors} errors, ${r.non2xx} non-2xx`);
  return { single, saturated };
}

/** One member added and removed again per connection, at each group size (the group keeps its size). */
async function groupCurve(base, userIds, prefix) {
  const g = await request(base, 'POST', '/Groups', { displayName: `${prefix}-curve` });
  let next = 0;
  const oneMember = (_i, conn) => {
    conn.member ??= userIds[userIds.length - 1 - next++];
    conn.added = !conn.added;
    const op = conn.added
      ? { op: 'add', path: 'members', value: [{ value: conn.member }] }
      : { op: 'remove', path: `members[value eq "${conn.member}"]` };
    return { method: 'PATCH', path: `/Groups/${g.id}`, body: { Operations: [op] } };
  };
  const curve = [];
  let size = 0;
  for (const target of curveSizes) {
    const add = userIds.slice(size, target).map((value) => ({ value }));
    for (let i = 0; i < add.length; i += 10_000) {
      await request(base, 'PATCH', `/Groups/${g.id}`, {
        Operations: [{ op: 'add', path: 'members', value: add.slice(i, i + 10_000) }],
      });
    }
    size = target;
    await load({ url: base, headers, connections, duration: warmup, makeRequest: oneMember });
    const single = await load({ url: base, headers, connections: 1, duration, makeRequest: oneMember });
    const saturated = await load({ url: base, headers, connections, duration, makeRequest: oneMember });
    curve.push({ members: target, single, saturated });
    console.log(
      `    (f) group of ${target}: p50/p99 ${single.p50}/${single.p99} ms with 1 connection; ${saturated.rps} req/s, p99 ${saturated.p99} ms with ${connections}`,
    );
  }
  return curve;
}

async function run(store, users) {
  const prefix = `b${Date.now().toString(36)}`;
  let seeded;
  let gw;
  console.log(`\n${store}, ${users.toLocaleString('en')} users`);
  if (store === 'loki') {
    gw = await startGateway('loki', { persistence: true, directory: 'data', exampleData: false }, (dir) =>
      writeLokiSnapshot(dir, { users, groups: 1, prefix }),
    );
    seeded = { ...gw.preloaded, seconds: 0, drop: async () => {} };
  } else {
    const name = `scimgw_bench_${prefix}`;
    seeded = await seedSql(store, { name, users, prefix });
    if (store === 'mysql') {
      const size = await mysqlServer_.sizeMiB(name);
      console.log(
        `  MariaDB: innodb_buffer_pool_size ${await mysqlServer_.bufferPoolMiB()} MiB; the seeded tables ${size.data} MiB of rows and ${size.index} MiB of indexes`,
      );
      if (opt['mysql-buffer-pool']) {
        await mysqlServer_.warm(name);
        console.log('  MariaDB: read every index of the user and e-mail tables once (warm buffer pool)');
      }
    }
    gw = await startGateway(store, { connection: SQL_TARGETS[store].connection(name), pool: { max: connections } });
  }
  try {
    // Let the database finish writing what the seeding left behind before measuring.
    await new Promise((r) => setTimeout(r, smoke ? 100 : 5000));
    console.log(`  seeded in ${seeded.seconds}s; gateway RSS ${rssMiB(gw.pid) ?? 'n/a'} MiB; load average ${loadAverage()}`);
    const filter = () => ({ path: `/Users?filter=${encodeURIComponent(`userName eq "${pick(seeded.userNames)}"`)}` });
    const page = () => ({ path: `/Users?startIndex=${1 + Math.floor(Math.random() * Math.max(1, users - 100))}&count=100` });
    const server = store === 'mysql' ? mysqlServer_ : undefined;
    const perRequestText = (r) =>
      `${
        r.server
          ? `; per request, server-wide: ${r.server.Innodb_buffer_pool_reads} pages read from disk, ${r.server.Created_tmp_disk_tables} temporary tables on disk`
          : ''
      }; the benchmark's own GC: ${r.clientGc.pauses} pauses, longest ${r.clientGc.maxMs} ms`;
    const b = await measure(gw.base, filter, 'b', server);
    console.log(
      `    (b) userName eq: p50/p99 ${b.single.p50}/${b.single.p99} ms with 1 connection; ${b.saturated.rps} req/s with ${connections}${perRequestText(b.single)}`,
    );
    const c = await measure(gw.base, page, 'c', server);
    console.log(
      `    (c) page of 100 at a random startIndex: p50/p99 ${c.single.p50}/${c.single.p99} ms; ${c.saturated.rps} req/s${perRequestText(c.single)}`,
    );
    const curve = users >= Math.max(...curveSizes) ? await groupCurve(gw.base, seeded.userIds, prefix) : [];
    // Cursor pages last: the embedded store computes a cursor page from the whole sorted list, which
    // at a million users keeps the gateway busy long after the measurement.
    // The cursors of the first 50 pages, followed in random order.
    const chain = [''];
    for (let i = 0; i < 50; i++) {
      const r = await request(gw.base, 'GET', `/Users?count=100&cursor=${encodeURIComponent(chain[chain.length - 1])}`);
      if (!r.nextCursor) break;
      chain.push(r.nextCursor);
    }
    const cursors = await measure(gw.base, () => ({ path: `/Users?count=100&cursor=${encodeURIComponent(pick(chain))}` }), "c'");
    console.log(
      `    (c') page of 100 by cursor: p50/p99 ${cursors.single.p50}/${cursors.single.p99} ms; ${cursors.saturated.rps} req/s`,
    );
    return {
      store,
      users,
      seedSeconds: seeded.seconds,
      load: loadAverage(),
      b,
      c,
      cursor: cursors,
      curve,
      rssMiB: rssMiB(gw.pid),
    };
  } finally {
    await gw.stop();
    await seeded.drop();
  }
}

/** The MariaDB server's side (buffer pool, counters); set in main() when MariaDB is measured. */
let mysqlServer_;

async function main() {
  console.log(
    `scimgw SQL bench: stores=${stores} sizes=${sizes} curve=${curveSizes} duration=${duration}s connections=${connections}`,
  );
  const results = [];
  let restorePool;
  if (stores.includes('mysql')) {
    mysqlServer_ = await mysqlServer();
    if (opt['mysql-buffer-pool']) {
      const mib = Number(opt['mysql-buffer-pool']);
      if (!Number.isSafeInteger(mib) || mib < 16) throw new Error('--mysql-buffer-pool: MiB, at least 16');
      restorePool = await mysqlServer_.setBufferPoolMiB(mib);
      console.log(
        `MariaDB: SET GLOBAL innodb_buffer_pool_size = ${mib} MiB (was ${restorePool} MiB; a server-wide setting, put back after the run)`,
      );
    }
  }
  try {
    for (const users of sizes) for (const store of stores) results.push(await run(store, users));
  } finally {
    if (restorePool !== undefined) {
      await mysqlServer_.setBufferPoolMiB(restorePool);
      console.log(`MariaDB: SET GLOBAL innodb_buffer_pool_size = ${restorePool} MiB (put back)`);
    }
    await mysqlServer_?.close();
  }
  const rows = results.map((r) => ({
    store: r.store,
    users: r.users,
    '(b) p50/p99 ms': `${r.b.single.p50}/${r.b.single.p99}`,
    '(b) req/s': r.b.saturated.rps,
    '(c) p50/p99 ms': `${r.c.single.p50}/${r.c.single.p99}`,
    '(c) req/s': r.c.saturated.rps,
    "(c') p50/p99 ms": r.cursor ? `${r.cursor.single.p50}/${r.cursor.single.p99}` : '',
    load: r.load,
    '(f) p99 ms by size': r.curve.map((x) => `${x.members}:${x.single.p99}`).join(' '),
  }));
  console.table(rows);
  for (const r of results) {
    const ok = (v, t) => (v < t ? 'PASS' : 'MISS');
    console.log(
      `${ok(r.b.single.p99, 5)} ${r.store} ${r.users}: (b) p99 ${r.b.single.p99} ms < 5; ${ok(r.c.single.p99, 50)} (c) p99 ${r.c.single.p99} ms < 50`,
    );
  }
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    connections,
    duration,
    ...(opt['mysql-buffer-pool'] ? { mysqlBufferPoolMiB: Number(opt['mysql-buffer-pool']) } : {}),
    results,
  };
  const file = opt.out ?? join(benchDir, 'results', `sql-${out.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`results written to ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
