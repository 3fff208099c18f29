import type { MapConfig } from '../src/index.js';

export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A directory-style mapping exercising every target shape. */
export const directoryMap: MapConfig = {
  user: {
    'x-agent-schema': { purpose: 'Employees of Example Corp' },
    uid: { mapTo: 'id', type: 'string' },
    sAMAccountName: { mapTo: 'userName', type: 'string', 'x-agent-schema': { hint: 'lower-case login, max 20 chars' } },
    mail: { mapTo: 'emails.work.value,externalId', type: 'string' },
    homeMail: { mapTo: 'emails.home.value', type: 'string' },
    mobile: { mapTo: 'phoneNumbers.mobile.value', type: 'string' },
    givenName: { mapTo: 'name.givenName', type: 'string' },
    sn: { mapTo: 'name.familyName', type: 'string' },
    displayName: { mapTo: 'displayName', type: 'string' },
    title: { mapTo: 'title', type: 'string' },
    enabled: { mapTo: 'active', type: 'string' },
    employeeID: { mapTo: `${ENT}:employeeNumber`, type: 'integer' },
    managerId: { mapTo: `${ENT}:manager.value`, type: 'string' },
    memberOf: { mapTo: 'groups.value', type: 'array' },
    'passwordProfile.password': { mapTo: 'password', type: 'string' },
    proxyAddresses: { mapTo: 'proxyAddresses.value', type: 'array' },
    whenCreated: { mapTo: 'meta.created', type: 'datetime', format: 'generalizedTime' },
    accountExpires: { mapTo: 'accountExpires', type: 'datetime', format: 'fileTime' },
    costCenter: { mapTo: 'costCenterNumber', type: 'integer', typeInbound: 'integer' },
    dept: { mapTo: 'department', type: 'string', valueMap: { IT: 'Information Technology', HR: 'Human Resources' } },
    badges: { mapTo: 'badges', type: 'array', valueMap: { B1: 'Blue', B2: 'Red' } },
  },
  group: {
    gid: { mapTo: 'id', type: 'string' },
    cn: { mapTo: 'displayName', type: 'string', valueMap: { Employees: 'Admins', 'outbound-grp-1': 'inbound-grp-1' } },
    member: { mapTo: 'members.value', type: 'array' },
  },
};
