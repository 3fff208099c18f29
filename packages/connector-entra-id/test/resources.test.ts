/**
 * User and Group details beyond the contract kit: passwords, manager, nested and multi-valued
 * Graph properties, the userPrincipalName domain, Microsoft 365 groups, large creates and
 * whole-list member replaces — each checked in the Graph emulator's state.
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import type { GraphEmulator } from '@scimgw/testing-graph-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFor, type SecretApp, secretConfig, startGraph } from './helpers.js';

let graph: GraphEmulator;
let app: SecretApp;
let connector: Connector;
let h: ScimHandler;
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ENTRA = 'urn:scimgw:schemas:extension:entra-id:2.0:User';

beforeAll(async () => {
  ({ graph, app } = await startGraph());
  connector = connectorFor(
    graph,
    secretConfig(graph, app, { roles: { attribute: null }, accessPackages: { attribute: null }, licenses: { attribute: null } }),
  ).connector;
  h = createScimHandler({ connector });
});
afterAll(async () => {
  await connector?.close?.();
  await graph?.close();
});

async function call(method: string, url: string, body?: unknown) {
  return (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as {
    status: number;
    body: any;
  };
}
const patch = (url: string, Operations: unknown[]) => call('PATCH', url, { schemas: [PATCH], Operations });

describe('users', () => {
  it('userName without a domain: the configured domain in Graph, not in SCIM', async () => {
    const u = await call('POST', '/Users', { userName: 'short', name: { givenName: 'Sho', familyName: 'Rt' } });
    expect(u.status).toBe(201);
    expect(u.body.userName).toBe('short');
    expect(graph.state.user(u.body.id)).toMatchObject({
      userPrincipalName: 'short@contoso.onmicrosoft.com',
      mailNickname: 'short',
      displayName: 'Sho Rt',
      accountEnabled: true,
    });
    const found = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "short"')}`);
    expect(found.body.totalResults).toBe(1);
  });

  it('writes a password on create and on PATCH, and never returns it', async () => {
    const u = await call('POST', '/Users', { userName: 'pw@contoso.com', password: 'Initial#Pass1' });
    expect(graph.state.checkPassword(u.body.id, 'Initial#Pass1')).toBe(true);
    const r = await patch(`/Users/${u.body.id}`, [{ op: 'replace', path: 'password', value: 'Changed#Pass2' }]);
    expect(r.status).toBe(200);
    expect(r.body.password).toBeUndefined();
    expect(graph.state.checkPassword(u.body.id, 'Changed#Pass2')).toBe(true);
  });

  it('sets, reads and clears the manager through manager/$ref', async () => {
    const boss = await call('POST', '/Users', { userName: 'boss@contoso.com' });
    const u = await call('POST', '/Users', { userName: 'worker@contoso.com', [ENT]: { manager: { value: boss.body.id } } });
    expect(graph.state.user(u.body.id)?.managerId).toBe(boss.body.id);
    expect((await call('GET', `/Users/${u.body.id}`)).body[ENT].manager.value).toBe(boss.body.id);
    const reports = await call('GET', `/Users?filter=${encodeURIComponent(`${ENT}:manager.value eq "${boss.body.id}"`)}`);
    expect(reports.body.Resources.map((r: { id: string }) => r.id)).toEqual([u.body.id]);
    await patch(`/Users/${u.body.id}`, [{ op: 'remove', path: `${ENT}:manager` }]);
    expect(graph.state.user(u.body.id)?.managerId).toBeNull();
    await patch(`/Users/${u.body.id}`, [{ op: 'add', path: `${ENT}:manager`, value: boss.body.id }]);
    const put = await call('PUT', `/Users/${u.body.id}`, { userName: 'worker@contoso.com' });
    expect(put.status).toBe(200);
    expect(graph.state.user(u.body.id)?.managerId).toBeNull();
  });

  it('changes one nested employeeOrgData property and keeps the other', async () => {
    const u = await call('POST', '/Users', { userName: 'org@contoso.com', [ENT]: { costCenter: 'CC1', division: 'D1' } });
    await patch(`/Users/${u.body.id}`, [{ op: 'replace', path: `${ENT}:costCenter`, value: 'CC2' }]);
    expect(graph.state.user(u.body.id)?.employeeOrgData).toEqual({ costCenter: 'CC2', division: 'D1' });
  });

  it('adds and removes one otherMails value without rewriting the others', async () => {
    const u = await call('POST', '/Users', {
      userName: 'mails@contoso.com',
      emails: [
        { type: 'work', value: 'mails@contoso.com' },
        { type: 'other', value: 'a@example.com' },
        { type: 'other', value: 'b@example.com' },
      ],
    });
    expect(graph.state.user(u.body.id)).toMatchObject({
      mail: 'mails@contoso.com',
      otherMails: ['a@example.com', 'b@example.com'],
    });
    await patch(`/Users/${u.body.id}`, [
      { op: 'remove', path: 'emails[value eq "a@example.com"]' },
      { op: 'add', path: 'emails', value: [{ type: 'other', value: 'c@example.com' }] },
    ]);
    expect(graph.state.user(u.body.id)?.otherMails).toEqual(['b@example.com', 'c@example.com']);
  });

  it('the Entra extension carries usageLocation', async () => {
    const u = await call('POST', '/Users', { userName: 'loc@contoso.com', [ENTRA]: { usageLocation: 'NO' } });
    expect(graph.state.user(u.body.id)?.usageLocation).toBe('NO');
    const got = await call('GET', `/Users/${u.body.id}?attributes=${encodeURIComponent(`${ENTRA}:usageLocation`)}`);
    expect(got.body[ENTRA]).toEqual({ usageLocation: 'NO' });
    expect((await call('GET', '/Schemas')).body.Resources.map((s: { id: string }) => s.id)).toContain(ENTRA);
  });

  it('a duplicate mail is 409 uniqueness (ObjectConflict on proxyAddresses)', async () => {
    await call('POST', '/Users', { userName: 'm1@contoso.com', emails: [{ type: 'work', value: 'shared@contoso.com' }] });
    const dup = await call('POST', '/Users', {
      userName: 'm2@contoso.com',
      emails: [{ type: 'work', value: 'shared@contoso.com' }],
    });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
  });
});

describe('groups', () => {
  it('creates with more than 20 members through $batch after the create', async () => {
    const users = graph.state.addUsers(45);
    graph.calls.reset();
    const g = await call('POST', '/Groups', { displayName: 'big', members: users.map((value) => ({ value })) });
    expect(g.status).toBe(201);
    expect(graph.state.memberCount(g.body.id)).toBe(45);
    expect(graph.calls.count({ route: 'POST /$batch' })).toBe(3);
  });

  it('rolls a large create back when a member cannot be added', async () => {
    const users = graph.state.addUsers(21);
    const missing = '6b0b3f7e-0000-4000-8000-00000000dead';
    const g = await call('POST', '/Groups', {
      displayName: 'rolled-back',
      members: [...users, missing].map((value) => ({ value })),
    });
    expect(g.status).toBe(404);
    const left = await call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "rolled-back"')}`);
    expect(left.body.totalResults).toBe(0);
  });

  it('creates with up to 20 members in the create call itself', async () => {
    const users = graph.state.addUsers(3);
    graph.calls.reset();
    const g = await call('POST', '/Groups', { displayName: 'small', members: users.map((value) => ({ value })) });
    expect(g.status).toBe(201);
    expect(graph.calls.list().map((c) => c.route)).toEqual(['POST /groups']);
    expect(graph.state.members(g.body.id).sort()).toEqual([...users].sort());
  });

  it('replaces the member list by the difference only', async () => {
    const [a, b, c] = graph.state.addUsers(3);
    const g = graph.state.addGroup({ displayName: 'diff' });
    graph.state.addMembers(g, [a as string, b as string]);
    graph.calls.reset();
    const put = await call('PUT', `/Groups/${g}`, { displayName: 'diff renamed', members: [{ value: b }, { value: c }] });
    expect(put.status).toBe(200);
    expect(graph.state.members(g).sort()).toEqual([b, c].sort());
    expect(graph.state.group(g)?.displayName).toBe('diff renamed');
    expect(graph.calls.count({ route: 'DELETE /groups/{id}/members/{memberId}/$ref' })).toBe(1);
    expect(graph.calls.count({ route: 'POST /groups/{id}/members/$ref' })).toBe(1);
  });

  it('shows users and groups as members; a service principal in the group survives every whole-list write', async () => {
    const [a, b] = graph.state.addUsers(2) as [string, string];
    const inner = graph.state.addGroup({ displayName: 'inner' });
    const sp = graph.apps.servicePrincipalId(app.clientId);
    const g = graph.state.addGroup({ displayName: 'with an app' });
    graph.state.addMembers(g, [a, inner, sp]);
    const read = await call('GET', `/Groups/${g}`);
    expect(read.status).toBe(200);
    expect(read.body.members.map((m: { value: string; type: string }) => [m.value, m.type]).sort()).toEqual(
      [
        [a, 'User'],
        [inner, 'Group'],
      ].sort(),
    );
    const listed = await call('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "with an app"`)}&attributes=members`);
    expect(listed.body.Resources[0].members.map((m: { value: string }) => m.value).sort()).toEqual([a, inner].sort());

    // An IdP's PUT names the members it knows: the app stays.
    expect((await call('PUT', `/Groups/${g}`, { displayName: 'with an app', members: [{ value: b }] })).status).toBe(200);
    expect(graph.state.members(g).sort()).toEqual([b, sp].sort());
    // A replace, an irregular filter and a remove of all members leave it too.
    expect((await patch(`/Groups/${g}`, [{ op: 'replace', path: 'members', value: [{ value: a }] }])).status).toBe(204);
    expect(graph.state.members(g).sort()).toEqual([a, sp].sort());
    expect((await patch(`/Groups/${g}`, [{ op: 'remove', path: 'members[value ne "nobody"]' }])).status).toBe(204);
    expect(graph.state.members(g)).toEqual([sp]);
    expect((await patch(`/Groups/${g}`, [{ op: 'add', path: 'members', value: [{ value: a }] }])).status).toBe(204);
    expect((await patch(`/Groups/${g}`, [{ op: 'remove', path: 'members' }])).status).toBe(204);
    expect(graph.state.members(g)).toEqual([sp]);
    expect((await call('GET', `/Groups/${g}`)).body.members ?? []).toEqual([]);
  });

  it('creates Microsoft 365 groups when configured', async () => {
    const made = connectorFor(graph, secretConfig(graph, app, { groups: { kind: 'microsoft365' } }));
    const res = await createScimHandler({ connector: made.connector }).handle({
      method: 'POST',
      url: '/Groups',
      body: JSON.stringify({ displayName: 'Team Rocket' }),
    });
    expect(res.status).toBe(201);
    expect(graph.state.group((res.body as { id: string }).id)).toMatchObject({
      groupTypes: ['Unified'],
      mailEnabled: true,
      mailNickname: 'TeamRocket',
    });
    await made.connector.close?.();
  });

  it('a member id that is no object id is 400; removing one is a no-op', async () => {
    const g = graph.state.addGroup({ displayName: 'ids' });
    expect((await patch(`/Groups/${g}`, [{ op: 'add', path: 'members', value: [{ value: 'bjensen' }] }])).status).toBe(400);
    expect((await patch(`/Groups/${g}`, [{ op: 'remove', path: 'members', value: [{ value: 'bjensen' }] }])).status).toBe(204);
  });

  it('a PATCH of a missing group is 404', async () => {
    const missing = '6b0b3f7e-0000-4000-8000-00000000beef';
    const u = graph.state.addUser();
    expect((await patch(`/Groups/${missing}`, [{ op: 'add', path: 'members', value: [{ value: u }] }])).status).toBe(404);
    expect((await patch(`/Groups/${missing}`, [{ op: 'remove', path: 'members', value: [{ value: u }] }])).status).toBe(404);
  });
});
