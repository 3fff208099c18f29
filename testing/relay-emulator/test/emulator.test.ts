import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseSasToken, type RelayEmulator, startRelayEmulator, trustEmulatorCa } from '../src/index.js';
import { RawSocket, refusal } from './helpers/raw-listener.js';
import { ROOT, send, trustingAgent, waitFor } from './helpers/relay.js';

let relay: RelayEmulator;

beforeAll(async () => {
  relay = await startRelayEmulator({
    namespace: 'contoso.servicebus.windows.net',
    connections: [{ path: 'Team/HyCo', keys: [ROOT] }],
  });
});

afterAll(async () => {
  await relay.close();
});

describe('startRelayEmulator', () => {
  it('rejects configurations the service would not have', async () => {
    await expect(startRelayEmulator({ connections: [] })).rejects.toThrow(TypeError);
    await expect(startRelayEmulator({ connections: [{ path: '$hc/x', keys: [] }] })).rejects.toThrow(
      /invalid Hybrid Connection path/,
    );
    await expect(startRelayEmulator({ connections: [{ path: 'a', keys: [{ name: 'k', key: '' }] }] })).rejects.toThrow(
      /non-empty/,
    );
    await expect(
      startRelayEmulator({
        connections: [
          { path: 'a', keys: [] },
          { path: 'A', keys: [] },
        ],
      }),
    ).rejects.toThrow(/configured twice/);
    await expect(startRelayEmulator({ connections: [{ path: 'a', keys: [] }], requestTimeoutMs: 0 })).rejects.toThrow(
      /requestTimeoutMs/,
    );
  });

  it('builds the documented URLs and tokens for its namespace', () => {
    expect(relay.listenUrl('team/hyco')).toBe(`wss://${relay.address}/$hc/team/hyco?sb-hc-action=listen`);
    expect(relay.senderUrl('team/hyco', '/Users')).toBe(`https://${relay.address}/team/hyco/Users`);
    expect(relay.senderWebSocketUrl('team/hyco')).toBe(`wss://${relay.address}/$hc/team/hyco?sb-hc-action=connect`);
    const token = parseSasToken(relay.sasToken({ path: 'team/hyco' }));
    expect(token.resource).toBe('http://contoso.servicebus.windows.net/team/hyco');
    expect(token.keyName).toBe(ROOT.name);
    expect(() => relay.sasToken({ path: 'nope' })).toThrow(/No Hybrid Connection/);
  });

  it('writes the CA to caFile for NODE_EXTRA_CA_CERTS, and a client without it is refused', async () => {
    expect(await readFile(relay.caFile, 'utf8')).toBe(relay.caPem);
    await expect(fetch(relay.senderUrl('team/hyco'))).rejects.toThrow();
  });

  it('trustEmulatorCa lets this process (ws, fetch) reach the emulator, and can be undone', async () => {
    const original = tls.connect;
    const untrust = trustEmulatorCa(relay);
    expect(tls.connect).not.toBe(original);
    try {
      const response = await fetch(relay.senderUrl('team/hyco'));
      expect(response.status).toBe(401);
    } finally {
      untrust();
    }
    // Undone: new TLS connections are made by Node's own tls.connect again.
    expect(tls.connect).toBe(original);
  });

  it('requires tokens for its namespace name, matching entity names case-insensitively', async () => {
    const open = (token: string) =>
      RawSocket.open(relay.listenUrl('TEAM/hyco'), relay.caPem, { headers: { ServiceBusAuthorization: token } });
    const good = await open(relay.sasToken({ path: 'team/hyco' }));
    expect(relay.listeners('team/hyco')).toHaveLength(1);
    good.close();
    const forAddress = relay.sasToken({ path: 'team/hyco', resource: `http://${relay.address}/team/hyco` });
    expect((await refusal(open(forAddress))).status).toBe(401);
    const forOtherEntity = relay.sasToken({ path: 'team/hyco', resource: 'http://contoso.servicebus.windows.net/team/other' });
    expect((await refusal(open(forOtherEntity))).status).toBe(403);
    await waitFor(() => relay.listeners('team/hyco').length === 0);
  });

  it('stops, keeps its port, and serves again after restart', async () => {
    const port = relay.port;
    await relay.stop();
    expect(relay.running).toBe(false);
    await relay.stop();
    await relay.restart();
    expect(relay.running).toBe(true);
    expect(relay.port).toBe(port);
    await relay.restart();
    const agent = trustingAgent(relay);
    try {
      expect((await send(agent, relay.senderUrl('team/hyco'))).status).toBe(401);
    } finally {
      await agent.close();
    }
  });

  it('never logs and never puts a key or a token signature into answers, close reasons or notes', async () => {
    const logged = vi.fn();
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(logged),
    );
    const seen: string[] = [];
    const agent = trustingAgent(relay);
    try {
      const good = relay.sasToken({ path: 'team/hyco' });
      const wrong = relay.sasToken({ path: 'team/hyco', key: 'c29tZS1vdGhlci1rZXk=' });
      const expired = relay.sasToken({ path: 'team/hyco', expiresInSeconds: -1 });
      for (const token of [wrong, expired, `${good}x`, good.replace('skn=', 'skn=x')]) {
        const refused = await refusal(
          RawSocket.open(relay.listenUrl('team/hyco'), relay.caPem, { headers: { ServiceBusAuthorization: token } }),
        );
        seen.push(refused.statusMessage, refused.body);
        const answer = await send(agent, relay.senderUrl('team/hyco', `/x?sb-hc-token=${encodeURIComponent(token)}`));
        seen.push(answer.text(), JSON.stringify(answer.headers));
      }
      const listener = await RawSocket.open(relay.listenUrl('team/hyco'), relay.caPem, {
        headers: { ServiceBusAuthorization: good },
      });
      listener.sendJson({ renewToken: { token: wrong } });
      seen.push((await listener.closed).reason);
      seen.push(JSON.stringify(relay.protocolViolations()));
      const secrets = [
        ROOT.key,
        parseSasToken(good).signature,
        parseSasToken(wrong).signature,
        encodeURIComponent(parseSasToken(good).signature),
      ];
      const everything = seen.join('\n');
      expect(everything).toContain('TrackingId');
      for (const secret of secrets) expect(everything).not.toContain(secret);
      expect(logged).not.toHaveBeenCalled();
    } finally {
      await agent.close();
      for (const spy of spies) spy.mockRestore();
    }
  });
});
