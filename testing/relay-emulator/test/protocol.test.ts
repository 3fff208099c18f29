import type { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestTls, type RelayEmulator, startRelayEmulator, type TlsMaterial } from '../src/index.js';
import { RawSocket, refusal, tapFrames } from './helpers/raw-listener.js';
import { LISTEN_ONLY, pattern, ROOT, SEND_ONLY, send, sha256, trustingAgent, waitFor } from './helpers/relay.js';

let relay: RelayEmulator;
let agent: Agent;
let tls: TlsMaterial;
let tlsDir: string;
const sockets: RawSocket[] = [];

async function listener(options: { token?: string; viaQuery?: boolean; id?: string; path?: string } = {}): Promise<RawSocket> {
  const path = options.path ?? 'hyco';
  const token = options.token ?? relay.sasToken({ path });
  let url = relay.listenUrl(path);
  if (options.id) url += `&sb-hc-id=${options.id}`;
  const socket = options.viaQuery
    ? await RawSocket.open(`${url}&sb-hc-token=${encodeURIComponent(token)}`, relay.caPem)
    : await RawSocket.open(url, relay.caPem, { headers: { ServiceBusAuthorization: token } });
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  tlsDir = await mkdtemp(join(tmpdir(), 'relay-tls-'));
  tls = await createTestTls(tlsDir);
  relay = await startRelayEmulator({
    tls,
    connections: [
      { path: 'hyco', keys: [ROOT, LISTEN_ONLY, SEND_ONLY], requiresClientAuthorization: false },
      { path: 'team/two', keys: [ROOT] },
    ],
    requestTimeoutMs: 1500,
    balancing: 'round-robin',
  });
  agent = trustingAgent(relay);
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  await agent.close();
  agent = trustingAgent(relay);
  await waitFor(() => relay.listeners('hyco').length === 0 && relay.listeners('team/two').length === 0);
});

afterAll(async () => {
  await agent.close();
  await relay.close();
  await rm(tlsDir, { recursive: true, force: true });
});

describe('listener control channel', () => {
  it('registers with the token in the ServiceBusAuthorization header or in sb-hc-token, with the given sb-hc-id', async () => {
    await listener({ id: 'listener-one' });
    await listener({ viaQuery: true, token: relay.sasToken({ keyName: LISTEN_ONLY.name }) });
    const infos = relay.listeners('hyco');
    expect(infos).toHaveLength(2);
    expect(infos.map((i) => i.id)).toContain('listener-one');
  });

  it('refuses with the documented statuses and a tracking id', async () => {
    const missing = await refusal(RawSocket.open(relay.listenUrl('hyco'), relay.caPem));
    expect(missing.status).toBe(401);
    expect(missing.statusMessage).toMatch(/MissingToken.*TrackingId:[0-9a-f-]{36}/);
    const sendOnly = await refusal(listener({ token: relay.sasToken({ keyName: SEND_ONLY.name }) }));
    expect(sendOnly.status).toBe(403);
    const unknown = await refusal(RawSocket.open(relay.listenUrl('nope'), relay.caPem));
    expect(unknown.status).toBe(404);
    const badAction = await refusal(RawSocket.open(relay.listenUrl('hyco').replace('listen', 'dance'), relay.caPem));
    expect(badAction.status).toBe(400);
    const notHc = await refusal(RawSocket.open(`wss://${relay.address}/hyco`, relay.caPem));
    expect(notHc.status).toBe(400);
    expect(relay.listeners('hyco')).toHaveLength(0);
  });

  it('allows at most the configured number of listeners', async () => {
    const small = await startRelayEmulator({ connections: [{ path: 'hyco', keys: [ROOT] }], maxListenersPerConnection: 2, tls });
    try {
      const open = () =>
        RawSocket.open(small.listenUrl('hyco'), small.caPem, { headers: { ServiceBusAuthorization: small.sasToken() } });
      const first = await open();
      const second = await open();
      expect((await refusal(open())).status).toBe(403);
      first.close();
      second.close();
    } finally {
      await small.close();
    }
  });

  it('closes the control channel with 1008 when the token expires, unless renewed', async () => {
    const short = await listener({ token: relay.sasToken({ expiresInSeconds: 2 }) });
    const renewed = await listener({ token: relay.sasToken({ expiresInSeconds: 2 }) });
    renewed.sendJson({ renewToken: { token: relay.sasToken({ expiresInSeconds: 600 }) } });
    await waitFor(() => relay.listeners('hyco').some((l) => Date.parse(l.tokenExpiresAt) > Date.now() + 60_000));
    expect((await short.closed).code).toBe(1008);
    expect(renewed.ws.readyState).toBe(renewed.ws.OPEN);
  });

  it('closes the control channel with 1008 when a renewToken is refused', async () => {
    const socket = await listener();
    socket.sendJson({ renewToken: { token: relay.sasToken({ key: 'd3Jvbmc=' }) } });
    const closed = await socket.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('InvalidSignature');
  });
});

describe('HTTP requests over the control channel', () => {
  it('sends the documented request message and body frames, and relays the response', async () => {
    const socket = await listener();
    const pending = send(agent, relay.senderUrl('hyco', '/Users?x=1&sb-hc-token=ignored'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/scim+json', 'X-Trace': 'abc' },
      body: '{"userName":"bjensen"}',
    });
    const head = await socket.next();
    expect(head.binary).toBe(false);
    const { request } = head.json();
    expect(request.address).toMatch(
      new RegExp(`^wss://${relay.address.replace(/[.]/g, '\\.')}/\\$hc/hyco\\?sb-hc-action=request&`),
    );
    expect(request).toMatchObject({ method: 'POST', requestTarget: '/hyco/Users?x=1', body: true });
    expect(typeof request.id).toBe('string');
    // The sender's spelling of header names is kept; Host, Content-Length and Connection are not forwarded.
    expect(request.requestHeaders).toEqual({
      'Content-Type': 'application/scim+json',
      'X-Trace': 'abc',
      Via: `1.1 ${relay.namespace}`,
    });
    const body = await socket.next();
    expect(body.binary).toBe(true);
    expect(body.text()).toBe('{"userName":"bjensen"}');
    socket.sendJson({
      response: {
        requestId: request.id,
        statusCode: '201',
        statusDescription: 'Created',
        responseHeaders: { 'Content-Type': 'application/json', Location: '/Users/1' },
        body: true,
      },
    });
    socket.sendBinary(Buffer.from('{"id":"1"}'));
    const response = await pending;
    expect(response.status).toBe(201);
    expect(response.headers.location).toBe('/Users/1');
    expect(response.headers.via).toBe(`1.1 ${relay.namespace}`);
    expect(response.text()).toBe('{"id":"1"}');
  });

  it('delivers a 60 kB body as one binary message (split into frames on the wire)', async () => {
    const socket = await listener();
    const frames = tapFrames(socket);
    const upload = pattern(60_000);
    const pending = send(agent, relay.senderUrl('hyco', '/blob'), { method: 'PUT', body: upload });
    const { request } = (await socket.next()).json();
    expect(request.address).toBeDefined();
    const body = await socket.next();
    expect(body.binary).toBe(true);
    expect(sha256(body.data)).toBe(sha256(upload));
    // A text frame, then binary + continuation frames; only the last one has FIN set.
    expect(frames.map((f) => [f.opcode, f.fin, f.length])).toEqual([
      [1, true, expect.any(Number)],
      [2, false, 16_384],
      [0, false, 16_384],
      [0, false, 16_384],
      [0, true, 60_000 - 3 * 16_384],
    ]);
    socket.sendJson({ response: { requestId: request.id, statusCode: 204, body: false } });
    expect((await pending).status).toBe(204);
  });

  it('answers for the listener with 502 and a note when its response breaks the rules', async () => {
    const socket = await listener();
    const cases: [string, (id: string) => void][] = [
      ['reserved status', (id) => socket.sendJson({ response: { requestId: id, statusCode: 502, body: false } })],
      [
        'body over 64 kB',
        (id) => {
          socket.sendJson({ response: { requestId: id, statusCode: 200, body: true } });
          socket.sendBinary(pattern(64 * 1024 + 1));
        },
      ],
      [
        'bad header',
        (id) =>
          socket.sendJson({
            response: { requestId: id, statusCode: 200, body: false, responseHeaders: { 'X-A': 'a\r\nInjected: 1' } },
          }),
      ],
    ];
    for (const [name, misbehave] of cases) {
      const before = relay.protocolViolations().length;
      const pending = send(agent, relay.senderUrl('hyco', `/${encodeURIComponent(name)}`));
      const { request } = (await socket.next()).json();
      misbehave(request.id);
      const response = await pending;
      expect(response.status, name).toBe(502);
      expect(response.headers.via, name).toBeUndefined();
      expect(response.headers.injected).toBeUndefined();
      expect(
        relay
          .protocolViolations()
          .slice(before)
          .map((v) => v.requestId),
      ).toContain(request.id);
    }
  });

  it('ignores (and notes) malformed messages and responses for unknown requests; the sender gets 504', async () => {
    const socket = await listener();
    const before = relay.protocolViolations().length;
    const pending = send(agent, relay.senderUrl('hyco', '/x'));
    await socket.next();
    socket.ws.send('not json');
    socket.sendJson({ response: { requestId: 'made-up', statusCode: 200, body: false } });
    socket.sendBinary(Buffer.from('stray'));
    expect((await pending).status).toBe(504);
    const notes = relay
      .protocolViolations()
      .slice(before)
      .map((v) => v.message);
    expect(notes.some((m) => m.includes('not JSON'))).toBe(true);
    expect(notes.some((m) => m.includes('not pending'))).toBe(true);
    expect(notes.some((m) => m.includes('binary frame'))).toBe(true);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('does not accept a response sent on another listener’s control channel', async () => {
    const a = await listener();
    const b = await listener();
    const pending = send(agent, relay.senderUrl('hyco', '/x'));
    const first = await Promise.race([
      a.next().then((m) => ({ got: a, other: b, m })),
      b.next().then((m) => ({ got: b, other: a, m })),
    ]);
    const { request } = first.m.json();
    first.other.sendJson({ response: { requestId: request.id, statusCode: 200, body: false } });
    expect((await pending).status).toBe(504);
  });

  it('answers 502 when the listener goes away before it responds', async () => {
    const socket = await listener();
    const pending = send(agent, relay.senderUrl('hyco', '/x'));
    await socket.next();
    socket.ws.terminate();
    expect((await pending).status).toBe(502);
  });
});

describe('rendezvous', () => {
  it('announces a large request by address only and delivers it over the rendezvous WebSocket', async () => {
    const socket = await listener();
    const upload = pattern(200_000, 9);
    const pending = send(agent, relay.senderUrl('hyco', '/big'), { method: 'POST', body: upload });
    const announce = (await socket.next()).json();
    expect(Object.keys(announce.request).sort()).toEqual(['address', 'id']);
    const rendezvous = await RawSocket.open(announce.request.address, relay.caPem);
    sockets.push(rendezvous);
    const { request } = (await rendezvous.next()).json();
    expect(request).toMatchObject({ id: announce.request.id, method: 'POST', requestTarget: '/hyco/big', body: true });
    expect(request.address).toBeUndefined();
    const body = await rendezvous.next();
    expect(sha256(body.data)).toBe(sha256(upload));
    rendezvous.sendJson({ response: { requestId: request.id, statusCode: 200, body: true } });
    rendezvous.sendBinary(pattern(300_000, 4));
    const response = await pending;
    expect(sha256(response.body)).toBe(sha256(pattern(300_000, 4)));

    // The address was for one connection only.
    expect((await refusal(RawSocket.open(announce.request.address, relay.caPem))).status).toBe(403);
    expect(
      (await refusal(RawSocket.open(announce.request.address.replace(/rendezvous=[^&]+/, 'rendezvous=guess'), relay.caPem)))
        .status,
    ).toBe(403);

    // The same sender connection's next request comes over the rendezvous WebSocket, not the control channel.
    const next = send(agent, relay.senderUrl('hyco', '/second'));
    const second = (await rendezvous.next()).json();
    expect(second.request).toMatchObject({ requestTarget: '/hyco/second', method: 'GET', body: false });
    rendezvous.sendJson({ response: { requestId: second.request.id, statusCode: 200, body: false } });
    expect((await next).status).toBe(200);
  });

  it('lets the listener answer a control-channel request over the request’s rendezvous address', async () => {
    const socket = await listener();
    const pending = send(agent, relay.senderUrl('hyco', '/x'));
    const { request } = (await socket.next()).json();
    const rendezvous = await RawSocket.open(request.address, relay.caPem);
    sockets.push(rendezvous);
    rendezvous.sendJson({ response: { requestId: request.id, statusCode: 200, body: true } });
    rendezvous.sendBinary(pattern(150_000));
    const response = await pending;
    expect(response.body.length).toBe(150_000);
  });

  it('drops the sender’s connection when the listener drops the rendezvous WebSocket', async () => {
    const socket = await listener();
    const pending = send(agent, relay.senderUrl('hyco', '/big'), { method: 'POST', body: pattern(100_000) });
    const announce = (await socket.next()).json();
    const rendezvous = await RawSocket.open(announce.request.address, relay.caPem);
    await rendezvous.next();
    rendezvous.close(1000);
    const outcome = await pending.then(
      (r) => r.status,
      () => 'connection dropped',
    );
    expect([502, 'connection dropped']).toContain(outcome);
  });
});

describe('fault injection', () => {
  afterEach(() => relay.faults.clear());

  it('delayForwarding holds requests back: one sent before any listener is there still reaches the later listener', async () => {
    relay.faults.delayForwarding(400);
    const pending = send(agent, relay.senderUrl('hyco', '/early'));
    const socket = await listener();
    const { request } = (await socket.next()).json();
    expect(request.requestTarget).toBe('/hyco/early');
    socket.sendJson({ response: { requestId: request.id, statusCode: 200, body: false } });
    expect((await pending).status).toBe(200);
    relay.faults.clear();
    // Without the delay, the same situation is a 502.
    socket.ws.terminate();
    await waitFor(() => relay.listeners('hyco').length === 0);
    expect((await send(agent, relay.senderUrl('hyco', '/early'))).status).toBe(502);
  });

  it('refuseRendezvous fails a rendezvous handshake with 500; the address stays good for one successful connection', async () => {
    const socket = await listener();
    const pending = send(agent, relay.senderUrl('hyco', '/big'), { method: 'POST', body: pattern(100_000) });
    const announce = (await socket.next()).json();
    relay.faults.refuseRendezvous(1);
    expect((await refusal(RawSocket.open(announce.request.address, relay.caPem))).status).toBe(500);
    const rendezvous = await RawSocket.open(announce.request.address, relay.caPem);
    sockets.push(rendezvous);
    const { request } = (await rendezvous.next()).json();
    await rendezvous.next();
    rendezvous.sendJson({ response: { requestId: request.id, statusCode: 200, body: false } });
    expect((await pending).status).toBe(200);
  });
});

describe('sender WebSockets (connect and accept)', () => {
  it('sends accept with the sender’s headers, joins both WebSockets and relays messages and close codes', async () => {
    const control = await listener();
    const senderOpen = RawSocket.open(`${relay.senderWebSocketUrl('hyco')}&sb-hc-id=conn-7`, relay.caPem, {
      headers: { 'X-Custom': 'hello', ServiceBusAuthorization: relay.sasToken() },
      protocols: ['scim-test'],
    });
    const { accept } = (await control.next()).json();
    expect(accept.id).toBe('conn-7');
    expect(accept.address).toContain('sb-hc-action=accept');
    expect(accept.connectHeaders['X-Custom']).toBe('hello');
    expect(accept.connectHeaders['Sec-WebSocket-Key']).toBeDefined();
    expect(accept.connectHeaders['Sec-WebSocket-Protocol']).toBe('scim-test');
    expect(accept.connectHeaders.ServiceBusAuthorization).toBeUndefined();
    const listenerSide = await RawSocket.open(accept.address, relay.caPem, { protocols: ['scim-test'] });
    const senderSide = await senderOpen;
    sockets.push(listenerSide, senderSide);
    expect(senderSide.ws.protocol).toBe('scim-test');
    senderSide.ws.send('ping from sender');
    const atListener = await listenerSide.next();
    expect(atListener).toMatchObject({ binary: false });
    expect(atListener.text()).toBe('ping from sender');
    listenerSide.sendBinary(Buffer.from([1, 2, 3]));
    const atSender = await senderSide.next();
    expect(atSender.binary).toBe(true);
    expect([...atSender.data]).toEqual([1, 2, 3]);
    listenerSide.close(4000, 'bye');
    expect(await senderSide.closed).toEqual({ code: 4000, reason: 'bye' });
  });

  it('lets the listener reject: its handshake gets 410, the sender gets the listener’s status', async () => {
    const control = await listener();
    const senderOpen = refusal(RawSocket.open(relay.senderWebSocketUrl('hyco'), relay.caPem));
    const { accept } = (await control.next()).json();
    const listenerSide = await refusal(
      RawSocket.open(
        `${accept.address}&sb-hc-statusCode=403&sb-hc-statusDescription=${encodeURIComponent('Not for you')}`,
        relay.caPem,
      ),
    );
    expect(listenerSide.status).toBe(410);
    const sender = await senderOpen;
    expect(sender.status).toBe(403);
    expect(sender.statusMessage).toBe('Not for you');
  });

  it('refuses a sender WebSocket when no listener is connected, and checks sender tokens when required', async () => {
    expect((await refusal(RawSocket.open(relay.senderWebSocketUrl('hyco'), relay.caPem))).status).toBe(404);
    await listener({ path: 'team/two' });
    expect((await refusal(RawSocket.open(relay.senderWebSocketUrl('team/two'), relay.caPem))).status).toBe(401);
  });

  it('answers the sender with 504 when no listener accepts in time', async () => {
    const quick = await startRelayEmulator({
      connections: [{ path: 'hyco', keys: [ROOT], requiresClientAuthorization: false }],
      rendezvousTimeoutMs: 300,
      tls,
    });
    try {
      const control = await RawSocket.open(quick.listenUrl('hyco'), quick.caPem, {
        headers: { ServiceBusAuthorization: quick.sasToken() },
      });
      const senderOpen = refusal(RawSocket.open(quick.senderWebSocketUrl('hyco'), quick.caPem));
      await control.next();
      expect((await senderOpen).status).toBe(504);
      control.close();
    } finally {
      await quick.close();
    }
  });
});
