import type { RequestContext, ResourceHandler, ScimResource } from '@scimgw/core';
import type { HelperRest, RequestOptions } from '@scimgw/helper-rest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGenericConnector } from '../src/connector.js';
import { KeptResources, sameJson } from '../src/kept.js';
import { pageText, pagesOver, recordPool } from './json-pages.js';

const record = (over: Record<string, unknown> = {}) => ({
  id: 'u1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [{ value: 'b@x', type: 'work' }],
  meta: { version: 'W/"1"' },
  ...over,
});

/** A mapping that counts its calls and makes a fresh object each time, as the mapper does. */
function counting() {
  let calls = 0;
  const map = (raw: Record<string, unknown>): ScimResource | undefined => {
    calls++;
    if (raw.hidden) return undefined;
    return { id: raw.id as string, userName: raw.userName, name: { ...(raw.name as object) } };
  };
  return { map, calls: () => calls };
}

describe('sameJson', () => {
  it('compares values, arrays and object keys in order', () => {
    expect(sameJson(record(), record())).toBe(true);
    expect(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameJson(record(), record({ userName: 'other' }))).toBe(false);
    expect(sameJson(record(), record({ emails: [{ value: 'b@x', type: 'home' }] }))).toBe(false);
    expect(sameJson({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameJson({ a: [] }, { a: {} })).toBe(false);
    expect(sameJson({ a: null }, { a: {} })).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
  });

  it('gives up (not equal) on values nested deeper than it compares', () => {
    let a: unknown = 1;
    let b: unknown = 1;
    for (let i = 0; i < 40; i++) {
      a = { x: a };
      b = { x: b };
    }
    expect(sameJson(a, b)).toBe(false);
  });
});

describe('KeptResources', () => {
  it('hands out the same frozen resource while the target sends the same record', () => {
    const kept = new KeptResources(10_000);
    const m = counting();
    const first = kept.resolve(undefined, record(), m.map);
    const second = kept.resolve(undefined, record(), m.map);
    expect(second).toBe(first);
    expect(m.calls()).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first?.name)).toBe(true);
  });

  it('maps a changed record afresh and keeps that one instead', () => {
    const kept = new KeptResources(10_000);
    const m = counting();
    const first = kept.resolve(undefined, record(), m.map);
    const changed = kept.resolve(undefined, record({ name: { givenName: 'Babs', familyName: 'Jensen' } }), m.map);
    expect(changed).not.toBe(first);
    expect(changed?.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
    // The old record is no longer what the target sends: going back maps again.
    const back = kept.resolve(undefined, record(), m.map);
    expect(back).not.toBe(first);
    expect(back).toEqual(first);
    expect(m.calls()).toBe(3);
    expect(kept.size).toBe(1);
  });

  it('keeps records of different tenants apart', () => {
    const kept = new KeptResources(10_000);
    const m = counting();
    const a = kept.resolve('a', record(), m.map);
    const b = kept.resolve('b', record(), m.map);
    expect(b).not.toBe(a);
    expect(kept.resolve('a', record(), m.map)).toBe(a);
    expect(m.calls()).toBe(2);
  });

  it('keeps the verdict of a hidden record too', () => {
    const kept = new KeptResources(10_000);
    const m = counting();
    expect(kept.resolve(undefined, record({ hidden: true }), m.map)).toBeUndefined();
    expect(kept.resolve(undefined, record({ hidden: true }), m.map)).toBeUndefined();
    expect(m.calls()).toBe(1);
    expect(kept.resolve(undefined, record({ hidden: false }), m.map)).toBeDefined();
    expect(m.calls()).toBe(2);
  });

  it('maps records without a string id every time', () => {
    const kept = new KeptResources(10_000);
    const m = counting();
    kept.resolve(undefined, record({ id: 7 }), m.map);
    kept.resolve(undefined, record({ id: 7 }), m.map);
    expect(m.calls()).toBe(2);
    expect(kept.size).toBe(0);
  });

  it('stays within its bound, the oldest records leaving first', () => {
    const kept = new KeptResources(200);
    const m = counting();
    for (let i = 0; i < 50; i++) kept.resolve(undefined, record({ id: `u${i}` }), m.map);
    expect(kept.size).toBeGreaterThan(0);
    expect(kept.size).toBeLessThan(50);
    const calls = m.calls();
    kept.resolve(undefined, record({ id: 'u49' }), m.map);
    expect(m.calls()).toBe(calls);
    kept.resolve(undefined, record({ id: 'u0' }), m.map);
    expect(m.calls()).toBe(calls + 1);
  });

  it('lets go of the bytes of a record that left or changed, wherever another still points at them', () => {
    const kept = new KeptResources(100);
    const m = counting();
    const bytesOf = (r: Record<string, unknown>) => Buffer.from(JSON.stringify(r));
    const resolve = (r: Record<string, unknown>) =>
      kept.resolveBytes(undefined, r.id as string, bytesOf(r), () => JSON.parse(JSON.stringify(r)), m.map);
    const byId = (id: string) => kept.knownById(undefined, Buffer.from(id), 0, Buffer.byteLength(id));
    resolve(record());
    const first = byId('u1');
    expect(first?.bytes).toEqual(bytesOf(record()));
    resolve(record({ userName: 'changed' }));
    expect(first?.bytes).toBeUndefined();
    expect(first?.value).toBeUndefined();
    expect(byId('u1')?.bytes).toEqual(bytesOf(record({ userName: 'changed' })));
    const second = byId('u1');
    for (let i = 0; i < 20; i++) resolve(record({ id: `other-${i}` }));
    expect(byId('u1')).toBeUndefined();
    expect(second?.bytes).toBeUndefined();
  });

  it('does not keep a record larger than a quarter of its bound', () => {
    const kept = new KeptResources(40);
    const m = counting();
    const big = record({ members: Array.from({ length: 20 }, (_, i) => ({ value: `m${i}` })) });
    kept.resolve(undefined, big, m.map);
    expect(kept.size).toBe(0);
  });
});

describe('the connector reading through KeptResources', () => {
  /** A target answering GETs with `body()`: whatever the test makes it say at that moment. */
  function connectorOver(body: () => unknown, { parsed = false, config = {} as Record<string, unknown> } = {}) {
    let requests = 0;
    const rest = {
      async doRequest(_tenant: string | undefined, method: string, _path: string, _b: unknown, _c: unknown, o?: RequestOptions) {
        requests++;
        if (method !== 'GET') throw new Error('reads only');
        const b = body();
        // A string is the answer's text as it is (broken JSON included).
        const json = typeof b === 'string' ? b : JSON.stringify(b);
        return {
          status: 200,
          url: '',
          headers: new Headers(),
          body: o?.responseType === 'bytes' && !parsed ? Buffer.from(json) : JSON.parse(json),
        };
      },
      federatedRoutes: () => [],
      close: async () => {},
    } as unknown as HelperRest;
    const connector = createGenericConnector({ config, rest });
    return { users: connector.resources.User as ResourceHandler, requests: () => requests };
  }
  const ctx = { requestId: 'kept-test' } as RequestContext;

  it('asks the target every time and serves what it answered', async () => {
    let givenName = 'Barbara';
    const { users, requests } = connectorOver(() => record({ name: { givenName, familyName: 'Jensen' } }));
    const a = await users.get?.('u1', ctx, {});
    const b = await users.get?.('u1', ctx, {});
    expect(requests()).toBe(2);
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    givenName = 'Babs';
    const c = await users.get?.('u1', ctx, {});
    expect(requests()).toBe(3);
    expect(c?.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
  });

  it('shares kept resources between reads by id and list pages', async () => {
    const { users } = connectorOver(() => ({ totalResults: 1, Resources: [record()] }));
    const page1 = await users.query?.({ count: 10 }, ctx);
    const page2 = await users.query?.({ count: 10 }, ctx);
    expect(page2?.resources[0]).toBe(page1?.resources[0]);
    expect(page1?.resources[0]?.userName).toBe('bjensen');
  });

  it('reads a list answer exactly as JSON.parse of all of it would', async () => {
    const cases: [string, string[], number][] = [
      ['{"totalResults":2,"Resources":[{"id":"a","userName":"x"},{"id":"b","userName":"y"}]}', ['x', 'y'], 2],
      // A key with escapes is JSON.parse's to read: the whole answer is parsed.
      ['{"Re\\u0073ources":[{"id":"a","userName":"x"}],"totalResults":1}', ['x'], 1],
      ['{"totalResults":2,"Resources":[{"id":"a","userName":"x"}],"Resources":[]}', [], 2],
    ];
    // No JSON at all (one element broken): not a list answer, and not "no match" either (it once
    // was an empty list, which an IdP that looks up before it creates takes for an absent user).
    const broken = '{"totalResults":2,"Resources":[{"id":"a","userName":"x"},{"id":"b",]}';
    await expect(connectorOver(() => broken).users.query?.({ count: 10 }, ctx)).rejects.toMatchObject({ status: 502 });
    for (const [answer, names, total] of cases) {
      const { users } = connectorOver(() => answer);
      for (let round = 0; round < 2; round++) {
        const page = await users.query?.({ count: 10 }, ctx);
        expect(
          page?.resources.map((r) => r.userName),
          answer,
        ).toEqual(names);
        expect(page?.totalResults, answer).toBe(total);
      }
    }
  });

  /** What a read gives, or the error it throws. */
  const outcome = async <T>(read: () => Promise<T> | undefined) => {
    try {
      return { value: await read() };
    } catch (e) {
      return { error: String(e) };
    }
  };

  it('serves pages of kept, changed and hostile records as a connector that keeps nothing would (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordPool.chain((pool) => fc.tuple(fc.constant(pool), pagesOver(pool.length))),
        async ([pool, pages]) => {
          let answer = '';
          const { users } = connectorOver(() => answer);
          for (const [indexes, w] of pages) {
            answer = pageText(
              indexes.map((i) => pool[i] as string),
              w,
            );
            // The whole answer parsed and mapped, by a connector that has never seen a record.
            const expected = await outcome(() => connectorOver(() => answer, { parsed: true }).users.query?.({ count: 10 }, ctx));
            expect(await outcome(() => users.query?.({ count: 10 }, ctx))).toEqual(expected);
          }
          for (const i of pages.flatMap(([indexes]) => indexes)) {
            answer = pool[i] as string;
            const expected = await outcome(() => connectorOver(() => answer, { parsed: true }).users.get?.('a', ctx, {}));
            expect(await outcome(() => users.get?.('a', ctx, {}))).toEqual(expected);
          }
        },
      ),
      { numRuns: 150 },
    );
    console.log('HITS', (globalThis as any).__hits, (globalThis as any).__asks);
  });

  it('serves a record known by its bytes even when a changed copy before it in the page replaced it', async () => {
    let answer = pageText(['{"id":"a","userName":"x"}']);
    const { users } = connectorOver(() => answer);
    await users.query?.({ count: 10 }, ctx);
    // The first element changes what is kept for "a" after the scan found the second one known.
    answer = pageText(['{"id":"a","userName":"y"}', '{"id":"a","userName":"x"}']);
    const page = await users.query?.({ count: 10 }, ctx);
    expect(page?.resources.map((r) => r.userName)).toEqual(['y', 'x']);
  });

  it('keeps the records of tenants apart when their targets send the same bytes', async () => {
    // The same bytes map differently for a SCIM 1.1 target: its enterprise URN is the 1.1 one.
    const answer = pageText([
      '{"id":"a","userName":"x","urn:scim:schemas:extension:enterprise:1.0":{"employeeNumber":"7"}}',
      '{"id":"b","userName":"y"}',
    ]);
    const config = { entity: { t20: { scimVersion: '2.0' }, t11: { scimVersion: '1.1' } } };
    const { users } = connectorOver(() => answer, { config });
    const enterprise = (tenant: string) =>
      users.query?.({ count: 10 }, { ...ctx, tenant }).then((p) => p.resources.map((r) => JSON.stringify(r).includes('"7"')));
    for (let round = 0; round < 3; round++) {
      expect(await enterprise('t20')).toEqual([false, false]);
      expect(await enterprise('t11')).toEqual([true, false]);
    }
  });

  it('leaves out a record the mapping hides, also when its bytes are known', async () => {
    const answer = pageText(['{"id":"a","userName":"x","displayName":"A"}', '{"id":"b","userName":"y","displayName":"Z"}']);
    const map = {
      user: {
        id: { mapTo: 'id' },
        userName: { mapTo: 'userName' },
        displayName: { mapTo: 'displayName', valueMap: { A: 'Shown' } },
      },
    };
    const { users } = connectorOver(() => answer, { config: { map } });
    for (let round = 0; round < 3; round++) {
      const page = await users.query?.({ count: 10 }, ctx);
      expect(page?.resources.map((r) => [r.userName, r.displayName])).toEqual([['x', 'Shown']]);
    }
  });

  it('maps a record again when it changes, not when only its bytes do', async () => {
    let answer = '{"id":"u1","userName":"a"}';
    const { users } = connectorOver(() => answer);
    const a = await users.get?.('u1', ctx, {});
    answer = '{ "id": "u1", "userName": "a" }';
    const b = await users.get?.('u1', ctx, {});
    expect(b).toBe(a); // other bytes, the same record: the kept resource, found by comparing values
    answer = '{"id":"u1","userName":"b"}';
    const c = await users.get?.('u1', ctx, {});
    expect(c?.userName).toBe('b');
    // Text that is not JSON is not the resource, and not its absence either (it was once a 404).
    answer = 'not json';
    await expect(users.get?.('u1', ctx, {})).rejects.toMatchObject({ status: 502 });
  });
});
