#!/usr/bin/env node
// Log sinks: what one log line costs in each of @scimgw/logger-stream's sinks, next to the
// libraries they could be (issue 28's rule: a library replaces hand-written code unless it
// measures worse here).
//
//   node bench/log-sinks.mjs                 # 200,000 file lines, 100,000 pretty lines, 3 rounds
//   node bench/log-sinks.mjs --rounds 5 --lines 400000
//   node bench/log-sinks.mjs --smoke         # a tiny run, so the benchmark can't rot
//   node bench/log-sinks.mjs --sink-module /tmp/old/index.js   # another build's RotatingFileSink
//
// Prints, per case, the median µs per line over the rounds and the range, wall-clock and CPU time
// (user + system of this process: steadier on a shared machine), and the load average (`uptime`)
// before and after: the spread is the noise. Cases:
//   file sink         the package's RotatingFileSink (pino-roll with sync: true behind a thin
//                     wrapper), 300-byte request lines, 4 MiB rotation, 5 files: every line written
//                     (write(2)) when the call returns; the file is opened before the clock starts;
//                     the time includes the rotations and close
//   pino-roll sync    pino-roll 4.0.0 alone, `sync: true`, same lines and rotation
//   pino-roll async   pino-roll 4.0.0 alone, buffered (a crash loses what is buffered); the time
//                     includes draining the buffer at the end
//   pretty scimgw     formatPretty(line, colour) of the package
//   pretty pino-pretty  pino-pretty 13.0.0's prettyFactory({ colorize: true }) (13.1+ needs Node 22)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RotatingFileSink as PackageSink, formatPretty } from '@scimgw/logger-stream';
import { prettyFactory } from 'pino-pretty';
import pinoRoll from 'pino-roll';
import { cli } from './lib/cli.mjs';

const { values: opt } = cli(import.meta.url, {
  rounds: { type: 'string', default: '3' },
  lines: { type: 'string', default: '200000' },
  pretty: { type: 'string', default: '100000' },
  smoke: { type: 'boolean', default: false },
  'sink-module': { type: 'string' },
});
// --sink-module FILE: measure the RotatingFileSink exported by FILE instead (an older build, for before/after).
const RotatingFileSink = opt['sink-module']
  ? (await import(pathToFileURL(opt['sink-module']).href)).RotatingFileSink
  : PackageSink;
const rounds = opt.smoke ? 1 : Number(opt.rounds);
const fileLines = opt.smoke ? 2000 : Number(opt.lines);
const prettyLines = opt.smoke ? 2000 : Number(opt.pretty);
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_FILES = 5;

/** A request line as the gateway writes it, padded to 300 bytes. */
function requestLine(i) {
  const base = {
    level: 'info',
    time: new Date(1_764_979_200_000 + i).toISOString(),
    name: 'connector-loki',
    tenant: 'tenant1',
    reqId: `r${i}`,
    method: 'GET',
    path: `/Users/${i}`,
    status: 200,
    durationMs: 0.83,
    principal: 'gwadmin',
    msg: `GET /Users/${i} 200 0.83ms`,
  };
  const json = JSON.stringify(base);
  const pad = Math.max(0, 299 - json.length - 10);
  return `${JSON.stringify({ ...base, ua: 'x'.repeat(pad) })}\n`;
}
const LINES = Array.from({ length: 1000 }, (_, i) => requestLine(i));

function loadavg() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' })
      .trim()
      .replace(/^.*load average: /, '');
  } catch {
    return '?';
  }
}

/** Wall-clock and CPU (user + system) time of this process from here. */
function start() {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}
/** µs per line since `t0`: `{ wall, cpu }`. */
function stop(t0, lines) {
  const cpu = process.cpuUsage(t0.cpu);
  return { wall: Number(process.hrtime.bigint() - t0.wall) / 1000 / lines, cpu: (cpu.user + cpu.system) / lines };
}

async function fileSink(dir) {
  const sink = new RotatingFileSink({ file: join(dir, 'gw.log'), maxBytes: MAX_BYTES, maxFiles: MAX_FILES });
  // The first line opens the file (pino-roll's factory is async); the gateway's first line is at startup.
  sink.write(LINES[0], 30);
  await sink.flush();
  const t0 = start();
  for (let i = 0; i < fileLines; i++) sink.write(LINES[i % LINES.length], 30);
  await sink.close();
  return stop(t0, fileLines);
}

async function roll(dir, sync) {
  const stream = await pinoRoll({
    file: join(dir, 'gw.log'),
    size: `${MAX_BYTES}b`,
    limit: { count: MAX_FILES, removeOtherLogFiles: true },
    sync,
  });
  const t0 = start();
  for (let i = 0; i < fileLines; i++) {
    if (!stream.write(LINES[i % LINES.length]) && !sync) await new Promise((r) => stream.once('drain', r));
  }
  await new Promise((r) => {
    stream.once('close', r);
    stream.end();
  });
  return stop(t0, fileLines);
}

function pretty(format) {
  let n = 0;
  const t0 = start();
  for (let i = 0; i < prettyLines; i++) n += format(LINES[i % LINES.length]).length;
  const r = stop(t0, prettyLines);
  if (n === 0) throw new Error('nothing formatted');
  return r;
}

const pinoPretty = prettyFactory({ colorize: true });
const cases = {
  'file sink (RotatingFileSink)': (dir) => fileSink(dir),
  'pino-roll 4.0.0, sync: true': (dir) => roll(dir, true),
  'pino-roll 4.0.0, buffered': (dir) => roll(dir, false),
  'pretty: scimgw formatPretty': () => pretty((l) => formatPretty(l, true)),
  'pretty: pino-pretty 13.0.0': () => pretty((l) => pinoPretty(l)),
};

console.log(`node ${process.version}; ${fileLines} file lines, ${prettyLines} pretty lines, ${rounds} round(s)`);
console.log(`load average before: ${loadavg()}`);
const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  // Interleaved, so a slow stretch of the machine lands on every case.
  for (const [name, run] of Object.entries(cases)) {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-logbench-'));
    try {
      results[name].push(await run(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)].toFixed(1).padStart(6)} (${s[0].toFixed(1)}-${s.at(-1).toFixed(1)})`;
};
console.log(`${''.padEnd(32)} µs/line wall (range)   µs/line CPU (range)`);
for (const [name, rs] of Object.entries(results)) {
  console.log(`${name.padEnd(32)} ${summary(rs.map((r) => r.wall)).padEnd(22)} ${summary(rs.map((r) => r.cpu))}`);
}
console.log(`load average after: ${loadavg()}`);
