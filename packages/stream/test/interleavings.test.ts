/**
 * Where different publisher resources meet — they hold the same natural key one after another (a
 * user deleted and created again under the same userName, a user renamed into the name of one that
 * was deleted, a group's displayName the same way), or one references another that is deleted
 * later — applied by a subscriber catching up, in whatever order its resources running side by
 * side take: it must end as the publisher is. Against the shared JetStream server, each run with a
 * stream of its own.
 */
import { type Connector, defineConnector, type ResourceHandler, type ScimResource } from '@scimgw/core';
import type { ScimHandler } from '@scimgw/core/handler';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { NATS_URL, until } from './helpers.js';
import { cleanUp, comparableUsers, names, publisherSide, type Side, subscriberSide } from './pair.js';

const open: Side[] = [];
const made: { stream: string }[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) await s.stream.close();
  for (const m of made.splice(0)) await cleanUp(m);
});

async function closeAll(): Promise<void> {
  for (const s of open.splice(0)) await s.stream.close();
  for (const m of made.splice(0)) await cleanUp(m);
}

function track<T extends Side>(s: T): T {
  open.push(s);
  return s;
}

function fresh() {
  const n = names();
  made.push(n);
  return n;
}

async function send(side: Side, method: string, url: string, body?: unknown): Promise<ScimResource | undefined> {
  const r = await side.scim.handle({ method, url, ...(body === undefined ? {} : { body }) });
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as ScimResource | undefined;
}

/** Every group as `displayName: member userNames`, sorted (two groups may share a displayName). */
async function groupList(scim: ScimHandler): Promise<string[]> {
  const users = ((await scim.handle({ method: 'GET', url: '/Users?count=1000' })).body as { Resources: ScimResource[] })
    .Resources;
  const byId = new Map(users.map((u) => [u.id as string, u.userName as string]));
  const groups = ((await scim.handle({ method: 'GET', url: '/Groups?count=1000' })).body as { Resources: ScimResource[] })
    .Resources;
  return groups
    .map((g) => {
      const members = ((g.members as { value: string }[] | undefined) ?? []).map((m) => byId.get(m.value) ?? `?${m.value}`);
      return `${g.displayName as string}: ${members.sort().join(',')}`;
    })
    .sort();
}

async function state(scim: ScimHandler) {
  return { users: await comparableUsers(scim), groups: await groupList(scim) };
}

/** Until the subscriber has settled everything the stream holds for it (the server's counts and its own). */
async function caughtUp(sub: Side, stream: string, ms = 20_000): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    await until(
      async () => {
        const s = sub.stream.status().subscriber?.[0];
        if (!s?.running || s.inFlight > 0) return false;
        const info = await jsm.consumers.info(stream, 'gw-sub-default');
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      'the subscriber caught up',
      ms,
    );
  } finally {
    await nc.close();
  }
}

/** A subscriber that ran once (its consumer exists) and is stopped: what is published now, it catches up on. */
async function stoppedSubscriber(n: { stream: string; subject: string }): Promise<Connector> {
  const first = await subscriberSide(n);
  await until(() => first.stream.status().subscriber?.[0]?.running, 'the subscriber consuming');
  await first.stream.close();
  return first.connector;
}

/** Every call of a connector's handlers waits 0–4 ms (by a seeded generator), so resources interleave differently each run. */
function jittered(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
  return (inner: Connector): Connector => {
    const resources: Record<string, ResourceHandler> = {};
    for (const [type, h] of Object.entries(inner.resources)) {
      if (!h) continue;
      const out: Record<string, unknown> = { ...h };
      for (const name of ['get', 'query', 'create', 'replace', 'modify', 'delete'] as const) {
        const fn = h[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
        if (!fn) continue;
        out[name] = async (...args: unknown[]) => {
          const r = next();
          if (r > 0.4) await new Promise((res) => setTimeout(res, Math.floor(r * 5)));
          return fn.apply(h, args);
        };
      }
      resources[type] = out as ResourceHandler;
    }
    return defineConnector({ ...inner, resources });
  };
}

describe('publisher resources that share a natural key', () => {
  it('a user deleted and created again under the same userName while the subscriber was stopped is there after its catch-up', async () => {
    for (let run = 0; run < 4; run++) {
      const n = fresh();
      const pub = track(await publisherSide(n));
      const store = await stoppedSubscriber(n);
      await until(() => pub.stream.ready(), 'publisher connected');
      const first = await send(pub, 'POST', '/Users', { userName: 'cuN', title: 'first' });
      await send(pub, 'DELETE', `/Users/${first?.id}`);
      const second = await send(pub, 'POST', '/Users', { userName: 'cuN', title: 'second' });
      expect(second?.id).not.toBe(first?.id);

      const sub = track(await subscriberSide(n, { connector: store }));
      await caughtUp(sub, n.stream);
      expect(await comparableUsers(sub.scim)).toEqual({ cuN: expect.objectContaining({ userName: 'cuN', title: 'second' }) });
      const status = (await sub.stream.refreshedStatus()).subscriber?.[0];
      expect(status).toMatchObject({ lag: 0, parked: 0 });
      await closeAll();
    }
  });

  it('a member added before its user was deleted is not written after the delete (no member left that is no user)', async () => {
    const n = fresh();
    const pub = track(await publisherSide(n));
    const store = await stoppedSubscriber(n);
    await until(() => pub.stream.ready(), 'publisher connected');
    const u = await send(pub, 'POST', '/Users', { userName: 'leaver' });
    const g = await send(pub, 'POST', '/Groups', { displayName: 'Team' });
    await send(pub, 'PATCH', `/Groups/${g?.id}`, { Operations: [{ op: 'add', path: 'members', value: [{ value: u?.id }] }] });
    await send(pub, 'DELETE', `/Users/${u?.id}`);
    // The group's write is slow here: the user's delete, a resource of its own, would run meanwhile.
    const slowGroups = (inner: Connector): Connector => {
      const groups = inner.resources.Group as ResourceHandler;
      const modify = groups.modify?.bind(groups);
      return defineConnector({
        ...inner,
        resources: {
          ...inner.resources,
          Group: {
            ...groups,
            modify: async (id, changes, ctx) => {
              await new Promise((r) => setTimeout(r, 300));
              return (modify as NonNullable<typeof modify>)(id, changes, ctx);
            },
          },
        },
      });
    };
    const sub = track(await subscriberSide(n, { connector: store, wrapConnector: slowGroups }));
    await caughtUp(sub, n.stream);
    expect(await groupList(sub.scim)).toEqual(['Team: ']);
    expect(await groupList(sub.scim)).toEqual(await groupList(pub.raw));
  });

  it('any history of creates, deletes, renames and changes over a few names converges, in any order of application', async () => {
    const USER_NAMES = ['cu0', 'CU0', 'cu1', 'cu2'];
    const GROUP_NAMES = ['ga', 'gb'];
    const step = fc.tuple(fc.integer({ min: 0, max: 8 }), fc.nat(), fc.nat(), fc.nat());
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 4, maxLength: 14 }),
        fc.integer(),
        fc.option(fc.nat(), { nil: undefined }),
        async (steps, seed, crashAfter) => {
          try {
            const n = fresh();
            const pub = track(await publisherSide(n));
            const store = await stoppedSubscriber(n);
            await until(() => pub.stream.ready(), 'publisher connected');
            const users = new Map<string, string>(); // publisher id → userName
            const groups = new Map<string, string>(); // publisher id → displayName
            const holder = (name: string) => [...users].find(([, u]) => u.toLowerCase() === name.toLowerCase())?.[0];
            const pick = <T>(m: Map<string, T>, i: number) => [...m.keys()][i % m.size] as string;
            let writes = 0;
            const write = async (method: string, url: string, body?: unknown) => {
              writes++;
              return send(pub, method, url, body);
            };
            const createUser = async (userName: string, title: string) => {
              const taken = holder(userName);
              if (taken) {
                await write('DELETE', `/Users/${taken}`);
                users.delete(taken);
              }
              const u = await write('POST', '/Users', { userName, title });
              users.set(u?.id as string, userName);
            };
            for (const [kind, a, b, c] of steps) {
              if (kind <= 1 || (users.size === 0 && kind <= 4)) await createUser(USER_NAMES[a % 4] as string, `t${c % 3}`);
              else if (kind === 2) {
                const id = pick(users, a);
                await write('DELETE', `/Users/${id}`);
                users.delete(id);
              } else if (kind === 3) {
                // A rename, into a name another user gave up first when it was taken.
                const id = pick(users, a);
                const to = USER_NAMES[b % 4] as string;
                const taken = holder(to);
                if (taken && taken !== id) {
                  await write('DELETE', `/Users/${taken}`);
                  users.delete(taken);
                }
                await write('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'userName', value: to }] });
                users.set(id, to);
              } else if (kind === 4) {
                await write('PATCH', `/Users/${pick(users, a)}`, {
                  Operations: [{ op: 'replace', path: 'title', value: `t${c % 3}` }],
                });
              } else if (kind === 5 || groups.size === 0) {
                const members = users.size > 0 && b % 2 === 0 ? [{ value: pick(users, c) }] : [];
                const g = await write('POST', '/Groups', { displayName: GROUP_NAMES[a % 2], members });
                groups.set(g?.id as string, GROUP_NAMES[a % 2] as string);
              } else if (kind === 6) {
                const id = pick(groups, a);
                await write('DELETE', `/Groups/${id}`);
                groups.delete(id);
              } else if (kind === 7) {
                const id = pick(groups, a);
                const to = GROUP_NAMES[b % 2] as string;
                await write('PATCH', `/Groups/${id}`, { Operations: [{ op: 'replace', path: 'displayName', value: to }] });
                groups.set(id, to);
              } else if (users.size > 0) {
                await write('PATCH', `/Groups/${pick(groups, a)}`, {
                  Operations: [{ op: 'add', path: 'members', value: [{ value: pick(users, b) }] }],
                });
              }
            }
            expect(pub.stream.status().publisher?.[0]).toMatchObject({ published: writes, failed: 0 });

            const options = { connector: store, wrapConnector: jittered(seed), subscriber: { ackWait: 2 } };
            if (crashAfter !== undefined) {
              // A subscriber that stops in the middle of its catch-up, leaving messages delivered and not acknowledged.
              const dying = await subscriberSide(n, options);
              const at = crashAfter % writes;
              await until(() => {
                const s = dying.stream.status().subscriber?.[0];
                return s && s.applied + s.skipped + s.duplicates >= at;
              }, `${at} messages settled`);
              await dying.stream.close();
            }
            const sub = track(await subscriberSide(n, options));
            await caughtUp(sub, n.stream);
            expect(await state(sub.scim)).toEqual(await state(pub.raw));
            expect(sub.stream.status().subscriber?.[0]?.parked).toBe(0);
          } finally {
            await closeAll();
          }
        },
      ),
      { numRuns: 24, endOnFailure: true },
    );
  }, 90_000);
});
