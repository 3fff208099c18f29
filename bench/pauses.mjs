#!/usr/bin/env node
// What a pause between bursts costs the requests after it. IdPs send in bursts (a sync cycle, an
// aggregation), and the gateway does things when requests stop (an idle collection after one quiet
// second; on Bun, after a longer quiet, it drops its compiled code: @scimgw/server's IdleCompactor).
// This starts a gateway (embedded store, 10,000 users, the documented runtime flags), then measures
// each workload in slices of --duration seconds, each slice right after a pause of each --pauses
// length, and prints the gateway's CPU time per request per slice: all threads, the main thread
// (JavaScript), and the CPU of its other threads by name (on Bun: the JIT workers, the pool that
// runs fdatasync, the collector's helpers; Node names them all `node`). A pause of 0 is the steady
// state; a pause that costs the next slice much more than that shows work thrown away in the pause.
//
//   node bench/pauses.mjs --runtime bun                      # (f), pauses of 0 and 4 s, 4 slices each
//   node bench/pauses.mjs --runtime node --only d,e --pauses 0,2,70
//   node bench/pauses.mjs --smoke                            # tiny run used by `npm test`
import { readdirSync, readFileSync } from 'node:fs';
import { cli } from './lib/cli.mjs';
import { cpuMs } from './lib/cpu.mjs';
import { load } from './lib/load.mjs';
import { median } from './lib/many.mjs';
import { startBenchGateway } from './lib/gateway.mjs';
import { seed } from './lib/seed.mjs';
import { workloads } from './lib/workloads.mjs';

const { values: opt } = cli(import.meta.url, {
  runtime: { type: 'string', default: 'node' },
  only: { type: 'string', default: 'f' },
  pauses: { type: 'string', default: '0,4' },
  slices: { type: 'string', default: '4' },
  duration: { type: 'string', default: '2' },
  users: { type: 'string', default: '10000' },
  big: { type: 'string', default: '5000' },
  connections: { type: 'string', default: '10' },
  smoke: { type: 'boolean', default: false },
});
const smoke = opt.smoke;
const users = smoke ? 300 : Number(opt.users);
const bigSize = smoke ? 100 : Number(opt.big);
const slices = smoke ? 1 : Number(opt.slices);
const duration = smoke ? 0.5 : Number(opt.duration);
const connections = Number(opt.connections);
const pauses = (smoke ? '0,1.2' : opt.pauses).split(',').map(Number);
if (pauses.some((p) => !(p >= 0))) throw new Error('--pauses: seconds, each ≥ 0 (e.g. 0,4)');
if (!Number.isInteger(slices) || slices < 1) throw new Error('--slices must be a whole number ≥ 1');
const runtimes = (smoke ? 'node,bun' : opt.runtime).split(',');

/** CPU ms of each thread of `pid`, by thread id, with the thread's name (digits folded). */
function threadTimes(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+/g, '#');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(tid, { name, ms: (Number(f[11]) + Number(f[12])) * 10 });
  }
  return out;
}

/** CPU ms per request of the threads other than the main one, summed by name. */
function otherThreads(pid, before, after, requests) {
  const by = {};
  for (const [tid, t] of after) {
    if (tid === String(pid)) continue;
    const ms = t.ms - (before.get(tid)?.ms ?? 0);
    if (ms > 0) by[t.name] = (by[t.name] ?? 0) + ms / requests;
  }
  return Object.entries(by)
    .filter(([, v]) => v >= 0.001)
    .sort((a, b) => b[1] - a[1])
    .map(([n, v]) => `${n} ${v.toFixed(3)}`)
    .join(', ');
}

const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
const round3 = (x) => Math.round(x * 1000) / 1000;

async function measure(runtime) {
  const gw = await startBenchGateway({ runtime });
  const rows = [];
  try {
    const { url, auth, pid } = gw;
    const seeded = await seed({ base: url, auth, users, groups: 10, bigSize, prefix: `p${Date.now().toString(36)}` });
    const W = workloads(seeded, users);
    const headers = { authorization: auth, 'content-type': 'application/scim+json' };
    for (const key of opt.only.split(',')) {
      const w = W[key];
      if (!w) throw new Error(`--only: unknown workload ${key}`);
      await load({ url, headers, connections, duration: Math.min(3, duration * 1.5), makeRequest: w.make }); // warm-up
      for (const pause of pauses) {
        for (let i = 0; i < slices; i++) {
          await sleep(pause);
          const all0 = cpuMs(pid);
          const main0 = cpuMs(pid, true);
          const threads0 = threadTimes(pid);
          const r = await load({ url, headers, connections, duration, makeRequest: w.make });
          if (r.errors > 0 || r.non2xx > 0) throw new Error(`(${key}): ${r.errors} errors, ${r.non2xx} non-2xx answers`);
          rows.push({
            runtime,
            workload: w.name,
            'pause s': pause,
            slice: i + 1,
            'req/s': r.rps,
            'CPU ms/req': round3((cpuMs(pid) - all0) / r.requests),
            'main thread': round3((cpuMs(pid, true) - main0) / r.requests),
            'other threads (ms/req)': otherThreads(pid, threads0, threadTimes(pid), r.requests),
          });
        }
      }
    }
  } finally {
    await gw.stop();
  }
  return rows;
}

const all = [];
for (const runtime of runtimes) all.push(...(await measure(runtime)));
console.table(all);
// Per runtime, workload and pause: the median CPU per request of its slices.
const groups = new Map();
for (const r of all) {
  const k = `${r.runtime} ${r.workload} after ${r['pause s']} s`;
  groups.set(k, [...(groups.get(k) ?? []), r['CPU ms/req']]);
}
for (const [k, v] of groups) {
  console.log(`${k}: median ${Math.round(median(v) * 1000) / 1000} CPU ms/req (slices ${v.join(', ')})`);
}
