// The one-connection latency client, run as its own small process by lib/latency.mjs: one
// keep-alive HTTP/1.1 connection on a plain socket, one request at a time, each timed with
// process.hrtime from writing the request to reading the last byte of the answer. Its heap holds no test data (paths are made from
// a template and a random number), so its own garbage collection is rare and short; the pauses it
// does have are reported, with the start time and length of every request slower than `slowMs`
// (so that the bench can set them against the gateway's and the server's own records).
// Input: one JSON argument; output: one JSON line on stdout.
import { connect } from 'node:net';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Histogram } from './histogram.mjs';

const spec = JSON.parse(process.argv[2]);
const target = new URL(spec.url);
const pathOf =
  spec.paths && spec.paths.length > 0
    ? () => spec.paths[Math.floor(Math.random() * spec.paths.length)]
    : () => spec.template.replace('{n}', String((spec.min ?? 0) + Math.floor(Math.random() * spec.random)));
const head = `Host: ${target.host}\r\n${Object.entries(spec.headers ?? {})
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('')}\r\n`;

// One HTTP/1.1 keep-alive connection on a plain socket: a request is one write, the answer is read
// into one reused buffer and parsed just enough to know where it ends (Content-Length or chunked).
// node:http allocated several objects per request, and the client's own collections are pauses
// that would count in the latencies it reports.
const socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
let buf = Buffer.allocUnsafe(1 << 20);
let len = 0;
let waiting;
socket.on('data', (chunk) => {
  if (len + chunk.length > buf.length) {
    const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, len + chunk.length));
    buf.copy(bigger, 0, 0, len);
    buf = bigger;
  }
  chunk.copy(buf, len);
  len += chunk.length;
  waiting?.();
});
socket.on('error', (e) => waiting?.(e));
socket.on('close', () => waiting?.(new Error('the server closed the connection')));

const CRLF2 = Buffer.from('\r\n\r\n');
const CHUNK_END = Buffer.from('\r\n0\r\n\r\n');

/** Where the answer in buf[0, len) ends, or -1 while it is incomplete; `status` set from its first line. */
function answerEnd(state) {
  const h = buf.indexOf(CRLF2, 0);
  if (h < 0 || h >= len) return -1;
  if (state.bodyAt === undefined) {
    const headers = buf.toString('latin1', 0, h);
    state.status = Number(headers.slice(9, 12));
    const cl = /\r\ncontent-length: *(\d+)/i.exec(headers);
    state.bodyAt = h + 4;
    state.length = cl ? Number(cl[1]) : undefined;
    if (!cl && !/\r\ntransfer-encoding: *chunked/i.test(headers)) throw new Error('an answer without a length');
  }
  if (state.length !== undefined) return len >= state.bodyAt + state.length ? state.bodyAt + state.length : -1;
  const e = buf.indexOf(CHUNK_END, Math.max(state.bodyAt - 2, 0));
  return e >= 0 && e + CHUNK_END.length <= len ? e + CHUNK_END.length : -1;
}

function once(path) {
  return new Promise((resolve, reject) => {
    const state = {};
    waiting = (err) => {
      if (err) return reject(err);
      let end;
      try {
        end = answerEnd(state);
      } catch (e) {
        return reject(e);
      }
      if (end < 0) return;
      if (end !== len) return reject(new Error('more bytes than one answer'));
      len = 0;
      waiting = undefined;
      resolve(state.status);
    };
    socket.write(`${spec.method ?? 'GET'} ${path} HTTP/1.1\r\n${head}`);
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
socket.destroy();
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
