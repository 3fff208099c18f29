/**
 * `$ref`s of a large frozen member list are built once per list and origin and reused while the
 * list is the same: a different origin, a new list or a mutable list must never get another's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finishResource } from '../src/handler/shape.js';
import { SchemaRegistry } from '../src/schema/registry.js';

const registry = new SchemaRegistry();
const rt = registry.resourceType('Group')!;
const typed = (n: number, tag = '') =>
  Object.freeze(Array.from({ length: n }, (_, i) => Object.freeze({ value: `u${i}${tag}`, type: i % 2 ? 'User' : 'Group' })));
const refs = (r: Record<string, unknown>) => (r.members as { $ref?: string }[]).map((m) => m.$ref);

describe('member $ref of large lists', () => {
  it('follows the origin of each read of the same frozen list', () => {
    const members = typed(100);
    const group = { id: 'g', displayName: 'g', members };
    const a = finishResource(registry, rt, group, 'http://a');
    const b = finishResource(registry, rt, group, 'https://b/scim');
    const a2 = finishResource(registry, rt, group, 'http://a');
    expect(refs(a)[1]).toBe('http://a/Users/u1');
    expect(refs(a)[0]).toBe('http://a/Groups/u0');
    expect(refs(b)[1]).toBe('https://b/scim/Users/u1');
    expect(refs(a2)).toEqual(refs(a));
    // The stored list is untouched, and the list handed out is frozen (so its JSON may be cached).
    expect((members[1] as { $ref?: string }).$ref).toBeUndefined();
    expect(Object.isFrozen(a2.members)).toBe(true);
  });

  it('builds a new list anew, and never keeps the $refs of a list that can change', () => {
    const first = typed(100);
    expect(refs(finishResource(registry, rt, { id: 'g', members: first }, 'http://a'))[5]).toBe('http://a/Users/u5');
    const next = typed(100, 'x');
    expect(refs(finishResource(registry, rt, { id: 'g', members: next }, 'http://a'))[5]).toBe('http://a/Users/u5x');

    const mutable = Array.from({ length: 100 }, (_, i) => ({ value: `m${i}`, type: 'User' }));
    expect(refs(finishResource(registry, rt, { id: 'g', members: mutable }, 'http://a'))[3]).toBe('http://a/Users/m3');
    mutable[3] = { value: 'changed', type: 'User' };
    expect(refs(finishResource(registry, rt, { id: 'g', members: mutable }, 'http://a'))[3]).toBe('http://a/Users/changed');
    // A frozen list of elements that can still change is not kept either.
    const open = { value: 'o', type: 'User' };
    const frozenOfOpen = Object.freeze([open, ...typed(99)]);
    expect(refs(finishResource(registry, rt, { id: 'g', members: frozenOfOpen }, 'http://a'))[0]).toBe('http://a/Users/o');
    open.value = 'o2';
    expect(refs(finishResource(registry, rt, { id: 'g', members: frozenOfOpen }, 'http://a'))[0]).toBe('http://a/Users/o2');
  });

  it('stays right for lists read after many others (the kept copies are bounded)', () => {
    const lists = Array.from({ length: 300 }, (_, n) => typed(70, `-${n}`));
    for (const l of lists) finishResource(registry, rt, { id: 'g', members: l }, 'http://a');
    for (const n of [0, 150, 299]) {
      const done = finishResource(registry, rt, { id: 'g', members: lists[n] as unknown[] }, 'http://b');
      expect(refs(done)[1]).toBe(`http://b/Users/u1-${n}`);
    }
  });
});

describe('meta.location', () => {
  it('is the origin, the endpoint and the id as a URI component, for any id (property)', () => {
    const users = registry.resourceType('User')!;
    fc.assert(
      fc.property(
        // Any id but the empty one, which names no resource (the core refuses it: test below).
        fc.oneof(
          fc.uuid(),
          fc.string({ unit: 'grapheme', minLength: 1 }),
          fc.string({ unit: 'binary-ascii', minLength: 1 }),
          fc.stringMatching(/^[\w.~ /%?#-]+$/),
        ),
        (id) => {
          const r = finishResource(registry, users, { id, userName: 'u' }, 'http://a/scim');
          expect(r.meta?.location).toBe(`http://a/scim/Users/${encodeURIComponent(id)}`);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
