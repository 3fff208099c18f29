/**
 * Shutdown of the `scimgw` process: an open `/logger` live stream does not hold SIGINT/SIGTERM,
 * and in-flight requests get `kubernetes.shutdownTimeout` seconds (not a fixed 15). A test that
 * fails here fails by hanging: the process never exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC } from './helpers.js';
import { freePort } from '@scimgw/testing-ports';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const homes: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function startCli(shutdownTimeout: number): Promise<Started> {
  const home = mkdtempSync(join(tmpdir(), 'scimgw-shutdown-'));
  homes.push(home);
  const port = await freePort();
  mkdirSync(join(home, 'config'));
  writeFileSync(
    join(home, 'config', 'connector-loki.json'),
    JSON.stringify({
      scimgateway: {
        port,
        localhostonly: true,
        auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
        log: { loglevel: { console: 'info', file: 'off' }, colorize: false },
        kubernetes: { shutdownTimeout },
      },
      endpoint: { persistence: false },
    }),
  );
  const child = spawn(process.execPath, [cli, 'start'], {
    cwd: home,
    env: { ...process.env, SEED: 'shutdown' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c) => (out += c));
  child.stderr?.on('data', (c) => (out += c));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {}
    if (child.exitCode !== null) throw new Error(`gateway exited: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, output: () => out, exited };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

// Starting a child process can take many seconds on a busy machine: that happens in beforeAll,
// so each test's own timeout measures the shutdown alone.
const STARTUP_MS = 120_000;

describe('scimgw shutdown: a /logger live stream', () => {
  let gw: Started;
  beforeAll(async () => {
    // An hour for in-flight requests: only closing the live stream first lets the process go.
    gw = await startCli(3600);
  }, STARTUP_MS);

  it('SIGINT with a /logger live stream open: the stream ends and the process exits', async () => {
    const req = request(`http://127.0.0.1:${gw.port}/logger`, { headers: { authorization: BASIC, accept: 'text/event-stream' } });
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    res.resume();
    const ended = once(res, 'end');
    gw.child.kill('SIGINT');
    await ended;
    expect(await gw.exited).toBe(0);
    expect(gw.output()).toContain('SIGINT received');
  }, 60_000);
});

describe('scimgw shutdown: kubernetes.shutdownTimeout 0', () => {
  let gw: Started;
  beforeAll(async () => {
    gw = await startCli(0);
  }, STARTUP_MS);

  // 10 s: well below the 15 s the gateway once waited whatever the configuration said.
  it('cuts an unfinished request at once', async () => {
    // A POST whose body never completes: an in-flight request that only the timeout ends.
    const sock = connect(gw.port, '127.0.0.1');
    await once(sock, 'connect');
    sock.write(
      `POST /Users HTTP/1.1\r\nhost: x\r\nauthorization: ${BASIC}\r\ncontent-type: application/scim+json\r\ncontent-length: 1000\r\n\r\n{"userName":`,
    );
    sock.resume();
    const closed = once(sock, 'close');
    await new Promise((r) => setTimeout(r, 100));
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
    await closed;
  }, 10_000);
});

describe('scimgw shutdown: a long kubernetes.shutdownTimeout', () => {
  let gw: Started;
  beforeAll(async () => {
    gw = await startCli(3600);
  }, STARTUP_MS);

  it('lets an in-flight request finish after SIGTERM', async () => {
    const sock = connect(gw.port, '127.0.0.1');
    await once(sock, 'connect');
    const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'late.finisher' });
    const head = `POST /Users HTTP/1.1\r\nhost: x\r\nauthorization: ${BASIC}\r\ncontent-type: application/scim+json\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    sock.write(head + body.slice(0, 10));
    let answer = '';
    sock.on('data', (c) => (answer += c));
    const closed = once(sock, 'close');
    await new Promise((r) => setTimeout(r, 100));
    gw.child.kill('SIGTERM');
    await until(() => gw.output().includes('SIGTERM received'));
    expect(gw.child.exitCode).toBeNull();
    sock.write(body.slice(10));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(await gw.exited).toBe(0);
  }, 60_000);
});
