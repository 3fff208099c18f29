/** Entitlement management, licenses, subscribed SKUs, getByIds and the organization. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestTenant, startTenant } from './helpers.js';

const SKU = 'c7df2760-2c81-4ef7-b578-5b5392b571df';
const PLAN = '9c0dab89-a30c-4117-86e7-97bda240acd2';
const EM = '/identityGovernance/entitlementManagement';
let t: TestTenant;
let now = Date.now();
let packageId: string;
let policyId: string;
let packageGroup: string;

beforeAll(async () => {
  t = await startTenant({
    now: () => now,
    entitlementTiming: { deliveringAfterMs: 1000, deliveredAfterMs: 5000 },
    skus: [
      {
        skuId: SKU,
        skuPartNumber: 'ENTERPRISEPREMIUM',
        enabledUnits: 1,
        servicePlans: [{ servicePlanId: PLAN, servicePlanName: 'POWERAPPS_O365_P3' }],
      },
    ],
  });
  packageGroup = t.graph.state.addGroup({ displayName: 'Granted by package' });
  packageId = t.graph.state.addAccessPackage({ displayName: 'Sales tools', groupIds: [packageGroup] });
  policyId = t.graph.state.assignmentPolicyIds(packageId)[0] as string;
});
afterAll(() => t.graph.close());

describe('entitlement management', () => {
  test('adminAdd: submitted → delivering → delivered, then the target is in the package group', async () => {
    const [user] = t.graph.state.addUsers(1);
    const packages = await t.call(
      'GET',
      `${EM}/accessPackages?$filter=${encodeURIComponent("displayName eq 'Sales tools'")}&$expand=assignmentPolicies`,
    );
    expect(packages.json.value[0]).toMatchObject({
      id: packageId,
      assignmentPolicies: [expect.objectContaining({ id: policyId })],
    });
    const request = await t.call('POST', `${EM}/assignmentRequests`, {
      requestType: 'adminAdd',
      assignment: { targetId: user, assignmentPolicyId: policyId, accessPackageId: packageId },
    });
    expect(request.status).toBe(201);
    expect(request.json).toMatchObject({ requestType: 'adminAdd', state: 'submitted', status: 'Accepted' });
    const read = () => t.call('GET', `${EM}/assignmentRequests/${request.json.id}`);
    now += 1500;
    expect((await read()).json.state).toBe('delivering');
    expect(t.graph.state.isMember(packageGroup, user as string)).toBe(false);
    now += 5000;
    expect((await read()).json).toMatchObject({ state: 'delivered', status: 'Delivered' });
    expect(t.graph.state.isMember(packageGroup, user as string)).toBe(true);
    const assignments = await t.call(
      'GET',
      `${EM}/assignments?$filter=${encodeURIComponent(`target/objectId eq '${user}'`)}&$expand=target,accessPackage`,
    );
    expect(assignments.json.value).toEqual([
      expect.objectContaining({
        state: 'delivered',
        status: 'Delivered',
        target: expect.objectContaining({ objectId: user }),
        accessPackage: expect.objectContaining({ id: packageId }),
      }),
    ]);
    const duplicate = await t.call('POST', `${EM}/assignmentRequests`, {
      requestType: 'adminAdd',
      assignment: { targetId: user, assignmentPolicyId: policyId, accessPackageId: packageId },
    });
    expect(duplicate.status).toBe(400);

    const remove = await t.call('POST', `${EM}/assignmentRequests`, {
      requestType: 'adminRemove',
      assignment: { id: assignments.json.value[0].id },
    });
    expect(remove.json).toMatchObject({ requestType: 'adminRemove', state: 'submitted' });
    now += 6000;
    const after = await t.call('GET', `${EM}/assignments/${assignments.json.value[0].id}`);
    expect(after.json).toMatchObject({ state: 'expired', status: 'Expired' });
    expect(t.graph.state.isMember(packageGroup, user as string)).toBe(false);
  });

  test('cancel while submitted; delete only in a final state; wrong policy and request types are refused', async () => {
    const [user] = t.graph.state.addUsers(1);
    const request = (
      await t.call('POST', `${EM}/assignmentRequests`, {
        requestType: 'adminAdd',
        assignment: { targetId: user, assignmentPolicyId: policyId, accessPackageId: packageId },
      })
    ).json;
    expect((await t.call('DELETE', `${EM}/assignmentRequests/${request.id}`)).status).toBe(400);
    expect((await t.call('POST', `${EM}/assignmentRequests/${request.id}/cancel`)).status).toBe(204);
    expect((await t.call('GET', `${EM}/assignmentRequests/${request.id}`)).json.state).toBe('canceled');
    expect((await t.call('DELETE', `${EM}/assignmentRequests/${request.id}`)).status).toBe(204);
    const wrongPolicy = await t.call('POST', `${EM}/assignmentRequests`, {
      requestType: 'adminAdd',
      assignment: { targetId: user, assignmentPolicyId: '44444444-4444-4444-4444-444444444444', accessPackageId: packageId },
    });
    expect(wrongPolicy.status).toBe(404);
    expect((await t.call('POST', `${EM}/assignmentRequests`, { requestType: 'userAdd', assignment: {} })).status).toBe(400);
  });
});

describe('licenses', () => {
  test('assignLicense needs usageLocation and free units; licenseDetails and subscribedSkus follow', async () => {
    const [a, b] = t.graph.state.addUsers(2);
    const body = { addLicenses: [{ skuId: SKU, disabledPlans: [] }], removeLicenses: [] };
    const noLocation = await t.call('POST', `/users/${a}/assignLicense`, body);
    expect(noLocation.json.error.message).toBe('License assignment cannot be done for user with invalid usage location.');
    await t.call('PATCH', `/users/${a}`, { usageLocation: 'DE' });
    await t.call('PATCH', `/users/${b}`, { usageLocation: 'DE' });
    const assigned = await t.call('POST', `/users/${a}/assignLicense`, body);
    expect(assigned.status).toBe(200);
    expect(assigned.json.id).toBe(a);
    const details = await t.call('GET', `/users/${a}/licenseDetails`);
    expect(details.json.value).toEqual([expect.objectContaining({ skuId: SKU, skuPartNumber: 'ENTERPRISEPREMIUM' })]);
    const full = await t.call('POST', `/users/${b}/assignLicense`, body);
    expect(full.status).toBe(400);
    const skus = await t.call('GET', '/subscribedSkus');
    expect(skus.json.value[0]).toMatchObject({ skuId: SKU, consumedUnits: 1, prepaidUnits: { enabled: 1 } });
    const byFilter = await t.call(
      'GET',
      `/users?$filter=${encodeURIComponent(`assignedLicenses/any(x:x/skuId eq ${SKU})`)}&$select=id`,
    );
    expect(byFilter.json.value.map((u: { id: string }) => u.id)).toEqual([a]);
    expect((await t.call('POST', `/users/${a}/assignLicense`, { addLicenses: [], removeLicenses: [SKU] })).status).toBe(200);
    expect((await t.call('POST', `/users/${b}/assignLicense`, body)).status).toBe(200);
    const unknown = await t.call('POST', `/users/${b}/assignLicense`, {
      addLicenses: [{ skuId: '55555555-5555-5555-5555-555555555555' }],
      removeLicenses: [],
    });
    expect(unknown.status).toBe(400);
    expect((await t.call('POST', `/users/${b}/assignLicense`, { addLicenses: [] })).status).toBe(400);
  });
});

describe('directoryObjects and organization', () => {
  test('getByIds returns the objects that exist, typed, filtered by types', async () => {
    const [user] = t.graph.state.addUsers(1);
    const group = t.graph.state.addGroup();
    const all = await t.call('POST', '/directoryObjects/getByIds', {
      ids: [user, group, '66666666-6666-6666-6666-666666666666'],
    });
    expect(all.json.value.map((o: { '@odata.type': string }) => o['@odata.type']).sort()).toEqual([
      '#microsoft.graph.group',
      '#microsoft.graph.user',
    ]);
    const groups = await t.call('POST', '/directoryObjects/getByIds', { ids: [user, group], types: ['group'] });
    expect(groups.json.value.map((o: { id: string }) => o.id)).toEqual([group]);
    expect((await t.call('POST', '/directoryObjects/getByIds', { ids: 'x' })).status).toBe(400);
    const one = await t.call('GET', `/directoryObjects/${group}`);
    expect(one.json['@odata.type']).toBe('#microsoft.graph.group');
  });

  test('organization lists the verified domains', async () => {
    const org = await t.call('GET', '/organization');
    expect(org.json.value[0]).toMatchObject({
      id: t.graph.tenantId,
      verifiedDomains: [expect.objectContaining({ name: t.graph.domains[0], isDefault: true })],
    });
  });
});
