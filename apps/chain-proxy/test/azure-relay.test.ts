/**
 * The chain proxy's CLI listening through Azure Relay in its own process: a SCIM client → the
 * relay emulator (@scimgw/testing-relay-emulator, written from Microsoft's Hybrid Connections
 * protocol documentation; not Azure) → scimgw-chain-proxy → a real gateway.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpCaller, startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import { type RelayEmulator, startRelayEmulator } from '@scimgw/testing-relay-emulator';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProxyConfig } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const KEY = 'cHJveHktcmVsYXkta2V5';

function bunBinary(): string | undefined {
  try {
    const pkg = createRequire(join(here, '..', 'package.json')).resolve('bun/package.json');
    const bin = join(dirname(pkg), 'bin', 'bun.exe');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

let relay: RelayEmulator;
let agent: Agent;
let back: TestGateway;

beforeAll(async () => {
  relay = await startRelayEmulator({
    connections: [{ path: 'front', keys: [{ name: 'RootManageSharedAccessKey', key: KEY }], requiresClientAuthorization: false }],
  });
  agent = new Agent({ connect: { ca: relay.caPem } });
  back = await startTestGateway({ endpoint: { persistence: false, exampleData: false } });
});
afterAll(async () => {
  await agent?.close();
  await back?.stop();
  await relay?.close();
});

/** httpCaller through the emulator, trusting its CA. */
const caller = (base: string) => {
  const plain = httpCaller(base);
  return ((method, path, body, headers) => {
    const original = globalThis.fetch;
    globalThis.fetch = ((url: string, init: RequestInit) =>
      undiciFetch(url, { ...(init as object), dispatcher: agent })) as never;
    return plain(method, path, body, headers).finally(() => {
      globalThis.fetch = original;
    });
  }) as typeof plain;
};

describe.each([['node', process.execPath]] as const)('scimgw-chain-proxy through Azure Relay on %s', (runtime, binary) => {
  let child: ChildProcess;
  let dir: string;
  let file: string;
  let out = '';
  let port: number;

  const readyz = async () =>
    (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { azureRelay: Record<string, unknown> };
  const until = async (check: () => Promise<boolean>) => {
    // A bound on waiting, so a listener that never connects fails with its output instead of a bare timeout.
    const deadline = Date.now() + 25_000;
    while (!(await check())) {
      if (child.exitCode !== null) throw new Error(`chain proxy on ${runtime} exited:\n${out}`);
      if (Date.now() > deadline)
        throw new Error(
          `chain proxy on ${runtime} is not listening through the relay:\n${out}\n${JSON.stringify(await readyz().catch(() => ({})))}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    if (!binary) throw new Error(`${runtime} binary not found: run pnpm install`);
    ({ dir, file } = writeProxyConfig({
      port: 0,
      chainingBaseUrl: back.base,
      log: { loglevel: { console: 'info' }, colorize: false },
      azureRelay: {
        enabled: true,
        connectionUrl: `https://${relay.address}/front`,
        keyRule: 'RootManageSharedAccessKey',
        apiKey: KEY,
      },
    }));
    child = spawn(binary, [cli, 'start', '--config', file], {
      cwd: dir,
      env: { ...process.env, SEED: 'relay-seed', NODE_EXTRA_CA_CERTS: relay.caFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (out += c));
    await until(async () => /listening on http:\/\/[^:]+:(\d+)/.test(out));
    port = Number(/listening on http:\/\/[^:]+:(\d+)/.exec(out)?.[1]);
    await until(async () => (await readyz()).azureRelay?.state === 'listening');
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('forwards what arrives through the relay to the gateway behind it', async () => {
    const call = caller(relay.senderUrl('front'));
    const created = await call('POST', '/Users', { userName: `relay.${runtime}` });
    expect(created.status, `${JSON.stringify(created.body)}\n${out}`).toBe(201);
    expect((await back.call('GET', `/Users/${created.body.id}`)).body.userName).toBe(`relay.${runtime}`);
    expect((await call('GET', '/Users', undefined, { authorization: 'Basic eDp5' })).status).toBe(401);
  });

  it('recovers when the relay restarts', async () => {
    await relay.restart();
    await until(async () => (await readyz()).azureRelay.connects === 2 && (await readyz()).azureRelay.state === 'listening');
    expect((await caller(relay.senderUrl('front'))('GET', '/Users')).status).toBe(200);
  });

  it('has encrypted the key in its file and never logged it', () => {
    expect(readFileSync(file, 'utf8')).not.toContain(KEY);
    expect(out).not.toContain(KEY);
  });
});

describe('on Bun', () => {
  it('refuses to start with azureRelay enabled, naming the key (hyco-https does not run on Bun)', async () => {
    const bun = bunBinary();
    if (!bun) throw new Error('bun binary not found: run pnpm install');
    const { dir, file } = writeProxyConfig({
      chainingBaseUrl: back.base,
      azureRelay: {
        enabled: true,
        connectionUrl: `https://${relay.address}/front`,
        keyRule: 'RootManageSharedAccessKey',
        apiKey: KEY,
      },
    });
    try {
      const child = spawn(bun, [cli, 'start', '--config', file], {
        cwd: dir,
        env: { ...process.env, SEED: 's' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr?.on('data', (c) => (err += c));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(err).toMatch(/scimgateway\.azureRelay\.enabled: listening through Azure Relay needs Node\.js/);
      expect(err).not.toContain(KEY);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
