/** Directory roles, role assignments and PIM eligibility schedule requests. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROLE_TEMPLATES } from '../src/index.js';
import { type TestTenant, startTenant } from './helpers.js';

let t: TestTenant;
let now = Date.now();
beforeAll(async () => {
  t = await startTenant({
    now: () => now,
    tokenLifetimeSeconds: 172_800,
    roles: [{ id: 'aaaaaaaa-0000-0000-0000-000000000001', displayName: 'Custom Role', isBuiltIn: false }],
  });
});
afterAll(() => t.graph.close());

const BASE = '/roleManagement/directory';

describe('role definitions and assignments', () => {
  test('built-in and custom definitions, filterable', async () => {
    const all = await t.call('GET', `${BASE}/roleDefinitions`);
    expect(all.json.value.length).toBeGreaterThan(10);
    const byName = await t.call(
      'GET',
      `${BASE}/roleDefinitions?$filter=${encodeURIComponent("displayName eq 'User Administrator'")}`,
    );
    expect(byName.json.value).toEqual([
      expect.objectContaining({
        id: ROLE_TEMPLATES.userAdministrator,
        templateId: ROLE_TEMPLATES.userAdministrator,
        isBuiltIn: true,
      }),
    ]);
    const custom = await t.call('GET', `${BASE}/roleDefinitions/aaaaaaaa-0000-0000-0000-000000000001`);
    expect(custom.json.isBuiltIn).toBe(false);
  });

  test('create, list by principalId, expand, activate the directory role, delete', async () => {
    const [user] = t.graph.state.addUsers(1);
    const create = await t.call('POST', `${BASE}/roleAssignments`, {
      '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.helpdeskAdministrator,
      directoryScopeId: '/',
    });
    expect(create.status).toBe(201);
    expect(create.json).toMatchObject({
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.helpdeskAdministrator,
      directoryScopeId: '/',
    });
    const duplicate = await t.call('POST', `${BASE}/roleAssignments`, {
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.helpdeskAdministrator,
      directoryScopeId: '/',
    });
    expect(duplicate.status).toBe(400);
    const listed = await t.call(
      'GET',
      `${BASE}/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${user}'`)}&$expand=roleDefinition`,
    );
    expect(listed.json.value).toHaveLength(1);
    expect(listed.json.value[0].roleDefinition.displayName).toBe('Helpdesk Administrator');
    const roles = await t.call('GET', '/directoryRoles');
    const helpdesk = roles.json.value.find(
      (r: { roleTemplateId: string }) => r.roleTemplateId === ROLE_TEMPLATES.helpdeskAdministrator,
    );
    expect(helpdesk).toBeDefined();
    const members = await t.call('GET', `/directoryRoles/${helpdesk.id}/members`);
    expect(members.json.value.map((m: { id: string }) => m.id)).toEqual([user]);
    const memberOf = await t.call('GET', `/users/${user}/memberOf`);
    expect(memberOf.json.value.map((m: { '@odata.type': string }) => m['@odata.type'])).toEqual([
      '#microsoft.graph.directoryRole',
    ]);
    const unsupported = await t.call(
      'GET',
      `${BASE}/roleAssignments?$filter=${encodeURIComponent("startsWith(principalId,'a')")}`,
    );
    expect(unsupported.status).toBe(400);
    expect((await t.call('DELETE', `${BASE}/roleAssignments/${create.json.id}`)).status).toBe(204);
    expect((await t.call('GET', `${BASE}/roleAssignments/${create.json.id}`)).status).toBe(404);
  });

  test('principals must exist; groups must be role-assignable', async () => {
    const ghost = await t.call('POST', `${BASE}/roleAssignments`, {
      principalId: '33333333-3333-3333-3333-333333333333',
      roleDefinitionId: ROLE_TEMPLATES.globalReader,
      directoryScopeId: '/',
    });
    expect(ghost.status).toBe(404);
    const plain = t.graph.state.addGroup();
    const notAssignable = await t.call('POST', `${BASE}/roleAssignments`, {
      principalId: plain,
      roleDefinitionId: ROLE_TEMPLATES.globalReader,
      directoryScopeId: '/',
    });
    expect(notAssignable.status).toBe(400);
    const assignable = t.graph.state.addGroup({ isAssignableToRole: true });
    const ok = await t.call('POST', `${BASE}/roleAssignments`, {
      principalId: assignable,
      roleDefinitionId: ROLE_TEMPLATES.globalReader,
      directoryScopeId: '/',
    });
    expect(ok.status).toBe(201);
  });
});

describe('eligibility (PIM)', () => {
  test('adminAssign creates a schedule and an instance; adminRemove revokes it', async () => {
    const [user] = t.graph.state.addUsers(1);
    const assign = await t.call('POST', `${BASE}/roleEligibilityScheduleRequests`, {
      action: 'adminAssign',
      justification: 'on call',
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.userAdministrator,
      directoryScopeId: '/',
      scheduleInfo: { startDateTime: new Date(now).toISOString(), expiration: { type: 'afterDuration', duration: 'PT8H' } },
    });
    expect(assign.status).toBe(201);
    expect(assign.json).toMatchObject({
      status: 'Provisioned',
      action: 'adminAssign',
      principalId: user,
      createdBy: { application: { id: t.clientId } },
    });
    const again = await t.call('POST', `${BASE}/roleEligibilityScheduleRequests`, {
      action: 'adminAssign',
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.userAdministrator,
      directoryScopeId: '/',
      scheduleInfo: { expiration: { type: 'noExpiration' } },
    });
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe('RoleAssignmentExists');
    const filter = encodeURIComponent(`principalId eq '${user}'`);
    const schedules = await t.call('GET', `${BASE}/roleEligibilitySchedules?$filter=${filter}`);
    expect(schedules.json.value).toHaveLength(1);
    expect(schedules.json.value[0].scheduleInfo.expiration).toEqual({
      type: 'afterDuration',
      endDateTime: null,
      duration: 'PT8H',
    });
    expect((await t.call('GET', `${BASE}/roleEligibilityScheduleInstances?$filter=${filter}`)).json.value).toHaveLength(1);
    now += 9 * 3600_000;
    expect((await t.call('GET', `${BASE}/roleEligibilityScheduleInstances?$filter=${filter}`)).json.value).toHaveLength(0);
    const remove = await t.call('POST', `${BASE}/roleEligibilityScheduleRequests`, {
      action: 'adminRemove',
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.userAdministrator,
      directoryScopeId: '/',
    });
    expect(remove.json.status).toBe('Revoked');
    expect((await t.call('GET', `${BASE}/roleEligibilitySchedules?$filter=${filter}`)).json.value).toHaveLength(0);
    const removeAgain = await t.call('POST', `${BASE}/roleEligibilityScheduleRequests`, {
      action: 'adminRemove',
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.userAdministrator,
      directoryScopeId: '/',
    });
    expect(removeAgain.json.error.code).toBe('RoleAssignmentDoesNotExist');
  });

  test('self actions need a user; a bad expiration is refused', async () => {
    const [user] = t.graph.state.addUsers(1);
    const self = await t.call('POST', `${BASE}/roleEligibilityScheduleRequests`, {
      action: 'selfActivate',
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.globalReader,
      directoryScopeId: '/',
    });
    expect(self.status).toBe(400);
    const badDuration = await t.call('POST', `${BASE}/roleEligibilityScheduleRequests`, {
      action: 'adminAssign',
      principalId: user,
      roleDefinitionId: ROLE_TEMPLATES.globalReader,
      directoryScopeId: '/',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: '8 hours' } },
    });
    expect(badDuration.status).toBe(400);
  });
});
