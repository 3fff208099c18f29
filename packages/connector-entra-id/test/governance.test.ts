/**
 * Directory roles (permanent assignments and PIM eligibility), access packages (entitlement
 * management assignment requests) and licenses (read-only), as a user's `roles` and
 * `entitlements` and as `/Roles` and `/Entitlements`.
 */
import { randomUUID } from 'node:crypto';
import type { Connector } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { type GraphEmulator, ROLE_TEMPLATES } from '@scimgw/testing-graph-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFor, type SecretApp, secretConfig, startGraph } from './helpers.js';

let graph: GraphEmulator;
let app: SecretApp;
let connector: Connector;
let h: ScimHandler;
let logs: unknown;
const E5 = randomUUID();
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
let vpnGroup: string;
let vpnPackage: string;

beforeAll(async () => {
  ({ graph, app } = await startGraph({
    skus: [{ skuId: E5, skuPartNumber: 'SPE_E5', enabledUnits: 10 }],
  }));
  vpnGroup = graph.state.addGroup({ displayName: 'VPN users' });
  vpnPackage = graph.state.addAccessPackage({ displayName: 'VPN access', groupIds: [vpnGroup] });
  const made = connectorFor(graph, secretConfig(graph, app));
  connector = made.connector;
  logs = made.ctx.logs;
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

describe('/Roles and /Entitlements', () => {
  it('lists role definitions', async () => {
    const res = await call('GET', `/Roles?filter=${encodeURIComponent('displayName eq "User Administrator"')}`);
    expect(res.status).toBe(200);
    expect(res.body.Resources).toEqual([
      expect.objectContaining({
        id: ROLE_TEMPLATES.userAdministrator,
        value: ROLE_TEMPLATES.userAdministrator,
        type: 'DirectoryRole',
      }),
    ]);
    const one = await call('GET', `/Roles/${ROLE_TEMPLATES.userAdministrator}`);
    expect(one.body.displayName).toBe('User Administrator');
  });

  it('lists licenses and access packages, told apart by type', async () => {
    const res = await call('GET', '/Entitlements');
    const byType = (t: string) =>
      res.body.Resources.filter((r: { type: string }) => r.type === t).map((r: { displayName: string }) => r.displayName);
    expect(byType('License')).toEqual(['SPE_E5']);
    expect(byType('AccessPackage')).toEqual(['VPN access']);
    expect((await call('POST', '/Entitlements', { displayName: 'x' })).status).toBeGreaterThanOrEqual(405);
  });
});

describe('roles on a user', () => {
  it('grants a permanent role and a PIM eligibility at create, reads them back, removes one of them', async () => {
    const created = await call('POST', '/Users', {
      userName: 'admin1@contoso.com',
      roles: [
        { value: ROLE_TEMPLATES.userAdministrator, type: 'Permanent' },
        { value: 'Global Reader', type: 'Eligible' },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(graph.state.roleAssignments()).toEqual(
      expect.arrayContaining([expect.objectContaining({ principalId: id, roleDefinitionId: ROLE_TEMPLATES.userAdministrator })]),
    );
    expect(graph.state.eligibilitySchedules()).toEqual(
      expect.arrayContaining([expect.objectContaining({ principalId: id, roleDefinitionId: ROLE_TEMPLATES.globalReader })]),
    );
    const got = await call('GET', `/Users/${id}`);
    expect(got.body.roles).toEqual(
      expect.arrayContaining([
        { value: ROLE_TEMPLATES.userAdministrator, display: 'User Administrator', type: 'Permanent' },
        { value: ROLE_TEMPLATES.globalReader, display: 'Global Reader', type: 'Eligible' },
      ]),
    );
    // Granting again changes nothing; removing the eligibility leaves the permanent role.
    const again = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'roles', value: [{ value: ROLE_TEMPLATES.userAdministrator, type: 'Permanent' }] }],
    });
    expect(again.status).toBe(200);
    const removed = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: 'roles', value: [{ value: ROLE_TEMPLATES.globalReader, type: 'Eligible' }] }],
    });
    expect(removed.status).toBe(200);
    expect(removed.body.roles).toEqual([
      { value: ROLE_TEMPLATES.userAdministrator, display: 'User Administrator', type: 'Permanent' },
    ]);
    expect(graph.state.eligibilitySchedules().filter((s) => s.principalId === id)).toHaveLength(0);
    expect(graph.state.roleAssignments().filter((a) => a.principalId === id)).toHaveLength(1);
  });

  it('removes a role by filter, and refuses an unknown role', async () => {
    const u = await call('POST', '/Users', { userName: 'admin2@contoso.com', roles: [{ value: 'Helpdesk Administrator' }] });
    const id = u.body.id as string;
    expect(graph.state.roleAssignments().filter((a) => a.principalId === id)).toHaveLength(1);
    const rm = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: `roles[value eq "${ROLE_TEMPLATES.helpdeskAdministrator}"]` }],
    });
    expect(rm.status).toBe(200);
    expect(graph.state.roleAssignments().filter((a) => a.principalId === id)).toHaveLength(0);
    const bad = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'roles', value: [{ value: 'Emperor' }] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidValue');
  });

  it('a PUT without roles leaves the roles alone', async () => {
    const u = await call('POST', '/Users', { userName: 'admin3@contoso.com', roles: [{ value: 'Groups Administrator' }] });
    const put = await call('PUT', `/Users/${u.body.id}`, { userName: 'admin3@contoso.com', displayName: 'Three' });
    expect(put.status).toBe(200);
    expect(put.body.roles).toHaveLength(1);
  });
});

describe('access packages and licenses on a user', () => {
  it('assigns an access package through an adminAdd request and removes it through adminRemove', async () => {
    const u = await call('POST', '/Users', { userName: 'vpn1@contoso.com' });
    const id = u.body.id as string;
    const add = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'entitlements', value: [{ value: vpnPackage, type: 'AccessPackage' }] }],
    });
    expect(add.status).toBe(200);
    expect(add.body.entitlements).toEqual([{ value: vpnPackage, display: 'VPN access', type: 'AccessPackage' }]);
    expect(graph.state.accessPackageAssignments()).toEqual(
      expect.arrayContaining([expect.objectContaining({ accessPackageId: vpnPackage, targetId: id, state: 'delivered' })]),
    );
    expect(graph.state.isMember(vpnGroup, id)).toBe(true);
    const rm = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: 'entitlements', value: [{ value: 'VPN access', type: 'AccessPackage' }] }],
    });
    expect(rm.status).toBe(200);
    expect(rm.body.entitlements ?? []).toEqual([]);
    expect(graph.state.isMember(vpnGroup, id)).toBe(false);
  });

  it('shows assigned licenses as read-only entitlements', async () => {
    const id = graph.state.addUser({
      userPrincipalName: 'licensed@contoso.com',
      usageLocation: 'US',
      assignedLicenses: [{ skuId: E5, disabledPlans: [] }],
    });
    const got = await call('GET', `/Users/${id}`);
    expect(got.body.entitlements).toEqual([{ value: E5, display: 'SPE_E5', type: 'License' }]);
    const change = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: 'entitlements', value: [{ value: E5, type: 'License' }] }],
    });
    expect(change.status).toBe(400);
    expect(change.body.scimType).toBe('mutability');
  });

  it('without the permissions for roles, a user GET names the missing one', async () => {
    const { graph: g2, app: limited } = await startGraph({}, ['User.ReadWrite.All', 'GroupMember.Read.All']);
    const made = connectorFor(
      g2,
      secretConfig(g2, limited, { accessPackages: { attribute: null }, licenses: { attribute: null } }),
    );
    try {
      const id = g2.state.addUser({ userPrincipalName: 'someone@contoso.com' });
      const res = await createScimHandler({ connector: made.connector }).handle({ method: 'GET', url: `/Users/${id}` });
      expect(res.status).toBe(502);
      expect(JSON.stringify(res.body)).toMatch(/RoleManagement\.Read\.Directory/);
      const narrow = connectorFor(
        g2,
        secretConfig(g2, limited, {
          roles: { attribute: null },
          accessPackages: { attribute: null },
          licenses: { attribute: null },
        }),
      );
      const ok = await createScimHandler({ connector: narrow.connector }).handle({ method: 'GET', url: `/Users/${id}` });
      expect(ok.status).toBe(200);
      await narrow.connector.close?.();
    } finally {
      await made.connector.close?.();
      await g2.close();
    }
  });

  it('reads all relations of a user (groups, roles, eligibility, access packages, licenses) in one $batch', async () => {
    const id = graph.state.addUser({ userPrincipalName: 'batched@contoso.com' });
    graph.calls.reset();
    const got = await call('GET', `/Users/${id}`);
    expect(got.status).toBe(200);
    const outer = graph.calls
      .list()
      .filter((c) => !c.inBatch)
      .map((c) => c.route);
    expect(outer).toEqual(['GET /users/{id}', 'POST /$batch']);
    expect(graph.calls.count({ inBatch: true })).toBe(5);
  });

  it('logged no secret', () => {
    expect(JSON.stringify(logs)).not.toContain(app.secret);
  });
});
