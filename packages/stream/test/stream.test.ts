/**
 * Publisher and subscriber against the real NATS JetStream server (the shared one at
 * 127.0.0.1:4222), each test with a stream, subject and consumer of its own, deleted afterwards.
 */
import { generateKeyPairSync } from 'node:crypto';
import { errors, type ScimResource } from '@scimgw/core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createScimHandler } from '@scimgw/core/handler';
import {
  consumerName,
  deadLetterSubject,
  GatewayStream,
  natsName,
  RecordStore,
  type ResourceRecord,
  ScimTarget,
  StreamConnection,
  Subscription,
  decodeMessage,
  encodeMessage,
  idToken,
  MESSAGE_FORMAT,
  privateKeyFromPem,
  publicKeyFromPem,
  type StreamMessage,
} from '../src/index.js';
import { lokiHandler, NATS_URL, recordingLog, until } from './helpers.js';
import {
  cleanUp,
  comparableUsers,
  countingConnector,
  groupsOf,
  names,
  publisherSide,
  type Side,
  settled,
  streamConfig,
  subscriberSide,
  usersOf,
} from './pair.js';

const open: Side[] = [];
const made: { stream: string; durables: string[] }[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) await s.stream.close();
  for (const m of made.splice(0)) await cleanUp(m, m.durables);
});

function track<T extends Side>(s: T): T {
  open.push(s);
  return s;
}

function fresh(durables = ['gw-sub']) {
  const n = names();
  made.push({ stream: n.stream, durables });
  return n;
}

async function post(side: Side, path: string, body: unknown): Promise<ScimResource> {
  const r = await side.scim.handle({ method: 'POST', url: path, body });
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as ScimResource;
}

async function patch(side: Side, path: string, ops: unknown[]): Promise<void> {
  const r = await side.scim.handle({ method: 'PATCH', url: path, body: { Operations: ops } });
  if (r.status >= 300) throw new Error(`PATCH ${path}: ${r.status} ${JSON.stringify(r.body)}`);
}

async function rawPublish(subject: string, data: Uint8Array, id: string, type = 'application/json') {
  const nc = await connect({ servers: NATS_URL });
  try {
    const h = natsHeaders();
    h.set('Content-Type', type);
    await jetstream(nc).publish(subject, data, { msgID: id, headers: h });
  } finally {
    await nc.close();
  }
}

describe('SCIM Stream over JetStream', () => {
  it('a subscriber ends up with what the publisher’s clients wrote: users, groups, members, changes, deletes', async () => {
    const n = fresh();
    const pub = track(await publisherSide(n));
    const sub = track(await subscriberSide(n));
    await until(() => pub.stream.ready(), 'publisher connected');

    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(
        (
          await post(pub, '/Users', {
            userName: `user${i}`,
            name: { givenName: `G${i}` },
            emails: [{ value: `u${i}@example.com` }],
          })
        ).id as string,
      );
    const admins = await post(pub, '/Groups', { displayName: 'Admins', members: ids.slice(0, 5).map((value) => ({ value })) });
    const staff = await post(pub, '/Groups', { displayName: 'Staff' });
    for (const id of ids.slice(5, 15))
      await patch(pub, `/Groups/${staff.id}`, [{ op: 'add', path: 'members', value: [{ value: id }] }]);
    await patch(pub, `/Groups/${admins.id}`, [{ op: 'remove', path: `members[value eq "${ids[0]}"]` }]);
    for (const id of ids.slice(0, 10)) await patch(pub, `/Users/${id}`, [{ op: 'replace', path: 'title', value: 'Engineer' }]);
    await pub.scim.handle({ method: 'PUT', url: `/Users/${ids[19]}`, body: { userName: 'user19', displayName: 'Nineteen' } });
    for (const id of ids.slice(16, 18))
      expect((await pub.scim.handle({ method: 'DELETE', url: `/Users/${id}` })).status).toBe(204);
    const total = 20 + 2 + 10 + 1 + 10 + 1 + 2;

    await settled(sub, total);
    expect(await comparableUsers(sub.scim)).toEqual(await comparableUsers(pub.raw));
    expect(await groupsOf(sub.scim)).toEqual(await groupsOf(pub.raw));
    const status = (await sub.stream.refreshedStatus()).subscriber?.[0];
    expect(status).toMatchObject({ applied: total, parked: 0, lag: 0, connected: true });
    expect(pub.stream.status().publisher?.[0]).toMatchObject({ published: total, failed: 0, connected: true });
  });

  it('messages are format v1 JSON with the message id as Nats-Msg-Id; JetStream keeps one copy of a resend', async () => {
    const n = fresh([]);
    const pub = track(await publisherSide(n));
    await until(() => pub.stream.ready(), 'publisher connected');
    const u = await post(pub, '/Users', { userName: 'bjensen', password: 'not-in-the-stream' });
    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const stored = await jsm.streams.getMessage(n.stream, { last_by_subj: `${n.subject}.User.${idToken(u.id as string)}` });
      const m = decodeMessage(stored!.data);
      expect(m).toMatchObject({
        format: MESSAGE_FORMAT,
        operation: 'create',
        resourceType: 'User',
        resourceId: u.id,
        tenant: null,
        source: 'gw-pub',
      });
      expect(stored!.header.get('Nats-Msg-Id')).toBe(m.id);
      expect(new TextDecoder().decode(stored!.data)).not.toContain('not-in-the-stream');
      const again = await jetstream(nc).publish(stored!.subject, stored!.data, { msgID: m.id });
      expect(again.duplicate).toBe(true);
      expect((await jsm.streams.info(n.stream)).state.messages).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it('a poison message is parked with its reason while the rest flow; a failing write is retried, then applied', async () => {
    const n = fresh();
    const counter = countingConnector(2);
    const pub = track(await publisherSide(n));
    const sub = track(await subscriberSide(n, { wrapConnector: counter.wrap }));
    await until(() => pub.stream.ready(), 'publisher connected');

    await rawPublish(`${n.subject}.User.${idToken('garbage')}`, new TextEncoder().encode('{"not":"a message"'), 'poison-1');
    const refused: StreamMessage = {
      format: MESSAGE_FORMAT,
      id: 'refused-1',
      time: new Date().toISOString(),
      source: 'test',
      tenant: null,
      resourceType: 'User',
      resourceId: 'bad',
      operation: 'create',
      data: { resource: { userName: 'bad', active: 'perhaps' } },
    };
    await rawPublish(`${n.subject}.User.${idToken('bad')}`, encodeMessage(refused), refused.id);
    await post(pub, '/Users', { userName: 'flaky-one' });
    for (let i = 0; i < 10; i++) await post(pub, '/Users', { userName: `fine${i}` });

    await settled(sub, 13);
    const s = sub.stream.status().subscriber?.[0];
    expect(s).toMatchObject({ parked: 2, applied: 11 });
    expect(s?.retries).toBeGreaterThanOrEqual(2);
    expect([...(await usersOf(sub.scim)).keys()].sort()).toEqual([
      'fine0',
      'fine1',
      'fine2',
      'fine3',
      'fine4',
      'fine5',
      'fine6',
      'fine7',
      'fine8',
      'fine9',
      'flaky-one',
    ]);
    expect(counter.failed.get('flaky-one')).toBe(2);
    expect(counter.writes.get('User:flaky-one')).toBe(1);

    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const dlq = deadLetterSubject(n.subject, 'gw-sub-default');
      const first = await jsm.streams.getMessage(n.stream, { seq: 1, next_by_subj: dlq } as never);
      const second = await jsm.streams.getMessage(n.stream, { seq: (first?.seq ?? 0) + 1, next_by_subj: dlq } as never);
      const reasons = [first, second].map((m) => m?.header.get('Scimgw-Dead-Reason'));
      expect(reasons[0]).toMatch(/not JSON/);
      expect(reasons[1]).toMatch(/400/);
      expect(second?.header.get('Scimgw-Original-Subject')).toBe(`${n.subject}.User.${idToken('bad')}`);
      expect(new TextDecoder().decode(second?.data)).toContain('perhaps');
    } finally {
      await nc.close();
    }
    expect(sub.log.lines.filter((l) => l.msg.includes('parked')).length).toBe(2);
  });

  it('a resource whose writes keep failing waits alone: the others are applied meanwhile, its own later messages after it', async () => {
    const n = fresh();
    let open = false;
    const gated = (c: Parameters<ReturnType<typeof countingConnector>['wrap']>[0]) => {
      const user = c.resources.User!;
      const create = user.create!.bind(user);
      const modify = user.modify!.bind(user);
      const order: string[] = [];
      const wrapped = {
        ...c,
        resources: {
          ...c.resources,
          User: {
            ...user,
            create: async (r: ScimResource, ctx: object) => {
              if (r.userName === 'blocked' && !open) throw new errors.ServiceUnavailableError('target busy', 1);
              order.push(`create ${r.userName}`);
              return create(r, ctx);
            },
            modify: async (id: string, changes: never, ctx: object) => {
              order.push(`modify ${id}`);
              return modify(id, changes, ctx);
            },
          },
        },
      } as typeof c;
      return Object.assign(wrapped, { order });
    };
    let sideConnector: ReturnType<typeof gated> | undefined;
    const pub = track(await publisherSide(n));
    const sub = track(
      await subscriberSide(n, {
        wrapConnector: (c) => (sideConnector = gated(c)),
        subscriber: { maxAttempts: 1000, retryDelay: 10, maxRetryDelay: 50 },
      }),
    );
    await until(() => pub.stream.ready(), 'publisher connected');
    const blocked = await post(pub, '/Users', { userName: 'blocked' });
    await patch(pub, `/Users/${blocked.id}`, [{ op: 'replace', path: 'title', value: 'after the create' }]);
    for (let i = 0; i < 10; i++) await post(pub, '/Users', { userName: `free${i}` });
    await until(async () => (await usersOf(sub.scim)).size === 10, 'the ten others applied while one is retried');
    expect((await usersOf(sub.scim)).has('blocked')).toBe(false);
    expect(sub.stream.status().subscriber?.[0]?.retries).toBeGreaterThan(0);
    open = true;
    await settled(sub, 12);
    expect((await usersOf(sub.scim)).get('blocked')?.title).toBe('after the create');
    const order = sideConnector?.order ?? [];
    // Its change came after its create, though both waited.
    expect(order.indexOf('create blocked')).toBeLessThan(order.findIndex((o) => o.startsWith('modify')));
    expect(sub.stream.status().subscriber?.[0]?.parked).toBe(0);
  });

  it('keeps the order of each resource’s messages while resources run in parallel', async () => {
    const n = fresh();
    const pub = track(await publisherSide(n));
    const sub = track(await subscriberSide(n, { subscriber: { concurrency: 8 } }));
    await until(() => pub.stream.ready(), 'publisher connected');
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => post(pub, '/Users', { userName: `o${i}` })));
    const writes: Promise<void>[] = [];
    for (let step = 0; step < 25; step++)
      for (const u of users)
        writes.push(
          patch(pub, `/Users/${u.id}`, [
            { op: 'replace', path: 'title', value: `step-${step}` },
            { op: 'add', path: 'emails', value: [{ value: `s${step}@example.com` }] },
          ]),
        );
    await Promise.all(writes);
    await settled(sub, 8 + 8 * 25);
    expect(await comparableUsers(sub.scim)).toEqual(await comparableUsers(pub.raw));
  });

  it('a message JetStream redelivers while it is still being applied, or again after it was, changes nothing twice', async () => {
    const n = fresh();
    const counter = countingConnector();
    const slow = (c: Parameters<typeof counter.wrap>[0]) => {
      const wrapped = counter.wrap(c);
      const user = wrapped.resources.User!;
      const create = user.create!.bind(user);
      // Slower than ackWait (1 s): JetStream redelivers while the write is running.
      return {
        ...wrapped,
        resources: {
          ...wrapped.resources,
          User: {
            ...user,
            create: async (r: ScimResource, ctx: object) => {
              await new Promise((res) => setTimeout(res, 1500));
              return create(r, ctx);
            },
          },
        },
      } as typeof wrapped;
    };
    const pub = track(await publisherSide(n));
    const sub = track(await subscriberSide(n, { wrapConnector: slow, subscriber: { ackWait: 1 } }));
    await until(() => pub.stream.ready(), 'publisher connected');
    for (let i = 0; i < 3; i++) await post(pub, '/Users', { userName: `slow${i}` });
    await settled(sub, 3);
    await new Promise((r) => setTimeout(r, 1500));
    expect([...counter.writes.values()]).toEqual([1, 1, 1]);
    expect(sub.stream.status().subscriber?.[0]?.redelivered).toBeGreaterThan(0);
    await sub.stream.close();
    open.splice(open.indexOf(sub), 1);

    // The consumer is deleted and made again: every message comes again, and is recognized.
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).consumers.delete(n.stream, 'gw-sub-default');
    await nc.close();
    const again = track(await subscriberSide(n, { wrapConnector: counter.wrap }));
    await settled(again, 3);
    expect(again.stream.status().subscriber?.[0]).toMatchObject({ duplicates: 3, applied: 0 });
    expect([...counter.writes.values()]).toEqual([1, 1, 1]);
  });

  it('a message written by a subscriber that died before recording it is not written again by the next one', async () => {
    const n = fresh();
    const pub = track(await publisherSide(n));
    await until(() => pub.stream.ready(), 'publisher connected');
    for (let i = 0; i < 3; i++) await post(pub, '/Users', { userName: `w${i}` });

    // One store, two subscriber lives. The first dies (its record writes hang) right after the
    // connector wrote the third user.
    const counter = countingConnector();
    const loki = await lokiHandler();
    const connector = counter.wrap(loki.connector);
    const scim = createScimHandler({ connector, registry: connector.registry });
    class DyingRecords extends RecordStore {
      override async put(key: string, rec: ResourceRecord): Promise<void> {
        if (counter.writes.size >= 3) return new Promise(() => {});
        return super.put(key, rec);
      }
    }
    const log = recordingLog();
    const conn = new StreamConnection({ servers: [NATS_URL], credentials: {}, name: 'dying' }, log);
    const dying = new Subscription({
      tenantKey: 'undefined',
      stream: n.stream,
      subject: n.subject,
      consumer: consumerName('gw-sub', 'undefined'),
      connection: conn,
      records: new DyingRecords(natsName(`scimgw-${n.stream}-${consumerName('gw-sub', 'undefined')}`), 1),
      target: new ScimTarget(scim, undefined, log),
      apply: {
        deleteUserOnLastGroupRoleRemoval: false,
        skipConvertRolesToGroups: true,
        generateUserPassword: false,
        modifyOnly: false,
        replaceDomains: [],
      },
      settings: { retentionDays: 1, replicas: 1 },
      tuning: {
        deliverPolicy: 'all',
        maxAttempts: 3,
        retryDelay: 10,
        maxRetryDelay: 50,
        concurrency: 1,
        maxAckPending: 100,
        ackWait: 2,
        lagLogInterval: 0,
      },
      log,
    });
    dying.start();
    conn.start();
    await until(() => counter.writes.size === 3, 'three users written');
    await dying.stop(100);
    await conn.close();

    const nextLog = recordingLog();
    const next = new GatewayStream({
      config: streamConfig({
        baseUrls: [NATS_URL],
        subscriber: {
          enabled: true,
          durable: 'gw-sub',
          ackWait: 2,
          lagLogInterval: 0,
          entity: { undefined: { nats: { tenant: n.stream, subject: n.subject }, skipConvertRolesToGroups: true } },
        },
      }),
      name: 'gw-sub',
      files: {},
      log: nextLog,
    });
    next.start(scim);
    open.push({ stream: next, log: nextLog } as unknown as Side);
    // The first two were recorded and acknowledged; the third comes again, and is found applied.
    await until(() => next.status().subscriber?.[0]?.applied === 1, 'the next subscriber settled the third');
    expect([...counter.writes.entries()].sort()).toEqual([
      ['User:w0', 1],
      ['User:w1', 1],
      ['User:w2', 1],
    ]);
    expect(nextLog.text()).toMatch(/already applied/);
  });

  it('an offline subscriber catches up from where it stopped, and its lag shows meanwhile', async () => {
    const n = fresh();
    const pub = track(await publisherSide(n));
    const first = await subscriberSide(n);
    await until(() => pub.stream.ready(), 'publisher connected');
    for (let i = 0; i < 5; i++) await post(pub, '/Users', { userName: `early${i}` });
    await settled(first, 5);
    await first.stream.close();
    for (let i = 0; i < 30; i++) await post(pub, '/Users', { userName: `late${i}` });

    const nc = await connect({ servers: NATS_URL });
    const info = await (await jetstreamManager(nc)).consumers.info(n.stream, 'gw-sub-default');
    await nc.close();
    expect(info.num_pending).toBe(30);

    const back = track(await subscriberSide(n));
    await settled(back, 30);
    // The same durable consumer: only what came while it was away.
    expect(back.stream.status().subscriber?.[0]).toMatchObject({ applied: 30, duplicates: 0 });
    expect((await back.stream.refreshedStatus()).subscriber?.[0]?.lag).toBe(0);
  });

  it('signed messages (Security Event Tokens): accepted with the right key, parked with another', async () => {
    const n = fresh(['gw-sub', 'gw-other']);
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = (k: typeof key.publicKey) => k.export({ format: 'pem', type: 'spki' }).toString();
    const pub = track(
      await publisherSide(n, {
        publisher: { set: { keyFile: 'unused.pem', algorithm: 'ES256', issuer: 'gw-pub', audience: 'subs' } },
        files: { signingKey: privateKeyFromPem(key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()) },
      }),
    );
    const good = track(
      await subscriberSide(n, {
        subscriber: { set: { keyFile: 'unused.pem', issuer: 'gw-pub', audience: 'subs' } },
        files: { verifyKey: publicKeyFromPem(pem(key.publicKey)) },
      }),
    );
    const bad = track(
      await subscriberSide(n, {
        name: 'gw-other',
        subscriber: { set: { keyFile: 'unused.pem' } },
        files: { verifyKey: publicKeyFromPem(pem(other.publicKey)) },
      }),
    );
    await until(() => pub.stream.ready(), 'publisher connected');
    const u = await post(pub, '/Users', { userName: 'signed' });
    await patch(pub, `/Users/${u.id}`, [{ op: 'replace', path: 'title', value: 'Signed' }]);
    await settled(good, 2);
    await settled(bad, 2);
    expect((await usersOf(good.scim)).get('signed')?.title).toBe('Signed');
    expect(bad.stream.status().subscriber?.[0]).toMatchObject({ parked: 2, applied: 0 });
    expect(bad.log.text()).toMatch(/signature verification failed/);
  });

  it('a publisher that cannot reach NATS answers 503 without applying the write and is not ready; secrets stay out of the logs', async () => {
    const n = fresh([]);
    const pub = track(
      await publisherSide(n, {
        url: 'nats://127.0.0.1:1',
        nats: { user: 'svc', password: 'S3cret-pw' },
        publisher: { timeout: 300 },
      }),
    );
    expect(pub.stream.ready()).toBe(false);
    const r = await pub.scim.handle({ method: 'POST', url: '/Users', body: { userName: 'lost' } });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(pub.stream.status().publisher?.[0]).toMatchObject({ connected: false, refused: 1, failed: 0, pending: 0 });
    expect((await usersOf(pub.raw)).size).toBe(0);
    await until(() => pub.log.lines.some((l) => l.msg.includes('cannot connect')), 'a connection warning');
    expect(pub.log.text()).not.toContain('S3cret-pw');
    expect(pub.log.text()).toContain('write refused before it was applied');
  });
});
