#!/usr/bin/env node
// Where a gateway's CPU went, from a V8 `.cpuprofile` (`node bench/front.mjs --profile DIR` writes
// DIR/front.cpuprofile and DIR/target.cpuprofile): sampled time per part of the stack (the
// package or Node subsystem of the innermost frame that has one) and per function.
//
//   node bench/profile.mjs DIR/front.cpuprofile              # the whole profile
//   node bench/profile.mjs DIR/front.cpuprofile --last 8     # its last 8 s (the last measured round)
//   node bench/profile.mjs DIR/front.cpuprofile --top 60     # more functions
//   node bench/profile.mjs DIR/front.cpuprofile --part undici  # the functions of one part only
//
// V8 samples wall time: a process that waits in a system call (writev, write) or is descheduled
// there is charged for it. Those calls are listed on their own lines so the rest can be compared.
import { readFileSync } from 'node:fs';
import { cli } from './lib/cli.mjs';

const { values: opt, positionals } = cli(
  import.meta.url,
  { last: { type: 'string' }, top: { type: 'string', default: '40' }, part: { type: 'string' } },
  { allowPositionals: true, positionals: '<file.cpuprofile>' },
);
if (positionals.length !== 1) {
  console.error('usage: node bench/profile.mjs FILE.cpuprofile [--last SECONDS] [--top N]');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Parts of the stack, tried from the innermost frame outwards; the first that matches names the sample. */
const PARTS = [
  ['helper-rest', /\/helper-rest\//],
  ['connector-generic', /\/connector-generic\//],
  ['mapper', /\/packages\/mapper\//],
  ['connector-loki', /\/connector-loki\//],
  ['core', /\/packages\/core\//],
  ['server', /\/packages\/server\//],
  ['auth', /\/packages\/auth\//],
  ['gateway (apps)', /\/apps\/gateway\//],
  ['undici', /undici/],
  ['pino (logging)', /pino/],
  ['prom-client (metrics)', /prom-client/],
  ['node:http', /node:_http|node:http/],
  ['node:net and streams', /node:net|node:internal\/streams|node:internal\/stream_base_commons|node:stream/],
];
/** Leaves that are not JavaScript work. */
const OWN = new Set([
  '(idle)',
  '(program)',
  '(garbage collector)',
  'writev',
  'writeLatin1String',
  'writeUtf8String',
  'writeBuffer',
]);

const shortUrl = (url) =>
  url
    .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^.*\/(packages|apps)\//, '$1/')
    .replace(/^file:\/\//, '');
const frameName = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

function partOf(leaf) {
  const name = leaf.callFrame.functionName;
  if (OWN.has(name))
    return name === '(idle)' || name === '(program)' || name === '(garbage collector)' ? name : `syscall: ${name}`;
  for (let n = leaf; n; n = byId.get(parent.get(n.id))) {
    const hit = PARTS.find(([, re]) => re.test(n.callFrame.url));
    if (hit) return hit[0];
  }
  return name === 'parse' || name === 'stringify' ? `JSON.${name}` : 'other';
}

const deltas = profile.timeDeltas;
const total = deltas.reduce((a, b) => a + b, 0);
const from = opt.last ? total - Number(opt.last) * 1e6 : -1;
const parts = new Map();
const functions = new Map();
let t = 0;
let busy = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const d = deltas[i] ?? 0;
  t += d;
  if (t < from) continue;
  const leaf = byId.get(profile.samples[i]);
  if (leaf.callFrame.functionName === '(idle)') continue;
  busy += d;
  const p = partOf(leaf);
  parts.set(p, (parts.get(p) ?? 0) + d);
  if (opt.part && p !== opt.part) continue;
  const f = frameName(leaf);
  functions.set(f, (functions.get(f) ?? 0) + d);
}

const ms = (us) => (us / 1000).toFixed(0).padStart(7);
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
console.log(`${positionals[0]}: ${ms(busy)} ms sampled busy${opt.last ? ` in the last ${opt.last} s` : ''}`);
console.log('\nby part of the stack (innermost package or subsystem):');
for (const [p, us] of [...parts].sort((a, b) => b[1] - a[1])) console.log(`${pct(us)} ${ms(us)} ms  ${p}`);
console.log(`\ntop ${opt.top} functions by own time${opt.part ? ` in ${opt.part}` : ''}:`);
for (const [f, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) console.log(`${pct(us)}  ${f}`);
