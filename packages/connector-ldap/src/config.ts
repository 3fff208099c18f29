/**
 * The `endpoint` configuration of the LDAP connector, kept close to the seed
 * product's plugin-ldap shape (`entity.<baseEntity>.ldap` plus `map`).
 * Validation and defaults live in `settings.ts`.
 */
import type { MapConfig, MapEntryConfig } from '@scimgw/mapper';

/**
 * One mapped LDAP attribute: the seed's `endpointMapper` entry, as
 * `@scimgw/mapper` reads it (`mapTo`, `type`, `valueMap`, `format` …).
 * LDAP specifics are recognised by attribute name: `objectGUID` and
 * `mS-DS-ConsistencyGuid` (binary GUIDs), `userAccountControl` with
 * `type: "boolean"` (the ACCOUNTDISABLE bit), `groupType` (AD group types),
 * FILETIME and GeneralizedTime attributes (dates).
 */
export type AttributeMapConfig = MapEntryConfig;

/** `map` section: LDAP attribute name → mapping, per resource type (`user`, `group`). */
export type LdapMapConfig = MapConfig;

/** One naming (RDN) rule: the RDN attribute and the SCIM attribute its value comes from. */
export interface NamingRule {
  attribute: string;
  mapTo: string;
}

/** TLS settings. `ca`/`cert`/`key` are PEM text or paths (relative to the gateway's base directory). */
export interface LdapTlsConfig {
  ca?: string | string[];
  cert?: string;
  key?: string;
  /** Verify the server certificate (default true). */
  rejectUnauthorized?: boolean;
  /** Name to verify the certificate against, when it differs from the URL host. */
  servername?: string;
}

/** Identifier strategy: what becomes the SCIM `id`. */
export type IdStrategy = 'dn' | 'entryUUID' | 'objectGUID' | 'mS-DS-ConsistencyGuid';

/** The `ldap` settings of one tenant. */
export interface LdapSettingsConfig {
  /** Server URLs tried in order (failover): `ldap://host:389`, `ldaps://host:636`. */
  baseUrls: string[] | string;
  /** Bind DN (`username` as in the seed). Omit for an anonymous bind. */
  username?: string;
  password?: string;
  /** Where users live; searched with scope `sub`. */
  userBase: string;
  /** Where groups live; default `userBase`. */
  groupBase?: string;
  /** Extra filter every user must match, e.g. `(&(objectClass=user)(!(objectClass=computer)))`. */
  userFilter?: string;
  groupFilter?: string;
  /** RDN of new entries: an attribute name, or the seed's `[{ attribute, mapTo }]` list. */
  namingAttribute?: { user?: string | NamingRule[]; group?: string | NamingRule[] };
  /** objectClass values of new entries. */
  objectClasses?: { user?: string[]; group?: string[] };
  /** Seed spelling of `objectClasses.user`. */
  userObjectClasses?: string[];
  /** Seed spelling of `objectClasses.group`. */
  groupObjectClasses?: string[];
  tls?: LdapTlsConfig;
  /** Upgrade `ldap://` connections with StartTLS before binding. */
  startTls?: boolean;
  /** Active Directory conventions (objectGUID, unicodePwd, userAccountControl, memberOf). */
  isActiveDirectory?: boolean;
  /** Seed flag; `isOpenLdap: false` means Active Directory when `isActiveDirectory` is not set. */
  isOpenLdap?: boolean;
  idStrategy?: IdStrategy;
  /** Allow renaming (modify DN) when the RDN attribute changes. Default false. */
  allowModifyDN?: boolean;
  /** Member attribute of groups: `member` (default) or `uniqueMember`. */
  groupMemberAttribute?: 'member' | 'uniqueMember';
  /** User attribute listing group DNs (`memberOf`); null to find groups by searching. AD default `memberOf`. */
  memberOfAttribute?: string | null;
  /** Member kept in otherwise empty `groupOfNames` groups (hidden from SCIM). Default the bind DN. */
  placeholderMemberDn?: string;
  /** Attribute holding an entry's own DN, for batched lookups. Default `entryDN` (AD `distinguishedName`). */
  dnAttribute?: string;
  /** Fix group members after deletes and renames (directories without referential integrity). Default: not AD. */
  maintainMembership?: boolean;
  /** Use the permissive-modify control when the server offers it (idempotent member changes). Default true. */
  permissiveModify?: boolean;
  /** AD `groupType` of new groups, e.g. `global-security` (default), `universal-distribution`. */
  adGroupType?: string;
  /**
   * AD: give users created without a password a random one (never logged or returned), so
   * they can be created enabled where the domain requires a password. Default false.
   */
  generateInitialPassword?: boolean;
  /**
   * User attributes the object classes require, each with the SCIM paths (first with a value
   * wins) that fill it when the mapping gives no value. Default for person classes outside AD:
   * `{ "cn": ["displayName", "name.formatted", "userName"], "sn": ["name.familyName", "displayName", "userName"] }`;
   * `{}` turns it off.
   */
  requiredAttributes?: Record<string, string[]>;
  /** Simple Paged Results page size. Default 500. */
  pageSize?: number;
  /** Bound connections kept per tenant. Default 4. */
  poolSize?: number;
  /**
   * Connections for paged and virtual-list-view searches, each running one such search at a
   * time (OpenLDAP keeps one paged search per connection). Default 4.
   */
  pagingConnections?: number;
  /** Page list requests with server-side sorting and virtual list views when the server offers them. Default true. */
  vlv?: boolean;
  /**
   * VLV sort key per resource type, `attribute` or `attribute:orderingRule`. Default the
   * `userName` / `displayName` attribute, with `caseIgnoreOrderingMatch` outside AD.
   */
  sortAttribute?: { user?: string; group?: string };
  /**
   * Seconds a sorted list (or DN snapshot) keeps serving the next pages of the same listing;
   * a write through this gateway that may change the listing (an add, delete or rename, or a
   * change to an attribute the listing filters or sorts on) ends it sooner. 0 reads every page
   * afresh. Default 10.
   */
  listSnapshotSeconds?: number;
  /** Milliseconds per LDAP operation. Default 30000. */
  timeoutMs?: number;
  /** Milliseconds to connect. Default 5000. */
  connectTimeoutMs?: number;
  /** `Retry-After` seconds when the directory is busy or down. Default 5. */
  retryAfterSeconds?: number;
}

/** One tenant's entry under `endpoint.entity`. */
export interface LdapEntityConfig {
  ldap: LdapSettingsConfig;
  map?: LdapMapConfig;
}

/** The `endpoint` section of the configuration. */
export interface LdapConfig {
  /** Tenants by `baseEntity`; the default tenant is `"undefined"`, as in the seed. */
  entity?: Record<string, LdapEntityConfig>;
  /** Single-tenant shorthand for `entity.undefined.ldap`. */
  ldap?: LdapSettingsConfig;
  /** Mapping shared by all tenants (a tenant's own `map` wins). */
  map?: LdapMapConfig;
}

/** Raised for an invalid configuration; `path` is the JSON path at fault. */
export class LdapConfigError extends Error {
  override name = 'LdapConfigError';
  readonly code = 'ERR_LDAP_CONFIG';
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}
