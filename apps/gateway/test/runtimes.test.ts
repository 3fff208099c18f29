/**
 * The HTTP suite against the real CLI on each runtime: Node, and Bun (from
 * the npm registry, installed as a dev dependency).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFromRecording } from '@scimgw/core/testkit';
import { httpCaller } from '../src/testing.js';
import { type HttpTarget, httpCases } from './http-suite.js';
import { httpReplayHandle, IDP_REPLAYS, runReplay } from './idp-http-replay.js';
import { freePort } from '@scimgw/testing-ports';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');

function bunBinary(): string | undefined {
  try {
    const pkg = createRequire(join(here, '..', 'package.json')).resolve('bun/package.json');
    const bin = join(dirname(pkg), 'bin', 'bun.exe');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const RUNTIMES: [string, string | undefined][] = [
  ['node', process.execPath],
  ['bun', bunBinary()],
];

describe.each(RUNTIMES)('HTTP suite on %s through the CLI', (runtime, binary) => {
  let child: ChildProcess;
  let dir: string;
  let target: HttpTarget;
  let out = '';

  beforeAll(async () => {
    if (!binary) throw new Error(`${runtime} binary not found: run pnpm install (bun is a devDependency of @scimgw/gateway)`);
    dir = mkdtempSync(join(tmpdir(), `scimgw-${runtime}-`));
    mkdirSync(join(dir, 'config'));
    const port = await freePort();
    writeFileSync(
      join(dir, 'config', 'connector-loki.json'),
      JSON.stringify({
        scimgateway: {
          port,
          localhostonly: true,
          auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
          log: { loglevel: { console: 'info' }, colorize: false },
          mcp: { enabled: true },
        },
        endpoint: { directory: 'data' },
      }),
    );
    child = spawn(binary, [cli, 'start', '--record', 'traffic.jsonl'], {
      cwd: dir,
      env: { ...process.env, SEED: 'rt' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (out += c));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/readyz`)).status === 200) break;
      } catch {}
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gateway on ${runtime} did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    target = { base, call: httpCaller(base) };
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of httpCases) it(c.name, () => c.run(target));

  for (const [name, steps] of IDP_REPLAYS) it(`IdP replay: ${name}`, () => runReplay(httpReplayHandle(target.base), steps));

  it('shuts down gracefully on SIGTERM and logs what started where', async () => {
    expect(out).toMatch(/listening on http/);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(out).toMatch(/SIGTERM received/);
  });

  it('recorded its traffic (--record): every request, no credential, readable by replayFromRecording', () => {
    const file = join(dir, 'traffic.jsonl');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(Buffer.from('gwadmin:password').toString('base64'));
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq?: number; status?: number });
    expect(lines[0]).toMatchObject({ recording: 'scimgw/1', pseudonymized: true });
    expect(lines.slice(1).every((l) => Number.isInteger(l.seq) && Number.isInteger(l.status))).toBe(true);
    const replay = replayFromRecording(text);
    expect(replay.steps.length).toBe(lines.length - 1);
    expect(replay.steps.length).toBeGreaterThan(150);
  });
});

describe.each(RUNTIMES)('heap compaction on %s', (runtime, binary) => {
  it('compactHeap collects garbage, IdleCompactor collects after a burst and during one, and gc stays hidden', () => {
    if (!binary) throw new Error(`${runtime} binary not found: run pnpm install (bun is a devDependency of @scimgw/gateway)`);
    const out = execFileSync(binary, [join(here, 'fixtures', 'heap-check.mjs')], { cwd: join(here, '..'), encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop() as string) as {
      compacted: boolean;
      collectedByCompactHeap: number;
      idleCollections: number;
      collectedByIdle: number;
      burstCollections: number;
      collectedDuringBurst: number;
      gcVisible: string;
      idleMsDefault: number;
    };
    // Of 1,000 objects nothing holds, most are gone after each collection (a conservative stack
    // scan, as in Bun's collector, may keep a few).
    expect(r.compacted).toBe(true);
    expect(r.collectedByCompactHeap).toBeGreaterThan(900);
    expect(r.idleCollections).toBe(1);
    expect(r.collectedByIdle).toBeGreaterThan(900);
    expect(r.burstCollections).toBeGreaterThan(0);
    expect(r.collectedDuringBurst).toBeGreaterThan(900);
    expect(r.gcVisible).toBe('undefined');
    // On Bun a full collection makes the next requests dearer: a pause within a burst must not start one.
    expect(r.idleMsDefault).toBe(runtime === 'bun' ? 10_000 : 1000);
  });
});

describe.each(RUNTIMES)('gateway chaining on %s', (runtime, binary) => {
  it('forwards to a second gateway, streams the answer back, and answers 502 for a dead one', () => {
    if (!binary) throw new Error(`${runtime} binary not found: run pnpm install (bun is a devDependency of @scimgw/gateway)`);
    const out = execFileSync(binary, [join(here, 'fixtures', 'chain-check.mjs')], { cwd: join(here, '..'), encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop() as string) as Record<string, unknown>;
    expect(r).toEqual({
      created: 201,
      locationAtFront: true,
      storedInBack: 'chain.rt',
      bulk: 200,
      listed: 301,
      unreachable: 502,
      detail: expect.stringMatching(/^The next gateway \(127\.0\.0\.1:\d+\) could not be reached: /),
    });
  });
});
