// Several runtimes and rounds in one command: `node bench/run.mjs --runtime node,bun --repeat 3`
// runs the benchmark once per runtime and round (a child process each, one after the other, so
// they never share the cores), then prints issue 31's table: each ratio's median over the rounds
// with its range, which is the noise of the machine.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir } from './proc.mjs';
import { ROUND2 } from './targets.mjs';

/** argv without the options this level consumes. */
function childArgs(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name] = a.split('=');
    if (['--runtime', '--repeat', '--out'].includes(name)) {
      if (!a.includes('=')) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(benchDir, 'run.mjs'), ...args], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench run ${args.join(' ')} exited with ${code}`))));
  });
}

/** The middle value of a list of numbers (the mean of the two middle ones for an even count). */
export const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r2 = (x) => (x === undefined ? undefined : Math.round(x * 1000) / 1000);

/** Median and range of a list of numbers, as `0.52 (0.50–0.55)`; `—` when empty. */
function cell(values, min) {
  const v = values.filter((x) => typeof x === 'number');
  if (!v.length) return '—';
  const m = r2(median(v));
  const range = v.length > 1 ? ` (${r2(Math.min(...v))}–${r2(Math.max(...v))})` : '';
  const mark = min === undefined ? '' : m >= min ? ' ✓' : ` ✗ (≥ ${min})`;
  return `${m}${range}${mark}`;
}

/**
 * Runs every runtime `repeat` times and prints the table.
 *
 * @param {{ runtimes: string[], repeat: number, argv: string[] }} o
 */
export async function runMany({ runtimes, repeat, argv }) {
  for (const r of runtimes) if (!['node', 'bun'].includes(r)) throw new Error(`--runtime: unknown runtime ${r}`);
  // Every run's JSON stays in bench/results/, the table's rows can be traced to them.
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(benchDir, 'results');
  mkdirSync(dir, { recursive: true });
  const results = Object.fromEntries(runtimes.map((r) => [r, []]));
  const rest = childArgs(argv);
  try {
    for (let round = 1; round <= Math.max(1, repeat); round++) {
      // Alternating runtimes round by round: a slow stretch of the machine lands on both.
      for (const r of runtimes) {
        const file = join(dir, `${r}-${stamp}-round${round}.json`);
        console.log(`\n=== round ${round} of ${repeat}, ${r} ===`);
        await runChild([...rest, '--runtime', r, '--out', file]);
        results[r].push(JSON.parse(readFileSync(file, 'utf8')));
      }
    }
  } finally {
    printTable(results, repeat);
  }
}

/** `--scale` runs (a million users): per runtime and round, the time to the first answer, memory and the latency targets. */
function printScale(results) {
  console.log(
    `\n--scale, per runtime and round (targets at a million users: ≤ ${ROUND2.scaleMemoryMiB} MiB, (b) p99 < 5 ms, (c) p99 < 50 ms)`,
  );
  console.table(
    Object.entries(results).flatMap(([runtime, runs]) =>
      runs.map((x, i) => ({
        runtime,
        round: i + 1,
        users: x.users,
        'first answer s': x.startSeconds,
        'RSS MiB': x.memoryMiB,
        '(b) p99 ms, 1 / 10 connections': `${x.scale?.b?.single?.p99} / ${x.scale?.b?.saturated?.p99}`,
        '(c) p99 ms, 1 / 10 connections': `${x.scale?.c?.single?.p99} / ${x.scale?.c?.saturated?.p99}`,
        met:
          x.memoryMiB <= ROUND2.scaleMemoryMiB && x.scale?.targets?.bP99Under5ms && x.scale?.targets?.cP99Under50ms ? '✓' : '✗',
      })),
    ),
  );
}

function printTable(results, repeat) {
  if (Object.values(results).some((runs) => runs.some((x) => x.scale))) {
    printScale(results);
    return;
  }
  const node = results.node ?? [];
  const bun = results.bun ?? [];
  const col = (runs, k, field) => runs.map((x) => x.workloads?.[k]?.[field]);
  const rows = [];
  // The gateway's CPU time per write over the bare durable-write server's, run by run.
  const cpuRatio = (runs, k) =>
    runs.map((x) => {
      const w = x.workloads?.[k];
      const d = w?.baselines?.durableCpuMsPerReq;
      return w?.cpuMsPerReq !== undefined && d ? w.cpuMsPerReq / d : undefined;
    });
  for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
    // A run with --only measured some workloads only.
    if (![...node, ...bun].some((x) => x.workloads?.[k])) continue;
    const name = (node[0] ?? bun[0])?.workloads?.[k]?.name ?? k;
    const write = k in ROUND2.vsDurable;
    rows.push({
      workload: `(${k}) ${name}`,
      'Bun ÷ node:http': cell(col(bun, k, 'vsHttp'), ROUND2.bun.vsHttp[k]),
      'Node ÷ express': cell(col(node, k, 'vsExpress')),
      'Node ÷ node:http': cell(col(node, k, 'vsHttp'), ROUND2.node.vsHttp[k]),
      'Bun ÷ durable': write ? cell(col(bun, k, 'vsDurable'), ROUND2.vsDurable[k]) : '',
      'Node ÷ durable': write ? cell(col(node, k, 'vsDurable'), ROUND2.vsDurable[k]) : '',
      'Node req/s': cell(col(node, k, 'rps')),
      'Bun req/s': cell(col(bun, k, 'rps')),
      'Bun CPU/write ÷ durable': write ? cell(cpuRatio(bun, k)) : '',
      'Node CPU/write ÷ durable': write ? cell(cpuRatio(node, k)) : '',
    });
  }
  rows.push({
    workload: 'RSS right after seeding (MiB)',
    'Bun ÷ node:http': cell(
      bun.map((x) => x.memoryAfterSeedMiB),
      undefined,
    ),
    'Node ÷ node:http': cell(
      node.map((x) => x.memoryAfterSeedMiB),
      undefined,
    ),
  });
  console.log(`\nissue 31: ratios in the same run, median over ${repeat} round(s) (range); ✓/✗ against the target`);
  console.table(rows);
  for (const [r, runs] of Object.entries(results)) {
    const http = runs.flatMap((x) => x.baselineReadings.map((b) => b.nodeHttp));
    const express = runs.flatMap((x) => x.baselineReadings.map((b) => b.express));
    const durable = runs.flatMap((x) => x.baselineReadings.map((b) => b.durable));
    if (http.length)
      console.log(
        `${r} baselines: node:http ${Math.min(...http)}–${Math.max(...http)} req/s, express ${Math.min(...express)}–${Math.max(...express)}, durable writes ${Math.min(...durable)}–${Math.max(...durable)}`,
      );
    const mem = runs.map((x) => x.memoryAfterSeedMiB).filter((m) => m !== undefined);
    if (mem.length) console.log(`${r} RSS right after seeding: ${mem.join(', ')} MiB (target ≤ ${ROUND2.memoryMiB})`);
  }
}
