// Targets from the benchmark issue, on the 2-core reference machine with 10 connections.

export const TARGETS = {
  bun: { vs: 'vsHttp', ratios: { a: 0.5, b: 0.3, c: 0.05, d: 0.15, e: 0.2, f: 0.2, g: 0.015 } },
  node: { vs: 'vsExpress', ratios: { a: 0.8, b: 0.6, c: 0.15, d: 0.4, e: 0.5, f: 0.5, g: 0.05 } },
  memoryMiB: 100,
};

export function checkTargets(runtime, results, memory) {
  const t = TARGETS[runtime];
  const out = [];
  for (const [k, min] of Object.entries(t.ratios)) {
    if (!results[k]) continue; // not measured (--only)
    const actual = results[k]?.[t.vs];
    out.push({
      what: `(${k}) ${results[k]?.name} ${t.vs === 'vsHttp' ? '÷ node:http' : '÷ express'}`,
      target: `≥ ${min}`,
      actual,
      ok: actual >= min,
    });
  }
  if (memory !== undefined)
    out.push({
      what: 'memory after seeding',
      target: `≤ ${TARGETS.memoryMiB} MiB`,
      actual: `${memory} MiB`,
      ok: memory <= TARGETS.memoryMiB,
    });
  return out;
}

/**
 * Targets of issue 31 (performance, round 2), ratios measured in the same run: on Node against bare
 * node:http (no framework tax; (c) and (g) also at least double the 0.055 and 0.005 of before), on
 * Bun (c) and (g) against bare node:http, writes against the bare durable-write server on both, and
 * resident memory read right after seeding.
 */
export const ROUND2 = {
  node: { vsHttp: { a: 0.5, b: 0.35, c: 0.11, d: 0.3, e: 0.3, f: 0.3, g: 0.05 } },
  bun: { vsHttp: { c: 0.15, g: 0.15 } },
  vsDurable: { d: 0.7, e: 0.7, f: 0.7 },
  memoryMiB: 100,
  /** Resident memory at the first answer with a million users (`--scale`). */
  scaleMemoryMiB: 500,
};

export function checkRound2(runtime, results, memory) {
  const out = [];
  const check = (k, field, min, label) => {
    if (!results[k]) return; // not measured (--only)
    const actual = results[k]?.[field];
    out.push({ what: `(${k}) ${results[k]?.name} ${label}`, target: `≥ ${min}`, actual, ok: actual >= min });
  };
  for (const [k, min] of Object.entries(ROUND2[runtime].vsHttp)) check(k, 'vsHttp', min, '÷ node:http');
  for (const [k, min] of Object.entries(ROUND2.vsDurable)) check(k, 'vsDurable', min, '÷ bare durable writes');
  if (memory !== undefined)
    out.push({
      what: 'memory right after seeding',
      target: `≤ ${ROUND2.memoryMiB} MiB`,
      actual: `${memory} MiB`,
      ok: memory <= ROUND2.memoryMiB,
    });
  return out;
}
