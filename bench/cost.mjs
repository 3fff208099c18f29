#!/usr/bin/env node
// CPU cost per request of the gateway: CPU time the gateway's main thread (the one running
// JavaScript) used, user + system from /proc/<pid>/task/<pid>/stat, divided by the requests it
// answered, per workload; the whole process's (GC and JIT threads included) is printed beside it.
// Unlike requests/s this depends little on what else the machine is doing, so before/after
// comparisons hold on a busy machine (compare runs made at similar load; a heavily loaded machine
// still inflates both). Each workload is measured three times; the lowest is the figure.
//
//   node bench/cost.mjs --runtime node --only c,g            # prints CPU ms per request (workloads a–g of run.mjs)
//   node bench/cost.mjs --runtime bun --only g --cpu-prof DIR    # also writes a .cpuprofile (Node and Bun)
import { load } from './lib/load.mjs';
import { startBenchGateway } from './lib/gateway.mjs';
import { seed } from './lib/seed.mjs';
import { workloads } from './lib/workloads.mjs';
import { cli } from './lib/cli.mjs';
import { cpuMs } from './lib/cpu.mjs';

const { values: opt } = cli(import.meta.url, {
  runtime: { type: 'string', default: 'node' },
  only: { type: 'string', default: 'c,g' },
  users: { type: 'string', default: '10000' },
  big: { type: 'string', default: '5000' },
  connections: { type: 'string', default: '2' },
  duration: { type: 'string', default: '4' },
  'cpu-prof': { type: 'string' },
});
const runtime = opt.runtime;
const users = Number(opt.users);
const bigSize = Number(opt.big);
const connections = Number(opt.connections);
const duration = Number(opt.duration);
const user = 'gwadmin';
const password = 'password';
const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
/** CPU seconds (user + system) a process (or with `thread`, its main thread) has used. */
const cpuSeconds = (pid, thread = false) => cpuMs(pid, thread) / 1000;

const gw = await startBenchGateway({
  runtime,
  user,
  password,
  flags: opt['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${opt['cpu-prof']}`] : [],
});
try {
  const base = gw.url;
  const seeded = await seed({ base, auth, users, groups: 10, bigSize, prefix: `c${Date.now().toString(36)}` });
  // The store compacts its journal into a snapshot once writes stop (a second without requests);
  // that must not land in the measurement.
  await new Promise((r) => setTimeout(r, 4000));
  const W = workloads(seeded, users);
  const headers = { authorization: auth, 'content-type': 'application/scim+json' };
  console.log(`runtime=${runtime} users=${users} big=${bigSize} connections=${connections} duration=${duration}s`);
  for (const k of opt.only.split(',')) {
    const make = W[k]?.make;
    if (!make) throw new Error(`--only: unknown workload ${k}`);
    await load({ url: base, headers, connections, duration: Math.min(3, duration), makeRequest: make }); // warm-up
    const runs = [];
    for (let round = 0; round < 3; round++) {
      const pid = gw.pid;
      const main0 = cpuSeconds(pid, true);
      const all0 = cpuSeconds(pid);
      const r = await load({ url: base, headers, connections, duration, makeRequest: make });
      const per = (s) => Math.round(((s * 1000) / r.requests) * 1000) / 1000;
      runs.push({ main: per(cpuSeconds(pid, true) - main0), all: per(cpuSeconds(pid) - all0), r });
    }
    runs.sort((a, b) => a.main - b.main);
    const best = runs[0];
    console.log(
      `(${k}) ${best.main} CPU ms per request on the main thread, ${best.all} in all threads (${best.r.requests} requests, ${best.r.rps} req/s, ${best.r.non2xx} non-2xx; main-thread rounds ${runs.map((x) => x.main).join(', ')})`,
    );
  }
} finally {
  // SIGINT so that Node writes its --cpu-prof profile on the way out.
  await gw.stop(opt['cpu-prof'] ? 'SIGINT' : 'SIGTERM');
}
