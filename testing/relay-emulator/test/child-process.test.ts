import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RelayEmulator, startRelayEmulator } from '../src/index.js';
import { pattern, ROOT, send, trustingAgent, waitFor } from './helpers/relay.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/hyco-listener.cjs', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}

function startChild(relay: RelayEmulator, trustCa: boolean): Child {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RELAY_URI: relay.listenUrl('hyco'),
    RELAY_KEY_NAME: ROOT.name,
    RELAY_KEY: ROOT.key,
  };
  delete env.NODE_EXTRA_CA_CERTS;
  if (trustCa) env.NODE_EXTRA_CA_CERTS = relay.caFile;
  const child = spawn(process.execPath, [FIXTURE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => output.push(...data.toString().split('\n').filter(Boolean)));
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return { process: child, output, exited };
}

let relay: RelayEmulator;
const children: Child[] = [];

beforeAll(async () => {
  relay = await startRelayEmulator({ connections: [{ path: 'hyco', keys: [ROOT], requiresClientAuthorization: false }] });
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.process.kill();
    await child.exited;
  }
});

afterAll(async () => {
  await relay.close();
});

describe('hyco-https in a child process with NODE_EXTRA_CA_CERTS', () => {
  it('does not connect without trusting the test CA', async () => {
    const child = startChild(relay, false);
    children.push(child);
    await waitFor(() => child.output.some((line) => line.startsWith('ERROR')), 20_000, 'a TLS error');
    expect(child.output.find((line) => line.startsWith('ERROR'))).toMatch(/certificate/i);
    expect(relay.listeners('hyco')).toHaveLength(0);
  });

  it('serves GET and POST end to end, and reconnects after the emulator restarts', async () => {
    const child = startChild(relay, true);
    children.push(child);
    await waitFor(() => child.output.includes('LISTENING'), 20_000, 'the listener');
    const agent = trustingAgent(relay);
    try {
      const get = await send(agent, relay.senderUrl('hyco', '/Users?count=2'));
      expect(get.status).toBe(200);
      expect(get.json()).toMatchObject({ pid: child.process.pid, method: 'GET', url: '/hyco/Users?count=2' });
      const post = await send(agent, relay.senderUrl('hyco', '/Bulk'), { method: 'POST', body: pattern(300_000) });
      expect(post.json()).toMatchObject({ method: 'POST', bodyLength: 300_000 });

      await relay.restart();
      await waitFor(() => relay.listeners('hyco').length === 1, 30_000, 'the child to reconnect');
      const after = await send(agent, relay.senderUrl('hyco', '/Users'));
      expect(after.json()).toMatchObject({ pid: child.process.pid, url: '/hyco/Users' });
    } finally {
      await agent.close();
    }
  });

  it('documents that hyco-https 1.4.5 cannot accept sender WebSockets: the listener process crashes', async () => {
    const child = startChild(relay, true);
    children.push(child);
    await waitFor(() => child.output.includes('LISTENING'), 20_000, 'the listener');
    const sender = new WebSocket(relay.senderWebSocketUrl('hyco'), { ca: relay.caPem });
    sender.on('error', () => undefined);
    const exit = await child.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain('Extensions is not defined');
    sender.terminate();
  });
});
