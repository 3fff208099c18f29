// The one-connection latency client, run as its own small process by lib/latency.mjs: one
// keep-alive connection, one request at a time, each timed with process.hrtime from writing the
// request to reading the last byte of the answer. Its heap holds no test data (paths are made from
// a template and a random number), so its own garbage collection is rare and short; the pauses it
// does have are reported, with the start time and length of every request slower than `slowMs`
// (so that the bench can set them against the gateway's and the server's own records).
// Input: one JSON argument; output: one JSON line on stdout.
import http from 'node:http';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Histogram } from './histogram.mjs';

const spec = JSON.parse(process.argv[2]);
const target = new URL(spec.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const pathOf =
  spec.paths && spec.paths.length > 0
    ? () => spec.paths[Math.floor(Math.random() * spec.paths.length)]
    : () => spec.template.replace('{n}', String((spec.min ?? 0) + Math.floor(Math.random() * spec.random)));

function once(path) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path, method: spec.method ?? 'GET', headers: spec.headers, agent },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function phase(seconds, histogram, slow) {
  const end = performance.now() + seconds * 1000;
  let errors = 0;
  while (performance.now() < end) {
    const startedAt = performance.timeOrigin + performance.now();
    const t0 = process.hrtime.bigint();
    const status = await once(pathOf());
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    if (status >= 300) errors++;
    if (histogram) {
      histogram.record(us);
      if (slow && us > spec.slowMs * 1000 && slow.length < 10_000)
        slow.push([Math.round(startedAt * 10) / 10, Math.round(us) / 1000]);
    }
  }
  return errors;
}

const pauses = [];
const gc = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push([performance.timeOrigin + e.startTime, e.duration]);
});
await phase(spec.warmup ?? 0, undefined, undefined);
const histogram = new Histogram();
const slow = [];
gc.observe({ entryTypes: ['gc'] });
const from = performance.timeOrigin + performance.now();
const errors = await phase(spec.duration, histogram, slow);
const to = performance.timeOrigin + performance.now();
gc.disconnect();
agent.destroy();
process.stdout.write(
  `${JSON.stringify({
    ...histogram.summary(),
    errors,
    from,
    to,
    slow,
    gc: { pauses: pauses.length, maxMs: Math.round(Math.max(0, ...pauses.map((p) => p[1])) * 100) / 100, list: pauses },
  })}\n`,
);
