/**
 * The default mapping between SCIM (core User and Group, enterprise extension, and an Entra
 * extension for Graph-only properties) and Microsoft Graph `user` and `group` properties, in the
 * `endpoint.map` shape of `@scimgw/mapper`. A configured `map.user` / `map.group` replaces the
 * section it names.
 *
 * Not in the map because they are relationships, not properties: `manager` (`/manager/$ref`),
 * `groups` (`memberOf`), `members` (`members/$ref`), roles, access packages and licenses.
 */
import type { MapConfig } from '@scimgw/mapper';

/** The enterprise extension URN. */
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Extension for Graph user properties SCIM has no attribute for. */
export const ENTRA_USER_EXTENSION = 'urn:scimgw:schemas:extension:entra-id:2.0:User';

/** Map keys of relationship attributes the connector adds itself; never Graph properties. */
export const RELATION_PREFIX = '__relation_';

/** The default `endpoint.map`. */
export const DEFAULT_MAP: MapConfig = {
  user: {
    id: { mapTo: 'id' },
    userPrincipalName: { mapTo: 'userName' },
    onPremisesImmutableId: { mapTo: 'externalId' },
    accountEnabled: { mapTo: 'active', type: 'boolean' },
    displayName: { mapTo: 'displayName' },
    givenName: { mapTo: 'name.givenName' },
    surname: { mapTo: 'name.familyName' },
    jobTitle: { mapTo: 'title' },
    userType: { mapTo: 'userType' },
    preferredLanguage: { mapTo: 'preferredLanguage' },
    mail: { mapTo: 'emails.work.value' },
    otherMails: { mapTo: 'emails.other.value', type: 'array' },
    businessPhones: { mapTo: 'phoneNumbers.work.value', type: 'array' },
    mobilePhone: { mapTo: 'phoneNumbers.mobile.value' },
    faxNumber: { mapTo: 'phoneNumbers.fax.value' },
    streetAddress: { mapTo: 'addresses.work.streetAddress' },
    city: { mapTo: 'addresses.work.locality' },
    state: { mapTo: 'addresses.work.region' },
    postalCode: { mapTo: 'addresses.work.postalCode' },
    country: { mapTo: 'addresses.work.country' },
    'passwordProfile.password': { mapTo: 'password' },
    employeeId: { mapTo: `${ENTERPRISE}:employeeNumber` },
    department: { mapTo: `${ENTERPRISE}:department` },
    companyName: { mapTo: `${ENTERPRISE}:organization` },
    'employeeOrgData.costCenter': { mapTo: `${ENTERPRISE}:costCenter` },
    'employeeOrgData.division': { mapTo: `${ENTERPRISE}:division` },
    usageLocation: {
      mapTo: `${ENTRA_USER_EXTENSION}:usageLocation`,
      description: 'Two-letter country code (ISO 3166); required before licenses can be assigned',
    },
    mailNickname: { mapTo: `${ENTRA_USER_EXTENSION}:mailNickname`, description: 'Mail alias; derived from userName on create' },
    createdDateTime: { mapTo: 'meta.created', type: 'datetime', mutability: 'readOnly' },
  },
  group: {
    id: { mapTo: 'id' },
    displayName: { mapTo: 'displayName' },
    createdDateTime: { mapTo: 'meta.created', type: 'datetime', mutability: 'readOnly' },
  },
};
