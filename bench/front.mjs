#!/usr/bin/env node
// What a generic front costs: a gateway with @scimgw/connector-generic in front of a target gateway
// (the embedded Loki store, or with --target-store postgres @scimgw/connector-postgres on the local
// PostgreSQL), both on this machine. Clients load the front; for every workload the
// CPU time each process spent is read from /proc, and the front's CPU per request is compared with
// the target's. Target: the front costs at most 1.5 × the target (issue 20).
//
//   node bench/front.mjs                     # Node, 2,000 users, 10 connections, 5 s per workload
//   node bench/front.mjs --runtime bun
//   node bench/front.mjs --profile DIR       # Node: write --cpu-prof profiles of both gateways to DIR
//   node bench/front.mjs --perf DIR          # Linux perf: on-CPU samples of both gateways per workload
//   node bench/front.mjs --target-store postgres  # the target on PostgreSQL (127.0.0.1:5432, database
//                                            # `test`): a schema of its own, dropped after the run
//   node bench/front.mjs --smoke             # tiny run used by `npm test` so the benchmark can't rot
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cpuTimes } from './lib/cpu.mjs';
import { load } from './lib/load.mjs';
import { benchDir, freePort, GATEWAY_ENV, GATEWAY_RUNTIME_FLAGS, repoDir, startProcess } from './lib/proc.mjs';
import { seed } from './lib/seed.mjs';
import { pick, workloads } from './lib/workloads.mjs';
import { emptySqlSchema, SQL_TARGETS } from './lib/sql-seed.mjs';
import { cli } from './lib/cli.mjs';

const { values: opt } = cli(import.meta.url, {
  runtime: { type: 'string', default: 'node' },
  users: { type: 'string' },
  big: { type: 'string' },
  connections: { type: 'string', default: '10' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  only: { type: 'string' },
  rounds: { type: 'string' },
  profile: { type: 'string' },
  perf: { type: 'string' },
  strace: { type: 'string' },
  'front-flags': { type: 'string' },
  'target-store': { type: 'string', default: 'loki' },
  out: { type: 'string' },
  smoke: { type: 'boolean', default: false },
});

const smoke = opt.smoke;
const runtime = opt.runtime;
if (!['node', 'bun'].includes(runtime)) throw new Error('--runtime must be node or bun');
if (opt.profile && runtime !== 'node') throw new Error('--profile works on Node only');
const targetStore = opt['target-store'];
if (!['loki', 'postgres'].includes(targetStore)) throw new Error('--target-store must be loki or postgres');
const users = Number(opt.users ?? (smoke ? 200 : 2000));
const bigSize = Number(opt.big ?? (smoke ? 50 : 1000));
const connections = Number(opt.connections);
const duration = Number(opt.duration ?? (smoke ? 0.5 : 5));
const warmup = Number(opt.warmup ?? (smoke ? 0.5 : 3));
// Other work on a shared machine moves single readings; each workload is read several times and
// the median round reported.
const rounds = Math.max(1, Number(opt.rounds ?? (smoke ? 1 : 3)));
const USER = 'gwadmin';
const PASSWORD = 'password';
const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
/** The front's CPU per request may be at most this multiple of the target's. */
const TARGET_RATIO = 1.5;

const cleanups = [];
async function cleanup() {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
}
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));

/** Starts one gateway through its CLI with `config/<name>.json`. */
async function startGateway(name, endpoint, { profileName, connector } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-front-'));
  mkdirSync(join(dir, 'config'));
  // The CLI resolves connector packages from its working directory too: give it the bench's.
  symlinkSync(join(benchDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const port = await freePort();
  writeFileSync(
    join(dir, 'config', `${name}.json`),
    JSON.stringify({
      ...(connector ? { connector } : {}),
      scimgateway: {
        port,
        localhostonly: true,
        payloadSize: '20mb',
        auth: { basic: [{ username: USER, password: PASSWORD }] },
        log: { loglevel: { console: 'error', file: 'off' } },
        bulk: { maxOperations: 1000, maxPayloadSize: 20 * 1024 * 1024 },
        scim: { maxPageSize: 1000 },
      },
      endpoint,
    }),
  );
  const flags = [...GATEWAY_RUNTIME_FLAGS[runtime]];
  // Extra runtime flags for the front only (experiments: `--front-flags=--max-semi-space-size=16`).
  if (profileName === 'front' && opt['front-flags']) flags.push(...opt['front-flags'].split(' ').filter(Boolean));
  // V8 writes /tmp/perf-<pid>.map so perf can name JavaScript frames.
  if (opt.perf && runtime === 'node') flags.push('--perf-basic-prof');
  if (opt.profile && profileName) {
    mkdirSync(resolve(opt.profile), { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${resolve(opt.profile)}`, `--cpu-prof-name=${profileName}.cpuprofile`);
  }
  const p = await startProcess(runtime, [join(repoDir, 'apps', 'gateway', 'dist', 'cli.js'), 'start'], {
    flags,
    cwd: dir,
    env: { SEED: 'bench', ...GATEWAY_ENV },
    readyUrl: `http://127.0.0.1:${port}/ping`,
    timeoutMs: 120_000,
  });
  cleanups.push(async () => {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { base: `http://127.0.0.1:${port}`, pid: p.child.pid };
}

/** Starts `perf record` on `pid` (on-CPU samples with call graphs); returns a function that stops it. */
function perfRecord(pid, name) {
  mkdirSync(resolve(opt.perf), { recursive: true });
  const p = spawn('perf', ['record', '-F', '1999', '-g', '-p', String(pid), '-o', join(resolve(opt.perf), `${name}.data`)], {
    stdio: 'ignore',
  });
  return () =>
    new Promise((done) => {
      p.once('exit', done);
      p.kill('SIGINT');
    });
}

/** Counts the syscalls of `pid` and its threads (`strace -c`); returns a function that stops it. */
function straceCount(pid, name) {
  mkdirSync(resolve(opt.strace), { recursive: true });
  const p = spawn('strace', ['-c', '-f', '-p', String(pid), '-o', join(resolve(opt.strace), `${name}.txt`)], { stdio: 'ignore' });
  return () =>
    new Promise((done) => {
      p.once('exit', done);
      p.kill('SIGINT');
    });
}

/**
 * The target gateway on @scimgw/connector-postgres: a schema of its own in the local database
 * (`test`), its tables made by the connector (`createTables`), dropped after the run. Seeded through
 * SCIM like the embedded store, so both targets hold the same users and groups.
 */
async function startPostgresTarget(prefix) {
  const schema = await emptySqlSchema('postgres', `scimgw_front_${prefix}`);
  // Cleanups run last-in first-out: the schema is dropped after the gateway has stopped.
  cleanups.push(() => schema.drop());
  // Named so the database's own processes serving this target can be found (databaseCpuMs).
  const applicationName = `scimgw-front-${prefix}`;
  const gw = await startGateway(
    'connector-postgres',
    {
      connection: { ...SQL_TARGETS.postgres.connection(schema.name), applicationName },
      pool: { max: connections },
      createTables: true,
    },
    { profileName: 'target', connector: join(repoDir, 'packages', SQL_TARGETS.postgres.package, 'dist', 'index.js') },
  );
  return { ...gw, applicationName };
}

/**
 * CPU ms of each PostgreSQL backend serving `target` (by its application_name), by process id; the
 * bench runs on the database's machine, so /proc has them. `undefined` for a target without one.
 */
async function databaseCpuMs(target) {
  if (!target.applicationName) return undefined;
  const out = {};
  const sql = `SELECT pid FROM pg_stat_activity WHERE application_name = '${target.applicationName}'`;
  const pids = await new Promise((done) => {
    const p = spawn('psql', ['-h', '127.0.0.1', '-U', process.env.PGUSER ?? 'root', '-d', 'test', '-Atc', sql], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let text = '';
    p.stdout.on('data', (c) => (text += c));
    p.once('error', () => done([]));
    p.once('close', () => done(text.split('\n').filter(Boolean)));
  });
  for (const pid of pids) {
    try {
      const t = cpuTimes(Number(pid));
      out[pid] = t.user + t.system;
    } catch {}
  }
  return out;
}

/** CPU ms the backends present at both readings spent between them (the pool keeps its connections). */
function databaseDelta(before, after) {
  let ms = 0;
  for (const pid of Object.keys(after)) if (before[pid] !== undefined) ms += after[pid] - before[pid];
  return ms;
}

async function main() {
  const started = Date.now();
  console.log(
    `scimgw front bench: runtime=${runtime} target store=${targetStore} users=${users} big=${bigSize} connections=${connections} duration=${duration}s`,
  );
  const prefix = `f${Date.now().toString(36)}`;
  const target =
    targetStore === 'postgres'
      ? await startPostgresTarget(prefix)
      : await startGateway(
          'connector-loki',
          { persistence: true, directory: 'data', exampleData: false },
          { profileName: 'target' },
        );
  const front = await startGateway(
    'connector-generic',
    {
      entity: {
        undefined: {
          connection: {
            baseUrls: [target.base],
            auth: { type: 'basic', options: { username: USER, password: PASSWORD } },
          },
        },
      },
    },
    { profileName: 'front' },
  );
  const seeded = await seed({ base: target.base, auth, users, groups: 5, bigSize, prefix });
  console.log(`seeded ${users} users and a group of ${bigSize} members at the target in ${seeded.seconds}s`);

  const headers = { authorization: auth, 'content-type': 'application/scim+json' };
  // run.mjs's workloads where the front measures the same requests; (i), (g) without members and a
  // PATCH of a mapped attribute are the front's own.
  const shared = workloads(seeded, users);
  const W = {
    b: shared.b,
    c: shared.c,
    i: { name: 'GET /Users/{id}', make: () => ({ path: `/Users/${pick(seeded.userIds)}` }) },
    g: {
      name: 'GET /Groups/{big}?excludedAttributes=members',
      make: () => ({ path: `/Groups/${seeded.bigGroupId}?excludedAttributes=members` }),
    },
    d: shared.d,
    e: {
      name: 'PATCH /Users/{id}',
      make: (i) => ({
        method: 'PATCH',
        path: `/Users/${pick(seeded.userIds)}`,
        body: { Operations: [{ op: 'replace', path: 'name.givenName', value: `G${i}` }] },
      }),
    },
    f: shared.f,
  };
  const keys = opt.only ? opt.only.split(',') : Object.keys(W);
  const results = {};
  for (const key of keys) {
    const w = W[key];
    if (!w) throw new Error(`unknown workload ${key}`);
    await load({ url: front.base, headers, connections, duration: warmup, makeRequest: w.make });
    const readings = [];
    for (let round = 1; round <= rounds; round++) {
      const tag = rounds > 1 ? `${key}${round}` : key;
      const recorders = opt.perf ? [perfRecord(front.pid, `${tag}-front`), perfRecord(target.pid, `${tag}-target`)] : [];
      if (opt.strace) recorders.push(straceCount(front.pid, `${tag}-front`), straceCount(target.pid, `${tag}-target`));
      const d0 = await databaseCpuMs(target);
      const f0 = cpuTimes(front.pid);
      const t0 = cpuTimes(target.pid);
      const r = await load({ url: front.base, headers, connections, duration, makeRequest: w.make });
      const f1 = cpuTimes(front.pid);
      const t1 = cpuTimes(target.pid);
      const d1 = await databaseCpuMs(target);
      const frontMs = f1.user + f1.system - f0.user - f0.system;
      const targetMs = t1.user + t1.system - t0.user - t0.system;
      await Promise.all(recorders.map((stop) => stop()));
      const n = Math.max(1, r.requests);
      readings.push({
        ...r,
        frontCpuMsPerRequest: Math.round((frontMs / n) * 1000) / 1000,
        targetCpuMsPerRequest: Math.round((targetMs / n) * 1000) / 1000,
        ratio: targetMs > 0 ? Math.round((frontMs / targetMs) * 100) / 100 : undefined,
        // The same split into user (JavaScript, V8, libuv) and system (the kernel: sockets, epoll) time.
        frontUserSysMsPerRequest: [f1.user - f0.user, f1.system - f0.system].map((x) => Math.round((x / n) * 1000) / 1000),
        targetUserSysMsPerRequest: [t1.user - t0.user, t1.system - t0.system].map((x) => Math.round((x / n) * 1000) / 1000),
        // The database's share (its backends serving the target), when the target has one.
        ...(d0 && d1 ? { databaseCpuMsPerRequest: Math.round((databaseDelta(d0, d1) / n) * 1000) / 1000 } : {}),
      });
      if (r.errors || r.non2xx) console.warn(`  ! ${w.name}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
    }
    const median = [...readings].sort((a, b) => (a.ratio ?? 0) - (b.ratio ?? 0))[Math.floor(readings.length / 2)];
    results[key] = {
      name: w.name,
      ...median,
      errors: readings.reduce((s, x) => s + x.errors, 0),
      non2xx: readings.reduce((s, x) => s + x.non2xx, 0),
      ratios: readings.map((x) => x.ratio),
    };
  }
  await cleanup();
  console.table(
    Object.entries(results).map(([k, r]) => ({
      workload: `(${k}) ${r.name}`,
      'req/s': r.rps,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      'front CPU ms/req': r.frontCpuMsPerRequest,
      'target CPU ms/req': r.targetCpuMsPerRequest,
      'front ÷ target': r.ratio,
      rounds: r.ratios.join(' '),
      'user/sys front': r.frontUserSysMsPerRequest.join('/'),
      'user/sys target': r.targetUserSysMsPerRequest.join('/'),
      ...(r.databaseCpuMsPerRequest === undefined ? {} : { 'PostgreSQL CPU ms/req': r.databaseCpuMsPerRequest }),
    })),
  );
  const targets = smoke
    ? []
    : Object.entries(results).map(([k, r]) => ({
        what: `(${k}) ${r.name}: front CPU ÷ target CPU`,
        target: `≤ ${TARGET_RATIO}`,
        actual: r.ratio,
        ok: r.ratio !== undefined && r.ratio <= TARGET_RATIO,
      }));
  for (const t of targets) console.log(`${t.ok ? 'PASS' : 'MISS'} ${t.what}: ${t.actual} (target ${t.target})`);
  const out = {
    kind: 'front',
    runtime,
    targetStore,
    runtimeVersion: runtime === 'node' ? process.version : undefined,
    users,
    bigGroupMembers: bigSize,
    connections,
    durationSeconds: duration,
    rounds,
    workloads: results,
    targets,
    date: new Date().toISOString(),
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  const store = targetStore === 'loki' ? '' : `-${targetStore}`;
  const file = opt.out ?? join(benchDir, 'results', `front-${runtime}${store}-${out.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`results written to ${file}`);
  if (smoke) {
    const broken = Object.entries(results).filter(([, r]) => !(r.rps > 0) || r.errors > 0 || r.non2xx > 0);
    if (broken.length) {
      console.error(`front smoke run failed: ${broken.map(([k]) => k).join(', ')}`);
      process.exit(1);
    }
    console.log('front bench smoke run OK: every workload answered');
  }
}

main().catch(async (e) => {
  console.error(e);
  await cleanup();
  process.exit(1);
});
