/**
 * The listener (real hyco-https) against the relay emulator (@scimgw/testing-relay-emulator,
 * written from Microsoft's Hybrid Connections protocol documentation; not Azure).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RelayEmulator, startRelayEmulator, trustEmulatorCa } from '@scimgw/testing-relay-emulator';
import { requestOrigin } from '@scimgw/server';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RelayListener, startRelayListener } from '../src/index.js';
import { recordingLogger, until, waitFor } from './helpers.js';

const KEY = 'c2VjcmV0LWtleS1mb3ItdGVzdHM=';
let relay: RelayEmulator;
let untrust: () => void;
let listener: RelayListener;
const log = recordingLogger();

/** Answers with what it was given; `/big` with a body over the relay's 64 kB control-channel limit. */
function echo(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.url === '/bytes') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(new TextEncoder().encode('from '));
      res.end(new TextEncoder().encode('Uint8Array'));
      return;
    }
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(100_000));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ method: req.method, url: req.url, origin: requestOrigin(req.headers, false, false), length: body.length }),
    );
  });
}

beforeAll(async () => {
  relay = await startRelayEmulator({
    connections: [{ path: 'scim', keys: [{ name: 'RootManageSharedAccessKey', key: KEY }], requiresClientAuthorization: false }],
  });
  untrust = trustEmulatorCa(relay);
  listener = startRelayListener({
    config: { enabled: true, connectionUrl: `https://${relay.address}/scim`, keyRule: 'RootManageSharedAccessKey', apiKey: KEY },
    handler: echo,
    log,
  });
  await waitFor(listener, 'listening');
});
afterAll(async () => {
  await listener?.close();
  untrust?.();
  await relay?.close();
});

describe('requests through the relay', () => {
  it('reach the handler with the Hybrid Connection path taken off and the relay URL as origin', async () => {
    const r = await fetch(relay.senderUrl('scim', '/Users?filter=x'));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ method: 'GET', url: '/Users?filter=x', origin: `https://${relay.address}/scim`, length: 0 });
    expect(listener.status()).toMatchObject({ state: 'listening', url: `https://${relay.address}/scim`, connects: 1 });
  });

  it('carry bodies over the control channel and, when large, over a rendezvous', async () => {
    for (const size of [10, 200_000]) {
      const r = await fetch(relay.senderUrl('scim', '/Users'), { method: 'POST', body: 'a'.repeat(size) });
      expect(((await r.json()) as { length: number }).length).toBe(size);
    }
  });

  it('carry response bodies written as Uint8Array (what fetch streams)', async () => {
    expect(await (await fetch(relay.senderUrl('scim', '/bytes'))).text()).toBe('from Uint8Array');
  });

  it('answer the next request on a keep-alive connection after a large response', async () => {
    const agent = new Agent({ connect: { ca: relay.caPem }, keepAliveTimeout: 30_000, connections: 1 });
    try {
      const big = await undiciFetch(relay.senderUrl('scim', '/big'), { dispatcher: agent });
      expect((await big.text()).length).toBe(100_000);
      const next = await undiciFetch(relay.senderUrl('scim', '/after'), { dispatcher: agent });
      expect(((await next.json()) as { url: string }).url).toBe('/after');
    } finally {
      await agent.close();
    }
  });

  it('refuse a sender WebSocket (501) instead of crashing, and keep serving', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(relay.senderWebSocketUrl('scim'), { ca: relay.caPem });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    expect(status).toBe(501);
    expect((await fetch(relay.senderUrl('scim', '/still'))).status).toBe(200);
  });
});

describe('when the relay goes away', () => {
  it('reconnects after the relay restarts, and requests recover', async () => {
    const before = listener.status().disconnects;
    await relay.stop();
    await waitFor(listener, 'reconnecting');
    await relay.restart();
    await waitFor(listener, 'listening');
    const r = await fetch(relay.senderUrl('scim', '/Groups'));
    expect(r.status).toBe(200);
    expect(listener.status().disconnects).toBe(before + 1);
    expect(log.lines.join('\n')).toMatch(/reconnecting/);
  });

  it('reconnects after the relay drops the control channel', async () => {
    const { disconnects, connects } = listener.status();
    relay.dropListeners({ path: 'scim', mode: 'terminate' });
    // hyco-https reconnects at once after a first loss, so 'reconnecting' may pass between two looks.
    await until(() => listener.status().disconnects === disconnects + 1 && listener.status().connects === connects + 1);
    expect(listener.status().state).toBe('listening');
    expect((await fetch(relay.senderUrl('scim', '/Users'))).status).toBe(200);
  });
});

describe('credentials', () => {
  it('a wrong key is refused (401): never listening, the error kept for /readyz, the key never logged', async () => {
    const wrongLog = recordingLogger();
    const wrong = startRelayListener({
      config: {
        enabled: true,
        connectionUrl: `https://${relay.address}/scim`,
        keyRule: 'RootManageSharedAccessKey',
        apiKey: 'd3Jvbmc=',
      },
      handler: echo,
      log: wrongLog,
    });
    try {
      await until(() => wrong.status().lastError !== undefined);
      expect(wrong.status()).toMatchObject({ state: 'connecting', connects: 0 });
      expect(wrong.status().lastError).toMatch(/401/);
      expect(wrongLog.lines.join('\n')).toMatch(/check keyRule, apiKey or token/);
      expect(relay.listeners('scim')).toHaveLength(1);
      for (const secret of ['d3Jvbmc=', KEY]) {
        expect(wrongLog.lines.join('\n')).not.toContain(secret);
        expect(JSON.stringify(wrong.status())).not.toContain(secret);
      }
    } finally {
      await wrong.close();
    }
  });

  it('a SAS token from the configuration is used as given', async () => {
    const token = relay.sasToken({ path: 'scim', keyName: 'RootManageSharedAccessKey', key: KEY });
    const other = startRelayListener({
      config: { enabled: true, connectionUrl: `https://${relay.address}/scim/`, token },
      handler: echo,
      log: recordingLogger(),
    });
    try {
      await waitFor(other, 'listening');
      expect(relay.listeners('scim')).toHaveLength(2);
    } finally {
      await other.close();
    }
    await until(() => relay.listeners('scim').length === 1);
  });

  it('never logs the key of the listener that works', () => {
    expect(log.lines.join('\n')).not.toContain(KEY);
  });
});
