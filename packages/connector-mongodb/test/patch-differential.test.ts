/**
 * Differential tests of PATCH: random operations applied by the connector (one update on the
 * changed paths, compare-and-set where needed) must leave the same resource as the core's reference
 * `applyChanges` on what was stored before.
 */
import type { Connector, ScimResource } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { applyChanges, patchToChanges } from '@scimgw/core/patch';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, connectorOn, startBackend } from './helpers/backend.js';
import { corpusRegistry, corpusUsers, ENT, EXT } from './helpers/corpus.js';

let backend: Backend;
let connector: Connector & { open(): Promise<void> };
let h: ScimHandler;
const registry = corpusRegistry();
const rt = registry.resourceType('User')!;

beforeAll(async () => {
  backend = await startBackend();
  connector = connectorOn(backend.url, { registry });
  await connector.open();
  h = createScimHandler({ connector });
});
afterAll(async () => {
  await connector?.close?.();
  await backend.stop();
});

/** A resource reduced to what both sides must agree on: no meta, schemas, groups; no empty values. */
function canonical(v: unknown, key?: string): unknown {
  if (Array.isArray(v)) {
    const list = v.map((x) => canonical(x)).filter((x) => x !== undefined);
    return list.length ? list : undefined;
  }
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (key === undefined && (k === 'meta' || k === 'schemas' || k === 'groups')) continue;
      const c = canonical(x, k);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === null) return undefined;
  if (key === 'since' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  return v;
}

const EMAIL = fc.record(
  {
    value: fc.constantFrom('a@x.org', 'A@X.org', 'b@y.com', 'c@z.net'),
    type: fc.constantFrom('work', 'home', 'Work'),
    primary: fc.boolean(),
  },
  { requiredKeys: ['value'] },
);
const str = fc.constantFrom('Alpha', 'beta', 'Gamma', '', 'a.b', '$x');

const OP: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ op: fc.constantFrom('replace', 'add'), path: fc.constantFrom('displayName', 'title', 'nickName'), value: str }),
  fc.record({
    op: fc.constant('remove'),
    path: fc.constantFrom('displayName', 'title', 'nickName', 'name', 'emails', 'addresses'),
  }),
  fc.record({ op: fc.constantFrom('replace', 'add'), path: fc.constant('active'), value: fc.constantFrom(true, false, 'False') }),
  fc.record({ op: fc.constantFrom('replace', 'add'), path: fc.constantFrom('name.givenName', 'name.familyName'), value: str }),
  fc.record({ op: fc.constant('remove'), path: fc.constantFrom('name.givenName', 'name.familyName') }),
  fc.record({
    op: fc.constant('replace'),
    path: fc.constant('name'),
    value: fc.record({ givenName: str, formatted: str }, { requiredKeys: [] }),
  }),
  fc.record({ op: fc.constant('add'), path: fc.constant('emails'), value: fc.array(EMAIL, { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('replace'), path: fc.constant('emails'), value: fc.array(EMAIL, { maxLength: 3 }) }),
  fc.record({
    op: fc.constant('remove'),
    path: fc.constantFrom(
      'emails[type eq "work"]',
      'emails[value eq "a@x.org"]',
      'emails[primary eq true]',
      'emails[not (type eq "home")]',
      'emails[value sw "B"]',
    ),
  }),
  fc.record({
    op: fc.constant('remove'),
    path: fc.constant('emails'),
    value: fc.array(fc.record({ value: fc.constantFrom('a@x.org', 'A@X.ORG', 'b@y.com') }), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    op: fc.constantFrom('replace', 'add'),
    path: fc.constantFrom('emails[type eq "work"].value', 'emails[type eq "home"].primary', 'addresses[type eq "work"].locality'),
    value: fc.constantFrom('new@x.org', true, 'Oslo'),
  }),
  fc.record({ op: fc.constant('remove'), path: fc.constantFrom('emails[type eq "work"].type', 'emails.primary') }),
  fc.record({
    op: fc.constantFrom('replace', 'add'),
    path: fc.constantFrom(
      `${ENT}:department`,
      `${ENT}:manager`,
      `${ENT}:manager.value`,
      `${EXT}:level`,
      `${EXT}:since`,
      `${EXT}:code`,
    ),
    value: fc.constantFrom('Sales', 'mgr-1', 3, '2025-01-01T00:00:00+01:00'),
  }),
  fc.record({
    op: fc.constant('remove'),
    path: fc.constantFrom(`${ENT}:department`, `${ENT}:manager`, `${EXT}:tags`, `${EXT}:level`),
  }),
  fc.record({
    op: fc.constantFrom('add', 'replace'),
    path: fc.constant(`${EXT}:tags`),
    value: fc.array(fc.constantFrom('red', 'blue'), { maxLength: 2 }),
  }),
  fc.record({
    op: fc.constant('replace'),
    value: fc.record(
      {
        displayName: str,
        'name.familyName': str,
        active: fc.boolean(),
        [`${ENT}:department`]: str,
        title: fc.constantFrom(null, 'T'),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({
    op: fc.constant('add'),
    value: fc.record({ emails: fc.array(EMAIL, { maxLength: 2 }), title: str }, { requiredKeys: [] }),
  }),
);

describe('PATCH: the connector and the core reference agree', () => {
  it('on random operation lists', async () => {
    const users = corpusUsers(40, 3);
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(OP, { minLength: 1, maxLength: 4 }), async (ops) => {
        const body = { ...(users[i++ % users.length] as Record<string, unknown>), userName: `patch-${i}-${Math.random()}` };
        const made = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify(body) });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        const id = (made.body as { id: string }).id;
        const before = (await connector.resources.User!.get!(id, {}, {})) as ScimResource;
        const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops };
        let expected: unknown;
        let expectedStatus = 200;
        try {
          expected = canonical(
            applyChanges(before, patchToChanges(registry, rt, patch), { registry, resourceType: rt }).resource,
          );
        } catch (e) {
          expectedStatus = (e as { status?: number }).status ?? 500;
        }
        const res = await h.handle({ method: 'PATCH', url: `/Users/${id}`, body: JSON.stringify(patch) });
        const label = JSON.stringify(ops);
        expect(res.status, `${label} ${JSON.stringify(res.body)}`).toBe(expectedStatus);
        const after = await connector.resources.User!.get!(id, {}, {});
        if (expectedStatus === 200) expect(canonical(after), label).toEqual(expected);
        else expect(canonical(after), `${label}: a refused PATCH changes nothing`).toEqual(canonical(before));
        await h.handle({ method: 'DELETE', url: `/Users/${id}` });
      }),
      { numRuns: Number(process.env.PATCH_RUNS ?? 250) },
    );
  });
});
