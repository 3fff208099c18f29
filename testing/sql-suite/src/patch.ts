/**
 * PATCH semantics checked against the core's document semantics: fast-check generates PATCH
 * requests (add, replace, remove; attribute, sub-attribute and value-filter paths; path-less
 * values) on users with e-mails, phone numbers, roles and addresses; whatever the connector stores
 * must be what `applyChanges` computes from the same request, and a request the core refuses must
 * leave the user unchanged.
 */
import type { ScimResource } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import { applyChanges, patchToChanges } from '@scimgw/core/patch';
import fc from 'fast-check';
import type { FreshFactory, SuiteCase } from './types.js';
import { check } from './types.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const word = fc.constantFrom('ann', 'Bob', 'c%d', "o'x", 'ÄÖ', 'work', 'home', '');
const email = fc.record(
  { value: fc.constantFrom('a@x', 'b@x', 'C@x', 'd@y'), type: fc.constantFrom('work', 'home', 'other'), primary: fc.boolean() },
  { requiredKeys: ['value'] },
);
const role = fc.record(
  { value: fc.constantFrom('admin', 'user', 'Admin', 'guest'), primary: fc.boolean() },
  { requiredKeys: ['value'] },
);
const address = fc.record(
  { type: fc.constantFrom('work', 'home'), locality: word, country: fc.constantFrom('DE', 'US') },
  { requiredKeys: ['type'] },
);
const uniqueBy = <T>(arb: fc.Arbitrary<T>, key: (x: T) => unknown) => fc.uniqueArray(arb, { selector: key, maxLength: 3 });

/** One PATCH operation. */
const operation: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    op: fc.constantFrom('add', 'replace'),
    path: fc.constantFrom('displayName', 'title', 'nickName', 'name.givenName', 'externalId', `${ENT}:department`),
    value: word,
  }),
  fc.record({ op: fc.constant('replace'), path: fc.constant('active'), value: fc.boolean() }),
  fc.record({
    op: fc.constant('remove'),
    path: fc.constantFrom(
      'displayName',
      'title',
      'name.givenName',
      'name',
      'emails',
      'roles',
      'addresses',
      'phoneNumbers',
      `${ENT}:department`,
      `${ENT}:manager`,
    ),
  }),
  fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constant('emails'), value: uniqueBy(email, (e) => e.value) }),
  fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constant('roles'), value: uniqueBy(role, (r) => r.value) }),
  fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constant('addresses'), value: uniqueBy(address, (a) => a.type) }),
  fc.record({
    op: fc.constant('add'),
    path: fc.constant('phoneNumbers'),
    value: fc.constant([{ value: '+1 555', type: 'work' }]),
  }),
  fc.record({
    op: fc.constant('replace'),
    path: fc.constantFrom('emails[type eq "work"].value', 'emails[type eq "home"].value'),
    value: fc.constantFrom('z@x', 'y@x'),
  }),
  fc.record({ op: fc.constant('replace'), path: fc.constant('emails[value eq "a@x"].primary'), value: fc.boolean() }),
  fc.record({
    op: fc.constant('remove'),
    path: fc.constantFrom(
      'emails[type eq "work"]',
      'emails[value eq "b@x"]',
      'roles[value eq "admin"]',
      'addresses[type eq "home"]',
    ),
  }),
  fc.record({ op: fc.constant('replace'), path: fc.constant('addresses[type eq "work"].locality'), value: word }),
  fc.record({ op: fc.constant('remove'), path: fc.constant('emails'), value: fc.constant([{ value: 'a@x' }]) }),
  fc.record({ op: fc.constant('add'), path: fc.constant(`${ENT}:manager`), value: fc.constant({ value: 'boss-1' }) }),
  fc.record({
    op: fc.constant('replace'),
    value: fc.record({ displayName: word, active: fc.boolean(), title: word }, { requiredKeys: [] }),
  }),
);

/** At most one element stays `primary: true` (RFC 7643 §2.4; the core refuses more in a POST). */
const onePrimary = <T extends { primary?: boolean }>(list: T[]): T[] => {
  let seen = false;
  return list.map((el) => {
    if (el.primary !== true) return el;
    if (seen) return { ...el, primary: false };
    seen = true;
    return el;
  });
};

const userBase = fc
  .record({
    displayName: word,
    title: word,
    name: fc.record({ givenName: word, familyName: word }),
    emails: uniqueBy(email, (e) => e.value),
    roles: uniqueBy(role, (r) => r.value),
    addresses: uniqueBy(address, (a) => a.type),
    active: fc.boolean(),
  })
  .map((u) => ({ ...u, emails: onePrimary(u.emails), roles: onePrimary(u.roles) }));

/** The comparable part of a resource: no meta, no empty values, keys sorted. */
export function comparable(r: unknown): unknown {
  if (Array.isArray(r)) {
    const list = r.map(comparable).filter((x) => x !== undefined);
    return list.length ? list : undefined;
  }
  if (r && typeof r === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(r).sort()) {
      if (k === 'meta' || k === 'schemas' || k === 'groups') continue;
      const v = comparable((r as Record<string, unknown>)[k]);
      if (v !== undefined && v !== '') out[k] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return r === null || r === '' ? undefined : r;
}

/** PATCH cases. */
export function patchCases(fresh: FreshFactory, runs = 80): SuiteCase[] {
  return [
    {
      name: 'every generated PATCH stores what the core computes from the same request (or nothing when refused)',
      async run() {
        const { connector, done } = await fresh();
        try {
          const h = createScimHandler({ connector });
          const registry = connector.registry;
          const rt = registry?.resourceType('User');
          if (!registry || !rt) throw new Error('no User resource type');
          let n = 0;
          await fc.assert(
            fc.asyncProperty(userBase, fc.array(operation, { minLength: 1, maxLength: 3 }), async (base, ops) => {
              const created = await h.handle({
                method: 'POST',
                url: '/Users',
                body: JSON.stringify({ userName: `patch-${n++}`, ...base }),
              });
              check(created.status === 201, `create: ${created.status} ${JSON.stringify(created.body)}`);
              const id = String((created.body as ScimResource).id);
              const before = (await h.handle({ method: 'GET', url: `/Users/${id}` })).body as ScimResource;
              const body = { schemas: [PATCH], Operations: ops };
              let expected: ScimResource | undefined;
              try {
                expected = applyChanges(before, patchToChanges(registry, rt, body), { registry, resourceType: rt }).resource;
              } catch {
                expected = undefined;
              }
              const res = await h.handle({ method: 'PATCH', url: `/Users/${id}`, body: JSON.stringify(body) });
              const after = (await h.handle({ method: 'GET', url: `/Users/${id}` })).body as ScimResource;
              if (expected === undefined) {
                check(
                  res.status >= 400 && res.status < 500,
                  `the core refuses ${JSON.stringify(ops)}, the connector answered ${res.status}`,
                );
                check(
                  JSON.stringify(comparable(after)) === JSON.stringify(comparable(before)),
                  `a refused PATCH changed the user: ${JSON.stringify(ops)}`,
                );
                return;
              }
              check(res.status === 200, `${JSON.stringify(ops)}: ${res.status} ${JSON.stringify(res.body)}`);
              const got = JSON.stringify(comparable(after));
              const want = JSON.stringify(comparable(expected));
              check(
                got === want,
                `${JSON.stringify(ops)}\nbefore ${JSON.stringify(comparable(before))}\n   got ${got}\n  want ${want}`,
              );
              // A PATCH that changed the user moves its version; one that changed nothing (an absent
              // e-mail removed) may leave it, so that If-Match of the clients holding it stays good.
              if (got !== JSON.stringify(comparable(before))) {
                check(
                  (after.meta as { version?: string })?.version !== (before.meta as { version?: string })?.version,
                  'the user changed, the version did not',
                );
              }
            }),
            { numRuns: runs },
          );
        } finally {
          await done();
        }
      },
    },
  ];
}
