/** Starting the gateway as an operator does — an executable in a folder — and waiting for /readyz. */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '@scimgw/testing-ports';

export { freePort };

/** A started gateway process and everything it printed so far. */
export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
}

/** Spawns `cmd args` in `cwd` and resolves once `http://127.0.0.1:port/readyz` answers 200. */
export async function startProcess(
  cmd: string,
  args: string[],
  opts: { cwd: string; port: number; env?: NodeJS.ProcessEnv },
): Promise<RunningProcess> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c) => (out += c));
  child.stderr?.on('data', (c) => (out += c));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${opts.port}/readyz`)).status === 200) return { child, output: () => out };
    } catch {}
    if (child.exitCode !== null) throw new Error(`${cmd} exited (${child.exitCode}): ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${cmd} did not become ready: ${out}`);
}

/** Sends `signal` and resolves with the exit code once the process has exited. */
export async function stopProcess(p: RunningProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (p.child.exitCode !== null) return p.child.exitCode;
  const exited = new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));
  p.child.kill(signal);
  return exited;
}

/** A SCIM request with the example configuration's credential (gwadmin/password). */
export function scim(port: number, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from('gwadmin:password').toString('base64')}`,
      'content-type': 'application/scim+json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
