/**
 * A publisher whose NATS server goes away and comes back (a server of the test's own, stopped and
 * started): no change is applied and then lost. While NATS is unreachable a write is refused before
 * it changes anything; a change applied just before NATS went away is kept and published once it
 * is back, ahead of the resource's newer changes; and a client's retry of the 503 gets the answer
 * of the change it made.
 */
import { type Connector, defineConnector, type ResourceHandler, type ScimResource } from '@scimgw/core';
import { jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, idToken } from '../src/index.js';
import { type OwnNats, startNats, until } from './helpers.js';
import { names, publisherSide, type Side, settled, subscriberSide, usersOf } from './pair.js';

const servers: OwnNats[] = [];
const sides: Side[] = [];

afterEach(async () => {
  for (const s of sides.splice(0)) await s.stream.close(1000);
  for (const s of servers.splice(0)) await s.stop();
});

async function handle(side: Side, method: string, url: string, body?: unknown) {
  return side.scim.handle({ method, url, ...(body === undefined ? {} : { body }) });
}

/** The messages JetStream holds for one resource, in stream order. */
async function messagesOf(url: string, stream: string, subject: string, id: string): Promise<StoredMsg[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const out: StoredMsg[] = [];
    const filter = `${subject}.User.${idToken(id)}`;
    for (let seq = 1; ; ) {
      const m = await jsm.streams.getMessage(stream, { seq, next_by_subj: filter } as never).catch(() => null);
      if (!m) return out;
      out.push(m);
      seq = m.seq + 1;
    }
  } finally {
    await nc.close();
  }
}

/** The publisher's store with a hook that runs inside a write, after the publisher let it through. */
function duringWrite(hook: (op: string, what: string) => Promise<void>) {
  return (inner: Connector): Connector => {
    const users = inner.resources.User as ResourceHandler;
    const create = users.create?.bind(users);
    const del = users.delete?.bind(users);
    const get = users.get?.bind(users);
    return defineConnector({
      ...inner,
      resources: {
        ...inner.resources,
        User: {
          ...users,
          create: async (r, ctx) => {
            await hook('create', r.userName as string);
            return (create as NonNullable<typeof create>)(r, ctx);
          },
          delete: async (id, ctx) => {
            const u = await get?.(id, ctx, {});
            await hook('delete', (u?.userName as string) ?? id);
            return (del as NonNullable<typeof del>)(id, ctx);
          },
        },
      },
    });
  };
}

describe('a publisher that loses NATS', () => {
  it('refuses writes before applying them while NATS is unreachable; retried once it is back, they are applied and published', async () => {
    const server = await startNats();
    servers.push(server);
    const n = names();
    const pub = await publisherSide(n, { url: server.url, publisher: { timeout: 1000 } });
    const sub = await subscriberSide(n, { url: server.url });
    sides.push(pub, sub);
    await until(() => pub.stream.ready(), 'publisher connected');
    const keep = (await handle(pub, 'POST', '/Users', { userName: 'keep' })).body as ScimResource;
    await settled(sub, 1);

    await server.kill();
    await until(() => !pub.stream.ready(), 'publisher disconnected');
    const post = await handle(pub, 'POST', '/Users', { userName: 'np1' });
    expect(post.status).toBe(503);
    expect(post.headers['retry-after']).toBe('5');
    expect((post.body as { detail: string }).detail).toMatch(/nothing was changed/i);
    const del = await handle(pub, 'DELETE', `/Users/${keep.id}`);
    expect(del.status).toBe(503);
    const patch = await handle(pub, 'PATCH', `/Users/${keep.id}`, {
      Operations: [{ op: 'replace', path: 'title', value: 'lost?' }],
    });
    expect(patch.status).toBe(503);
    // Nothing was applied: the store is as it was.
    const stored = await usersOf(pub.raw);
    expect([...stored.keys()]).toEqual(['keep']);
    expect(stored.get('keep')?.title).toBeUndefined();
    expect(pub.stream.status().publisher?.[0]).toMatchObject({ refused: 3, failed: 0, pending: 0 });

    await server.start();
    await until(() => pub.stream.ready(), 'publisher connected again');
    expect((await handle(pub, 'POST', '/Users', { userName: 'np1' })).status).toBe(201);
    expect((await handle(pub, 'DELETE', `/Users/${keep.id}`)).status).toBe(204);
    await settled(sub, 3);
    expect([...(await usersOf(sub.scim)).keys()]).toEqual(['np1']);
  });

  it('a change applied just before NATS went away is kept, published once NATS is back before the resource’s newer changes, and its retry is answered', async () => {
    const server = await startNats();
    servers.push(server);
    const n = names();
    // NATS goes away in the middle of these writes (once each): after the publisher let them through, before their messages.
    const fired = new Set<string>();
    const pub = await publisherSide(n, {
      url: server.url,
      publisher: { timeout: 1000 },
      wrapConnector: duringWrite(async (op, name) => {
        const what = `${op} ${name}`;
        if ((what === 'create np2' || what === 'delete gone') && !fired.has(what)) {
          fired.add(what);
          await server.kill();
        }
      }),
    });
    const sub = await subscriberSide(n, { url: server.url });
    sides.push(pub, sub);
    await until(() => pub.stream.ready(), 'publisher connected');
    const gone = (await handle(pub, 'POST', '/Users', { userName: 'gone' })).body as ScimResource;
    await settled(sub, 1);

    const first = await handle(pub, 'POST', '/Users', { userName: 'np2', title: 'T' });
    expect(first.status).toBe(503);
    expect((first.body as { detail: string }).detail).toMatch(/applied here.*kept.*published/i);
    const np2 = (await usersOf(pub.raw)).get('np2') as ScimResource;
    expect(np2).toBeDefined();
    expect(pub.stream.status().publisher?.[0]).toMatchObject({ failed: 1, pending: 1 });
    // While it is down, the retry has the same answer, and changes nothing.
    expect((await handle(pub, 'POST', '/Users', { userName: 'np2', title: 'T' })).status).toBe(503);

    await server.start();
    // Published without any retry, as soon as NATS is back; a newer change of the resource comes after it.
    await until(() => pub.stream.ready(), 'publisher connected again');
    const patched = await handle(pub, 'PATCH', `/Users/${np2.id}`, {
      Operations: [{ op: 'replace', path: 'title', value: 'after' }],
    });
    expect(patched.status).toBe(200);
    await until(() => pub.stream.status().publisher?.[0]?.pending === 0, 'the kept change published');
    await settled(sub, 3);
    expect((await usersOf(sub.scim)).get('np2')?.title).toBe('after');
    const operations = (await messagesOf(server.url, n.stream, n.subject, np2.id as string)).map(
      (m) => decodeMessage(m.data).operation,
    );
    expect(operations).toEqual(['create', 'modify']);

    // The client's retry of its POST is the create it made: answered as made, and not made twice.
    const retry = await handle(pub, 'POST', '/Users', { userName: 'np2', title: 'T' });
    expect(retry.status).toBe(201);
    expect((retry.body as ScimResource).id).toBe(np2.id);
    // A POST that is not the same request is the conflict it is.
    expect((await handle(pub, 'POST', '/Users', { userName: 'np2', title: 'other' })).status).toBe(409);
    expect(await messagesOf(server.url, n.stream, n.subject, np2.id as string)).toHaveLength(2);

    // A delete the same way: kept, published once NATS is back, and its retry answered.
    expect((await handle(pub, 'DELETE', `/Users/${gone.id}`)).status).toBe(503);
    expect((await usersOf(pub.raw)).has('gone')).toBe(false);
    await server.start();
    await until(() => pub.stream.status().publisher?.[0]?.pending === 0, 'the kept delete published');
    expect((await handle(pub, 'DELETE', `/Users/${gone.id}`)).status).toBe(204);
    await settled(sub, 4);
    expect([...(await usersOf(sub.scim)).keys()]).toEqual(['np2']);
    expect(pub.log.text()).toMatch(/kept/);
  });
});
