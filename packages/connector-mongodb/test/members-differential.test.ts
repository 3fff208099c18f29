/**
 * Group membership PATCHes — adds, removes by value or by filter, replace, clear, in any mix in one
 * PATCH — must leave the members the core's reference `applyChanges` leaves (compared by value and
 * order: member sub-attributes are immutable, so a re-added member keeps its element). A member is
 * kept once, as in the embedded store, where the reference would keep a value listed twice twice.
 */
import type { Connector } from '@scimgw/core';
import { SchemaRegistry } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { applyChanges, patchToChanges } from '@scimgw/core/patch';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, connectorOn, startBackend } from './helpers/backend.js';

let backend: Backend;
let connector: Connector & { open(): Promise<void> };
let h: ScimHandler;
const registry = new SchemaRegistry();
const rt = registry.resourceType('Group')!;

beforeAll(async () => {
  backend = await startBackend();
  connector = connectorOn(backend.url);
  await connector.open();
  h = createScimHandler({ connector });
});
afterAll(async () => {
  await connector?.close?.();
  await backend.stop();
});

const V = fc.constantFrom('u1', 'u2', 'u3', 'u4', 'U1', 'g1');
const member = fc.record({ value: V, type: fc.constantFrom('User', 'Group') }, { requiredKeys: ['value'] });
/** Lists name each member once (a value listed twice is kept once here, twice by the reference). */
const members = (min: number, max: number) =>
  fc.uniqueArray(member, { minLength: min, maxLength: max, selector: (m) => m.value });
const OP = fc.oneof(
  fc.record({ op: fc.constant('add'), path: fc.constant('members'), value: members(1, 3) }),
  fc.record({
    op: fc.constant('remove'),
    path: fc.constant('members'),
    value: fc.array(fc.record({ value: V }), { minLength: 1, maxLength: 2 }),
  }),
  V.map((v) => ({ op: 'remove', path: `members[value eq "${v}"]` })),
  fc.constantFrom(
    { op: 'remove', path: 'members[type eq "group"]' },
    { op: 'remove', path: 'members[value sw "u"]' },
    { op: 'remove', path: 'members[not (type eq "User")]' },
    { op: 'remove', path: 'members' },
    { op: 'replace', path: 'displayName', value: 'renamed' },
  ),
  fc.record({ op: fc.constant('replace'), path: fc.constant('members'), value: members(0, 3) }),
);

describe('member PATCHes: the connector and the core reference agree', () => {
  it('on random operation lists', async () => {
    await fc.assert(
      fc.asyncProperty(members(0, 4), fc.array(OP, { minLength: 1, maxLength: 4 }), async (initial, ops) => {
        const made = await h.handle({
          method: 'POST',
          url: '/Groups',
          body: JSON.stringify({ displayName: 'g', members: initial }),
        });
        expect(made.status).toBe(201);
        const id = (made.body as { id: string }).id;
        const before = await connector.resources.Group!.get!(id, {}, {});
        const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops };
        const expected = applyChanges(before!, patchToChanges(registry, rt, patch), { registry, resourceType: rt }).resource;
        const res = await h.handle({ method: 'PATCH', url: `/Groups/${id}`, body: JSON.stringify(patch) });
        expect(res.status, JSON.stringify(res.body)).toBe(204);
        const after = await connector.resources.Group!.get!(id, {}, {});
        const values = (r: Record<string, unknown> | undefined) =>
          ((r?.members as { value: string }[] | undefined) ?? []).map((m) => m.value);
        // Members are a set (RFC 7643 multi-valued attributes have no order): a member removed and
        // added back in one PATCH stays where it was here, and moves to the end in the reference.
        expect(values(after).sort(), JSON.stringify({ initial, ops })).toEqual(values(expected).sort());
        expect(after?.displayName).toBe(expected.displayName);
        await h.handle({ method: 'DELETE', url: `/Groups/${id}` });
      }),
      { numRuns: Number(process.env.PATCH_RUNS ?? 200) },
    );
  });
});
