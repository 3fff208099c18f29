/** /groups: creation rules, members by reference and by members@odata.bind, transitive membership, owners. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EVENTUAL, type TestTenant, startTenant } from './helpers.js';

let t: TestTenant;
const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
const bind = (id: string) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`;

beforeAll(async () => {
  t = await startTenant();
});
afterAll(() => t.graph.close());

describe('create', () => {
  test('a security group and a Microsoft 365 group', async () => {
    const security = await t.call('POST', '/groups', {
      displayName: 'Sec',
      mailEnabled: false,
      mailNickname: 'sec',
      securityEnabled: true,
    });
    expect(security.status).toBe(201);
    expect(security.json).toMatchObject({
      displayName: 'Sec',
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      mail: null,
    });
    const unified = await t.call('POST', '/groups', {
      displayName: 'Team',
      mailEnabled: true,
      mailNickname: 'team',
      securityEnabled: false,
      groupTypes: ['Unified'],
    });
    expect(unified.status).toBe(201);
    expect(unified.json.mail).toBe(`team@${t.graph.domains[0]}`);
    expect(unified.json.proxyAddresses).toEqual([`SMTP:team@${t.graph.domains[0]}`]);
  });

  test('mail-enabled security and distribution groups cannot be created; required properties and nicknames are checked', async () => {
    const distribution = await t.call('POST', '/groups', {
      displayName: 'D',
      mailEnabled: true,
      mailNickname: 'd',
      securityEnabled: false,
    });
    expect(distribution.status).toBe(400);
    const unifiedNoMail = await t.call('POST', '/groups', {
      displayName: 'U',
      mailEnabled: false,
      mailNickname: 'u',
      securityEnabled: true,
      groupTypes: ['Unified'],
    });
    expect(unifiedNoMail.status).toBe(400);
    const noNickname = await t.call('POST', '/groups', { displayName: 'N', mailEnabled: false, securityEnabled: true });
    expect(noNickname.json.error.message).toBe("Invalid value specified for property 'mailNickname' of resource 'Group'.");
    const badNickname = await t.call('POST', '/groups', {
      displayName: 'N',
      mailEnabled: false,
      mailNickname: 'has space',
      securityEnabled: true,
    });
    expect(badNickname.status).toBe(400);
    const badType = await t.call('POST', '/groups', {
      displayName: 'N',
      mailEnabled: false,
      mailNickname: 'n',
      securityEnabled: true,
      groupTypes: ['Weird'],
    });
    expect(badType.status).toBe(400);
  });

  test('members@odata.bind on create, at most 20 references', async () => {
    const users = t.graph.state.addUsers(21);
    const ok = await t.call('POST', '/groups', {
      displayName: 'Bound',
      mailEnabled: false,
      mailNickname: 'bound',
      securityEnabled: true,
      'members@odata.bind': users.slice(0, 20).map(bind),
    });
    expect(ok.status).toBe(201);
    expect(t.graph.state.memberCount(ok.json.id)).toBe(20);
    const tooMany = await t.call('POST', '/groups', {
      displayName: 'TooMany',
      mailEnabled: false,
      mailNickname: 'toomany',
      securityEnabled: true,
      'members@odata.bind': users.map(bind),
    });
    expect(tooMany.status).toBe(400);
    const before = t.graph.state.groupCount;
    const missing = await t.call('POST', '/groups', {
      displayName: 'Missing',
      mailEnabled: false,
      mailNickname: 'missing',
      securityEnabled: true,
      'members@odata.bind': [bind('11111111-1111-1111-1111-111111111111')],
    });
    expect(missing.status).toBe(404);
    expect(t.graph.state.groupCount).toBe(before);
  });
});

describe('members', () => {
  test('add by $ref, list, remove; duplicates and unknown members are refused', async () => {
    const group = t.graph.state.addGroup({ displayName: 'Members' });
    const [a, b] = t.graph.state.addUsers(2);
    expect((await t.call('POST', `/groups/${group}/members/$ref`, ref(a as string))).status).toBe(204);
    expect((await t.call('POST', `/groups/${group}/members/$ref`, ref(b as string))).status).toBe(204);
    const again = await t.call('POST', `/groups/${group}/members/$ref`, ref(a as string));
    expect(again.status).toBe(400);
    expect(again.json.error.message).toBe(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    const ghost = await t.call('POST', `/groups/${group}/members/$ref`, ref('22222222-2222-2222-2222-222222222222'));
    expect(ghost.status).toBe(404);
    const list = await t.call('GET', `/groups/${group}/members`);
    expect(list.json['@odata.context']).toBe(`${t.graph.graphUrl}/$metadata#directoryObjects`);
    expect(list.json.value.map((m: { id: string }) => m.id)).toEqual([a, b]);
    expect(list.json.value[0]['@odata.type']).toBe('#microsoft.graph.user');
    expect((await t.call('DELETE', `/groups/${group}/members/${a}/$ref`)).status).toBe(204);
    const notMember = await t.call('DELETE', `/groups/${group}/members/${a}/$ref`);
    expect(notMember.status).toBe(404);
    expect(t.graph.state.members(group)).toEqual([b]);
  });

  test('PATCH members@odata.bind adds up to 20 at once', async () => {
    const group = t.graph.state.addGroup();
    const users = t.graph.state.addUsers(21);
    const patch = await t.call('PATCH', `/groups/${group}`, { 'members@odata.bind': users.slice(0, 20).map(bind) });
    expect(patch.status).toBe(204);
    expect(t.graph.state.memberCount(group)).toBe(20);
    const over = await t.call('PATCH', `/groups/${group}`, { 'members@odata.bind': users.map(bind) });
    expect(over.status).toBe(400);
    const existing = await t.call('PATCH', `/groups/${group}`, {
      'members@odata.bind': [bind(users[0] as string)],
      description: 'changed',
    });
    expect(existing.status).toBe(400);
    expect(t.graph.state.group(group)?.description).toBeUndefined();
  });

  test('members, transitiveMembers and memberOf follow nesting; casts and $count need advanced parameters', async () => {
    const outer = t.graph.state.addGroup({ displayName: 'outer' });
    const inner = t.graph.state.addGroup({ displayName: 'inner' });
    const [u1, u2] = t.graph.state.addUsers(2);
    t.graph.state.addMembers(outer, [inner, u1 as string]);
    t.graph.state.addMembers(inner, [u2 as string]);
    const transitive = await t.call('GET', `/groups/${outer}/transitiveMembers`);
    expect(transitive.json.value.map((m: { id: string }) => m.id).sort()).toEqual([inner, u1, u2].sort());
    const memberOf = await t.call('GET', `/users/${u2}/memberOf`);
    expect(memberOf.json.value.map((m: { id: string }) => m.id)).toEqual([inner]);
    const transitiveOf = await t.call('GET', `/users/${u2}/transitiveMemberOf`);
    expect(transitiveOf.json.value.map((m: { id: string }) => m.id).sort()).toEqual([inner, outer].sort());
    const castRefused = await t.call('GET', `/groups/${outer}/members/microsoft.graph.user`);
    expect(castRefused.status).toBe(400);
    const cast = await t.call('GET', `/groups/${outer}/members/microsoft.graph.user?$count=true`, undefined, EVENTUAL);
    expect(cast.json.value.map((m: { id: string }) => m.id)).toEqual([u1]);
    expect(cast.json['@odata.count']).toBe(1);
    const count = await t.call('GET', `/groups/${outer}/members/$count`, undefined, EVENTUAL);
    expect(count.text).toBe('2');
    expect(count.headers.get('content-type')).toMatch(/text\/plain/);
    const filtered = await t.call('GET', `/groups/${outer}/members?$filter=id eq '${u1}'`);
    expect(filtered.status).toBe(400);
  });

  test('Microsoft 365 groups refuse nested groups; dynamic groups refuse manual members', async () => {
    const unified = t.graph.state.addGroup({ groupTypes: ['Unified'], mailEnabled: true });
    const nested = t.graph.state.addGroup();
    expect((await t.call('POST', `/groups/${unified}/members/$ref`, ref(nested))).status).toBe(400);
    const dynamic = (
      await t.call('POST', '/groups', {
        displayName: 'Dyn',
        mailEnabled: false,
        mailNickname: 'dyn',
        securityEnabled: true,
        groupTypes: ['DynamicMembership'],
        membershipRule: '(user.department -eq "Sales")',
        membershipRuleProcessingState: 'On',
      })
    ).json;
    const [user] = t.graph.state.addUsers(1);
    expect((await t.call('POST', `/groups/${dynamic.id}/members/$ref`, ref(user as string))).status).toBe(400);
  });

  test('owners by reference', async () => {
    const group = t.graph.state.addGroup();
    const [owner] = t.graph.state.addUsers(1);
    expect((await t.call('POST', `/groups/${group}/owners/$ref`, ref(owner as string))).status).toBe(204);
    expect((await t.call('GET', `/groups/${group}/owners`)).json.value.map((o: { id: string }) => o.id)).toEqual([owner]);
    expect((await t.call('DELETE', `/groups/${group}/owners/${owner}/$ref`)).status).toBe(204);
  });
});

describe('a member add to a 100,000-member group', () => {
  test('is one Graph call, and reading the first page does not need the whole group', async () => {
    const group = t.graph.state.addGroup({ displayName: 'Huge' });
    const users = t.graph.state.addUsers(100_000);
    t.graph.state.addMembers(group, users);
    const [extra] = t.graph.state.addUsers(1);
    t.graph.calls.reset();
    const add = await t.call('POST', `/groups/${group}/members/$ref`, ref(extra as string));
    expect(add.status).toBe(204);
    expect(t.graph.calls.count()).toBe(1);
    expect(t.graph.calls.count({ route: 'POST /groups/{id}/members/$ref' })).toBe(1);
    expect(t.graph.state.memberCount(group)).toBe(100_001);
    const remove = await t.call('DELETE', `/groups/${group}/members/${users[50_000]}/$ref`);
    expect(remove.status).toBe(204);
    const page = await t.call('GET', `/groups/${group}/members?$top=999&$select=id`);
    expect(page.json.value).toHaveLength(999);
    expect(page.json['@odata.nextLink']).toContain('$skiptoken=');
  });
});
