/**
 * Example data (`exampleData: true`): the embedded store's users, groups, roles and entitlements, so
 * that a new deployment shows the same thing as one on the default store. Only an empty tenant is
 * seeded; several gateways seeding at once insert each document once (the unique `id` index).
 */
import { URN } from '@scimgw/core';
import { type Document, MongoBulkWriteError } from 'mongodb';
import { encodeKey } from './keys.js';
import type { Tenant } from './tenancy.js';

const t = '2026-01-01T00:00:00.000Z';
const meta = (n: number) => ({ created: t, lastModified: t, version: `W/"example${n}"` });
const ENTERPRISE = encodeKey(URN.EnterpriseUser);

/** The example documents, per collection, in stored form. */
export function exampleDocuments(): Record<'users' | 'groups' | 'roles' | 'entitlements', Document[]> {
  return {
    users: [
      {
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
        [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
        meta: meta(1),
      },
      {
        id: 'jsmith',
        userName: 'jsmith',
        externalId: 'jsmith',
        active: true,
        name: { formatted: 'Mr. John Smith', familyName: 'Smith', givenName: 'John' },
        displayName: 'John Smith',
        title: 'Consultant',
        emails: [{ value: 'jsmith@example.com', type: 'work', primary: true }],
        [ENTERPRISE]: { employeeNumber: '701985', department: 'Sales', manager: { value: 'bjensen' } },
        meta: meta(2),
      },
    ],
    groups: [
      {
        id: 'Admins',
        displayName: 'Admins',
        members: [{ value: 'bjensen', display: 'Babs Jensen', type: 'User' }],
        meta: meta(3),
      },
      {
        id: 'Employees',
        displayName: 'Employees',
        members: [
          { value: 'bjensen', display: 'Babs Jensen', type: 'User' },
          { value: 'jsmith', display: 'John Smith', type: 'User' },
        ],
        meta: meta(4),
      },
    ],
    roles: [
      { id: 'helpdesk', value: 'helpdesk', displayName: 'Helpdesk operator', type: 'application', enabled: true, meta: meta(5) },
      { id: 'auditor', value: 'auditor', displayName: 'Auditor', type: 'application', enabled: true, meta: meta(6) },
    ],
    entitlements: [
      { id: 'office-e3', value: 'office-e3', displayName: 'Office E3 licence', type: 'license', enabled: true, meta: meta(7) },
      { id: 'vpn', value: 'vpn', displayName: 'VPN access', type: 'access', enabled: true, meta: meta(8) },
    ],
  };
}

/** Seeds an empty tenant (no users) with the example documents. */
export async function seedExampleData(tenant: Tenant, maxTimeMS: number): Promise<boolean> {
  const scope = tenant.scope(false);
  if ((await tenant.users.countDocuments(scope, { limit: 1, maxTimeMS })) > 0) return false;
  const docs = exampleDocuments();
  for (const role of ['users', 'groups', 'roles', 'entitlements'] as const) {
    const list = docs[role].map((d) => (tenant.field ? { ...d, [tenant.field.name]: tenant.field.value } : { ...d }));
    try {
      await tenant[role].insertMany(list, { ordered: false, maxTimeMS });
    } catch (e) {
      // Another gateway seeded the same documents a moment earlier.
      if (!(e instanceof MongoBulkWriteError) || e.writeErrors === undefined) throw e;
      const errs = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
      if (errs.some((w) => w.code !== 11000)) throw e;
    }
  }
  return true;
}
