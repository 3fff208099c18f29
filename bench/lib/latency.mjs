// Latency one client sees, measured apart from the load generator: lib/latency-client.mjs in its
// own process (a 64 MiB heap, no test data), one keep-alive connection, sub-millisecond timings.
// autocannon (lib/load.mjs) stays for throughput with many connections; it records whole
// milliseconds and runs in the bench's process, whose garbage collection lands in its latencies.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const client = join(dirname(fileURLToPath(import.meta.url)), 'latency-client.mjs');

/**
 * One connection for `duration` seconds (after `warmup` seconds not counted). Requests are GETs of
 * `paths` (one picked at random each time) or of `template` with `{n}` replaced by a random integer
 * from `min` (0) to below `min + random`. Resolves to { requests, p50, p90, p99, p999, max (ms, to 0.1), over2ms, over5ms,
 * over10ms, errors, from, to (epoch ms), slow: [[start epoch ms, ms]] of the requests over `slowMs`,
 * gc: the client's own pauses }.
 */
export function measureLatency({ url, headers = {}, duration, warmup = 0, paths, template, min, random, slowMs = 2 }) {
  const spec = JSON.stringify({ url, headers, duration, warmup, paths, template, min, random, slowMs });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=64', client, spec], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`latency client exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`latency client: ${e.message}: ${out.slice(0, 500)}`));
      }
    });
  });
}

/** Reads the lines of lib/gc-probe.mjs from a gateway's stderr: `between(from, to)` gives its pauses [start epoch ms, ms, kind]. */
export function gcReader(stream) {
  const pauses = [];
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^scimgw-gc (\S+) (\S+) (\S+)$/.exec(line);
      if (m) pauses.push([Number(m[1]), Number(m[2]), m[3]]);
    }
    if (pauses.length > 200_000) pauses.splice(0, 100_000);
  });
  return { between: (from, to) => pauses.filter((p) => p[0] >= from && p[0] <= to) };
}

const overlaps = (a0, a1, [b0, ms]) => b0 < a1 && b0 + ms > a0;

/**
 * What each slow request (`result.slow`, over `overMs`) overlapped: a garbage-collection pause of
 * the gateway or of the client, or server statements that took at least half of it. A request can
 * count under more than one; `none` counts those that overlapped nothing of the kind.
 * `statements`: [start epoch ms, ms] from the server's log (MariaDB).
 */
export function attribute(result, { gatewayGc = [], statements, overMs }) {
  const out = { requests: 0, gatewayGc: 0, clientGc: 0, ...(statements ? { server: 0 } : {}), none: 0 };
  for (const [start, ms] of result.slow) {
    if (ms <= overMs) continue;
    const end = start + ms;
    out.requests++;
    let any = false;
    if (gatewayGc.some((p) => overlaps(start, end, p))) {
      out.gatewayGc++;
      any = true;
    }
    if (result.gc.list.some((p) => overlaps(start, end, p))) {
      out.clientGc++;
      any = true;
    }
    if (statements) {
      let inServer = 0;
      for (const s of statements) if (s[0] >= start - 1 && s[0] <= end) inServer += s[1];
      if (inServer >= ms / 2) {
        out.server++;
        any = true;
      }
    }
    if (!any) out.none++;
  }
  return out;
}
