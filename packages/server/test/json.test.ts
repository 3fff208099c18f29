import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cachedJsonBytes, MAX_CACHED_BYTES, responseJson, responsePieces } from '../src/http/json.js';
import { sendJson } from '../src/http/send.js';

const text = (x: string) => x;

/** A frozen array of frozen members, as the embedded store hands out a group's members. */
const frozenMembers = (n: number, tag = '') =>
  Object.freeze(
    Array.from({ length: n }, (_, i) => Object.freeze({ value: `u${i}${tag}`, display: `Ü ${i} "q"`, type: 'User' })),
  );

describe('responseJson', () => {
  it('is JSON.stringify for any JSON value, frozen arrays anywhere included (property)', () => {
    const json = fc.jsonValue();
    const frozenDeep = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object') return v;
      const c = Array.isArray(v) ? v.map(frozenDeep) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, frozenDeep(x)]));
      return Object.freeze(c);
    };
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), json),
        fc.array(json, { minLength: 60, maxLength: 80 }),
        fc.boolean(),
        (obj, arr, list) => {
          const resource = { ...obj, members: frozenDeep(arr) };
          const body = list ? { schemas: ['x'], totalResults: 1, Resources: [resource, { id: 'plain' }], after: 1 } : resource;
          expect(text(responseJson(body))).toBe(JSON.stringify(body));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps JSON.stringify semantics: undefined values dropped, toJSON honoured, order kept', () => {
    const members = frozenMembers(100);
    const body = { schemas: ['s'], a: undefined, when: new Date(0), members, f: () => 1, z: 'last' };
    expect(text(responseJson(body))).toBe(JSON.stringify(body));
  });

  it('reuses the bytes of the same frozen array, and serializes a new array anew', () => {
    const members = frozenMembers(100);
    const first = text(responseJson({ id: 'g', members }));
    expect(text(responseJson({ id: 'g', members, displayName: 'renamed' }))).toBe(
      JSON.stringify({ id: 'g', members, displayName: 'renamed' }),
    );
    const changed = frozenMembers(101, 'x');
    expect(text(responseJson({ id: 'g', members: changed }))).toBe(JSON.stringify({ id: 'g', members: changed }));
    expect(first).toBe(JSON.stringify({ id: 'g', members }));
  });

  it('never caches a frozen array that holds something mutable', () => {
    const mutable = { value: 'a', display: 'before' };
    const members = Object.freeze([mutable, ...frozenMembers(100)]);
    expect(text(responseJson({ members }))).toContain('"before"');
    mutable.display = 'after';
    expect(text(responseJson({ members }))).toContain('"after"');
  });

  it('leaves bodies without large frozen arrays to JSON.stringify (a string)', () => {
    expect(responseJson({ members: frozenMembers(10) })).toBe(JSON.stringify({ members: frozenMembers(10) }));
    expect(responseJson([1, 2])).toBe('[1,2]');
    expect(responseJson('x')).toBe('"x"');
  });
});

describe('responsePieces and the bound of the cache', () => {
  it('gives the cached JSON as bytes between text pieces that join to JSON.stringify', () => {
    const members = frozenMembers(80);
    const body = { schemas: ['s'], id: 'g', members, meta: { version: 'W/"1"' } };
    const pieces = responsePieces(body);
    expect(Array.isArray(pieces)).toBe(true);
    expect((pieces as unknown[]).some((p) => Buffer.isBuffer(p))).toBe(true);
    const bytes = Buffer.concat((pieces as (string | Buffer)[]).map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    expect(bytes.toString('utf8')).toBe(JSON.stringify(body));
  });

  it('keeps at most MAX_CACHED_BYTES however many arrays were read', () => {
    // Big arrays (about 1 MiB of JSON each), more than the bound holds; each read must still be right.
    const big = (tag: string) =>
      Object.freeze(Array.from({ length: 8000 }, (_, i) => Object.freeze({ value: `${tag}-${i}-${'x'.repeat(100)}` })));
    const kept = big('kept');
    for (let n = 0; n < 48; n++) {
      const arr = big(`a${n}`);
      expect(responseJson({ members: arr })).toBe(JSON.stringify({ members: arr }));
      expect(cachedJsonBytes()).toBeLessThanOrEqual(MAX_CACHED_BYTES);
    }
    expect(responseJson({ members: kept })).toBe(JSON.stringify({ members: kept }));
    expect(cachedJsonBytes()).toBeGreaterThan(0);
  });
});

describe('sendJson with cached pieces', () => {
  it('sends the same bytes and Content-Length as a plain body, and the change after a new array', async () => {
    let members: readonly unknown[] = frozenMembers(120);
    const server = createServer((_req, res) => sendJson(res, 200, { 'content-type': 'application/json' }, { id: 'g', members }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      for (let i = 0; i < 3; i++) {
        if (i === 2) members = Object.freeze([...members, Object.freeze({ value: 'added', display: 'ä', type: 'User' })]);
        const res = await fetch(url);
        const body = Buffer.from(await res.arrayBuffer());
        expect(body.toString('utf8')).toBe(JSON.stringify({ id: 'g', members }));
        expect(Number(res.headers.get('content-length'))).toBe(body.length);
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
