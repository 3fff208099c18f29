import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway({}, { persistence: true, directory: 'data', fsync: false });
});
afterAll(() => t.stop());

describe('parallel writes', () => {
  it('50 concurrent PATCHes adding different members to one group leave all 50 (SailPoint bursts)', async () => {
    const g = await t.call('POST', '/Groups', { displayName: 'burst' });
    const ids = Array.from({ length: 50 }, (_, i) => `member-${i}`);
    const statuses = await Promise.all(
      ids.map((id) =>
        t
          .call('PATCH', `/Groups/${g.body.id}`, { Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] })
          .then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 204)).toBe(true);
    const got = await t.call('GET', `/Groups/${g.body.id}`);
    expect(got.body.members.map((m: { value: string }) => m.value).sort()).toEqual([...ids].sort());
  });

  it('concurrent creates of one userName give exactly one 201 and 409s', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => t.call('POST', '/Users', { userName: 'race' }).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  });

  it('a user’s groups attribute is computed and follows membership changes', async () => {
    const u = await t.call('POST', '/Users', { userName: 'joiner' });
    const g = await t.call('POST', '/Groups', { displayName: 'joined' });
    await t.call('PATCH', `/Groups/${g.body.id}`, {
      Operations: [{ op: 'add', path: 'members', value: [{ value: u.body.id }] }],
    });
    let user = await t.call('GET', `/Users/${u.body.id}`);
    expect(user.body.groups).toEqual([
      { value: g.body.id, $ref: `${t.base}/Groups/${g.body.id}`, display: 'joined', type: 'direct' },
    ]);
    await t.call('PATCH', `/Groups/${g.body.id}`, { Operations: [{ op: 'remove', path: `members[value eq "${u.body.id}"]` }] });
    user = await t.call('GET', `/Users/${u.body.id}`);
    expect(user.body.groups).toBeUndefined();
    const ro = await t.call('PATCH', `/Users/${u.body.id}`, {
      Operations: [{ op: 'add', path: 'groups', value: [{ value: g.body.id }] }],
    });
    expect(ro.status).toBe(400);
    expect(ro.body.scimType).toBe('mutability');
  });

  it('serves /Roles and /Entitlements from the example data', async () => {
    const roles = await t.call('GET', '/Roles');
    expect(roles.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual(['auditor', 'helpdesk']);
    const ent = await t.call('GET', `/Entitlements?filter=${encodeURIComponent('type eq "license"')}`);
    expect(ent.body.totalResults).toBe(1);
    expect((await t.call('POST', '/Roles', { displayName: 'x' })).status).toBe(405);
  });

  it('extension attributes are searchable', async () => {
    const r = await t.call(
      'GET',
      `/Users?filter=${encodeURIComponent('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"')}`,
    );
    expect(r.body.Resources.map((u: { id: string }) => u.id)).toEqual(['bjensen']);
  });
});
