// Starting servers as child processes on a chosen runtime, and reading their memory.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@scimgw/testing-ports';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = join(benchDir, '..');

/** The executable for a runtime: this Node, or Bun from the bench's own dependencies. */
export function runtimeBinary(runtime) {
  if (runtime === 'node') return process.execPath;
  const local = join(benchDir, 'node_modules', '.bin', 'bun');
  if (existsSync(local)) return local;
  throw new Error('bun is not installed: run the benchmark through `npm test` / `pnpm install` first');
}

export { freePort };

/**
 * Runtime flags the gateway is documented to run with (README, `npm start`, the `scimgw` shebang):
 * a smaller V8 young generation on Node, and Bun's low-memory mode.
 */
export const GATEWAY_RUNTIME_FLAGS = { node: ['--max-semi-space-size=6'], bun: ['--smol'] };

/** Environment the gateway is documented to run with (glibc malloc: fewer arenas, earlier trimming). */
export const GATEWAY_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };

/** Spawns `args` on `runtime` and waits until `url` answers (any status). */
export async function startProcess(runtime, args, { cwd = benchDir, env = {}, readyUrl, timeoutMs = 30_000, flags = [] } = {}) {
  const child = spawn(runtimeBinary(runtime), [...flags, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out = (out + c).slice(-4000)));
  child.stderr.on('data', (c) => (out = (out + c).slice(-4000)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited early:\n${out}`);
    try {
      await fetch(readyUrl);
      break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Resident memory of a process in MiB (Linux /proc). */
export function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}
