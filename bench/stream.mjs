#!/usr/bin/env node
// SCIM Stream throughput: a publishing gateway and a subscribing gateway (both through the CLI, the
// embedded Loki store on disk, journaled), joined by NATS JetStream. Clients load the publisher;
// the bench reads the subscriber's lag from its /readyz while they do, and measures
//   (1) what publishing costs the publisher: POST /Users req/s with and without the stream,
//   (2) catching up: the subscriber starts with N messages waiting: messages/s,
//   (3) end to end: messages/s from the first client request until the subscriber applied the last,
//       and the subscriber's lag under that load (max and mean of samples every 100 ms).
//
//   node bench/stream.mjs                      # Node, 10 connections, 5 s per workload
//   node bench/stream.mjs --runtime bun
//   node bench/stream.mjs --nats nats://host:4222
//   node bench/stream.mjs --smoke              # tiny run used by `npm test` so the benchmark can't rot
//
// Uses the NATS server at --nats (default the one every development machine runs, 127.0.0.1:4222)
// with a stream, subject and consumer of its own, deleted at the end. Without a reachable server it
// says so and does nothing.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { cpuMs } from './lib/cpu.mjs';
import { load } from './lib/load.mjs';
import { benchDir, freePort, GATEWAY_ENV, GATEWAY_RUNTIME_FLAGS, repoDir, startProcess } from './lib/proc.mjs';
import { cli } from './lib/cli.mjs';

const { values: opt } = cli(import.meta.url, {
  runtime: { type: 'string', default: 'node' },
  nats: { type: 'string', default: process.env.SCIMGW_TEST_NATS ?? 'nats://127.0.0.1:4222' },
  connections: { type: 'string', default: '10' },
  duration: { type: 'string' },
  catchup: { type: 'string' },
  concurrency: { type: 'string', default: '16' },
  out: { type: 'string' },
  smoke: { type: 'boolean', default: false },
});
const smoke = opt.smoke;
const runtime = opt.runtime;
if (!['node', 'bun'].includes(runtime)) throw new Error('--runtime must be node or bun');
const connections = Number(opt.connections);
const duration = Number(opt.duration ?? (smoke ? 0.5 : 5));
const catchup = Number(opt.catchup ?? (smoke ? 100 : 5000));
const USER = 'gwadmin';
const PASSWORD = 'password';
const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const id = `${process.pid}_${Date.now().toString(36)}`;
const STREAM = `SCIMGW_BENCH_${id}`;
const SUBJECT = `scimgwbench.${id}`;

const cleanups = [];
async function cleanup() {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  cleanups.length = 0;
}
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));

/** Starts a gateway through its CLI; returns its base URL and a stop function. */
async function startGateway(name, stream) {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-stream-bench-'));
  mkdirSync(join(dir, 'config'));
  symlinkSync(join(benchDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const port = await freePort();
  writeFileSync(
    join(dir, 'config', `${name}.json`),
    JSON.stringify({
      connector: '@scimgw/connector-loki',
      scimgateway: {
        port,
        localhostonly: true,
        auth: { basic: [{ username: USER, password: PASSWORD }] },
        log: { loglevel: { console: 'error', file: 'off' } },
        ...(stream ? { stream } : {}),
      },
      endpoint: { persistence: true, directory: 'data', exampleData: false },
    }),
  );
  const p = await startProcess(
    runtime,
    [join(repoDir, 'apps', 'gateway', 'dist', 'cli.js'), 'start', '--config', join(dir, 'config', `${name}.json`)],
    {
      flags: [...GATEWAY_RUNTIME_FLAGS[runtime]],
      cwd: dir,
      env: { SEED: 'bench', ...GATEWAY_ENV },
      readyUrl: `http://127.0.0.1:${port}/ping`,
      timeoutMs: 120_000,
    },
  );
  const base = `http://127.0.0.1:${port}`;
  cleanups.push(async () => {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { base, dir, pid: p.child.pid };
}

async function readyz(base) {
  const r = await fetch(`${base}/readyz`);
  return { status: r.status, body: await r.json() };
}

async function until(fn, what, ms = 300_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const subscription = async (base) => (await readyz(base)).body.stream?.subscriber?.[0];
const published = async (base) => (await readyz(base)).body.stream?.publisher?.[0]?.published ?? 0;

/** The local nats-server listening on the port of `url`, if there is one (its CPU is reported too). */
function natsServerPid(url) {
  const port = new URL(url.replace(/^tls:/, 'nats:')).port || '4222';
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (!/nats-server$/.test(cmd[0] ?? '')) continue;
      const i = cmd.indexOf('-p');
      if ((i !== -1 && cmd[i + 1] === port) || (i === -1 && port === '4222')) return Number(d);
    } catch {}
  }
  return undefined;
}

/** Runs `fn` and returns its result with the CPU ms per request each process spent. */
async function withCpu(pids, fn) {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuMs(pid) : undefined]));
  const r = await fn();
  const count = Math.max(1, r.requests ?? r.messages ?? 1);
  const cpu = {};
  for (const [k, pid] of Object.entries(pids))
    if (pid && before[k] !== undefined) cpu[k] = +((cpuMs(pid) - before[k]) / count).toFixed(3);
  return { ...r, cpuMsPerRequest: cpu };
}

/** Samples the subscriber's lag every 100 ms until stopped. */
function sampleLag(base) {
  const samples = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const s = await subscription(base).catch(() => undefined);
      if (s) samples.push(s.lag);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    on = false;
    await loop;
    const max = samples.length ? Math.max(...samples) : 0;
    const mean = samples.length ? Math.round(samples.reduce((a, b) => a + b, 0) / samples.length) : 0;
    return { max, mean, samples: samples.length };
  };
}

let seq = 0;
const createUser = () => ({
  method: 'POST',
  path: '/Users',
  body: {
    userName: `b${id}-${seq++}-${Math.random().toString(36).slice(2)}`,
    name: { givenName: 'G', familyName: 'F' },
    emails: [{ value: `u${seq}@example.com` }],
  },
});

async function main() {
  try {
    const nc = await connect({ servers: opt.nats, timeout: 2000 });
    await nc.close();
  } catch (e) {
    console.log(`stream bench: no NATS server at ${opt.nats} (${e.message}); nothing measured`);
    return;
  }
  cleanups.push(async () => {
    const nc = await connect({ servers: opt.nats });
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) if (name.includes(id)) await jsm.streams.delete(name).catch(() => {});
    await nc.close();
  });
  console.log(`scimgw stream bench: runtime=${runtime} connections=${connections} duration=${duration}s nats=${opt.nats}`);
  const nats = { tenant: STREAM, subject: SUBJECT };
  const baseline = await startGateway('baseline');
  const pub = await startGateway('publisher', {
    baseUrls: [opt.nats],
    publisher: { enabled: true, entity: { undefined: { nats } } },
  });
  await until(async () => (await readyz(pub.base)).status === 200, 'the publisher connected');
  const headers = { authorization: auth, 'content-type': 'application/scim+json' };
  const result = { runtime, connections, duration, date: new Date().toISOString() };
  const check = (r) => {
    if (r.errors || r.non2xx) throw new Error(`errors under load: ${JSON.stringify(r)}`);
    return r;
  };

  // (1) What publishing costs the publisher (nobody subscribed yet: its CPU is not shared).
  const natsPid = natsServerPid(opt.nats);
  const base1 = check(
    await withCpu({ gateway: baseline.pid }, () =>
      load({ url: baseline.base, headers, connections, duration, makeRequest: createUser }),
    ),
  );
  const pub1 = check(
    await withCpu({ gateway: pub.pid, nats: natsPid }, () =>
      load({ url: pub.base, headers, connections, duration, makeRequest: createUser }),
    ),
  );
  result.publishCost = {
    baselineRps: base1.rps,
    publisherRps: pub1.rps,
    ratio: +(pub1.rps / base1.rps).toFixed(2),
    p50: { baseline: base1.p50, publisher: pub1.p50 },
    p99: { baseline: base1.p99, publisher: pub1.p99 },
    cpuMsPerRequest: { baseline: base1.cpuMsPerRequest, publisher: pub1.cpuMsPerRequest },
  };

  // (2) Catching up: the subscriber starts with what was published so far (at least --catchup).
  const queue = [];
  for (let i = await published(pub.base); i < catchup; i++) queue.push(createUser());
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let r = queue.pop(); r; r = queue.pop())
        await fetch(`${pub.base}/Users`, { method: 'POST', headers, body: JSON.stringify(r.body) }).then((x) => x.arrayBuffer());
    }),
  );
  const backlog = await published(pub.base);
  const subConfig = {
    baseUrls: [opt.nats],
    subscriber: {
      enabled: true,
      durable: 'bench',
      concurrency: Number(opt.concurrency),
      lagLogInterval: 0,
      entity: { undefined: { nats, skipConvertRolesToGroups: true } },
    },
  };
  const t2 = Date.now();
  const sub = await startGateway('subscriber', subConfig);
  await until(async () => {
    const s = await subscription(sub.base);
    return s && s.applied >= backlog && s.lag === 0;
  }, 'the subscriber to catch up');
  const catchSeconds = (Date.now() - t2) / 1000;
  result.catchUp = {
    messages: backlog,
    seconds: +catchSeconds.toFixed(2),
    messagesPerSecond: Math.round(backlog / catchSeconds),
    includesStart: true,
  };

  // (3) End to end under load: clients on the publisher while the subscriber applies.
  const applied0 = (await subscription(sub.base)).applied;
  const before = await published(pub.base);
  const stopLag = sampleLag(sub.base);
  const t3 = Date.now();
  const pub3 = check(await load({ url: pub.base, headers, connections, duration, makeRequest: createUser }));
  const sent = (await published(pub.base)) - before;
  await until(async () => {
    const s = await subscription(sub.base);
    return s && s.applied - applied0 >= sent && s.lag === 0;
  }, 'the subscriber to apply the load');
  const e2eSeconds = (Date.now() - t3) / 1000;
  const lag = await stopLag();
  result.endToEnd = {
    messages: sent,
    publisherRps: pub3.rps,
    seconds: +e2eSeconds.toFixed(2),
    messagesPerSecond: Math.round(sent / e2eSeconds),
    drainSeconds: +Math.max(0, e2eSeconds - duration).toFixed(2),
    lag,
  };

  console.log(
    `publishing:  POST /Users ${base1.rps} req/s without the stream, ${pub1.rps} with it (×${result.publishCost.ratio}); p50 ${base1.p50} → ${pub1.p50} ms, p99 ${base1.p99} → ${pub1.p99} ms`,
  );
  console.log(
    `             CPU ms per request: gateway ${base1.cpuMsPerRequest.gateway} → ${pub1.cpuMsPerRequest.gateway}${pub1.cpuMsPerRequest.nats === undefined ? '' : `, nats-server ${pub1.cpuMsPerRequest.nats}`}`,
  );
  console.log(
    `catching up: ${backlog} messages in ${result.catchUp.seconds} s (start included) = ${result.catchUp.messagesPerSecond} msg/s`,
  );
  console.log(
    `end to end:  ${sent} messages in ${result.endToEnd.seconds} s = ${result.endToEnd.messagesPerSecond} msg/s (load ${duration} s at ${pub3.rps} req/s, then ${result.endToEnd.drainSeconds} s to drain); lag under load max ${lag.max}, mean ${lag.mean} (${lag.samples} samples)`,
  );
  if (!smoke) {
    const out = opt.out ?? join(benchDir, 'results', `stream-${runtime}-${result.date.slice(0, 10)}.json`);
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written to ${out}`);
  }
}

main()
  .then(cleanup, async (e) => {
    await cleanup();
    console.error(e);
    process.exit(1);
  })
  .then(() => process.exit(0));
