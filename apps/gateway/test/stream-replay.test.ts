/**
 * Every identity provider's traffic through SCIM Stream: each client's requests (the IdP replays)
 * go over HTTP to a publishing gateway; a subscribing gateway, over the shared NATS JetStream
 * server, must end up holding the same users and groups (ids are each gateway's own: users are
 * compared by userName, references translated). Streams and buckets are the test's own, deleted
 * after.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing.js';
import { httpReplayHandle, IDP_REPLAYS, runReplay } from './idp-http-replay.js';

const NATS = process.env.SCIMGW_TEST_NATS ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const STREAM = `SCIMGW_RP_${run}`;
const SECRET = `nats-Pw-${run}`;
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let publisher: TestGateway;
let subscriber: TestGateway;

beforeAll(async () => {
  const nats = { tenant: STREAM, subject: `gwreplay.${run}`, user: 'svc', password: SECRET };
  publisher = await startTestGateway({
    scimgateway: { stream: { baseUrls: [NATS], publisher: { enabled: true, entity: { undefined: { nats } } } } },
    endpoint: { persistence: false, exampleData: false },
  });
  subscriber = await startTestGateway({
    scimgateway: {
      stream: {
        baseUrls: [NATS],
        subscriber: { enabled: true, durable: 'replay', entity: { undefined: { nats, skipConvertRolesToGroups: true } } },
      },
    },
    endpoint: { persistence: false, exampleData: false },
  });
});

afterAll(async () => {
  await publisher?.stop();
  await subscriber?.stop();
  const nc = await connect({ servers: NATS });
  const jsm = await jetstreamManager(nc);
  for (const s of [STREAM, `KV_scimgw-${STREAM}-replay-default`]) await jsm.streams.delete(s).catch(() => {});
  await nc.close();
});

type Res = Record<string, unknown> & { id: string; userName?: string; displayName?: string };

/** A gateway's users and groups with its own ids replaced by userNames, for comparing two gateways. */
async function state(gw: TestGateway): Promise<{ users: unknown[]; groups: unknown[] }> {
  const users = (await gw.call('GET', '/Users?count=1000')).body.Resources as Res[];
  const groups = (await gw.call('GET', '/Groups?count=1000')).body.Resources as Res[];
  const nameOf = new Map<string, string>([
    ...users.map((u) => [u.id, `user:${u.userName}`] as [string, string]),
    ...groups.map((g) => [g.id, `group:${g.displayName}`] as [string, string]),
  ]);
  const named = (id: unknown) => nameOf.get(String(id)) ?? `unknown:${String(id)}`;
  const bare = (r: Res) => {
    const { id: _id, meta: _meta, groups: _g, members: _m, ...rest } = r;
    const ext = rest[ENT] as { manager?: { value?: string } } | undefined;
    if (ext?.manager) rest[ENT] = { ...ext, manager: { value: named(ext.manager.value) } };
    return rest;
  };
  const byName = (a: Res, b: Res) => String(a.userName ?? a.displayName).localeCompare(String(b.userName ?? b.displayName));
  return {
    users: users.sort(byName).map(bare),
    groups: groups.sort(byName).map((g) => ({
      ...bare(g),
      members: ((g.members ?? []) as { value: string }[]).map((m) => named(m.value)).sort(),
    })),
  };
}

/** Waits until the subscriber holds what the publisher holds; fails with the difference. */
async function sameOnBoth(): Promise<void> {
  const deadline = Date.now() + 30_000;
  let pub = await state(publisher);
  let sub = await state(subscriber);
  while (JSON.stringify(pub) !== JSON.stringify(sub) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    pub = await state(publisher);
    sub = await state(subscriber);
  }
  expect(sub).toEqual(pub);
}

describe('every IdP replay through SCIM Stream', () => {
  for (const [name, steps] of IDP_REPLAYS) {
    it(`${name}: the subscriber ends up with what the publisher holds`, async () => {
      await runReplay(httpReplayHandle(publisher.base), steps);
      await sameOnBoth();
    });
  }

  it('the publisher held something to compare', async () => {
    const { users, groups } = await state(publisher);
    expect(users.length).toBeGreaterThan(20);
    expect(groups.length).toBeGreaterThan(5);
  });
});
