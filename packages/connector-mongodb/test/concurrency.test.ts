/**
 * Several gateways on one database behave as one: parallel member additions lose nothing, one of
 * racing creates wins, `If-Match` races have one winner (412 for the rest, nothing overwritten),
 * and a member added to a 50,000-member group is one `update` that reads nothing.
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, connectorOn, startBackend, uniqueDb } from './helpers/backend.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
let backend: Backend;
/** Five "gateways": connectors with their own clients on one database. */
let gateways: (Connector & { open(): Promise<void> })[] = [];
let handlers: ScimHandler[] = [];

beforeAll(async () => {
  backend = await startBackend();
  const database = uniqueDb('race');
  gateways = Array.from({ length: 5 }, () =>
    connectorOn(backend.url, { database, connection: { url: backend.url, maxPoolSize: 10 } }),
  );
  for (const g of gateways) await g.open();
  handlers = gateways.map((connector) => createScimHandler({ connector }));
});
afterAll(async () => {
  for (const g of gateways) await g.close?.();
  await backend.stop();
});

const call = (i: number, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  (handlers[i % handlers.length] as ScimHandler).handle({
    method,
    url,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function newUser(name: string): Promise<string> {
  const res = await call(0, 'POST', '/Users', { userName: name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: string }).id;
}

describe('races between gateways', () => {
  it('50 parallel member additions to one group: none lost', async () => {
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => newUser(`member-${i}-${Date.now()}`)));
    const g = await call(0, 'POST', '/Groups', { displayName: `race-${Date.now()}` });
    const gid = (g.body as { id: string }).id;
    const results = await Promise.all(
      users.map((u, i) =>
        call(i, 'PATCH', `/Groups/${gid}`, {
          schemas: [PATCH],
          Operations: [{ op: 'add', path: 'members', value: [{ value: u }] }],
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(users.map(() => 204));
    const got = await call(1, 'GET', `/Groups/${gid}`);
    const members = (got.body as { members: { value: string }[] }).members.map((m) => m.value);
    expect(members.sort()).toEqual([...users].sort());
    // And 50 parallel removals of half of them, mixed with re-adds of the other half: still exact.
    const mixed = await Promise.all(
      users.map((u, i) =>
        call(i, 'PATCH', `/Groups/${gid}`, {
          schemas: [PATCH],
          Operations: [
            i % 2 ? { op: 'remove', path: `members[value eq "${u}"]` } : { op: 'add', path: 'members', value: [{ value: u }] },
          ],
        }),
      ),
    );
    expect(mixed.every((r) => r.status === 204)).toBe(true);
    const after = await call(2, 'GET', `/Groups/${gid}`);
    const left = (after.body as { members: { value: string }[] }).members.map((m) => m.value).sort();
    expect(left).toEqual(users.filter((_, i) => i % 2 === 0).sort());
  });

  it('20 racing creates of one userName (in different cases): exactly one 201, the rest 409', async () => {
    const name = `racer-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(i, 'POST', '/Users', { userName: i % 2 ? name.toUpperCase() : name })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) expect((r.body as { scimType: string }).scimType).toBe('uniqueness');
    const found = await call(3, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);
    expect((found.body as { totalResults: number }).totalResults).toBe(1);
  });

  it('If-Match races: one PATCH wins, the others answer 412 and overwrite nothing', async () => {
    const id = await newUser(`etag-${Date.now()}`);
    const etag = (await call(0, 'GET', `/Users/${id}`)).headers.etag as string;
    expect(etag).toMatch(/^W\/"[0-9a-f]{24}"$/);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(
          i,
          'PATCH',
          `/Users/${id}`,
          { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `writer-${i}` }] },
          { 'if-match': etag },
        ),
      ),
    );
    const won = results.map((r, i) => [r.status, i] as const).filter(([s]) => s === 200);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(19);
    const final = await call(0, 'GET', `/Users/${id}`);
    expect((final.body as { title: string }).title).toBe(`writer-${won[0]![1]}`);
    expect(final.headers.etag).not.toBe(etag);
  });

  it('a write that lost the race after its If-Match check answers 412, never overwrites', async () => {
    const id = await newUser(`lost-${Date.now()}`);
    const users = gateways[0]!.resources.User!;
    const slow = {}; // the request context of a request whose If-Match check read the old version
    const seen = await users.get!(id, slow, {});
    expect(seen?.meta?.version).toBeTypeOf('string');
    // Meanwhile another gateway changes the user.
    await gateways[1]!.resources.User!.modify!(id, [{ op: 'replace', path: { attr: 'title' }, value: 'theirs' }], {});
    await expect(users.modify!(id, [{ op: 'replace', path: { attr: 'title' }, value: 'mine' }], slow)).rejects.toMatchObject({
      status: 412,
    });
    await expect(users.replace!(id, { userName: `lost-x`, title: 'mine' }, slow)).rejects.toMatchObject({ status: 412 });
    await expect(users.delete!(id, slow)).rejects.toMatchObject({ status: 412 });
    expect((await users.get!(id, {}, {}))?.title).toBe('theirs');
    // A request that read the current version goes through, and so does its next write.
    const fresh = {};
    await users.get!(id, fresh, {});
    await users.modify!(id, [{ op: 'replace', path: { attr: 'title' }, value: 'mine' }], fresh);
    await users.modify!(id, [{ op: 'replace', path: { attr: 'nickName' }, value: 'me' }], fresh);
    expect(await users.get!(id, {}, {})).toMatchObject({ title: 'mine', nickName: 'me' });
  });

  it('If-Match on PUT and DELETE through the handler', async () => {
    const id = await newUser(`put-${Date.now()}`);
    const etag = (await call(0, 'GET', `/Users/${id}`)).headers.etag as string;
    const put = await call(1, 'PUT', `/Users/${id}`, { userName: `put-renamed-${Date.now()}` }, { 'if-match': etag });
    expect(put.status).toBe(200);
    expect(put.headers.etag).not.toBe(etag);
    const stale = await call(2, 'DELETE', `/Users/${id}`, undefined, { 'if-match': etag });
    expect(stale.status).toBe(412);
    const del = await call(3, 'DELETE', `/Users/${id}`, undefined, { 'if-match': put.headers.etag as string });
    expect(del.status).toBe(204);
  });
});

describe('a 50,000-member group', () => {
  it('adding or removing one member is one update that reads nothing', async () => {
    const groups = gateways[0]!.resources.Group!;
    const members = Array.from({ length: 50_000 }, (_, i) => ({ value: `u${i}` }));
    const g = await groups.create!({ displayName: `big-${Date.now()}`, members }, {});
    const id = g.id as string;
    const srv = backend.srv;
    srv?.calls.clear();
    await groups.modify!(id, [{ op: 'add', path: { attr: 'members' }, value: [{ value: 'newcomer' }] }], {});
    if (srv) expect(srv.calls.names()).toEqual(['update']);
    srv?.calls.clear();
    await groups.modify!(id, [{ op: 'remove', path: { attr: 'members' }, value: [{ value: 'u123' }] }], {});
    if (srv) expect(srv.calls.names()).toEqual(['update']);
    srv?.calls.clear();
    // Entra ID's form, through the handler: PATCH answered 204, still one update.
    const h = createScimHandler({ connector: gateways[0]! });
    const res = await h.handle({
      method: 'PATCH',
      url: `/Groups/${id}`,
      body: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'Remove', path: `members[value eq "u7"]` }] }),
    });
    expect(res.status).toBe(204);
    if (srv) {
      expect(srv.calls.names()).toEqual(['update']);
      const body = srv.calls.of('update')[0]!.body as { updates: { q: unknown; u: Record<string, unknown> }[] };
      expect(JSON.stringify(body.updates[0]!.u)).not.toContain('u8'); // no member list was written
    }
    // The result: 50,000 - 2 + 1 members, the right ones.
    const after = await groups.get!(id, {}, {});
    const values = new Set((after!.members as { value: string }[]).map((m) => m.value));
    expect(values.size).toBe(49_999);
    expect(values.has('newcomer') && !values.has('u123') && !values.has('u7') && values.has('u8')).toBe(true);
    // Adding a member that is already there changes nothing (not even the version).
    const before = after!.meta?.version;
    await groups.modify!(id, [{ op: 'add', path: { attr: 'members' }, value: [{ value: 'u9' }] }], {});
    expect((await groups.get!(id, {}, { excludedAttributes: ['members'] }))?.meta?.version).toBe(before);
  });
});
