/** Example data for a new store: what `npm start` shows out of the box. */
import { URN } from '@scimgw/core';
import { newVersion } from './meta.js';
import type { TenantStore } from './store/tenant-store.js';

const t = '2026-01-01T00:00:00.000Z';
/** `meta` of one seeded resource: a version of its own, as every write gives, so `If-Match` works on it. */
const meta = () => ({ created: t, lastModified: t, version: newVersion() });

/** Fills a brand-new store with two users, two groups, roles and entitlements. */
export function seedExampleData(store: TenantStore): void {
  store.putLocal('users', {
    id: 'bjensen',
    userName: 'bjensen',
    externalId: 'bjensen',
    active: true,
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    title: 'Tour Guide',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
    [URN.EnterpriseUser]: { employeeNumber: '701984', department: 'Tour Operations' },
    meta: meta(),
  });
  store.putLocal('users', {
    id: 'jsmith',
    userName: 'jsmith',
    externalId: 'jsmith',
    active: true,
    name: { formatted: 'Mr. John Smith', familyName: 'Smith', givenName: 'John' },
    displayName: 'John Smith',
    title: 'Consultant',
    emails: [{ value: 'jsmith@example.com', type: 'work', primary: true }],
    [URN.EnterpriseUser]: { employeeNumber: '701985', department: 'Sales', manager: { value: 'bjensen' } },
    meta: meta(),
  });
  store.putLocal('groups', { id: 'Admins', displayName: 'Admins', meta: meta() });
  store.putLocal('groups', { id: 'Employees', displayName: 'Employees', meta: meta() });
  store.membership.set('Admins', [{ value: 'bjensen', display: 'Babs Jensen', type: 'User' }]);
  store.membership.set('Employees', [
    { value: 'bjensen', display: 'Babs Jensen', type: 'User' },
    { value: 'jsmith', display: 'John Smith', type: 'User' },
  ]);
  store.putLocal('roles', {
    id: 'helpdesk',
    value: 'helpdesk',
    displayName: 'Helpdesk operator',
    type: 'application',
    enabled: true,
    meta: meta(),
  });
  store.putLocal('roles', {
    id: 'auditor',
    value: 'auditor',
    displayName: 'Auditor',
    type: 'application',
    enabled: true,
    meta: meta(),
  });
  store.putLocal('entitlements', {
    id: 'office-e3',
    value: 'office-e3',
    displayName: 'Office E3 licence',
    type: 'license',
    enabled: true,
    meta: meta(),
  });
  store.putLocal('entitlements', {
    id: 'vpn',
    value: 'vpn',
    displayName: 'VPN access',
    type: 'access',
    enabled: true,
    meta: meta(),
  });
}
