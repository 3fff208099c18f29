/**
 * Default `map` sections, used when the configuration has none: one for
 * OpenLDAP-style directories (inetOrgPerson, groupOfNames) and one for
 * Active Directory. A configured `map.user` or `map.group` replaces the
 * preset for that resource type entirely.
 */
import type { MapConfig } from '@scimgw/mapper';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** inetOrgPerson users and groupOfNames groups. */
export const OPENLDAP_MAP: Readonly<MapConfig> = Object.freeze({
  user: {
    uid: { mapTo: 'userName' },
    cn: { mapTo: 'displayName' },
    givenName: { mapTo: 'name.givenName' },
    sn: { mapTo: 'name.familyName' },
    mail: { mapTo: 'emails.work.value' },
    telephoneNumber: { mapTo: 'phoneNumbers.work.value' },
    mobile: { mapTo: 'phoneNumbers.mobile.value' },
    title: { mapTo: 'title' },
    preferredLanguage: { mapTo: 'preferredLanguage' },
    employeeNumber: { mapTo: `${ENTERPRISE}:employeeNumber` },
    departmentNumber: { mapTo: `${ENTERPRISE}:department` },
    o: { mapTo: `${ENTERPRISE}:organization` },
    manager: { mapTo: `${ENTERPRISE}:manager.value` },
    userPassword: { mapTo: 'password' },
  },
  group: {
    cn: { mapTo: 'displayName' },
    member: { mapTo: 'members.value' },
  },
});

/** Active Directory users and groups. */
export const ACTIVE_DIRECTORY_MAP: Readonly<MapConfig> = Object.freeze({
  user: {
    objectGUID: { mapTo: 'id' },
    sAMAccountName: { mapTo: 'userName' },
    displayName: { mapTo: 'displayName' },
    givenName: { mapTo: 'name.givenName' },
    sn: { mapTo: 'name.familyName' },
    mail: { mapTo: 'emails.work.value' },
    telephoneNumber: { mapTo: 'phoneNumbers.work.value' },
    mobile: { mapTo: 'phoneNumbers.mobile.value' },
    title: { mapTo: 'title' },
    userAccountControl: { mapTo: 'active', type: 'boolean' },
    employeeID: { mapTo: `${ENTERPRISE}:employeeNumber` },
    department: { mapTo: `${ENTERPRISE}:department` },
    company: { mapTo: `${ENTERPRISE}:organization` },
    manager: { mapTo: `${ENTERPRISE}:manager.value` },
    memberOf: { mapTo: 'groups.value' },
    unicodePwd: { mapTo: 'password' },
  },
  group: {
    objectGUID: { mapTo: 'id' },
    cn: { mapTo: 'displayName' },
    sAMAccountName: { mapTo: 'displayName' },
    member: { mapTo: 'members.value' },
  },
});
