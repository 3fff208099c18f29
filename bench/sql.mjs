#!/usr/bin/env node
// SQL connectors against the embedded store, in one run: for each directory size and each store
// (Loki, PostgreSQL, MariaDB), a real gateway process is started on a seeded store and measured:
// (b) userName eq, (c) a page of 100 at a random startIndex, (c') pages of 100 by RFC 9865 cursor,
// and (f) one member added to (and removed from) a group of 10 … 50,000 members.
//
// The one-connection latencies of (b), (c) and (c') come from a client in its own small process
// (lib/latency.mjs: keep-alive, timed with hrtime, p50/p99/p99.9 to 0.1 ms); the gateway runs with
// lib/gc-probe.mjs, and every slow request (over 2 and 5 ms) is set against the gateway's garbage
// collection, the client's and, with --mysql-statement-log, MariaDB's own time for each statement.
// Throughput (many connections) and the (f) curve use autocannon (whole milliseconds).
//
//   node bench/sql.mjs                                   # 10,000 and 1,000,000 users, all three stores
//   node bench/sql.mjs --stores postgres --sizes 10000   # one store, one size
//   node bench/sql.mjs --smoke                           # tiny run: every workload answers
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuMs } from './lib/cpu.mjs';
import { Histogram } from './lib/histogram.mjs';
import { attribute, gcReader, measureLatency } from './lib/latency.mjs';
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
  'mysql-statement-log': { type: 'boolean', default: false },
  only: { type: 'string', default: "b,c,c',f" },
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
/** The workloads to run: b, c, c' and f (the group curve). */
const only = new Set(opt.only.split(','));
const auth = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;
const headers = { authorization: auth, 'content-type': 'application/scim+json' };
const pick = (list) => list[Math.floor(Math.random() * list.length)];
/** A request of a latency spec ({ paths } or { template, random }, see lib/latency.mjs) for autocannon. */
const requestOf = (spec) =>
  spec.paths
    ? () => ({ path: pick(spec.paths) })
    : () => ({ path: spec.template.replace('{n}', String((spec.min ?? 0) + Math.floor(Math.random() * spec.random))) });
const gcProbe = pathToFileURL(join(benchDir, 'lib', 'gc-probe.mjs')).href;
/** The machine's 1-minute load average: the benchmark shares two cores with whatever else runs. */
const loadAverage = () => Math.round(os.loadavg()[0] * 10) / 10;

async function startGateway(store, endpoint, preload) {
  const dir = mkdtempSync(join(tmpdir(), `scimgw-bench-${store}-`));
  mkdirSync(join(dir, 'config'));
  // The loader's lists of names and ids are not kept: the bench derives them (lib/sql-seed.mjs).
  preload?.(join(dir, 'data'));
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
    flags: [...GATEWAY_RUNTIME_FLAGS.node, '--import', gcProbe],
    cwd: dir,
    env: { SEED: 'bench', ...GATEWAY_ENV },
    readyUrl: `http://127.0.0.1:${port}/ping`,
    timeoutMs: 600_000,
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: p.child.pid,
    gc: gcReader(p.child.stderr),
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
 * (b) and (c) with one connection (latency one client sees, lib/latency.mjs) and with `connections`
 * (throughput, autocannon). `spec`: the requests ({ paths } or { template, random }). `server`:
 * MariaDB's counters, read around the one-connection run; `log`: its statement log, if on.
 */
async function measure(gw, spec, label, server, log) {
  const makeRequest = requestOf(spec);
  await load({ url: gw.base, headers, connections, duration: warmup, makeRequest });
  const before = await server?.counters();
  const cpu0 = cpuMs(gw.pid);
  const serverCpu0 = server?.pid ? cpuMs(server.pid) : undefined;
  const single = await measureLatency({ url: gw.base, headers, duration, warmup: Math.min(1, warmup), ...spec, slowMs: 2 });
  single.cpuMsPerRequest = Math.round(((cpuMs(gw.pid) - cpu0) / Math.max(1, single.requests)) * 1000) / 1000;
  if (serverCpu0 !== undefined)
    single.serverCpuMsPerRequest = Math.round(((cpuMs(server.pid) - serverCpu0) / Math.max(1, single.requests)) * 1000) / 1000;
  if (server) single.server = perRequest(before, await server.counters(), single.requests);
  const gatewayGc = gw.gc.between(single.from - 1000, single.to);
  const inRun = gatewayGc.filter((p) => p[0] >= single.from);
  single.gatewayGc = {
    pauses: inRun.length,
    minorPer1000: Math.round((inRun.filter((p) => p[2] === 'minor').length / Math.max(1, single.requests)) * 10_000) / 10,
    maxMs: Math.round(Math.max(0, ...inRun.map((p) => p[1])) * 100) / 100,
  };
  const statements = log ? (await log.take()).filter((x) => x[0] >= single.from - 1 && x[0] <= single.to) : undefined;
  if (statements) single.statements = statementSummary(statements);
  single.slowCauses = {
    over2ms: attribute(single, { gatewayGc, statements, overMs: 2 }),
    over5ms: attribute(single, { gatewayGc, statements, overMs: 5 }),
  };
  delete single.slow;
  delete single.gc.list;
  const saturated = await load({ url: gw.base, headers, connections, duration, makeRequest });
  if (single.errors) throw new Error(`${label}: ${single.errors} errors with one connection`);
  if (saturated.errors || saturated.non2xx) throw new Error(`${label}: ${saturated.errors} errors, ${saturated.non2xx} non-2xx`);
  return { single, saturated };
}

/** The server's own time per statement kind (its first words): count, p50/p99/max ms. */
function statementSummary(statements) {
  const byKind = new Map();
  for (const [, ms, text] of statements) {
    const kind = /^SELECT 0 AS/.test(text) ? 'lists' : /^SELECT/.test(text) ? 'page' : text.split(' ')[0];
    const h = byKind.get(kind) ?? new Histogram();
    h.record(ms * 1000);
    byKind.set(kind, h);
  }
  return Object.fromEntries(
    [...byKind].map(([k, h]) => {
      const x = h.summary();
      return [k, { count: x.requests, p50: x.p50, p99: x.p99, p999: x.p999, max: x.max, over2ms: x.over2ms }];
    }),
  );
}

/** One line about a one-connection run: latencies, CPU, garbage collection, what the slow requests overlapped. */
function describe(r) {
  const causes = (c) =>
    `${c.requests} (gateway GC ${c.gatewayGc}, client GC ${c.clientGc}${c.server !== undefined ? `, server ${c.server}` : ''}, none of these ${c.none})`;
  const lines = [
    `p50/p99/p99.9 ${r.p50}/${r.p99}/${r.p999} ms, max ${r.max} ms (${r.requests} requests, 1 connection)`,
    `gateway CPU ${r.cpuMsPerRequest} ms/req${r.serverCpuMsPerRequest !== undefined ? `, mariadbd CPU ${r.serverCpuMsPerRequest} ms/req` : ''}`,
    `GC pauses: gateway ${r.gatewayGc.pauses} (${r.gatewayGc.minorPer1000} minor per 1,000 requests; longest ${r.gatewayGc.maxMs} ms), latency client ${r.gc.pauses} (longest ${r.gc.maxMs} ms)`,
    `over 2 ms: ${causes(r.slowCauses.over2ms)}; over 5 ms: ${causes(r.slowCauses.over5ms)}`,
  ];
  if (r.server)
    lines.push(
      `per request, server-wide: ${r.server.Innodb_buffer_pool_reads} pages read from disk, ${r.server.Created_tmp_disk_tables} temporary tables on disk`,
    );
  if (r.statements)
    for (const [k, x] of Object.entries(r.statements))
      lines.push(
        `MariaDB's own time, ${k} statements: ${x.count}, p50/p99/p99.9 ${x.p50}/${x.p99}/${x.p999} ms, max ${x.max} ms, ${x.over2ms} over 2 ms`,
      );
  return lines.map((l) => `\n        ${l}`).join('');
}

/** One member added and removed again per connection, at each group size (the group keeps its size). */
async function groupCurve(base, userId, users, prefix) {
  const g = await request(base, 'POST', '/Groups', { displayName: `${prefix}-curve` });
  let next = 0;
  const oneMember = (_i, conn) => {
    conn.member ??= userId(users - 1 - next++);
    conn.added = !conn.added;
    const op = conn.added
      ? { op: 'add', path: 'members', value: [{ value: conn.member }] }
      : { op: 'remove', path: `members[value eq "${conn.member}"]` };
    return { method: 'PATCH', path: `/Groups/${g.id}`, body: { Operations: [op] } };
  };
  const curve = [];
  let size = 0;
  for (const target of curveSizes) {
    const add = Array.from({ length: Math.max(0, target - size) }, (_, i) => ({ value: userId(size + i) }));
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
  let log;
  console.log(`\n${store}, ${users.toLocaleString('en')} users`);
  if (store === 'loki') {
    gw = await startGateway('loki', { persistence: true, directory: 'data', exampleData: false }, (dir) =>
      writeLokiSnapshot(dir, { users, groups: 1, prefix }),
    );
    seeded = { seconds: 0, drop: async () => {} };
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
    // Before the gateway: its sessions take the logging settings when they connect.
    if (store === 'mysql' && opt['mysql-statement-log']) {
      log = await mysqlServer_.statementLog(name);
      console.log('  MariaDB: logging every statement of the database with its time (mysql.slow_log, long_query_time 0)');
    }
    try {
      gw = await startGateway(store, { connection: SQL_TARGETS[store].connection(name), pool: { max: connections } });
    } catch (e) {
      await log?.stop();
      await seeded.drop();
      throw e;
    }
  }
  try {
    // Let the database finish writing what the seeding left behind before measuring.
    await new Promise((r) => setTimeout(r, smoke ? 100 : 5000));
    console.log(`  seeded in ${seeded.seconds}s; gateway RSS ${rssMiB(gw.pid) ?? 'n/a'} MiB; load average ${loadAverage()}`);
    // Names and ids are derived (`<prefix>-user-<i>`, `<prefix>-u<i>`), not held: a million of them
    // in this process would make its garbage collection part of what it measures.
    const filter = {
      template: `/Users?filter=${encodeURIComponent(`userName eq "${prefix}-user-`)}{n}${encodeURIComponent('"')}`,
      random: users,
    };
    const page = { template: '/Users?startIndex={n}&count=100', min: 1, random: Math.max(1, users - 100) };
    const server = store === 'mysql' ? mysqlServer_ : undefined;
    const b = only.has('b') ? await measure(gw, filter, 'b', server, log) : undefined;
    if (b) console.log(`    (b) userName eq: ${b.saturated.rps} req/s with ${connections} connections${describe(b.single)}`);
    const c = only.has('c') ? await measure(gw, page, 'c', server, log) : undefined;
    if (c) console.log(`    (c) page of 100 at a random startIndex: ${c.saturated.rps} req/s${describe(c.single)}`);
    const curve =
      only.has('f') && users >= Math.max(...curveSizes) ? await groupCurve(gw.base, (i) => `${prefix}-u${i}`, users, prefix) : [];
    // Cursor pages last: the embedded store computes a cursor page from the whole sorted list, which
    // at a million users keeps the gateway busy long after the measurement.
    // The cursors of the first 50 pages, followed in random order.
    const chain = [''];
    for (let i = 0; i < (only.has("c'") ? 50 : 0); i++) {
      const r = await request(gw.base, 'GET', `/Users?count=100&cursor=${encodeURIComponent(chain[chain.length - 1])}`);
      if (!r.nextCursor) break;
      chain.push(r.nextCursor);
    }
    const cursors = only.has("c'")
      ? await measure(gw, { paths: chain.map((x) => `/Users?count=100&cursor=${encodeURIComponent(x)}`) }, "c'", server, log)
      : undefined;
    if (cursors) console.log(`    (c') page of 100 by cursor: ${cursors.saturated.rps} req/s${describe(cursors.single)}`);
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
    await gw?.stop();
    await log?.stop();
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
    '(b) p50/p99/p99.9 ms': r.b ? `${r.b.single.p50}/${r.b.single.p99}/${r.b.single.p999}` : '',
    '(b) req/s': r.b?.saturated.rps ?? '',
    '(c) p50/p99 ms': r.c ? `${r.c.single.p50}/${r.c.single.p99}` : '',
    '(c) req/s': r.c?.saturated.rps ?? '',
    "(c') p50/p99 ms": r.cursor ? `${r.cursor.single.p50}/${r.cursor.single.p99}` : '',
    load: r.load,
    '(f) p99 ms by size': r.curve.map((x) => `${x.members}:${x.single.p99}`).join(' '),
  }));
  console.table(rows);
  for (const r of results) {
    const ok = (v, t) => (v < t ? 'PASS' : 'MISS');
    const checks = [];
    if (r.b) checks.push(`${ok(r.b.single.p99, 5)} (b) p99 ${r.b.single.p99} ms < 5`);
    if (r.c) checks.push(`${ok(r.c.single.p99, 50)} (c) p99 ${r.c.single.p99} ms < 50`);
    console.log(`${r.store} ${r.users}: ${checks.join('; ')}`);
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
