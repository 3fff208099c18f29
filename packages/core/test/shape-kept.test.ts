/**
 * A deeply frozen connector resource is shaped once per resource type, base and version need, and
 * the frozen result reused: it must always equal what shaping a copy gives, whatever was read before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finishResource } from '../src/handler/shape.js';
import { Projection } from '../src/query/projection.js';
import { SchemaRegistry } from '../src/schema/registry.js';

const registry = new SchemaRegistry();
const users = registry.resourceType('User')!;
const groups = registry.resourceType('Group')!;
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const deepFreeze = <T>(v: T): T => {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
};
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const user = (withVersion: boolean) =>
  deepFreeze({
    id: 'u 1',
    userName: 'alice',
    groups: [{ value: 'g1', display: 'G', type: 'direct' }],
    [ENTERPRISE]: { department: 'x' },
    meta: { created: '2020-01-01T00:00:00Z', lastModified: '2020-01-02T00:00:00Z', ...(withVersion ? { version: 'W/"1"' } : {}) },
  });

describe('shaping kept for frozen resources', () => {
  it('gives the same frozen object for the same resource, type and base, equal to shaping a copy', () => {
    const u = user(true);
    const once = finishResource(registry, users, u, 'http://a');
    // Kept from the second time on.
    const a = finishResource(registry, users, u, 'http://a');
    expect(a).toEqual(once);
    expect(finishResource(registry, users, u, 'http://a')).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.meta) && Object.isFrozen(a.groups) && Object.isFrozen(a.schemas)).toBe(true);
    expect(a).toEqual(finishResource(registry, users, copy(u), 'http://a'));
    expect((a.groups as { $ref: string }[])[0]?.$ref).toBe('http://a/Groups/g1');
  });

  it('follows another base, resource type and version need (property over read orders)', () => {
    const variants = [
      { rt: users, base: 'http://a' },
      { rt: users, base: 'https://b/scim/v2' },
      { rt: users, base: undefined },
      { rt: groups, base: 'http://a' },
    ] as const;
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: variants.length - 1 }), fc.boolean()), { maxLength: 12 }),
        (ownVersion, reads) => {
          const u = user(ownVersion);
          for (const [i, withVersion] of reads) {
            const { rt, base } = variants[i] as (typeof variants)[number];
            const got = finishResource(registry, rt, u, base, withVersion);
            expect(JSON.stringify(got)).toBe(JSON.stringify(finishResource(registry, rt, copy(u), base, withVersion)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('shapes anew a resource that is not frozen, or frozen with something mutable inside', () => {
    const open = copy(user(true));
    const first = finishResource(registry, users, open, 'http://a');
    expect(finishResource(registry, users, open, 'http://a')).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(false);

    const meta = { created: '2020-01-01T00:00:00Z', version: 'W/"1"' };
    const shallow = Object.freeze({ id: 'x', userName: 'x', meta });
    expect(finishResource(registry, users, shallow, 'http://a').meta?.version).toBe('W/"1"');
    meta.version = 'W/"2"';
    expect(finishResource(registry, users, shallow, 'http://a').meta?.version).toBe('W/"2"');
  });

  it('through a projection, a list page gives what projecting a fresh shape gives, whatever came before (property)', () => {
    const withPassword = deepFreeze({ ...copy(user(true)), id: 'p1', password: 'secret' });
    const plainUser = user(true);
    const projections = [
      {},
      { attributes: ['userName'] },
      { excludedAttributes: ['groups'] },
      { attributes: ['password', 'userName'] },
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: projections.length - 1 })), { maxLength: 16 }),
        (reads) => {
          for (const [hidden, p] of reads) {
            const r = hidden ? withPassword : plainUser;
            const projection = new Projection(registry, users, projections[p] as object);
            const got = finishResource(registry, users, r, 'http://a', false, projection);
            const expected = projection.apply(finishResource(registry, users, copy(r), 'http://a', false));
            expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
            expect(JSON.stringify(got)).not.toContain('secret');
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a plain page gives the kept shape itself for a resource holding nothing hidden, never for one that does', () => {
    const plain = new Projection(registry, users, {});
    const u = user(true);
    const kept = [0, 1, 2].map(() => finishResource(registry, users, u, 'http://a', false, plain))[2];
    expect(finishResource(registry, users, u, 'http://a', false)).toBe(kept);
    expect(finishResource(registry, users, u, 'http://a', false, plain)).toBe(kept);
    const p = deepFreeze({ ...copy(u), id: 'p2', password: 'secret' });
    for (let i = 0; i < 3; i++) {
      const got = finishResource(registry, users, p, 'http://a', false, plain);
      expect(got.password).toBeUndefined();
      expect(got.userName).toBe('alice');
    }
  });
});
