/**
 * The read cache (src/store/read-cache.ts) and what the core keeps for the frozen resources it hands
 * out: every answer must be what the uncached path gives, byte for byte, after any writes.
 *
 * Two connectors get the same operations: one with the read cache (the default), one without
 * (`readCacheBytes: 0`, reads decode anew as before the cache). Each is a separate instance of the
 * connector's modules, with the clock and Math.random fixed while they run, so both give the same
 * versions and timestamps; ids come from a counter.
 */
import fc from 'fast-check';
import { createScimHandler, type ScimResponse } from '@scimgw/core/handler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReadCache } from '../src/store/read-cache.js';
import { encode } from '../src/store/codec.js';

const ctx = { requestId: 't', principal: { name: 'test', method: 'basic' } };
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

afterEach(() => vi.restoreAllMocks());

/** A connector from its own instance of the modules (its own version counter). */
async function open(readCacheBytes?: number) {
  vi.resetModules();
  const { createLokiConnector } = await import('../src/connector.js');
  let n = 0;
  const connector = createLokiConnector({
    persistence: false,
    exampleData: false,
    newId: () => `id-${++n}`,
    ...(readCacheBytes === undefined ? {} : { readCacheBytes }),
  });
  const scim = createScimHandler({ connector });
  return async (method: string, url: string, body?: unknown, origin = 'http://gw.example', headers = {}) =>
    scim.handle({
      method,
      url,
      body: body === undefined ? undefined : JSON.stringify(body),
      origin,
      headers,
      context: { ...ctx },
    });
}

type Call = Awaited<ReturnType<typeof open>>;

async function pair() {
  vi.spyOn(Math, 'random').mockReturnValue(0.4242);
  vi.spyOn(Date, 'now').mockReturnValue(1_750_000_000_000);
  const cached = await open();
  const plain = await open(0);
  return { cached, plain };
}

const answer = (r: ScimResponse) => `${r.status} ${r.headers?.etag ?? ''} ${JSON.stringify(r.body)}`;

type Op =
  | { k: 'user'; name: string }
  | { k: 'putUser'; u: number; name: string }
  | { k: 'patchUser'; u: number; title: string }
  | { k: 'deleteUser'; u: number }
  | { k: 'group'; name: string; members: number[] }
  | { k: 'add'; g: number; u: number }
  | { k: 'remove'; g: number; u: number }
  | { k: 'rename'; g: number; name: string }
  | { k: 'putGroup'; g: number; name: string; members: number[] }
  | { k: 'deleteGroup'; g: number };

const name = fc.constantFrom('ann', 'bob', 'cy', 'Ann', 'dé');
const idx = fc.nat(6);
// Weighted so that users get into groups, are read, and then see their groups change.
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('user' as const), name }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('putUser' as const), u: idx, name }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('patchUser' as const), u: idx, title: name }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('deleteUser' as const), u: idx }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('group' as const), name, members: fc.array(idx, { maxLength: 3 }) }),
  },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('add' as const), g: idx, u: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('remove' as const), g: idx, u: idx }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('rename' as const), g: idx, name }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('putGroup' as const), g: idx, name, members: fc.array(idx, { maxLength: 3 }) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('deleteGroup' as const), g: idx }) },
);

/** Runs one operation; user and group ids are picked from those created so far (`id-N`). */
async function run(call: Call, o: Op, ids: { users: string[]; groups: string[]; next: number }): Promise<ScimResponse> {
  const pick = (list: string[], i: number) => list[i % Math.max(1, list.length)] ?? 'missing';
  const members = (l: number[]) => l.map((i) => ({ value: pick(ids.users, i) }));
  switch (o.k) {
    case 'user': {
      const r = await call('POST', '/Users', { userName: `${o.name}${ids.next++}`, name: { givenName: o.name } });
      if (r.status === 201) ids.users.push((r.body as { id: string }).id);
      return r;
    }
    case 'putUser':
      return call('PUT', `/Users/${pick(ids.users, o.u)}`, { userName: `${o.name}-${o.u}`, title: o.name });
    case 'patchUser':
      return call('PATCH', `/Users/${pick(ids.users, o.u)}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'title', value: o.title }],
      });
    case 'deleteUser':
      return call('DELETE', `/Users/${pick(ids.users, o.u)}`);
    case 'group': {
      const r = await call('POST', '/Groups', { displayName: o.name, members: members(o.members) });
      if (r.status === 201) ids.groups.push((r.body as { id: string }).id);
      return r;
    }
    case 'add':
    case 'remove':
      return call('PATCH', `/Groups/${pick(ids.groups, o.g)}`, {
        schemas: [PATCH],
        Operations: [{ op: o.k, path: 'members', value: [{ value: pick(ids.users, o.u) }] }],
      });
    case 'rename':
      return call('PATCH', `/Groups/${pick(ids.groups, o.g)}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'displayName', value: o.name }],
      });
    case 'putGroup':
      return call('PUT', `/Groups/${pick(ids.groups, o.g)}`, { displayName: o.name, members: members(o.members) });
    case 'deleteGroup':
      return call('DELETE', `/Groups/${pick(ids.groups, o.g)}`);
  }
}

/** The reads compared: pages, reads by id, filters, projections, another origin, SCIM 1.1, If-None-Match. */
async function reads(call: Call, users: string[]): Promise<string[]> {
  const out: string[] = [];
  const get = async (url: string, origin?: string, headers?: Record<string, string>) =>
    out.push(answer(await call('GET', url, undefined, origin, headers)));
  await get('/Users?startIndex=1&count=100');
  await get('/Users?startIndex=2&count=3', 'https://other.example:8443');
  await get('/Users?count=100&attributes=userName,groups');
  await get('/Users?count=100&excludedAttributes=groups,meta');
  await get('/v1/Users?count=100');
  await get('/tenant-b/Users?count=100');
  await get('/Groups?count=100');
  for (const id of users.slice(0, 4)) {
    await get(`/Users/${id}`);
    await get(`/Users/${id}`, 'https://other.example');
    await get(`/Users/${id}?attributes=groups.display`);
    await get(`/v1/Users/${id}`);
    await get(`/Users?filter=${encodeURIComponent(`id eq "${id}"`)}`);
  }
  const first = await call('GET', `/Users/${users[0] ?? 'none'}`);
  await get(`/Users/${users[0] ?? 'none'}`, undefined, { 'if-none-match': String(first.headers?.etag ?? '*') });
  const byName = (first.body as { userName?: string } | undefined)?.userName;
  if (byName) await get(`/Users?filter=${encodeURIComponent(`userName eq "${byName.toUpperCase()}"`)}`);
  return out;
}

describe('read cache: answers are those of the uncached path', () => {
  it('after any sequence of user, membership and group writes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const { cached, plain } = await pair();
        const idsA = { users: [] as string[], groups: [] as string[], next: 0 };
        const idsB = { users: [] as string[], groups: [] as string[], next: 0 };
        for (const o of ops) {
          const a = await run(cached, o, idsA);
          const b = await run(plain, o, idsB);
          expect(answer(a)).toBe(answer(b));
          expect(await reads(cached, idsA.users)).toEqual(await reads(plain, idsB.users));
        }
      }),
      { numRuns: 80 },
    );
  }, 120_000);

  it('follows each kind of write that changes a user or its groups', async () => {
    const { cached: call } = await pair();
    const user = async (id: string) => (await call('GET', `/Users/${id}`)).body as Record<string, unknown>;
    const page = async () => ((await call('GET', '/Users?count=10')).body as { Resources: Record<string, unknown>[] }).Resources;
    const u = (await call('POST', '/Users', { userName: 'ann', title: 'one' })).body as { id: string };
    const g = (await call('POST', '/Groups', { displayName: 'crew' })).body as { id: string };
    const first = await user(u.id);
    expect((await page())[0]).toEqual(first);
    expect(first.groups).toBeUndefined();

    await call('PATCH', `/Users/${u.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'two' }] });
    expect((await user(u.id)).title).toBe('two');
    expect((await page())[0]?.title).toBe('two');
    expect((await user(u.id)).meta).not.toEqual(first.meta);

    await call('PUT', `/Users/${u.id}`, { userName: 'ann', title: 'three' });
    expect((await page())[0]?.title).toBe('three');

    await call('PATCH', `/Groups/${g.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }],
    });
    expect((await user(u.id)).groups).toEqual([
      { value: g.id, display: 'crew', type: 'direct', $ref: `http://gw.example/Groups/${g.id}` },
    ]);
    await call('PATCH', `/Groups/${g.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'displayName', value: 'renamed' }],
    });
    expect(((await page())[0]?.groups as { display: string }[] | undefined)?.[0]?.display).toBe('renamed');
    await call('PATCH', `/Groups/${g.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: `members[value eq "${u.id}"]` }],
    });
    expect((await user(u.id)).groups).toBeUndefined();
    await call('PATCH', `/Groups/${g.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }],
    });
    await call('DELETE', `/Groups/${g.id}`);
    expect((await page())[0]?.groups).toBeUndefined();

    await call('DELETE', `/Users/${u.id}`);
    expect((await call('GET', `/Users/${u.id}`)).status).toBe(404);
    expect(await page()).toEqual([]);
  });
});

describe('read cache: pages of kept users', () => {
  it('follow membership changes and group renames made between two pages, with the views reads by id get', async () => {
    const { cached, plain } = await pair();
    const both = async (method: string, url: string, body?: unknown) => {
      const a = await cached(method, url, body);
      expect(answer(a)).toBe(answer(await plain(method, url, body)));
      return a;
    };
    // Each page read three times: from the second on its users are kept, with their views on the
    // read cache's entries.
    const pages = async () => {
      for (let i = 0; i < 3; i++) await both('GET', '/Users?startIndex=1&count=10');
      return ((await cached('GET', '/Users?startIndex=1&count=10')).body as { Resources: Record<string, unknown>[] }).Resources;
    };
    const ids: string[] = [];
    for (const name of ['ann', 'bob', 'cid'])
      ids.push(((await both('POST', '/Users', { userName: name })).body as { id: string }).id);
    const g = ((await both('POST', '/Groups', { displayName: 'crew' })).body as { id: string }).id;
    expect((await pages())[1]?.groups).toBeUndefined();
    const members = (op: string, value: unknown) => ({ schemas: [PATCH], Operations: [{ op, path: 'members', value }] });

    await both('PATCH', `/Groups/${g}`, members('add', [{ value: ids[1] }]));
    expect(((await pages())[1]?.groups as { display: string }[] | undefined)?.[0]?.display).toBe('crew');
    await both('PATCH', `/Groups/${g}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'displayName', value: 'renamed' }],
    });
    expect(((await pages())[1]?.groups as { display: string }[] | undefined)?.[0]?.display).toBe('renamed');
    // A read by id and a page give the same kept object for the same user.
    for (let i = 0; i < 2; i++) await cached('GET', `/Users/${ids[1]}`);
    expect((await pages())[1]).toBe((await cached('GET', `/Users/${ids[1]}`)).body);
    await both('PATCH', `/Groups/${g}`, members('add', [{ value: ids[2] }]));
    const after = await pages();
    expect(after[1]?.groups).toHaveLength(1);
    expect(after[2]?.groups).toHaveLength(1);
    await both('PATCH', `/Groups/${g}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: `members[value eq "${ids[1]}"]` }],
    });
    expect((await pages())[1]?.groups).toBeUndefined();
    await both('PATCH', `/Users/${ids[2]}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 't' }] });
    expect((await pages())[2]?.title).toBe('t');
    await both('DELETE', `/Groups/${g}`);
    expect((await pages())[2]?.groups).toBeUndefined();
  });
});

describe('ReadCache', () => {
  const stored = (i: number) => encode({ id: `u${i}`, userName: `user${i}`, emails: [{ value: `u${i}@example.com` }] });

  it('gives the same frozen object for the same stored form, and another for another', () => {
    const c = new ReadCache();
    const once = c.doc(stored(1));
    expect(Object.isFrozen(once)).toBe(false);
    const a = c.doc(stored(1));
    expect(a).not.toBe(once);
    expect(a).toEqual(once);
    expect(c.doc(stored(1))).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.emails) && Object.isFrozen((a.emails as object[])[0])).toBe(true);
    c.doc(stored(2));
    expect(c.doc(stored(2))).not.toBe(a);
    expect(c.doc(encode({ ...a, userName: 'changed' })).userName).toBe('changed');
  });

  it('keeps no more than its bound, and nothing with a bound of 0', () => {
    const c = new ReadCache({ maxBytes: 64 * 1024 });
    for (let i = 0; i < 5000; i++) c.doc(stored(i));
    expect(c.bytes).toBe(0);
    for (let i = 0; i < 5000; i++) {
      c.doc(stored(i));
      c.doc(stored(i));
    }
    expect(c.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(c.bytes).toBeGreaterThan(32 * 1024);
    const none = new ReadCache({ maxBytes: 0 });
    none.doc(stored(1));
    expect(none.bytes).toBe(0);
  });

  it("keeps a user's groups until a membership of that user changes or a group is renamed", () => {
    const c = new ReadCache();
    let names: Record<string, string> = { g1: 'one', g2: 'two' };
    const lookup = (gid: string) => names[gid];
    const first = c.groupsOf('u1', new Set(['g1', 'g2']), lookup);
    expect(first.map((g) => g.display)).toEqual(['one', 'two']);
    expect(c.groupsOf('u1', new Set(['g1', 'g2']), lookup)).toBe(first);
    const generation = c.generation;
    c.memberChanged('u2');
    expect(c.generation).not.toBe(generation);
    expect(c.groupsOf('u1', new Set(['g1', 'g2']), lookup)).toBe(first);
    c.memberChanged('u1');
    expect(c.groupsOf('u1', new Set(['g1']), lookup).map((g) => g.value)).toEqual(['g1']);
    names = { g1: 'uno' };
    c.groupsRenamed();
    expect(c.groupsOf('u1', new Set(['g1']), lookup)[0]?.display).toBe('uno');
  });

  it('is not filled by writes: a store seeded with users keeps nothing until they are read', async () => {
    const { TenantStore } = await import('../src/store/tenant-store.js');
    const store = await TenantStore.open({
      seed: (s) => {
        for (let i = 0; i < 100; i++) s.putLocal('users', { id: `u${i}`, userName: `user${i}` });
      },
    });
    const reads = (store as unknown as { reads: ReadCache }).reads;
    expect(reads.bytes).toBe(0);
    expect(store.readPage('users', 0, 10)).toHaveLength(10);
    expect(store.readPage('users', 0, 10)).toHaveLength(10);
    expect(reads.bytes).toBeGreaterThan(0);
  });
});
