/** The tools are generated from what the gateway serves: discovery documents, operations, hints. */
import { operationFor, routeScimPath } from '@scimgw/core/handler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discover } from '../src/discovery.js';
import { buildToolSet } from '../src/toolset.js';
import { ACME, customRegistry, testHost } from './host.js';

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('missing');
  return v;
}

const SAFE = [
  'search_users',
  'get_user',
  'create_user',
  'update_user',
  'deactivate_user',
  'search_groups',
  'get_group',
  'create_group',
  'update_group',
  'add_group_members',
  'search_roles',
  'get_role',
  'search_entitlements',
  'get_entitlement',
];

describe('tool listing', () => {
  it('lists the tools of the served types and operations, destructive ones left out by default', async () => {
    const h = await testHost();
    const { tools } = await (await h.client()).listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...SAFE].sort());
  });

  it('lists delete and remove-member tools only with destructiveTools', async () => {
    const h = await testHost({ config: { destructiveTools: true } });
    const names = (await (await h.client()).listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['delete_user', 'delete_group', 'remove_group_members']));
    // Roles and entitlements are read-only in the embedded store: no write tool for them.
    expect(names.filter((n) => /role|entitlement/.test(n)).sort()).toEqual([
      'get_entitlement',
      'get_role',
      'search_entitlements',
      'search_roles',
    ]);
  });

  it('decides readOnlyHint from the operation table authorization uses', async () => {
    const h = await testHost({ config: { destructiveTools: true } });
    const set = await h.service.toolSet(h.session);
    for (const t of set.tools) {
      const [verb] = t.name.split('_');
      const shape =
        verb === 'search'
          ? { endpoint: 'Users', search: true }
          : verb === 'create'
            ? { endpoint: 'Users' }
            : { endpoint: 'Users', id: 'x' };
      const method = { search: 'POST', get: 'GET', create: 'POST', delete: 'DELETE' }[verb as string] ?? 'PATCH';
      expect(t.access, t.name).toBe(operationFor(shape, method)?.access);
      expect(t.annotations.readOnlyHint, t.name).toBe(t.access === 'read');
    }
    expect(set.tools.filter((t) => t.access === 'read').map((t) => t.name.split('_')[0])).toEqual(
      expect.arrayContaining(['search', 'get']),
    );
  });

  it('leaves out tools for operations the connector lacks', async () => {
    const h = await testHost();
    const d = await discover(h.session.call, 'r');
    const set = buildToolSet(d, {
      destructiveTools: true,
      pageSize: 10,
      supports: (type, op) => !(type === 'Group' && (op === 'create' || op === 'modify')),
    });
    const names = set.tools.map((t) => t.name);
    expect(names).toContain('get_group');
    expect(names).not.toContain('create_group');
    expect(names).not.toContain('add_group_members');
    expect(names).not.toContain('update_group');
  });

  it('skips resource types the SCIM router does not serve', async () => {
    const h = await testHost();
    const d = await discover(h.session.call, 'r');
    expect(routeScimPath('/Devices')).toBeUndefined();
    d.resourceTypes.push({ id: 'Device', name: 'Device', endpoint: '/Devices', schema: 'urn:x:Device', schemaExtensions: [] });
    const set = buildToolSet(d, { destructiveTools: true, pageSize: 10 });
    expect(set.tools.some((t) => t.resourceType === 'Device')).toBe(false);
  });
});

describe('input schemas and descriptions from the SCIM schemas', () => {
  it('a custom extension attribute appears with its type, description and agent hints, without code', async () => {
    const h = await testHost({ registry: customRegistry() });
    const { tools } = await (await h.client()).listTools();
    const create = tools.find((t) => t.name === 'create_user');
    const user = (must(create).inputSchema.properties as any).user;
    expect(user.required).toEqual(['userName']);
    expect(user.additionalProperties).toBe(false);
    const acme = user.properties[ACME];
    expect(acme.description).toContain('Acme employee data');
    expect(acme.description).toContain('Badge numbers come from the security desk');
    expect(acme.properties.badgeNumber).toMatchObject({ type: 'integer', examples: [4711] });
    expect(acme.properties.badgeNumber.description).toContain('Number printed on the badge');
    expect(acme.properties.badgeNumber.description).toContain('format: digits only');
    expect(acme.properties.costCenter.description).toContain('Usual values: R&D, Sales');
    expect(acme.properties.pin.description).toContain('Write-only');
    // The PATCH tool takes the same attribute, none of them required.
    const update = tools.find((t) => t.name === 'update_user');
    const replace = (must(update).inputSchema.properties as any).replace;
    expect(replace.properties[ACME].properties.badgeNumber.type).toBe('integer');
    expect(replace.required).toBeUndefined();
    // Searchable paths name it; write-only ones are not offered.
    const search = tools.find((t) => t.name === 'search_users');
    expect(search?.description).toContain(`${ACME}:badgeNumber`);
    expect(search?.description).not.toContain(`${ACME}:pin`);
    expect(search?.description).not.toMatch(/\bpassword\b/);
  });

  it('types follow the schema: integers, booleans, multi-valued lists, complex objects', async () => {
    const h = await testHost();
    const set = await h.service.toolSet(h.session);
    const user = (must(set.byName.get('create_user')).input.jsonSchema.properties as any).user.properties;
    expect(user.active.type).toBe('boolean');
    expect(user.emails.type).toBe('array');
    expect(user.emails.items.properties.primary.type).toBe('boolean');
    expect(user.name.type).toBe('object');
    expect(user.id).toBeUndefined();
    expect(user.meta).toBeUndefined();
    // Read-only attributes and sub-attributes are not offered.
    expect(user.groups).toBeUndefined();
    const manager = user['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].properties.manager;
    expect(manager.properties.value.type).toBe('string');
    expect(manager.properties.displayName).toBeUndefined();
    const group = (must(set.byName.get('create_group')).input.jsonSchema.properties as any).group.properties;
    expect(group.members.items.properties.value.type).toBe('string');
  });

  it('schema-level x-agent-schema hints reach the server instructions', async () => {
    const h = await testHost({ registry: customRegistry() });
    const client = await h.client();
    expect(client.getInstructions()).toContain('dryRun');
    const set = await h.service.toolSet(h.session);
    expect(set.instructions).toMatch(/Deleting resources and removing group members is turned off/);
  });
});

describe('any discovery document', () => {
  it('gives tools or a DiscoveryError, never a crash', async () => {
    const { DiscoveryError } = await import('../src/discovery.js');
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 5 }),
        fc.jsonValue({ maxDepth: 5 }),
        fc.constantFrom(200, 200, 404),
        async (types, schemas, status) => {
          const call = async (req: { path: string }) => ({
            status,
            headers: {},
            body: req.path === '/ResourceTypes' ? types : req.path === '/Schemas' ? schemas : {},
          });
          try {
            const d = await discover(call, 'p');
            const set = buildToolSet(d, { destructiveTools: true, pageSize: 5 });
            for (const t of set.tools) expect(t.input.validate({}).ok === true || t.input.validate({}).ok === false).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(DiscoveryError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('builds tools for any well-formed schema a connector could serve', async () => {
    const attr = fc.record({
      name: fc.stringMatching(/^[A-Za-z][\w-]{0,12}$/),
      type: fc.constantFrom('string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex'),
      multiValued: fc.boolean(),
      required: fc.boolean(),
      mutability: fc.constantFrom('readOnly', 'readWrite', 'immutable', 'writeOnly'),
      returned: fc.constantFrom('always', 'never', 'default', 'request'),
      uniqueness: fc.constantFrom('none', 'server'),
      'x-agent-schema': fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(attr, { maxLength: 8 }), async (attributes) => {
        const schema = {
          id: 'urn:x:Thing',
          name: 'Thing',
          attributes: attributes.map((a) =>
            a.type === 'complex' ? { ...a, subAttributes: [{ ...a, type: 'string', name: 'value' }] } : a,
          ),
        };
        const types = {
          Resources: [{ id: 'User', name: 'User', endpoint: '/Users', schema: 'urn:x:Thing', schemaExtensions: [] }],
        };
        const call = async (req: { path: string }) => ({
          status: 200,
          headers: {},
          body: req.path === '/Schemas' ? { Resources: [schema] } : req.path === '/ResourceTypes' ? types : {},
        });
        const set = buildToolSet(await discover(call, 'p'), { destructiveTools: true, pageSize: 5 });
        expect(set.byName.has('search_users')).toBe(true);
        const create = set.byName.get('create_user');
        const props =
          (create?.input.jsonSchema.properties as { user: { properties: Record<string, unknown> } } | undefined)?.user
            .properties ?? {};
        for (const a of attributes) {
          if (a.mutability === 'readOnly' || ['id', 'meta', 'schemas'].includes(a.name)) continue;
          expect(Object.keys(props)).toContain(a.name);
        }
      }),
      { numRuns: 200 },
    );
  });
});
