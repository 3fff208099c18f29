/** dryRun: true reports what would change and changes nothing. */
import { checksPassThrough, defineConnector, SchemaRegistry } from '@scimgw/core';
import { createLokiConnector } from '@scimgw/connector-loki';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDryRun, DRY_RUN_ID } from '../src/dry-run.js';
import { ACME, customRegistry, structured, type TestHost, testHost } from './host.js';

let h: TestHost;
let client: Client;
const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args });

beforeEach(async () => {
  h = await testHost({ registry: customRegistry(), config: { destructiveTools: true } });
  client = await h.client();
});

async function seed() {
  const u = structured(
    await call('create_user', { user: { userName: 'dry-u', title: 'Before', password: 'Hunter2-dry!' } }),
  ).created;
  const v = structured(await call('create_user', { user: { userName: 'dry-v' } })).created;
  const g = structured(await call('create_group', { group: { displayName: 'Dry', members: [{ value: u.id }] } })).created;
  return { u: u.id as string, v: v.id as string, g: g.id as string };
}

describe('every write tool with dryRun changes nothing', () => {
  it('create, update, deactivate, delete, add and remove members: the store is the same before and after', async () => {
    const { u, v, g } = await seed();
    const before = await h.snapshot();
    const runs: [string, Record<string, unknown>][] = [
      ['create_user', { user: { userName: 'dry-new', [ACME]: { badgeNumber: 1 } } }],
      ['create_group', { group: { displayName: 'Dry new' } }],
      ['update_user', { id: u, replace: { title: 'After' }, remove: ['nickName'] }],
      ['update_group', { id: g, replace: { displayName: 'Renamed' } }],
      ['deactivate_user', { id: u }],
      ['delete_user', { id: u }],
      ['delete_group', { id: g }],
      ['add_group_members', { id: g, members: [v] }],
      ['remove_group_members', { id: g, members: [u] }],
    ];
    for (const [name, args] of runs) {
      const r = await call(name, { ...args, dryRun: true });
      expect(r.isError, `${name}: ${JSON.stringify(r)}`).toBeFalsy();
      expect(structured(r)).toMatchObject({ dryRun: true, note: 'Nothing was changed (dry run).' });
    }
    expect(await h.snapshot()).toEqual(before);
    // Every write went to the dry-run handler; the real one only read.
    const realWrites = h.requests.filter((q) => !q.dryRun && q.method !== 'GET' && !q.path.endsWith('/.search'));
    expect(realWrites.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /Users', 'POST /Users', 'POST /Groups']);
  });
});

describe('what a dry run reports', () => {
  it('create: the resource as the core would create it, without write-only values', async () => {
    const r = structured(
      await call('create_user', {
        user: { userName: 'dry-c', password: 'Sekr1t-value', [ACME]: { badgeNumber: 12, pin: '4321' } },
        dryRun: true,
      }),
    );
    expect(r.wouldCreate).toMatchObject({ id: DRY_RUN_ID, userName: 'dry-c', [ACME]: { badgeNumber: 12 } });
    expect(JSON.stringify(r)).not.toContain('Sekr1t-value');
    expect(JSON.stringify(r)).not.toContain('4321');
    expect(r.wouldSend.body.password).toBe('********');
    expect(r.wouldSend).toMatchObject({ method: 'POST', path: '/Users' });
    expect((await h.scim('GET', '/Users?filter=userName%20eq%20%22dry-c%22')).body.totalResults).toBe(0);
  });

  it('create: a unique value already in use is reported as the 409 it would be', async () => {
    await seed();
    const r = await call('create_user', { user: { userName: 'dry-u' }, dryRun: true });
    expect(r.isError).toBe(true);
    expect(structured(r)).toMatchObject({
      dryRun: true,
      status: 409,
      scimType: 'uniqueness',
      conflicts: [{ attribute: 'userName', value: 'dry-u' }],
    });
  });

  it('update: each attribute that would change, before and after; a write-only one without its value', async () => {
    const { u } = await seed();
    const r = structured(
      await call('update_user', {
        id: u,
        replace: { title: 'After', password: 'Other-pass-1', [ACME]: { badgeNumber: 3 } },
        dryRun: true,
      }),
    );
    expect(r.wouldChange).toEqual({
      title: { before: 'Before', after: 'After' },
      password: 'changed (write-only: value not shown)',
      [`${ACME}:badgeNumber`]: { before: null, after: 3 },
    });
    expect(JSON.stringify(r)).not.toContain('Hunter2-dry!');
    expect(JSON.stringify(r.wouldChange)).not.toContain('Other-pass-1');
    expect((await h.scim('GET', `/Users/${u}`)).body.title).toBe('Before');
  });

  it('members: which would be added and removed, not the whole list', async () => {
    const { u, v, g } = await seed();
    const add = structured(await call('add_group_members', { id: g, members: [v, u], dryRun: true }));
    expect(add.wouldChange).toEqual({ members: { added: [v], removed: [], countBefore: 1, countAfter: 2 } });
    const remove = structured(await call('remove_group_members', { id: g, members: [u], dryRun: true }));
    expect(remove.wouldChange).toEqual({ members: { added: [], removed: [u], countBefore: 1, countAfter: 0 } });
    const none = structured(await call('add_group_members', { id: g, members: [u], dryRun: true }));
    expect(none).toMatchObject({ wouldChange: {}, note: 'nothing would change' });
  });

  it('delete: the resource that would be deleted; an unknown id is the 404 it would be', async () => {
    const { u } = await seed();
    const r = structured(await call('delete_user', { id: u, dryRun: true }));
    expect(r.wouldDelete).toMatchObject({ id: u, userName: 'dry-u' });
    expect(r.wouldDelete.password).toBeUndefined();
    const missing = await call('delete_user', { id: 'nope', dryRun: true });
    expect(missing.isError).toBe(true);
    expect(structured(missing)).toMatchObject({ dryRun: true, status: 404 });
  });

  it('an invalid change is rejected by the core in the dry run as it would be for real', async () => {
    const { u } = await seed();
    const r = await call('update_user', { id: u, operations: [{ op: 'replace', path: 'id', value: 'x' }], dryRun: true });
    expect(r.isError).toBe(true);
    expect(structured(r)).toMatchObject({ dryRun: true, status: 400 });
  });
});

describe('createDryRun', () => {
  it('keeps the operations of the real connector only, and records per request id', async () => {
    const registry = new SchemaRegistry();
    const real = createLokiConnector({ persistence: false, registry });
    const dry = createDryRun(real, registry);
    expect(Object.keys(dry.connector.resources.Role ?? {}).sort()).toEqual(Object.keys(real.resources.Role ?? {}).sort());
    expect(dry.connector.resources.User?.create).toBeTypeOf('function');
    const created = await dry.connector.resources.User?.create?.({ userName: 'x' }, { requestId: 'r1' });
    expect(created?.id).toBe(DRY_RUN_ID);
    expect(dry.take('r1')).toEqual([expect.objectContaining({ op: 'create', resourceType: 'User' })]);
    expect(dry.take('r1')).toEqual([]);
    const found = await real.resources.User?.query?.({}, {});
    expect(found?.resources.some((r) => r.userName === 'x')).toBe(false);
  });

  it('keeps where the real connector checks passed-through credentials, tenant by tenant', () => {
    const registry = new SchemaRegistry();
    const real = createLokiConnector({ persistence: false, registry });
    const some = defineConnector({ ...real, passThroughAuth: (tenant: string | undefined) => tenant === 'hr' });
    const dry = createDryRun(some, registry).connector;
    expect(['hr', 'sales', undefined].map((t) => checksPassThrough(dry, t))).toEqual([true, false, false]);
    expect(checksPassThrough(createDryRun(real, registry).connector, 'hr')).toBe(false);
  });
});
