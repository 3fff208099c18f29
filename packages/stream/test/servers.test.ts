/**
 * The stream against NATS servers of the test's own (never the shared one): each credential kind,
 * TLS with a custom CA, several servers, and a server restarted in the middle of a run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScimResource } from '@scimgw/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StreamConnection } from '../src/index.js';
import { recordingLog, startNats, type OwnNats, until } from './helpers.js';
import { jwtSetup, nkeySetup, tlsSetup } from './nats-auth.js';
import { countingConnector, names, publisherSide, type Side, settled, subscriberSide, usersOf } from './pair.js';

const servers: OwnNats[] = [];
const sides: Side[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of sides.splice(0)) await s.stream.close();
  for (const s of servers.splice(0)) await s.stop();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function server(config = '', scheme = 'nats'): Promise<OwnNats> {
  const s = await startNats(config, scheme);
  servers.push(s);
  return s;
}

async function pair(url: string, nats: Record<string, unknown>, files = {}) {
  const n = names();
  const pub = await publisherSide(n, { url, nats, files });
  const sub = await subscriberSide(n, { url, nats, files });
  sides.push(pub, sub);
  return { pub, sub };
}

async function roundTrip(pub: Side, sub: Side, userName: string): Promise<void> {
  await until(() => pub.stream.ready(), 'publisher connected');
  const r = await pub.scim.handle({ method: 'POST', url: '/Users', body: { userName } });
  expect(r.status).toBe(201);
  // Well inside the test's own timeout, so a failure shows what the subscriber logged.
  await settled(sub, 1, 15_000).catch((e) => {
    throw new Error(`${(e as Error).message}; subscriber log: ${sub.log.text()}`);
  });
  expect((await usersOf(sub.scim)).has(userName)).toBe(true);
}

describe('credentials', () => {
  it('user and password', async () => {
    const s = await server('authorization { user: svc, password: "Pw-0f-the-test" }');
    const { pub, sub } = await pair(s.url, { user: 'svc', password: 'Pw-0f-the-test' });
    await roundTrip(pub, sub, 'by-password');
    expect(pub.log.text() + sub.log.text()).not.toContain('Pw-0f-the-test');
  });

  it('token', async () => {
    const s = await server('authorization { token: "tok-0f-the-test" }');
    const { pub, sub } = await pair(s.url, { token: 'tok-0f-the-test' });
    await roundTrip(pub, sub, 'by-token');
    expect(pub.log.text() + sub.log.text()).not.toContain('tok-0f-the-test');
  });

  it('nkey seed', async () => {
    const nk = nkeySetup();
    const s = await server(nk.serverConfig);
    const { pub, sub } = await pair(s.url, { secret: nk.seed });
    await roundTrip(pub, sub, 'by-nkey');
    expect(pub.log.text() + sub.log.text()).not.toContain(nk.seed);
  });

  it('user JWT and nkey seed (operator mode), as the older product’s nats.jwt and nats.secret', async () => {
    const j = jwtSetup();
    const s = await server(j.serverConfig);
    const { pub, sub } = await pair(s.url, { jwt: j.userJwt, secret: j.userSeed });
    await roundTrip(pub, sub, 'by-jwt');
    const logs = pub.log.text() + sub.log.text();
    expect(logs).not.toContain(j.userSeed);
    expect(logs).not.toContain(j.userJwt);
  });

  it('wrong credentials: not connected, the reason shown, the secret not', async () => {
    const s = await server('authorization { user: svc, password: "right-one" }');
    const n = names();
    const pub = await publisherSide(n, {
      url: s.url,
      nats: { user: 'svc', password: 'Wr0ng-Secret' },
      publisher: { timeout: 300 },
    });
    sides.push(pub);
    await until(
      () =>
        pub.stream.status().publisher?.[0]?.connected === false &&
        pub.log.lines.some((l) => /authorization/i.test(JSON.stringify(l))),
      'an authorization error',
    );
    expect((await pub.scim.handle({ method: 'POST', url: '/Users', body: { userName: 'x' } })).status).toBe(503);
    expect(pub.log.text()).not.toContain('Wr0ng-Secret');
  });
});

describe('TLS and several servers', () => {
  it('TLS with a custom CA; without the CA the server is not trusted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-tls-'));
    dirs.push(dir);
    const tls = tlsSetup(dir);
    const s = await server(tls.serverConfig, 'tls');
    const { pub, sub } = await pair(s.url, {}, { tls: { ca: tls.ca } });
    await roundTrip(pub, sub, 'over-tls');

    const untrusted = await publisherSide(names(), { url: s.url, publisher: { timeout: 300 } });
    sides.push(untrusted);
    await until(() => untrusted.log.lines.some((l) => l.msg.includes('cannot connect')), 'a TLS failure');
    expect(untrusted.stream.ready()).toBe(false);
  });

  it('several servers: a dead one first, a live one next', async () => {
    const s = await server();
    const n = names();
    const url = ['nats://127.0.0.1:1', s.url];
    const pub = await publisherSide(n, { extra: { baseUrls: url } });
    const sub = await subscriberSide(n, { extra: { baseUrls: url } });
    sides.push(pub, sub);
    await roundTrip(pub, sub, 'second-server');
  });
});

describe('setup after connecting', () => {
  it('a listener that fails is tried again while the connection stays up, and not after close', async () => {
    const s = await server();
    const log = recordingLog();
    const conn = new StreamConnection({ servers: [s.url], credentials: {}, name: 'flaky-setup' }, log);
    let calls = 0;
    conn.onConnect(async (nc) => {
      calls++;
      // Something the server really answers, failing the first two times as JetStream does
      // right after a start.
      await nc.flush();
      if (calls <= 2) throw new Error(`JetStream not ready (${calls})`);
    });
    conn.start();
    await until(() => calls === 3, 'a third attempt');
    const warnings = log.lines.filter((l) => l.msg.includes('setup after connecting failed'));
    expect(warnings.map((w) => w.data?.retryInMs)).toEqual([250, 500]);
    await new Promise((r) => setTimeout(r, 700));
    expect(calls).toBe(3);

    let again = 0;
    conn.onConnect(() => {
      again++;
      throw new Error('never ready');
    });
    await until(() => again === 1, 'the new listener run at once');
    await conn.close();
    await new Promise((r) => setTimeout(r, 600));
    expect(again).toBe(1);
  });
});

describe('a NATS restart in the middle of a run', () => {
  it('loses nothing and applies nothing twice', async () => {
    const s = await server();
    const n = names();
    const counter = countingConnector();
    const pub = await publisherSide(n, { url: s.url, publisher: { timeout: 20_000 } });
    const sub = await subscriberSide(n, { url: s.url, wrapConnector: counter.wrap });
    sides.push(pub, sub);
    await until(() => pub.stream.ready(), 'publisher connected');
    const total = 300;
    const ids: string[] = [];
    let restarted: Promise<void> | undefined;
    for (let i = 0; i < total; i++) {
      if (i === 100) restarted = s.restart(500);
      const r = await pub.scim.handle({ method: 'POST', url: '/Users', body: { userName: `r${i}` } });
      expect(r.status).toBe(201);
      ids.push((r.body as ScimResource).id as string);
      if (i === 200) await restarted;
    }
    await settled(sub, total, 60_000);
    // A message delivered again after the restart counts as settled (a duplicate) before one whose
    // redelivery is still waiting for its ack deadline is applied: wait for every user, not for a
    // count. One never applied makes this time out.
    await until(() => counter.writes.size >= total, `all ${total} users written`, 60_000);
    const users = await usersOf(sub.scim);
    expect(users.size).toBe(total);
    expect([...counter.writes.values()].every((c) => c === 1)).toBe(true);
    expect(counter.writes.size).toBe(total);
    expect(pub.stream.status().publisher?.[0]).toMatchObject({ published: total, failed: 0 });
    expect(pub.log.lines.some((l) => l.msg.includes('reconnected') || l.msg.includes('connected to NATS'))).toBe(true);
    expect(sub.log.lines.some((l) => l.msg.includes('disconnected'))).toBe(true);
  });
});
