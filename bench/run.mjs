#!/usr/bin/env node
// scimgw load benchmark. Starts (or targets) a gateway, seeds it, measures seven workloads, and
// prints each as requests/s, p50/p99 latency and ratios to a bare node:http server and a bare
// express app measured in the same run on the same runtime.
//
//   node bench/run.mjs                       # Node, 10,000 users, 10 connections, 5 s per workload
//   node bench/run.mjs --runtime bun
//   node bench/run.mjs --url https://gw/scim/v2 --user gwadmin --password secret
//   node bench/run.mjs --scale               # 1,000,000 users: filter/paging latency, group-size curve
//   node bench/run.mjs --smoke               # tiny run used by `npm test` so the benchmark can't rot
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMs } from './lib/cpu.mjs';
import { load } from './lib/load.mjs';
import { startBenchGateway } from './lib/gateway.mjs';
import { benchDir, freePort, rssMiB, startProcess } from './lib/proc.mjs';
import { writeLokiSnapshot } from './lib/loader.mjs';
import { seed } from './lib/seed.mjs';
import { workloads } from './lib/workloads.mjs';
import { scaleRun } from './lib/scale.mjs';
import { TARGETS, checkRound2, checkTargets } from './lib/targets.mjs';
import { median, runMany } from './lib/many.mjs';

const USAGE = `usage: node bench/run.mjs [options]
  --runtime node|bun     runtime of the gateway under test (default node)
  --users N              users seeded (default 10000; --smoke 300; --scale 1000000)
  --groups N             groups seeded (default 100)
  --big N                members of the big group (default 5000)
  --connections N        concurrent connections (default 10)
  --duration S           seconds per workload (default 5)
  --warmup S             seconds of warm-up per workload
  --url URL              measure a running gateway instead of starting one
  --user U --password P  its credential (default gwadmin/password)
  --out FILE             write the results as JSON
  --smoke                tiny run (npm test runs it so the benchmark cannot rot)
  --scale                1,000,000 users: filter/paging latency and the group-size curve
  --repeat N             run the whole comparison N times; the table shows medians and ranges
  --only a,d,e,f         measure only these workloads (default all, a–g)
  --slices N             measure each workload in N slices of --duration, each followed by its own
                         node:http (and, for writes, durable-write) reading; ratios are the median
                         of the slices' (default 1: one run, baselines read before and after it)
  --help                 this text`;

let parsed;
try {
  parsed = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      runtime: { type: 'string', default: 'node' },
      users: { type: 'string' },
      groups: { type: 'string', default: '100' },
      big: { type: 'string' },
      connections: { type: 'string', default: '10' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      url: { type: 'string' },
      user: { type: 'string', default: 'gwadmin' },
      password: { type: 'string', default: 'password' },
      out: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      repeat: { type: 'string', default: '1' },
      only: { type: 'string' },
      slices: { type: 'string', default: '1' },
    },
  });
} catch (e) {
  console.error(`${e.message}\n\n${USAGE}`);
  process.exit(2);
}
const opt = parsed.values;
if (opt.help) {
  console.log(USAGE);
  process.exit(0);
}

const smoke = opt.smoke;
const runtime = opt.runtime;
// Several runtimes or rounds: this script runs itself once per runtime and round, then prints the
// issue-31 table of ratios (lib/many.mjs).
const many = runtime.includes(',') || Number(opt.repeat) > 1;
if (!many && !['node', 'bun'].includes(runtime)) throw new Error('--runtime must be node, bun or node,bun');
const WRITES = new Set(['d', 'e', 'f']);
const users = Number(opt.users ?? (smoke ? 300 : opt.scale ? 1_000_000 : 10_000));
const bigSize = Number(opt.big ?? (smoke ? 100 : 5000));
const groups = smoke ? 5 : Number(opt.groups);
const connections = Number(opt.connections);
const duration = Number(opt.duration ?? (smoke ? 0.5 : 5));
// Bun's optimizing JIT keeps compiling for several seconds after a new code path starts running
// (its compiler thread took a quarter of the process's CPU in the second after a one-second
// warm-up, and none after four seconds); the workloads measure the steady state a long-running
// gateway is in.
const warmup = Number(opt.warmup ?? (smoke ? 0.5 : 3));
const slices = Number(opt.slices);
if (!Number.isInteger(slices) || slices < 1) throw new Error('--slices must be a whole number ≥ 1');
const auth = `Basic ${Buffer.from(`${opt.user}:${opt.password}`).toString('base64')}`;

const cleanups = [];
async function cleanup() {
  for (const c of cleanups.reverse()) await c();
}
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));

/** The body the durable-write baseline makes durable: the size of a (d) create. */
const DURABLE_BODY = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'bare-durable-0000000000000000-0',
  name: { givenName: 'N', familyName: 'B' },
};

/**
 * Starts the baseline servers (bare node:http, bare express, and the bare durable-write server that
 * makes each POST durable as the store does: group commit + fdatasync) and keeps them running, so
 * each can be measured again right next to every workload.
 */
async function startBaselines() {
  const servers = {};
  for (const [name, script] of [
    ['http', 'bare-http.mjs'],
    ['express', 'bare-express.mjs'],
    ['durable', 'bare-durable.mjs'],
  ]) {
    const port = await freePort();
    const p = await startProcess(runtime, [join(benchDir, 'servers', script), String(port)], {
      readyUrl: `http://127.0.0.1:${port}/`,
    });
    cleanups.push(() => p.stop());
    const url = `http://127.0.0.1:${port}`;
    await load({ url, connections, duration: Math.min(1, duration), makeRequest: baselineRequest(name) }); // warm-up
    servers[name] = { url, pid: p.child.pid };
  }
  return {
    /** One reading of every baseline (or of those named), with the server's CPU time per request. */
    async measure(names = Object.keys(servers)) {
      const out = {};
      for (const name of names) {
        const { url, pid } = servers[name];
        const cpu0 = cpuMs(pid);
        const r = await load({ url, connections, duration, makeRequest: baselineRequest(name) });
        out[name] = { ...r, cpuMsPerReq: perRequest(cpuMs(pid) - cpu0, r.requests) };
      }
      return out;
    },
  };
}

function baselineRequest(name) {
  return name === 'durable' ? () => ({ method: 'POST', path: '/', body: DURABLE_BODY }) : () => ({ path: '/' });
}

async function startGateway(preload) {
  // From spawning `scimgw start` to its first answer (/ping): at a million users, mostly loading the store.
  const g = await startBenchGateway({ runtime, user: opt.user, password: opt.password, beforeStart: preload });
  cleanups.push(() => g.stop());
  const startSeconds = Math.round(g.startMs / 100) / 10;
  console.log(`gateway answered ${startSeconds} s after \`scimgw start\` (RSS ${rssMiB(g.pid) ?? 'n/a'} MiB)`);
  return { base: g.url, pid: g.pid, preloaded: g.preloaded, startSeconds };
}

/** `x` to 4 decimals. */
function round4(x) {
  return Math.round(x * 10000) / 10000;
}

/** a ÷ b to 4 decimals. */
function ratio(a, b) {
  return round4(a / b);
}

/**
 * One workload in `--slices` slices: each slice of the gateway is followed at once by a reading of
 * bare node:http and, for writes, of the durable-write server, and compared with those. The machine's
 * speed drifts by tens of percent over minutes (docs/guide/performance.md, sixth round), so pairing
 * each slice with readings seconds apart, and taking the median of the slices' ratios, keeps a drift
 * out of the ratio that a single run compared with readings before and after it would take in.
 */
async function sliced(w, key, headers, gw, baselines) {
  const names = WRITES.has(key) ? ['http', 'durable'] : ['http'];
  const parts = [];
  let cpu = 0;
  for (let i = 0; i < slices; i++) {
    const cpu0 = gw.pid ? cpuMs(gw.pid) : undefined;
    const r = await load({ url: gw.base, headers, connections, duration, makeRequest: w.make });
    if (cpu0 !== undefined) cpu += cpuMs(gw.pid) - cpu0;
    const b = await baselines.measure(names);
    parts.push({ r, b });
  }
  const sum = (f) => parts.reduce((n, p) => n + f(p), 0);
  const requests = sum((p) => p.r.requests);
  const durable = WRITES.has(key) ? median(parts.map((p) => p.b.durable.rps)) : undefined;
  return {
    rps: Math.round(median(parts.map((p) => p.r.rps))),
    p50: median(parts.map((p) => p.r.p50)),
    p99: median(parts.map((p) => p.r.p99)),
    requests,
    errors: sum((p) => p.r.errors),
    non2xx: sum((p) => p.r.non2xx),
    cpuMsPerReq: gw.pid ? perRequest(cpu, requests) : undefined,
    baselines: {
      nodeHttp: Math.round(median(parts.map((p) => p.b.http.rps))),
      ...(durable === undefined
        ? {}
        : { durable: Math.round(durable), durableCpuMsPerReq: perRequest(median(parts.map((p) => p.b.durable.cpuMsPerReq)), 1) }),
    },
    vsHttp: round4(median(parts.map((p) => p.r.rps / p.b.http.rps))),
    ...(durable === undefined ? {} : { vsDurable: round4(median(parts.map((p) => p.r.rps / p.b.durable.rps))) }),
    slices: parts.map((p) => ({
      rps: p.r.rps,
      nodeHttp: p.b.http.rps,
      ...(p.b.durable ? { durable: p.b.durable.rps } : {}),
    })),
  };
}

/** CPU milliseconds per request, to 3 decimals (the process's user + system time over the run). */
function perRequest(ms, requests) {
  return requests ? Math.round((ms / requests) * 1000) / 1000 : undefined;
}

async function main() {
  const started = Date.now();
  console.log(
    `scimgw bench: runtime=${runtime} users=${users} groups=${groups} big=${bigSize} connections=${connections} duration=${duration}s`,
  );
  const baselines = opt.scale ? undefined : await startBaselines();

  const prefix = `b${Date.now().toString(36)}`;
  // The scale run loads its million users with the loader (a snapshot file) instead of Bulk.
  const useLoader = opt.scale && !opt.url;
  const gw = opt.url
    ? { base: opt.url.replace(/\/$/, ''), pid: undefined }
    : await startGateway(useLoader ? (dataDir) => writeLokiSnapshot(dataDir, { users, groups, prefix }) : undefined);
  const seeded = useLoader
    ? { ...gw.preloaded, seconds: 0 }
    : await seed({ base: gw.base, auth, users, groups, bigSize, prefix });
  // Memory right after seeding, before the idle compaction (1 s without requests) can run; and
  // again 3 s later, at rest.
  const memory = gw.pid ? rssMiB(gw.pid) : undefined;
  await new Promise((r) => setTimeout(r, smoke ? 200 : 3000));
  const memoryAtRest = gw.pid ? rssMiB(gw.pid) : undefined;
  console.log(
    `seeded ${users} users, ${groups} groups (one with ${bigSize} members) in ${seeded.seconds}s; gateway RSS ${memory ?? 'n/a'} MiB right after, ${memoryAtRest ?? 'n/a'} MiB 3 s later`,
  );

  if (opt.scale) {
    const scale = await scaleRun({ base: gw.base, auth, seeded, connections, duration });
    const out = { runtime, users, scale, memoryMiB: memory, startSeconds: gw.startSeconds, date: new Date().toISOString() };
    writeResult(out, 'scale');
    await cleanup();
    return;
  }

  const headers = { authorization: auth, 'content-type': 'application/scim+json' };
  const W = workloads(seeded, users);
  const results = {};
  // The machine's speed drifts during a run (other work on shared cores), so the baselines are
  // read again after every workload and each workload is compared with the readings taken just
  // before and just after it.
  const readings = [await baselines.measure()];
  console.log(
    `baselines: node:http ${readings[0].http.rps} req/s, express ${readings[0].express.rps} req/s, durable writes ${readings[0].durable.rps} req/s`,
  );
  // (g) runs before the writes: (f) adds thousands of members to the big group, and (g) must read
  // the group at its seeded size. Results are reported in a–g order.
  const only = opt.only ? new Set(opt.only.split(',').map((k) => k.trim())) : undefined;
  for (const key of ['a', 'b', 'c', 'g', 'd', 'e', 'f']) {
    if (only && !only.has(key)) continue;
    const w = W[key];
    // Warm-up (JIT, connection setup) before the measured run.
    await load({ url: gw.base, headers, connections, duration: warmup, makeRequest: w.make });
    const load0 = loadAverage();
    const before = readings[readings.length - 1];
    if (slices > 1) {
      results[key] = { name: w.name, ...(await sliced(w, key, headers, gw, baselines)), loadAverage: load0 };
      const after = await baselines.measure();
      readings.push(after);
      results[key].baselines.express = Math.round((before.express.rps + after.express.rps) / 2);
      results[key].vsExpress = ratio(results[key].rps, results[key].baselines.express);
    } else {
      const cpu0 = gw.pid ? cpuMs(gw.pid) : undefined;
      const measured = await load({ url: gw.base, headers, connections, duration, makeRequest: w.make });
      // The gateway's CPU time per request: unlike req/s, barely moved by other work on the machine.
      const r = {
        ...measured,
        cpuMsPerReq: cpu0 === undefined ? undefined : perRequest(cpuMs(gw.pid) - cpu0, measured.requests),
        loadAverage: load0,
      };
      const after = await baselines.measure();
      readings.push(after);
      const http = Math.round((before.http.rps + after.http.rps) / 2);
      const express = Math.round((before.express.rps + after.express.rps) / 2);
      const durable = Math.round((before.durable.rps + after.durable.rps) / 2);
      const durableCpu = perRequest((before.durable.cpuMsPerReq + after.durable.cpuMsPerReq) / 2, 1);
      results[key] = {
        name: w.name,
        ...r,
        baselines: { nodeHttp: http, express, durable, durableCpuMsPerReq: durableCpu },
        vsHttp: ratio(r.rps, http),
        vsExpress: ratio(r.rps, express),
        ...(WRITES.has(key) ? { vsDurable: ratio(r.rps, durable) } : {}),
      };
    }
    const r = results[key];
    if (r.errors || r.non2xx) console.warn(`  ! ${w.name}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
  }
  await cleanup();
  const range = (name) => {
    const v = readings.map((x) => x[name].rps);
    return `${Math.min(...v)}–${Math.max(...v)}`;
  };
  console.log(
    `baselines across the run: node:http ${range('http')} req/s, express ${range('express')} req/s, durable writes ${range('durable')} req/s`,
  );

  const ordered = Object.fromEntries(
    Object.keys(W)
      .filter((k) => results[k])
      .map((k) => [k, results[k]]),
  );
  const rows = Object.entries(ordered).map(([k, r]) => ({
    workload: `(${k}) ${r.name}`,
    'req/s': r.rps,
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'node:http req/s': r.baselines.nodeHttp,
    'express req/s': r.baselines.express,
    '÷ node:http': r.vsHttp,
    '÷ express': r.vsExpress,
    '÷ durable': r.vsDurable ?? '',
    'CPU ms/req': r.cpuMsPerReq ?? '',
    'durable CPU ms/req': r.vsDurable === undefined ? '' : r.baselines.durableCpuMsPerReq,
    load: r.loadAverage,
  }));
  console.table(rows);
  // A partial run (--only) checks only what it measured.
  const measuredOnly = (list) => list.filter((t) => !/^\((\w)\)/.test(t.what) || results[/^\((\w)\)/.exec(t.what)[1]]);
  const targets = smoke ? [] : measuredOnly(checkTargets(runtime, results, memory));
  const round2 = smoke ? [] : measuredOnly(checkRound2(runtime, results, memory));
  console.log('targets of the first round (bench issue):');
  for (const t of targets) console.log(`${t.ok ? 'PASS' : 'MISS'} ${t.what}: ${t.actual} (target ${t.target})`);
  console.log('targets of issue 31:');
  for (const t of round2) console.log(`${t.ok ? 'PASS' : 'MISS'} ${t.what}: ${t.actual} (target ${t.target})`);
  const out = {
    runtime,
    runtimeVersion: runtime === 'node' ? process.version : undefined,
    users,
    groups,
    bigGroupMembers: bigSize,
    connections,
    durationSeconds: duration,
    baselineReadings: readings.map((x) => ({ nodeHttp: x.http.rps, express: x.express.rps, durable: x.durable.rps })),
    memoryAfterSeedMiB: memory,
    memoryAtRestMiB: memoryAtRest,
    startSeconds: gw.startSeconds,
    seedSeconds: seeded.seconds,
    workloads: ordered,
    targets,
    round2,
    date: new Date().toISOString(),
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  writeResult(out, runtime);
  if (smoke) {
    const broken = Object.entries(results).filter(([, r]) => !(r.rps > 0) || r.errors > 0 || r.non2xx > 0);
    if (broken.length) {
      console.error(`smoke run failed: ${broken.map(([k]) => k).join(', ')}`);
      process.exit(1);
    }
    console.log('bench smoke run OK: every workload answered');
  }
}

/** The one-minute load average (Linux), read when a workload starts. */
function loadAverage() {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

function writeResult(out, label) {
  const file = opt.out ?? join(benchDir, 'results', `${label}-${out.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`results written to ${file}`);
}

export { TARGETS };

(many ? runMany({ runtimes: runtime.split(','), repeat: Number(opt.repeat), argv: process.argv.slice(2) }) : main()).catch(
  async (e) => {
    console.error(e);
    await cleanup();
    process.exit(1);
  },
);
