/**
 * @scimgw/connector-ldap — LDAP and Active Directory connector for scimgw.
 *
 * @packageDocumentation
 */
export { createConnector, createLdapConnector } from './connector.js';
export type { LdapConnector, LdapConnectorOptions } from './connector.js';
export { LDAP_DEFAULTS, LdapConfigError, ldapConfigShape, ldapSettingsSchema } from './config.js';
export { configSchema } from './schema.js';
export { resolveConfig } from './settings.js';
export type { ResolvedSettings } from './settings.js';
export type {
  AttributeMapConfig,
  ConfigPath,
  IdStrategy,
  LdapConfig,
  LdapEntityConfig,
  LdapMapConfig,
  LdapSettingsConfig,
  LdapTlsConfig,
  NamingRule,
} from './config.js';
export { ACTIVE_DIRECTORY_MAP, OPENLDAP_MAP } from './presets.js';

// Distinguished names and filters (RFC 4514 / RFC 4515)
export { canonicalDn, DnSyntaxError, dnKey, isWithin, parseDn, serializeDn } from './dn.js';
export type { Ava, Dn, Rdn } from './dn.js';
export { escapeDnValue, escapeFilterValue } from './escape.js';
export { LdapFilterSyntaxError, parseLdapFilter, serializeLdapFilter } from './filter.js';
export type { FilterValue, LdapFilter } from './filter.js';

// Errors
export { LDAP_RESULT_CODES, RESULT_CODE_TABLE, toScimFromLdap } from './errors.js';
export type { LdapResultCode, Translation } from './errors.js';

// Connections and paging
export { LdapPool, PERMISSIVE_MODIFY_OID } from './pool.js';
export type { ClientFactory, LaneInfo, LdapClient, Lease, PoolOptions, ServerFeatures } from './pool.js';
export { LaneTimeoutError, ServiceBindError } from './errors.js';
export type { OperationStats } from './directory.js';
export type { WindowStats } from './window.js';

// Server-side sorting (RFC 2891) and virtual list view controls, with their BER codec
export { BerError } from './controls/ber.js';
export {
  decodeSortRequest,
  decodeSortResponse,
  encodeSortRequest,
  encodeSortResponse,
  SORT_REQUEST_OID,
  SORT_RESPONSE_OID,
} from './controls/sort.js';
export type { SortKey, SortResponse } from './controls/sort.js';
export {
  decodeVlvRequest,
  decodeVlvResponse,
  encodeVlvRequest,
  encodeVlvResponse,
  VLV_REQUEST_OID,
  VLV_RESPONSE_OID,
} from './controls/vlv.js';
export type { VlvRequest, VlvResponse } from './controls/vlv.js';

// Active Directory helpers
export { filetimeToIso, isoToFiletime, FILETIME_NEVER } from './ad/filetime.js';
export { guidToBytes, guidToString, GuidFormatError } from './ad/guid.js';
export { activeToUac, uacToActive, UAC_ACCOUNTDISABLE } from './ad/uac.js';
export { encodeUnicodePwd, unicodePwdChanges } from './ad/password.js';
export { formatGroupType, groupTypeValue, parseGroupType, parseGroupTypeName } from './ad/grouptype.js';
export type { AdGroupType, GroupScope } from './ad/grouptype.js';
