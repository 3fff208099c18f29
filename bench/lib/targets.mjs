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
