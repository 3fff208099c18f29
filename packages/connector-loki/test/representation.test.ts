import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decode, encode, pack, plainId, storedId, TOKENS, unpack } from '../src/store/codec.js';
import { type Doc, RowTable } from '../src/store/rows.js';
import { TenantStore } from '../src/store/tenant-store.js';

const dir = mkdtempSync(join(tmpdir(), 'loki-repr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Strings that look like the codec's tokens, hold control characters, quotes and non-ASCII. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '"id":"',
    ',"userName":"',
    '{"value":"',
    ',"type":"work"',
    'W/\\"',
    '\u0001',
    '\u001f',
    '"',
    '\\',
    'ß',
    'Σ',
    '\ud800',
  ),
  fc
    .array(fc.constantFrom(',"meta":{"created":"', ',"primary":true', '"', '\\', '\u0002', 'a', 'é'), { maxLength: 8 })
    .map((a) => a.join('')),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(nasty, fc.constantFrom('value', 'type', 'primary', 'givenName', 'meta', 'name')), tie('v'), {
      maxKeys: 4,
    }),
  ),
})).v;
/** A resource: a string id (anywhere among its keys) and any attributes. */
const resource = fc
  .tuple(
    nasty,
    fc.dictionary(
      fc.oneof(nasty, fc.constantFrom('userName', 'externalId', 'emails', 'name', 'meta', 'active', 'displayName')),
      value,
      { maxKeys: 6 },
    ),
  )
  .map(([id, rest]) => ({ ...rest, id }) as Doc);

/** What JSON keeps of a value (what any store of JSON gives back). */
const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('the stored form of a resource', () => {
  it('any resource stored and decoded equals itself', () => {
    fc.assert(
      fc.property(resource, (doc) => {
        expect(decode(encode(doc))).toEqual(viaJson(doc));
      }),
      { numRuns: 500 },
    );
  });

  it('any resource put into a table reads back equal to itself, by id and by position', () => {
    fc.assert(
      fc.property(fc.uniqueArray(resource, { selector: (d) => d.id, maxLength: 20 }), (docs) => {
        const t = new RowTable([{ name: 'userName', fold: true }]);
        for (const d of docs) t.put(d);
        for (const d of docs) expect(t.get(d.id)).toEqual(viaJson(d));
        expect(t.page(0, docs.length)).toEqual(docs.map(viaJson));
      }),
      { numRuns: 200 },
    );
  });

  it('unpacking replaces exactly the codes 1–31 by their tokens, on any text', () => {
    const byRegex = (text: string) => text.replace(/[\u0001-\u001f]/g, (c) => TOKENS[c.charCodeAt(0)] as string);
    const pieces = fc.oneof(nasty, fc.constantFrom(...TOKENS.slice(1)), fc.constantFrom('\u0000', '\u0001', '\u001f', ' '));
    const text = fc.oneof(
      fc.array(pieces, { maxLength: 12 }).map((a) => a.join('')),
      value.map((v) => pack(JSON.stringify(v) ?? '')),
      resource.map((d) => encode(d)),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(unpack(t)).toBe(byRegex(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('an id taken as plain is written by JSON as itself; ids of the usual alphabets are plain (property)', () => {
    // A plain id is compared against the stored text directly: a wrong "plain" could match another id.
    fc.assert(
      fc.property(fc.oneof(nasty, fc.string({ unit: 'binary' }), fc.uuid()), (id) => {
        if (plainId(id)) expect(JSON.stringify(id)).toBe(`"${id}"`);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.stringMatching(/^[\w.@~ -]*$/)), (id) => {
        expect(plainId(id)).toBe(true);
      }),
    );
  });

  it('a stored form is much smaller than the JSON of a usual user, and its id is read without decoding', () => {
    const user = {
      id: '2819c223-7f76-453a-919d-413861904646',
      userName: 'bjensen@example.com',
      externalId: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      active: true,
      meta: { created: '2026-12-06T01:15:32.123Z', lastModified: '2026-12-06T01:15:32.123Z', version: 'W/"mib4z1x0a1"' },
    };
    const stored = encode(user);
    expect(stored.length).toBeLessThan(JSON.stringify(user).length * 0.7);
    expect(storedId(stored)).toBe(user.id);
    expect(storedId(encode({ id: 'a"b', x: 1 }))).toBeUndefined();
  });
});

describe('the indexes of a row table stay consistent', () => {
  const names = fc.constantFrom('alice', 'ALICE', 'bob', 'Bob', 'carol', 'dave', '', 'ß');
  const ids = fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'a"b', 'x\\y');
  const op = fc.oneof(
    fc.record({
      k: fc.constant('put' as const),
      id: ids,
      userName: fc.option(names, { nil: undefined }),
      externalId: fc.option(names, { nil: undefined }),
    }),
    fc.record({ k: fc.constant('del' as const), id: ids }),
  );

  it('after any creates, replaces and deletes: lookups, order and count match a plain model', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const t = new RowTable([
          { name: 'userName', fold: true },
          { name: 'externalId', fold: false },
        ]);
        const model = new Map<string, Doc>();
        for (const o of ops) {
          if (o.k === 'put') {
            const d: Doc = { id: o.id };
            if (o.userName !== undefined) d.userName = o.userName;
            if (o.externalId !== undefined) d.externalId = o.externalId;
            t.put(d);
            model.set(o.id, d); // a replace keeps the position
          } else {
            expect(t.delete(o.id) !== undefined).toBe(model.delete(o.id));
          }
        }
        expect(t.size).toBe(model.size);
        expect(t.page(0, model.size + 1)).toEqual([...model.values()]);
        expect([...t.scan()]).toEqual([...model.values()]);
        for (const n of ['alice', 'bob', 'carol', 'dave', '', 'ß', 'SS', 'nobody']) {
          const byName = [...model.values()].filter((d) => typeof d.userName === 'string' && d.userName.toLowerCase() === n);
          expect(new Set(t.find('userName', n))).toEqual(new Set(byName.map((d) => d.id)));
          expect(new Set(t.find('userName', n.toUpperCase()))).toEqual(
            new Set(
              [...model.values()]
                .filter((d) => typeof d.userName === 'string' && d.userName.toLowerCase() === n.toUpperCase().toLowerCase())
                .map((d) => d.id),
            ),
          );
          const byExt = [...model.values()].filter((d) => d.externalId === n);
          expect(new Set(t.find('externalId', n))).toEqual(new Set(byExt.map((d) => d.id)));
        }
        for (const id of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'a"b', 'x\\y']) expect(t.get(id)).toEqual(model.get(id));
      }),
      { numRuns: 300 },
    );
  });

  it('lookups between writes agree with a plain model, also for the id looked up last (property)', () => {
    // A write looks its id up twice; the table remembers the last lookup until rows change.
    const step = fc.oneof(
      op,
      fc.record({ k: fc.constant('get' as const), id: ids }),
      fc.record({ k: fc.constant('has' as const), id: ids }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const t = new RowTable([{ name: 'userName', fold: true }]);
        const model = new Map<string, Doc>();
        for (const s of steps) {
          if (s.k === 'get') expect(t.get(s.id)).toEqual(model.get(s.id));
          else if (s.k === 'has') expect(t.has(s.id)).toBe(model.has(s.id));
          else if (s.k === 'del') expect(t.delete(s.id) !== undefined).toBe(model.delete(s.id));
          else {
            const d: Doc = { id: s.id };
            if (s.userName !== undefined) d.userName = s.userName;
            t.put(d);
            model.set(s.id, d);
          }
          expect(t.size).toBe(model.size);
        }
        expect(t.page(0, model.size + 1)).toEqual([...model.values()]);
      }),
      { numRuns: 300 },
    );
  });

  it('the id looked up last is found anew once deletes compact the rows', () => {
    const t = new RowTable([]);
    for (let i = 0; i < 3000; i++) t.put({ id: `u${i}` });
    expect(t.get('u2999')).toEqual({ id: 'u2999' });
    // The delete that passes the threshold renumbers the rows: u2999 moves from row 2999.
    for (let i = 0; i < 2000; i++) t.delete(`u${i}`);
    expect(t.get('u2999')).toEqual({ id: 'u2999' });
    expect(t.has('u1999')).toBe(false);
    t.put({ id: 'u2999', v: 1 });
    expect(t.size).toBe(1000);
    expect(t.page(999, 1000)).toEqual([{ id: 'u2999', v: 1 }]);
  });

  it('after enough deletes the rows are compacted, and positions, lookups and later writes still agree', () => {
    const t = new RowTable([{ name: 'userName', fold: true }]);
    const n = 5000;
    for (let i = 0; i < n; i++) t.put({ id: `u${i}`, userName: `User${i}` });
    // Every third one stays: holes pass the live count, which compacts the rows.
    for (let i = 0; i < n; i++) if (i % 3 !== 0) t.delete(`u${i}`);
    const kept = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0);
    expect(t.size).toBe(kept.length);
    expect(t.page(10, 13).map((d) => d.id)).toEqual(kept.slice(10, 13).map((i) => `u${i}`));
    for (const i of [0, 3, 2997, 4998]) expect([...t.find('userName', `user${i}`)]).toEqual([`u${i}`]);
    expect(t.get('u1')).toBeUndefined();
    expect(t.find('userName', 'user1').size).toBe(0);
    t.put({ id: 'u1', userName: 'back' });
    t.put({ id: 'u3', userName: 'renamed' });
    expect(t.page(t.size - 1, t.size)[0]?.id).toBe('u1');
    expect(t.page(1, 2)[0]).toEqual({ id: 'u3', userName: 'renamed' });
    expect(t.find('userName', 'user3').size).toBe(0);
    expect([...t.find('userName', 'RENAMED')]).toEqual(['u3']);
    // A hole left before compaction: positions skip it.
    t.delete('u0');
    expect(t.page(0, 1)[0]?.id).toBe('u3');
  });
});

describe('snapshots written before this representation still load', () => {
  it('a snapshot as JSON.stringify wrote it, indented, keys in another order, groups with members', async () => {
    const file = join(dir, 'old');
    const snapshot = {
      collections: {
        users: [
          { userName: 'Ann', id: 'u-1', name: { givenName: 'Ann "A" \\ Ω' }, meta: { version: 'W/"1"' } },
          { id: 'u-2', userName: 'bo', emails: [{ value: 'bo@example.com', type: 'work', primary: true }] },
        ],
        groups: [{ id: 'g-1', displayName: 'Crew', members: [{ value: 'u-1', display: 'Ann' }, { value: 'u-2' }] }],
        roles: [{ id: 'r', value: 'r', displayName: 'R' }],
        somethingElse: [{ id: 'ignored' }],
      },
      format: 'scimgw-loki/1',
    };
    writeFileSync(`${file}.json`, JSON.stringify(snapshot, null, 2));
    const store = await TenantStore.open({ file, fsync: false });
    expect(store.count('users')).toBe(2);
    expect(store.get('users', 'u-1')).toEqual(snapshot.collections.users[0]);
    expect(store.page('users', 0, 2).map((d) => d.id)).toEqual(['u-1', 'u-2']);
    expect([...store.find('users', 'userName', 'ANN')]).toEqual(['u-1']);
    expect(store.get('groups', 'g-1')).toEqual({ id: 'g-1', displayName: 'Crew' });
    expect(store.membership.members('g-1')).toEqual([{ value: 'u-1', display: 'Ann' }, { value: 'u-2' }]);
    expect([...store.membership.groupsOf('u-2')]).toEqual(['g-1']);
    expect(store.get('roles', 'r')).toEqual({ id: 'r', value: 'r', displayName: 'R' });
    await store.close();
    // Written back in the same format, and read again the same.
    const again = await TenantStore.open({ file, fsync: false });
    expect(again.page('users', 0, 2)).toEqual(snapshot.collections.users);
    expect(again.membership.members('g-1')).toEqual([{ value: 'u-1', display: 'Ann' }, { value: 'u-2' }]);
    await again.close();
  });

  it('a snapshot of another format, or cut short, fails to open', async () => {
    const other = join(dir, 'other');
    writeFileSync(`${other}.json`, '{"format":"scimgw-loki/9","collections":{"users":[]}}');
    await expect(TenantStore.open({ file: other, fsync: false })).rejects.toThrow(/snapshot format/);
    const cut = join(dir, 'cut');
    writeFileSync(`${cut}.json`, '{"format":"scimgw-loki/1","collections":{"users":[{"id":"a"},{"id":');
    await expect(TenantStore.open({ file: cut, fsync: false })).rejects.toThrow(/ends early/);
  });

  it('a snapshot larger than one read (a group of many members) loads whole', async () => {
    const file = join(dir, 'big');
    const members = Array.from({ length: 40_000 }, (_, i) => ({ value: `member-${i}`, display: `Member "${i}" ✓` }));
    const users = Array.from({ length: 20_000 }, (_, i) => ({
      id: `u${i}`,
      userName: `user-${i}`,
      note: `${'é'.repeat(i % 50)}${'\\'.repeat(i % 5)}"}]`,
    }));
    writeFileSync(
      `${file}.json`,
      JSON.stringify({ format: 'scimgw-loki/1', collections: { users, groups: [{ id: 'big', displayName: 'Big', members }] } }),
    );
    const store = await TenantStore.open({ file, fsync: false });
    expect(store.count('users')).toBe(users.length);
    expect(store.page('users', 19_999, 20_000)).toEqual([users[19_999]]);
    expect(store.membership.members('big')).toEqual(members);
    await store.close();
  });
});

describe('a scan skips resources whose text cannot match, and finds the same as evaluating every one', () => {
  it('any compare, and and valuePath filter on stored values: same resources with and without the text test', async () => {
    const { SchemaRegistry } = await import('@scimgw/core');
    const { matchesFilter, parseFilter } = await import('@scimgw/core/filter');
    const { runQuery, textNeedle } = await import('../src/query.js');
    const registry = new SchemaRegistry();
    const rt = registry.resourceType('User');
    if (!rt) throw new Error('no User type');
    const resolve = registry.resolver(rt);
    const word = fc.constantFrom(
      'Ann',
      'ann',
      'BO',
      'x"y',
      'a\\b',
      '1',
      '1.0',
      'true',
      'TRUE',
      '2026-12-06',
      'Σ',
      'ens',
      'é',
      '@ex.com',
    );
    const userArb = fc.record(
      {
        userName: fc.string({ minLength: 1, maxLength: 6 }).chain((s) => word.map((w) => `${s}${w}`)),
        title: word,
        active: fc.boolean(),
        name: fc.record({ familyName: word, givenName: word }),
        emails: fc.array(fc.record({ value: word.map((w) => `${w}@Ex.com`), type: fc.constantFrom('work', 'home') }), {
          maxLength: 2,
        }),
        meta: fc.record({ created: fc.constantFrom('2026-12-06T00:00:00Z', '2026-12-06T00:00:00.000Z') }),
      },
      { requiredKeys: ['userName'] },
    );
    const attr = fc.constantFrom('userName', 'title', 'active', 'name.familyName', 'name.givenName', 'meta.created');
    const op = fc.constantFrom('eq', 'co', 'sw', 'ew', 'ne');
    const simple = fc.tuple(attr, op, word).map(([a, o, w]) => `${a} ${o} ${JSON.stringify(w)}`);
    const filterArb = fc.oneof(
      simple,
      fc.tuple(simple, simple).map(([a, b]) => `${a} and ${b}`),
      fc.tuple(op, word).map(([o, w]) => `emails[value ${o} ${JSON.stringify(w)}]`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(userArb, { maxLength: 12 }), filterArb, async (users, text) => {
        const store = await TenantStore.open({});
        for (const [i, u] of users.entries()) store.putLocal('users', { id: `u${i}`, ...u } as Doc);
        const filter = parseFilter(text);
        const got = runQuery(store, 'users', { filter }, (d) => d, resolve).resources.map((r) => r.id);
        const want = [...store.scan('users')].filter((d) => matchesFilter(filter, d, resolve)).map((d) => d.id);
        expect(got).toEqual(want);
        const needle = textNeedle(filter);
        if (needle !== undefined) expect(needle).toBe(needle.toLowerCase());
      }),
      { numRuns: 400 },
    );
  });
});
