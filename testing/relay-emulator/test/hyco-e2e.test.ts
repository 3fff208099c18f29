import { Readable } from 'node:stream';
import { type Agent, Client } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RelayEmulator, startRelayEmulator, trustEmulatorCa } from '../src/index.js';
import { type Handler, listening, startHycoListener, type TestListener } from './helpers/hyco.js';
import { pattern, readBody, ROOT, send, sha256, trustingAgent, waitFor } from './helpers/relay.js';

/** A small HTTP handler served through hyco-https: echo, bytes, streamed bytes, status, JSON. */
const app: Handler = (req, res) => {
  void readBody(req).then((body) => {
    const url = new URL(req.url ?? '/', 'http://listener');
    const parts = url.pathname.split('/').filter(Boolean);
    const route = parts[1] ?? '';
    if (route === 'bytes') {
      const size = Number(parts[2]);
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('X-Sha256', sha256(pattern(size)));
      res.end(pattern(size));
      return;
    }
    if (route === 'stream') {
      const chunks = Number(parts[2]);
      const size = Number(parts[3]);
      res.setHeader('Content-Type', 'application/octet-stream');
      let sent = 0;
      const next = () => {
        if (sent === chunks - 1) {
          res.end(pattern(size, sent));
          return;
        }
        res.write(pattern(size, sent));
        sent += 1;
        setImmediate(next);
      };
      next();
      return;
    }
    if (route === 'status') {
      res.statusCode = Number(parts[2]);
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Listener', 'app');
    const json = req.headers['content-type']?.includes('json') && body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
    res.end(
      JSON.stringify({
        method: req.method,
        url: req.url,
        headers: req.headers,
        bodyLength: body.length,
        bodySha256: sha256(body),
        json,
      }),
    );
  });
};

let relay: RelayEmulator;
let untrust: () => void;
let agent: Agent;
const listeners: TestListener[] = [];

async function listen(handler: Handler = app, options?: Parameters<typeof listening>[4]): Promise<TestListener> {
  const listener = await listening(relay.listenUrl('hyco'), ROOT.name, ROOT.key, handler, options);
  listeners.push(listener);
  return listener;
}

function closeListeners(): void {
  for (const listener of listeners.splice(0)) listener.close();
}

beforeAll(async () => {
  relay = await startRelayEmulator({
    connections: [
      { path: 'hyco', keys: [ROOT], requiresClientAuthorization: false },
      { path: 'secured', keys: [ROOT] },
    ],
    requestTimeoutMs: 2_500,
  });
  untrust = trustEmulatorCa(relay);
  agent = trustingAgent(relay);
});

afterAll(async () => {
  closeListeners();
  await agent.close();
  untrust();
  await relay.close();
});

describe('hyco-https createRelayedServer through the emulator', () => {
  // A fresh connection pool per test: a sender connection keeps its rendezvous WebSocket (and so
  // the listener behind it) for as long as it lasts, exactly as the service documents.
  beforeEach(() => {
    agent = trustingAgent(relay);
  });
  afterEach(async () => {
    await agent.close();
    agent = trustingAgent(relay);
    closeListeners();
    relay.faults.clear();
    await waitFor(() => relay.listeners('hyco').length === 0, 10_000, 'listeners to leave');
  });

  it('relays a GET and its JSON answer, with the request target, headers and Via as documented', async () => {
    await listen();
    const response = await send(agent, relay.senderUrl('hyco', '/Users?filter=userName%20eq%20%22bjensen%22&sb-hc-id=trace1'), {
      headers: { Accept: 'application/scim+json', 'X-Custom': 'one' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-listener']).toBe('app');
    expect(response.headers.via).toBe(`1.1 ${relay.namespace}`);
    const echoed = response.json();
    expect(echoed.method).toBe('GET');
    expect(echoed.url).toBe('/hyco/Users?filter=userName%20eq%20%22bjensen%22');
    expect(echoed.headers.accept).toBe('application/scim+json');
    expect(echoed.headers['x-custom']).toBe('one');
    expect(echoed.headers.via).toBe(`1.1 ${relay.namespace}`);
    expect(echoed.headers.host).toBeUndefined();
    expect(echoed.headers.connection).toBeUndefined();
    expect(echoed.bodyLength).toBe(0);
  });

  it('relays a POST with a JSON body and the listener status', async () => {
    await listen();
    const user = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'bjensen',
      emails: [{ value: 'b@example.com' }],
    };
    const response = await send(agent, relay.senderUrl('hyco', '/Users'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/scim+json' },
      body: JSON.stringify(user),
    });
    expect(response.status).toBe(200);
    const echoed = response.json();
    expect(echoed.method).toBe('POST');
    expect(echoed.json).toEqual(user);
    expect(echoed.headers['content-length']).toBeUndefined();
    const created = await send(agent, relay.senderUrl('hyco', '/status/201'), { method: 'POST', body: '{}' });
    expect(created.status).toBe(201);
  });

  it('carries a 1 MB request body and a 1 MB response body over rendezvous WebSockets', async () => {
    await listen();
    const upload = pattern(1024 * 1024, 3);
    const posted = await send(agent, relay.senderUrl('hyco', '/upload'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: upload,
    });
    expect(posted.status).toBe(200);
    expect(posted.json()).toMatchObject({ bodyLength: upload.length, bodySha256: sha256(upload) });

    const fresh = trustingAgent(relay);
    try {
      const download = await send(fresh, relay.senderUrl('hyco', `/bytes/${1024 * 1024}`));
      expect(download.status).toBe(200);
      expect(download.body.length).toBe(1024 * 1024);
      expect(sha256(download.body)).toBe(download.headers['x-sha256']);
    } finally {
      await fresh.close();
    }
  });

  it('relays bodies of exactly 64 kB on the control channel and one byte more over rendezvous', async () => {
    await listen();
    for (const size of [64 * 1024, 64 * 1024 + 1]) {
      const client = trustingAgent(relay);
      try {
        const response = await send(client, relay.senderUrl('hyco', `/bytes/${size}`));
        expect(response.body.length).toBe(size);
        expect(sha256(response.body)).toBe(response.headers['x-sha256']);
      } finally {
        await client.close();
      }
    }
  });

  it('relays chunked (streamed) request bodies, small and large, and streamed responses', async () => {
    await listen();
    const parts = [pattern(1000, 1), pattern(2000, 2), pattern(3000, 3)];
    const small = await send(agent, relay.senderUrl('hyco', '/chunked'), { method: 'POST', body: Readable.from(parts) });
    expect(small.json()).toMatchObject({ bodyLength: 6000, bodySha256: sha256(Buffer.concat(parts)) });

    const bigParts = Array.from({ length: 20 }, (_, i) => pattern(10_000, i));
    const client = trustingAgent(relay);
    try {
      const big = await send(client, relay.senderUrl('hyco', '/chunked-big'), { method: 'PUT', body: Readable.from(bigParts) });
      expect(big.json()).toMatchObject({ method: 'PUT', bodyLength: 200_000, bodySha256: sha256(Buffer.concat(bigParts)) });
    } finally {
      await client.close();
    }

    const streamed = await send(agent, relay.senderUrl('hyco', '/stream/5/1000'));
    expect(streamed.body).toEqual(Buffer.concat(Array.from({ length: 5 }, (_, i) => pattern(1000, i))));
    const fresh = trustingAgent(relay);
    try {
      const streamedBig = await send(fresh, relay.senderUrl('hyco', '/stream/8/20000'));
      expect(streamedBig.body).toEqual(Buffer.concat(Array.from({ length: 8 }, (_, i) => pattern(20_000, i))));
    } finally {
      await fresh.close();
    }
  });

  it('answers many parallel requests, each with its own answer', async () => {
    await listen();
    const pool = trustingAgent(relay, { connections: 16 });
    try {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          send(pool, relay.senderUrl('hyco', `/Users/${i}`), {
            method: i % 2 === 0 ? 'GET' : 'POST',
            headers: { 'Content-Type': 'application/json' },
            ...(i % 2 === 0 ? {} : { body: JSON.stringify({ i }) }),
          }),
        ),
      );
      results.forEach((response, i) => {
        expect(response.status).toBe(200);
        const echoed = response.json();
        expect(echoed.url).toBe(`/hyco/Users/${i}`);
        if (i % 2 === 1) expect(echoed.json).toEqual({ i });
      });
    } finally {
      await pool.close();
    }
  });

  it('balances requests across several listeners', async () => {
    const seen: string[] = [];
    const named =
      (name: string): Handler =>
      (_req, res) => {
        seen.push(name);
        res.end(name);
      };
    await listen(named('a'));
    await listen(named('b'));
    await listen(named('c'));
    expect(relay.listeners('hyco')).toHaveLength(3);
    for (let i = 0; i < 60; i++) await send(agent, relay.senderUrl('hyco', `/n${i}`));
    expect(new Set(seen)).toEqual(new Set(['a', 'b', 'c']));
    expect(relay.listeners('hyco').reduce((sum, l) => sum + l.requestsRouted, 0)).toBe(60);
  });

  it('answers 502 from the service itself (no Via) when no listener is connected', async () => {
    const response = await send(agent, relay.senderUrl('hyco', '/Users'));
    expect(response.status).toBe(502);
    expect(response.headers.via).toBeUndefined();
    expect(response.text()).toContain('TrackingId:');
  });

  it('answers 404 for a path that is no Hybrid Connection', async () => {
    const response = await send(agent, relay.senderUrl('nothere', '/x'));
    expect(response.status).toBe(404);
  });

  it('routes a sender’s next request over the rendezvous socket of a large response (hyco-https needs help there)', async () => {
    // One connection, so the second request travels on the connection that got the large response.
    await listen();
    const single = new Client(`https://${relay.address}`, { connect: { ca: relay.caPem } });
    try {
      const big = await send(single, relay.senderUrl('hyco', '/bytes/100000'));
      expect(big.body.length).toBe(100_000);
      const next = await send(single, relay.senderUrl('hyco', '/after'));
      // hyco-https 1.4.5 never reads requests from a rendezvous socket it opened for a response.
      expect(next.status).toBe(504);
    } finally {
      await single.close();
    }
    closeListeners();
    await waitFor(() => relay.listeners('hyco').length === 0);
    await listen(app, { answerOnResponseRendezvous: true });
    const fixed = new Client(`https://${relay.address}`, { connect: { ca: relay.caPem } });
    try {
      expect((await send(fixed, relay.senderUrl('hyco', '/bytes/100000'))).body.length).toBe(100_000);
      const next = await send(fixed, relay.senderUrl('hyco', '/after'));
      expect(next.status).toBe(200);
      expect(next.json().url).toBe('/hyco/after');
    } finally {
      await fixed.close();
    }
  });

  it('notes the stray empty frame hyco-https sends after a bodiless response, and still answers', async () => {
    await listen();
    const before = relay.protocolViolations().length;
    const head = await send(agent, relay.senderUrl('hyco', '/Users'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    const noContent = await send(agent, relay.senderUrl('hyco', '/status/204'), { method: 'DELETE' });
    expect(noContent.status).toBe(204);
    const notes = relay.protocolViolations().slice(before);
    expect(notes.some((v) => v.message.includes('empty binary frame'))).toBe(true);
  });

  it('strips RFC 7230 headers a listener sets and notes it (hyco-https itself drops Content-Length)', async () => {
    await listen((_req, res) => {
      res.setHeader('Transfer-Encoding', 'chunked');
      res.setHeader('Trailer', 'X-Checksum');
      res.setHeader('Content-Type', 'text/plain');
      res.end('ok');
    });
    const before = relay.protocolViolations().length;
    const response = await send(agent, relay.senderUrl('hyco', '/x'));
    expect(response.status).toBe(200);
    expect(response.text()).toBe('ok');
    expect(response.headers.trailer).toBeUndefined();
    const notes = relay.protocolViolations().slice(before);
    expect(notes.some((v) => /transfer-encoding/i.test(v.message) && /trailer/i.test(v.message))).toBe(true);
  });
});

describe('listener authorization', () => {
  afterEach(() => closeListeners());

  it('refuses a listener with a wrong key: HTTP 401 on the upgrade, nothing registered', async () => {
    const listener = startHycoListener(relay.listenUrl('hyco'), ROOT.name, 'd3Jvbmcta2V5', app);
    listeners.push(listener);
    expect(await listener.nextError()).toContain('401');
    expect(relay.listeners('hyco')).toHaveLength(0);
  });

  it('refuses a listener whose token has expired: HTTP 401', async () => {
    const listener = startHycoListener(relay.listenUrl('hyco'), ROOT.name, ROOT.key, app, {
      tokenSeconds: -60,
    });
    listeners.push(listener);
    expect(await listener.nextError()).toContain('401');
    expect(relay.listeners('hyco')).toHaveLength(0);
  });
});

describe('sender authorization (requiresClientAuthorization)', () => {
  let listener: TestListener;
  beforeAll(async () => {
    listener = await listening(relay.listenUrl('secured'), ROOT.name, ROOT.key, app);
  });
  afterAll(() => listener.close());

  it('refuses a request without a token with 401 and no Via', async () => {
    const response = await send(agent, relay.senderUrl('secured', '/Users'));
    expect(response.status).toBe(401);
    expect(response.headers.via).toBeUndefined();
  });

  it('accepts the token in sb-hc-token, ServiceBusAuthorization or Authorization, and forwards none of them', async () => {
    const token = relay.sasToken({ path: 'secured' });
    const viaQuery = await send(agent, relay.senderUrl('secured', `/Users?sb-hc-token=${encodeURIComponent(token)}&a=1`));
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.json().url).toBe('/secured/Users?a=1');
    const viaHeader = await send(agent, relay.senderUrl('secured', '/Users'), { headers: { ServiceBusAuthorization: token } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.json().headers.servicebusauthorization).toBeUndefined();
    const viaAuthorization = await send(agent, relay.senderUrl('secured', '/Users'), { headers: { Authorization: token } });
    expect(viaAuthorization.status).toBe(200);
    expect(viaAuthorization.json().headers.authorization).toBeUndefined();
  });

  it('passes Authorization through to the listener when the relay token came another way', async () => {
    const token = relay.sasToken({ path: 'secured' });
    const response = await send(agent, relay.senderUrl('secured', '/Users'), {
      headers: { ServiceBusAuthorization: token, Authorization: 'Bearer scim-client-token' },
    });
    expect(response.status).toBe(200);
    expect(response.json().headers.authorization).toBe('Bearer scim-client-token');
  });

  it('refuses wrong, expired and foreign tokens', async () => {
    const wrong = relay.sasToken({ path: 'secured', key: 'bm90LXRoZS1rZXk=' });
    expect((await send(agent, relay.senderUrl('secured', '/x'), { headers: { ServiceBusAuthorization: wrong } })).status).toBe(
      401,
    );
    const expired = relay.sasToken({ path: 'secured', expiresInSeconds: -5 });
    expect((await send(agent, relay.senderUrl('secured', '/x'), { headers: { ServiceBusAuthorization: expired } })).status).toBe(
      401,
    );
    const otherEntity = relay.sasToken({ path: 'secured', resource: `http://${relay.namespace}/hyco` });
    expect(
      (await send(agent, relay.senderUrl('secured', '/x'), { headers: { ServiceBusAuthorization: otherEntity } })).status,
    ).toBe(403);
  });
});

describe('service restarts and dropped control channels', () => {
  afterEach(() => closeListeners());

  it('hyco-https reconnects after the emulator restarts on the same port, and requests recover', async () => {
    await listen();
    expect((await send(agent, relay.senderUrl('hyco', '/before'))).status).toBe(200);
    const port = relay.port;
    await relay.stop();
    const during = await send(agent, relay.senderUrl('hyco', '/during')).then(
      (r) => r.status,
      (error: Error) => error.message,
    );
    expect(during).not.toBe(200);
    await relay.restart();
    expect(relay.port).toBe(port);
    await waitFor(() => relay.listeners('hyco').length === 1, 30_000, 'hyco-https to reconnect');
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => send(agent, relay.senderUrl('hyco', `/after/${i}`))));
    expect(after.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('keeps answering while the service drops control channels (1011) and hyco-https reconnects', async () => {
    await listen();
    expect(relay.dropListeners({ path: 'hyco' })).toBe(1);
    await waitFor(() => relay.listeners('hyco').length === 1, 20_000, 'reconnection');
    expect((await send(agent, relay.senderUrl('hyco', '/x'))).status).toBe(200);
    relay.dropListeners({ path: 'hyco', mode: 'terminate' });
    await waitFor(() => relay.listeners('hyco').length === 1, 20_000, 'reconnection after terminate');
    expect((await send(agent, relay.senderUrl('hyco', '/y'))).status).toBe(200);
  });

  it('fault injection: refused registrations are retried, swallowed responses become 504', async () => {
    relay.faults.refuseListeners(1, 500);
    const listener = startHycoListener(relay.listenUrl('hyco'), ROOT.name, ROOT.key, app);
    listeners.push(listener);
    expect(await listener.nextError()).toContain('500');
    await listener.nextListening();
    relay.faults.swallowResponses(1);
    expect((await send(agent, relay.senderUrl('hyco', '/lost'))).status).toBe(504);
    expect((await send(agent, relay.senderUrl('hyco', '/kept'))).status).toBe(200);
    relay.faults.clear();
  });
});
