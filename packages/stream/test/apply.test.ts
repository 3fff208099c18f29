/**
 * Applying messages to a real connector (Loki, in memory) through its SCIM handler, without NATS:
 * ids translated, resources found by natural key, repeats harmless, and the subscriber options.
 */
import type { ScimResource } from '@scimgw/core';
import type { ScimHandler } from '@scimgw/core/handler';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ApplyOptions,
  applyMessage,
  MESSAGE_FORMAT,
  KeyConflictError,
  type OwnerIndex,
  PoisonMessageError,
  type ResourceRecord,
  RetryableError,
  recordKey,
  ScimTarget,
  type StreamMessage,
} from '../src/index.js';
import { lokiHandler, recordingLog } from './helpers.js';

const defaults: ApplyOptions = {
  deleteUserOnLastGroupRoleRemoval: false,
  skipConvertRolesToGroups: true,
  generateUserPassword: false,
  modifyOnly: false,
  replaceDomains: [],
};

let scim: ScimHandler;
let records: Map<string, ResourceRecord>;
/** Record key of a resource here (its type and local id) → record key of the publisher resource it belongs to. */
let owned: Map<string, string>;
let seq = 0;

beforeEach(async () => {
  ({ scim } = await lokiHandler());
  records = new Map();
  owned = new Map();
});

/** The owner index as the subscription keeps it: an owner whose record names another resource gave this one up. */
const owners: OwnerIndex = {
  async ownerOf(type, id) {
    const owner = owned.get(recordKey(type, id));
    return owner !== undefined && records.get(owner)?.id === id ? owner : undefined;
  },
  async claim(type, id, owner) {
    owned.set(recordKey(type, id), owner);
  },
};

function msg(partial: Partial<StreamMessage> & Pick<StreamMessage, 'operation' | 'resourceId'>): StreamMessage {
  return {
    format: MESSAGE_FORMAT,
    id: `m-${++seq}`,
    time: new Date().toISOString(),
    source: 'publisher',
    tenant: null,
    resourceType: 'User',
    data: {},
    ...partial,
  };
}

/** Applies like the subscription does: with the resource's record, then stores the new record. */
async function apply(m: StreamMessage, options: Partial<ApplyOptions> = {}) {
  const key = recordKey(m.resourceType, m.resourceId);
  const log = recordingLog();
  const outcome = await applyMessage(
    {
      target: new ScimTarget(scim, undefined, log),
      options: { ...defaults, ...options },
      log,
      record: async (k) => records.get(k),
      settled: async () => {},
      owners,
    },
    m,
    records.get(key),
  );
  records.set(key, { ...outcome.record, seq: ++seq, msg: m.id });
  return outcome;
}

async function get(path: string): Promise<ScimResource | undefined> {
  const r = await scim.handle({ method: 'GET', url: path });
  return r.status === 200 ? (r.body as ScimResource) : undefined;
}

async function users(): Promise<ScimResource[]> {
  return ((await scim.handle({ method: 'GET', url: '/Users' })).body as { Resources: ScimResource[] }).Resources;
}

const createUser = (id: string, userName: string, extra: Record<string, unknown> = {}) =>
  msg({ operation: 'create', resourceId: id, data: { resource: { id, userName, ...extra }, key: { userName } } });

describe('applying messages', () => {
  it('creates, modifies, replaces and deletes, under ids of its own', async () => {
    const created = await apply(createUser('pub-1', 'bjensen', { name: { givenName: 'Barbara' } }));
    expect(created.action).toBe('created');
    const local = created.record.id as string;
    expect(local).not.toBe('pub-1');
    expect((await get(`/Users/${local}`))?.userName).toBe('bjensen');

    await apply(
      msg({
        operation: 'modify',
        resourceId: 'pub-1',
        data: { changes: [{ op: 'replace', path: { attr: 'name', sub: 'givenName' }, value: 'Babs' }] },
      }),
    );
    expect((await get(`/Users/${local}`))?.name).toEqual({ givenName: 'Babs' });

    const replaced = await apply(
      msg({ operation: 'replace', resourceId: 'pub-1', data: { resource: { id: 'pub-1', userName: 'bjensen', title: 'CEO' } } }),
    );
    expect(replaced.action).toBe('replaced');
    const after = await get(`/Users/${local}`);
    expect(after?.title).toBe('CEO');
    expect(after?.name).toBeUndefined();

    expect((await apply(msg({ operation: 'delete', resourceId: 'pub-1' }))).action).toBe('deleted');
    expect(await get(`/Users/${local}`)).toBeUndefined();
    expect(records.get(recordKey('User', 'pub-1'))?.id).toBeNull();
  });

  it('applied twice, a message leaves the same result (a repeat after a crash)', async () => {
    const create = createUser('pub-1', 'bjensen');
    const first = await apply(create);
    records.delete(recordKey('User', 'pub-1'));
    const again = await apply(create);
    expect(again.action).toBe('adopted');
    expect(again.record.id).toBe(first.record.id);
    expect(await users()).toHaveLength(1);

    const add = msg({
      operation: 'modify',
      resourceId: 'pub-1',
      data: { changes: [{ op: 'add', path: { attr: 'emails' }, value: [{ value: 'b@example.com' }] }] },
    });
    await apply(add);
    await apply(add);
    expect((await get(`/Users/${first.record.id}`))?.emails).toEqual([{ value: 'b@example.com' }]);

    const del = msg({ operation: 'delete', resourceId: 'pub-1' });
    await apply(del);
    records.set(recordKey('User', 'pub-1'), { id: first.record.id as string, seq: 0, msg: '' });
    expect((await apply(del)).action).toBe('deleted');
    expect(await users()).toHaveLength(0);
  });

  it('a message that may have been applied already (delivered before a crash) is written only if it changes something', async () => {
    const writes: string[] = [];
    const inner = scim;
    scim = {
      registry: inner.registry,
      handle: async (req) => {
        if (req.method !== 'GET') writes.push(req.method);
        return inner.handle(req);
      },
    };
    const create = createUser('pub-1', 'bjensen', { title: 'T' });
    const first = await apply(create);
    const replay = async (m: StreamMessage) => {
      const key = recordKey(m.resourceType, m.resourceId);
      const log = recordingLog();
      const outcome = await applyMessage(
        {
          target: new ScimTarget(scim, undefined, log),
          options: defaults,
          log,
          record: async (k) => records.get(k),
          settled: async () => {},
          mayBeApplied: true,
        },
        m,
        records.get(key),
      );
      records.set(key, { ...outcome.record, seq: ++seq, msg: m.id });
      return outcome;
    };
    writes.length = 0;
    // The record was not written before the crash: the user is found by its key, and is as the message says.
    records.delete(recordKey('User', 'pub-1'));
    expect(await replay(create)).toMatchObject({ action: 'adopted', record: { id: first.record.id } });
    expect(writes).toEqual([]);
    const modify = msg({
      operation: 'modify',
      resourceId: 'pub-1',
      data: { changes: [{ op: 'replace', path: { attr: 'title' }, value: 'CEO' }] },
    });
    await apply(modify);
    const replace = msg({
      operation: 'replace',
      resourceId: 'pub-1',
      data: { resource: { userName: 'bjensen', title: 'CEO', nickName: 'B' } },
    });
    await apply(replace);
    expect(writes).toEqual(['PATCH', 'PUT']);
    writes.length = 0;
    await replay(replace);
    await replay(modify);
    expect(writes).toEqual([]);
    // What is not there yet is written.
    await replay(
      msg({
        operation: 'modify',
        resourceId: 'pub-1',
        data: { changes: [{ op: 'replace', path: { attr: 'title' }, value: 'CTO' }] },
      }),
    );
    await replay(msg({ operation: 'replace', resourceId: 'pub-1', data: { resource: { userName: 'bjensen', title: 'CTO' } } }));
    expect(writes).toEqual(['PATCH', 'PUT']);
    expect(await get(`/Users/${first.record.id}`)).toMatchObject({ title: 'CTO' });
    expect((await get(`/Users/${first.record.id}`))?.nickName).toBeUndefined();
  });

  it('finds a resource it never saw by its natural key (adopts it)', async () => {
    const pre = await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'jsmith' } });
    const id = (pre.body as ScimResource).id;
    const m = msg({
      operation: 'modify',
      resourceId: 'pub-9',
      data: { changes: [{ op: 'replace', path: { attr: 'title' }, value: 'CTO' }], key: { userName: 'jsmith' } },
    });
    const out = await apply(m);
    expect(out).toMatchObject({ action: 'modified', record: { id } });
    expect((await get(`/Users/${id}`))?.title).toBe('CTO');
  });

  it('creates a resource a PATCH names when the message carries it, else parks it', async () => {
    const withResource = msg({
      operation: 'modify',
      resourceId: 'pub-2',
      data: {
        changes: [{ op: 'replace', path: { attr: 'title' }, value: 'x' }],
        resource: { id: 'pub-2', userName: 'new-one', title: 'x' },
      },
    });
    expect((await apply(withResource)).action).toBe('created');
    const bare = msg({
      operation: 'modify',
      resourceId: 'pub-3',
      data: { changes: [{ op: 'replace', path: { attr: 'title' }, value: 'x' }] },
    });
    await expect(apply(bare)).rejects.toThrow(PoisonMessageError);
  });

  it('translates members to its own ids, and waits for members it does not know yet', async () => {
    const u1 = (await apply(createUser('pub-u1', 'u1'))).record.id;
    const g = msg({
      operation: 'create',
      resourceType: 'Group',
      resourceId: 'pub-g',
      data: {
        resource: { id: 'pub-g', displayName: 'Admins', members: [{ value: 'pub-u1', $ref: 'https://publisher/Users/pub-u1' }] },
      },
    });
    const group = await apply(g);
    expect((await get(`/Groups/${group.record.id}`))?.members).toEqual([expect.objectContaining({ value: u1 })]);

    const addUnknown = msg({
      operation: 'modify',
      resourceType: 'Group',
      resourceId: 'pub-g',
      data: { changes: [{ op: 'add', path: { attr: 'members' }, value: [{ value: 'pub-u2' }] }] },
    });
    await expect(apply(addUnknown)).rejects.toThrow(RetryableError);
    const u2 = (await apply(createUser('pub-u2', 'u2'))).record.id;
    await apply(addUnknown);
    const removeUnknownAndU1 = msg({
      operation: 'modify',
      resourceType: 'Group',
      resourceId: 'pub-g',
      data: { changes: [{ op: 'remove', path: { attr: 'members' }, value: [{ value: 'pub-u1' }, { value: 'never-seen' }] }] },
    });
    await apply(removeUnknownAndU1);
    const members = (await get(`/Groups/${group.record.id}`))?.members as { value: string }[];
    expect(members.map((m) => m.value)).toEqual([u2]);
  });

  it('leaves out what this side does not let clients write (a user’s groups), untranslated', async () => {
    const m = createUser('pub-1', 'member', { groups: [{ value: 'pub-group-never-seen', display: 'G' }] });
    const out = await apply(m);
    expect(out.action).toBe('created');
    expect((await get(`/Users/${out.record.id}`))?.groups ?? []).toEqual([]);
  });

  it('refuses what the connector refuses, as a permanent failure with the reason', async () => {
    const bad = msg({
      operation: 'create',
      resourceId: 'pub-x',
      data: { resource: { id: 'pub-x', userName: 'x', active: 'maybe' } },
    });
    await expect(apply(bad)).rejects.toThrow(/400/);
    await expect(
      apply(msg({ operation: 'create', resourceType: 'Gadget', resourceId: 'x', data: { resource: {} } })),
    ).rejects.toThrow(/not served/);
  });
});

describe('publisher resources that share a natural key (applied in any order the subscriber may take)', () => {
  const rename = (id: string, userName: string) =>
    msg({
      operation: 'modify',
      resourceId: id,
      data: { changes: [{ op: 'replace', path: { attr: 'userName' }, value: userName }], key: { userName } },
    });
  const createGroup = (id: string, displayName: string) =>
    msg({
      operation: 'create',
      resourceType: 'Group',
      resourceId: id,
      data: { resource: { id, displayName }, key: { displayName } },
    });

  it('a user created again under a deleted one’s userName is not the deleted one’s: it waits for that delete, then is made anew', async () => {
    const first = await apply(createUser('pub-1', 'cuN', { title: 'first' }));
    // The second create comes before the first one's delete (their resources run side by side).
    await expect(apply(createUser('pub-2', 'cuN', { title: 'second' }))).rejects.toThrow(KeyConflictError);
    expect(await users()).toHaveLength(1);
    expect((await apply(msg({ operation: 'delete', resourceId: 'pub-1', data: { key: { userName: 'cuN' } } }))).action).toBe(
      'deleted',
    );
    const second = await apply(createUser('pub-2', 'cuN', { title: 'second' }));
    expect(second.action).toBe('created');
    expect(second.record.id).not.toBe(first.record.id);
    expect((await users()).map((u) => u.title)).toEqual(['second']);
  });

  it('a delete by natural key leaves alone what another publisher resource owns', async () => {
    const first = await apply(createUser('pub-1', 'cuN'));
    // pub-2's create was never seen here (parked, or before the consumer started); its delete names the same userName.
    const out = await apply(msg({ operation: 'delete', resourceId: 'pub-2', data: { key: { userName: 'cuN' } } }));
    expect(out).toMatchObject({ action: 'skipped', note: 'not known here' });
    expect((await users()).map((u) => u.id)).toEqual([first.record.id]);
  });

  it('a rename into the userName of a user deleted before it waits for that delete', async () => {
    const a = await apply(createUser('pub-a', 'alice'));
    await apply(createUser('pub-b', 'bob'));
    await expect(apply(rename('pub-a', 'bob'))).rejects.toThrow(KeyConflictError);
    await apply(msg({ operation: 'delete', resourceId: 'pub-b', data: { key: { userName: 'bob' } } }));
    await apply(rename('pub-a', 'bob'));
    // And a user created under the name alice gave up is a user of its own.
    const c = await apply(createUser('pub-c', 'alice'));
    expect(c.action).toBe('created');
    const now = await users();
    expect(now.map((u) => [u.id, u.userName]).sort()).toEqual(
      [
        [a.record.id, 'bob'],
        [c.record.id, 'alice'],
      ].sort(),
    );
  });

  it('groups of the same displayName stay two, whichever order their messages come in', async () => {
    const g1 = await apply(createGroup('pub-g1', 'Sales'));
    const g2 = await apply(createGroup('pub-g2', 'Sales'));
    expect(g2.action).toBe('created');
    expect(g2.record.id).not.toBe(g1.record.id);
    await apply(
      msg({ operation: 'delete', resourceType: 'Group', resourceId: 'pub-g1', data: { key: { displayName: 'Sales' } } }),
    );
    expect(await get(`/Groups/${g2.record.id}`)).toMatchObject({ displayName: 'Sales' });
    expect(await get(`/Groups/${g1.record.id}`)).toBeUndefined();
  });

  it('a resource that belongs to no publisher resource is still adopted by its key', async () => {
    const pre = (await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'cuN' } })).body as ScimResource;
    const out = await apply(createUser('pub-1', 'cuN', { title: 'T' }));
    expect(out).toMatchObject({ action: 'adopted', record: { id: pre.id } });
    // Deleted at the publisher and created again: the new one is not the old one.
    await apply(msg({ operation: 'delete', resourceId: 'pub-1', data: { key: { userName: 'cuN' } } }));
    const again = await apply(createUser('pub-2', 'cuN'));
    expect(again.action).toBe('created');
    expect(again.record.id).not.toBe(pre.id);
  });
});

describe('subscriber options', () => {
  it('modifyOnly never creates and never deletes', async () => {
    expect((await apply(createUser('pub-1', 'ghost'), { modifyOnly: true })).action).toBe('skipped');
    expect(await users()).toHaveLength(0);
    const pre = (await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'kept' } })).body as ScimResource;
    const mod = msg({
      operation: 'modify',
      resourceId: 'pub-2',
      data: { changes: [{ op: 'replace', path: { attr: 'title' }, value: 't' }], key: { userName: 'kept' } },
    });
    expect((await apply(mod, { modifyOnly: true })).action).toBe('modified');
    expect((await apply(msg({ operation: 'delete', resourceId: 'pub-2' }), { modifyOnly: true })).action).toBe('skipped');
    expect((await get(`/Users/${pre.id}`))?.title).toBe('t');
  });

  it('replaceDomains rewrites mail domains in resources and changes', async () => {
    const rules = { replaceDomains: [{ from: 'example.com', to: 'example.org' }] };
    const out = await apply(
      createUser('pub-1', 'bjensen@example.com', { emails: [{ value: 'bjensen@example.com', type: 'work' }] }),
      rules,
    );
    const u = await get(`/Users/${out.record.id}`);
    expect(u?.userName).toBe('bjensen@example.org');
    expect(u?.emails).toEqual([{ value: 'bjensen@example.org', type: 'work' }]);
    await apply(
      msg({
        operation: 'modify',
        resourceId: 'pub-1',
        data: { changes: [{ op: 'add', path: { attr: 'emails' }, value: [{ value: 'b2@EXAMPLE.com' }] }] },
      }),
      rules,
    );
    const emails = (await get(`/Users/${out.record.id}`))?.emails as { value: string }[];
    expect(emails.map((e) => e.value)).toEqual(['bjensen@example.org', 'b2@example.org']);
  });

  it('generateUserPassword gives created users a password (never returned, so seen on its way in)', async () => {
    const created: ScimResource[] = [];
    const inner = scim;
    scim = {
      registry: inner.registry,
      handle: async (req) => {
        if (req.method === 'POST') created.push(req.body as ScimResource);
        return inner.handle(req);
      },
    };
    await apply(createUser('pub-2', 'p2'), { generateUserPassword: true });
    await apply(createUser('pub-3', 'p3', { password: 'from-the-message' }));
    expect(created).toHaveLength(2);
    expect(created[0]?.password).toMatch(/^.{24}$/);
    // A password in a message is never applied (publishers leave them out).
    expect(created[1]?.password).toBeUndefined();
  });

  it('roles become memberships of the groups of those names, unless skipConvertRolesToGroups', async () => {
    const opts = { skipConvertRolesToGroups: false };
    const out = await apply(createUser('pub-1', 'bjensen', { roles: [{ value: 'Sales' }, { value: 'Support' }] }), opts);
    const id = out.record.id as string;
    expect(out.record.roles).toEqual(['Sales', 'Support']);
    const groupsOf = async () =>
      (
        (await scim.handle({ method: 'GET', url: `/Groups?filter=${encodeURIComponent(`members.value eq "${id}"`)}` })).body as {
          Resources: ScimResource[];
        }
      ).Resources.map((g) => g.displayName).sort();
    expect(await groupsOf()).toEqual(['Sales', 'Support']);
    expect((await get(`/Users/${id}`))?.roles).toBeUndefined();
    await apply(
      msg({
        operation: 'modify',
        resourceId: 'pub-1',
        data: { changes: [{ op: 'remove', path: { attr: 'roles' }, value: [{ value: 'Sales' }] }] },
      }),
      opts,
    );
    expect(await groupsOf()).toEqual(['Support']);
    await apply(
      msg({ operation: 'replace', resourceId: 'pub-1', data: { resource: { userName: 'bjensen', roles: [{ value: 'Ops' }] } } }),
      opts,
    );
    expect(await groupsOf()).toEqual(['Ops']);

    const kept = await apply(createUser('pub-2', 'jsmith', { roles: [{ value: 'Sales' }] }));
    expect((await get(`/Users/${kept.record.id}`))?.roles).toEqual([{ value: 'Sales' }]);
  });

  it('deleteUserOnLastGroupRoleRemoval deletes a user when its last group goes', async () => {
    const opts = { deleteUserOnLastGroupRoleRemoval: true };
    const u = (await apply(createUser('pub-u', 'leaver'), opts)).record.id as string;
    const both = (await apply(createUser('pub-b', 'stayer'), opts)).record.id as string;
    const group = (name: string, id: string, members: string[]) =>
      msg({
        operation: 'create',
        resourceType: 'Group',
        resourceId: id,
        data: { resource: { displayName: name, members: members.map((value) => ({ value })) } },
      });
    await apply(group('G1', 'pub-g1', ['pub-u', 'pub-b']), opts);
    await apply(group('G2', 'pub-g2', ['pub-u', 'pub-b']), opts);
    const remove = (g: string, member: string) =>
      msg({
        operation: 'modify',
        resourceType: 'Group',
        resourceId: g,
        data: { changes: [{ op: 'remove', path: { attr: 'members' }, value: [{ value: member }] }] },
      });
    await apply(remove('pub-g1', 'pub-u'), opts);
    expect(await get(`/Users/${u}`)).toBeDefined();
    await apply(remove('pub-g2', 'pub-u'), opts);
    expect(await get(`/Users/${u}`)).toBeUndefined();
    // Emptying a group wholesale counts too; a user still in another group stays.
    await apply(
      msg({
        operation: 'modify',
        resourceType: 'Group',
        resourceId: 'pub-g1',
        data: { changes: [{ op: 'replace', path: { attr: 'members' }, value: [] }] },
      }),
      opts,
    );
    expect(await get(`/Users/${both}`)).toBeDefined();
    await apply(msg({ operation: 'delete', resourceType: 'Group', resourceId: 'pub-g2' }), opts);
    expect(await get(`/Users/${both}`)).toBeUndefined();

    // Without the option nobody is deleted.
    const v = (await apply(createUser('pub-v', 'v'))).record.id as string;
    await apply(group('G3', 'pub-g3', ['pub-v']));
    await apply(remove('pub-g3', 'pub-v'));
    expect(await get(`/Users/${v}`)).toBeDefined();
  });
});
