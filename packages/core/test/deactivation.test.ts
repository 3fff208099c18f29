/**
 * `active: false` to a resource type whose schemas have no `active` is refused (400 invalidValue)
 * under both unknown-attribute policies, in every form a client sends it, and nothing reaches
 * the connector; other unknown attributes are still dropped (or refused) as the policy says.
 */
import { describe, expect, it } from 'vitest';
import { defineConnector, SchemaRegistry, type ScimResource } from '../src/index.js';
import { createScimHandler } from '../src/handler/index.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** A connector whose User schema has no `active`; it records every write it is handed. */
function withoutActive() {
  const writes: unknown[] = [];
  const registry = new SchemaRegistry();
  const user = registry.schema(CORE);
  const schemas = [{ ...user!, attributes: user!.attributes.filter((a) => a.name !== 'active') }];
  const stored = new Map<string, ScimResource>();
  const connector = defineConnector({
    name: 'no-active',
    coreVersion: '^1.0.0',
    registry: new SchemaRegistry().extend({ schemas }),
    resources: {
      User: {
        async get(id) {
          return stored.get(id);
        },
        async create(r) {
          writes.push(r);
          const doc = { ...r, id: `u${stored.size + 1}` };
          stored.set(doc.id, doc);
          return doc;
        },
        async modify(id, changes) {
          writes.push(changes);
          return stored.get(id);
        },
        async replace(id, r) {
          writes.push(r);
          const doc = { ...r, id };
          stored.set(id, doc);
          return doc;
        },
      },
    },
  });
  return { connector, writes };
}

const FORMS: [string, string, (id: string) => string, unknown][] = [
  ['POST with active false', 'POST', () => '/Users', { userName: 'a', active: false }],
  ['PUT with active false', 'PUT', (id) => `/Users/${id}`, { userName: 'a', active: false }],
  [
    'PATCH path active',
    'PATCH',
    (id) => `/Users/${id}`,
    { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
  ],
  [
    'PATCH Entra "False"',
    'PATCH',
    (id) => `/Users/${id}`,
    { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
  ],
  [
    'PATCH path-less (Okta)',
    'PATCH',
    (id) => `/Users/${id}`,
    { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] },
  ],
  [
    'PATCH core URN path',
    'PATCH',
    (id) => `/Users/${id}`,
    { schemas: [PATCH], Operations: [{ op: 'replace', path: `${CORE}:active`, value: false }] },
  ],
  [
    'PATCH with another change',
    'PATCH',
    (id) => `/Users/${id}`,
    {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'title', value: 'T' },
        { op: 'replace', path: 'active', value: false },
      ],
    },
  ],
];

describe.each([['ignore'], ['reject']] as const)('unknownAttributes %s: a deactivation without "active"', (policy) => {
  for (const [name, method, url, body] of FORMS) {
    it(`${name} is 400 invalidValue and reaches no connector`, async () => {
      const { connector, writes } = withoutActive();
      const h = createScimHandler({ connector, unknownAttributes: policy });
      const made = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'a' }) });
      expect(made.status).toBe(201);
      writes.length = 0;
      const id = (made.body as { id: string }).id;
      const res = await h.handle({
        method,
        url: url(id),
        body: JSON.stringify(method === 'POST' ? { ...(body as object), userName: 'b' } : body),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body).toMatchObject({ scimType: 'invalidValue' });
      expect(String((res.body as { detail: string }).detail)).toMatch(/active.*cannot be disabled/);
      expect(writes).toEqual([]);
    });
  }
});

describe('what is not a deactivation', () => {
  it('active true, and removing active, pass under ignore; another unknown attribute is dropped', async () => {
    const { connector, writes } = withoutActive();
    const h = createScimHandler({ connector, unknownAttributes: 'ignore' });
    const made = await h.handle({
      method: 'POST',
      url: '/Users',
      body: JSON.stringify({ userName: 'a', active: true, shoeSize: 9 }),
    });
    expect(made.status).toBe(201);
    expect(writes[0]).toEqual({ schemas: [CORE], userName: 'a' });
    const id = (made.body as { id: string }).id;
    const rm = await h.handle({
      method: 'PATCH',
      url: `/Users/${id}`,
      body: JSON.stringify({
        schemas: [PATCH],
        Operations: [
          { op: 'remove', path: 'active' },
          { op: 'replace', path: 'active', value: true },
        ],
      }),
    });
    expect(rm.status).toBe(200);
  });

  it('a resource type that has active takes active false', async () => {
    const { memoryConnector } = await import('./fixtures/memory-connector.js');
    const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
    const made = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'a', active: false }) });
    expect(made.status).toBe(201);
    expect((made.body as { active: boolean }).active).toBe(false);
  });
});
