import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseJson } from '../src/http/json.js';

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
