/**
 * The `scimgw-chain-proxy` CLI on each runtime (Node, and Bun from the npm registry) in front of
 * a real gateway: start, forward, check-config, and a graceful stop on SIGTERM.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpCaller, startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProxyConfig } from './helpers.js';
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

let back: TestGateway;
beforeAll(async () => {
  back = await startTestGateway({
    scimgateway: { trustedProxies: ['127.0.0.1/32'] },
    endpoint: { persistence: false, exampleData: false },
  });
});
afterAll(async () => {
  await back?.stop();
});

describe.each([
  ['node', process.execPath],
  ['bun', bunBinary()],
] as const)('scimgw-chain-proxy on %s', (runtime, binary) => {
  let child: ChildProcess;
  let dir: string;
  let file: string;
  let base: string;
  let out = '';

  beforeAll(async () => {
    if (!binary) throw new Error(`${runtime} binary not found: run pnpm install (bun is a devDependency of @scimgw/chain-proxy)`);
    const port = await freePort();
    ({ dir, file } = writeProxyConfig({
      port,
      chainingBaseUrl: back.base,
      log: { loglevel: { console: 'info' }, colorize: false },
    }));
    child = spawn(binary, [cli, 'start', '--config', file], {
      cwd: dir,
      env: { ...process.env, SEED: 'rt' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (out += c));
    base = `http://127.0.0.1:${port}`;
    for (;;) {
      try {
        if ((await fetch(`${base}/readyz`)).status === 200) break;
      } catch {}
      if (child.exitCode !== null) throw new Error(`chain proxy on ${runtime} did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('forwards SCIM requests to the gateway and streams the answers back', async () => {
    const call = httpCaller(base);
    const userName = `rt.${runtime}`;
    const created = await call('POST', '/Users', { userName });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${base}/Users/${created.body.id}`);
    expect((await back.call('GET', `/Users/${created.body.id}`)).body.userName).toBe(userName);
    const many = await Promise.all(Array.from({ length: 20 }, () => call('GET', '/Users?count=5')));
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await call('GET', '/Users', undefined, { authorization: 'Basic eDp5' })).status).toBe(401);
  });

  it('check-config runs the same checks and says where it forwards', () => {
    const text = execFileSync(binary as string, [cli, 'check-config', '--config', file], {
      encoding: 'utf8',
      env: { ...process.env, SEED: 'rt' },
    });
    expect(text).toContain(`OK (chains to ${back.base}`);
  });

  it('stops gracefully on SIGTERM', async () => {
    expect(out).toMatch(/\(chain proxy\) listening on http/);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(out).toMatch(/SIGTERM received/);
  });
});

describe('the CLI refuses', () => {
  it('a file without chainingBaseUrl, naming the config path, with exit code 1', () => {
    const { dir, file } = writeProxyConfig({}, { connector: '@scimgw/connector-loki' });
    try {
      execFileSync(process.execPath, [cli, 'check-config', '--config', file], { encoding: 'utf8', stdio: 'pipe' });
      expect.unreachable();
    } catch (e) {
      const err = e as { status: number; stderr: string };
      expect(err.status).toBe(1);
      expect(err.stderr).toMatch(/scimgateway\.chainingBaseUrl: required/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('unknown arguments with exit code 2', () => {
    try {
      execFileSync(process.execPath, [cli, 'serve'], { encoding: 'utf8', stdio: 'pipe' });
      expect.unreachable();
    } catch (e) {
      expect((e as { status: number }).status).toBe(2);
    }
  });
});
