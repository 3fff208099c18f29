/**
 * Validation of the `endpoint` section into resolved per-tenant settings,
 * with defaults by directory type. Mistakes are found at startup and
 * reported with their JSON path.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { configSection, type z } from '@scimgw/config';
import type { ResourceMapConfig } from '@scimgw/mapper';
import { type AdGroupType, GroupTypeError, parseGroupTypeName } from './ad/grouptype.js';
import {
  type ConfigPath,
  type IdStrategy,
  type LdapConfig,
  LdapConfigError,
  type LdapMapConfig,
  type ldapConfigShape,
  ldapConfigShape as shape,
  type ldapSettingsSchema,
  type NamingRule,
} from './config.js';
import type { SortKey } from './controls/sort.js';
import { type Dn, DnSyntaxError, parseDn } from './dn.js';
import { type LdapFilter, LdapFilterSyntaxError, parseLdapFilter } from './filter.js';
import { ACTIVE_DIRECTORY_MAP, OPENLDAP_MAP } from './presets.js';

/** The `endpoint` section after its shape was checked (defaults filled in). */
export type CheckedConfig = z.output<typeof ldapConfigShape>;
/** One tenant's `ldap` settings after their shape was checked. */
export type CheckedSettings = z.output<typeof ldapSettingsSchema>;

/** Validated settings of one tenant. */
export interface ResolvedSettings {
  tenant: string | undefined;
  urls: string[];
  bindDn: string | undefined;
  password: string | undefined;
  userBase: Dn;
  groupBase: Dn;
  userFilter: LdapFilter | undefined;
  groupFilter: LdapFilter | undefined;
  naming: { user: NamingRule[]; group: NamingRule[] };
  objectClasses: { user: string[]; group: string[] };
  tls: { ca?: string[]; cert?: string; key?: string; rejectUnauthorized: boolean; servername?: string };
  startTls: boolean;
  isActiveDirectory: boolean;
  idStrategy: IdStrategy;
  allowModifyDN: boolean;
  memberAttribute: string;
  memberOfAttribute: string | undefined;
  /** Attribute passwords are written to when the map does not name one (`unicodePwd` on AD). */
  passwordAttribute: string | undefined;
  /** Set when the group object class requires at least one member. */
  placeholderMemberDn: string | undefined;
  dnAttribute: string;
  maintainMembership: boolean;
  permissiveModify: boolean;
  adGroupType: AdGroupType;
  generateInitialPassword: boolean;
  pageSize: number;
  poolSize: number;
  pagingConnections: number;
  vlv: boolean;
  /** VLV sort keys per kind (resolved against the map in the tenant). */
  sortAttribute: { user: SortKey | undefined; group: SortKey | undefined };
  listSnapshotSeconds: number;
  /** How long resolved DN → id answers serve (0: not kept). */
  idCacheSeconds: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  retryAfterSeconds: number;
  /** Configured `requiredAttributes` (defaults are applied by object class in the tenant). */
  requiredAttributes: Record<string, string[]> | undefined;
  map: LdapMapConfig;
  /** Where the map came from (`endpoint.map`, or the tenant's own), for messages. */
  mapPath: ConfigPath;
  /** Where these settings are written (`endpoint.entity.<baseEntity>.ldap`), for messages. */
  path: ConfigPath;
}

function dnAt(path: ConfigPath, v: string): Dn {
  if (v.trim() === '') throw new LdapConfigError(path, 'must be a DN');
  try {
    return parseDn(v);
  } catch (e) {
    throw new LdapConfigError(path, e instanceof DnSyntaxError ? e.message : 'invalid DN');
  }
}

function filterAt(path: ConfigPath, v: string | undefined): LdapFilter | undefined {
  if (v === undefined || v === '') return undefined;
  try {
    return parseLdapFilter(v);
  } catch (e) {
    throw new LdapConfigError(path, e instanceof LdapFilterSyntaxError ? e.message : 'invalid filter');
  }
}

/** `attribute` or `attribute:orderingRule` (the schema checked the form). */
function sortKey(v: string | undefined): SortKey | undefined {
  if (v === undefined) return undefined;
  const [attributeType, orderingRule] = v.split(':') as [string, string | undefined];
  return { attributeType, ...(orderingRule ? { orderingRule } : {}) };
}

/** PEM text, or the file it names read; without a base directory (validation only) nothing is read. */
function pem(path: ConfigPath, v: string, baseDir: string | undefined): string {
  if (v.includes('-----BEGIN') || baseDir === undefined) return v;
  const file = isAbsolute(v) ? v : resolve(baseDir, v);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new LdapConfigError(path, `cannot read ${file}`);
  }
}

function naming(
  path: ConfigPath,
  v: string | NamingRule[] | undefined,
  dflt: NamingRule[],
  map: ResourceMapConfig | undefined,
): NamingRule[] {
  if (v === undefined) return dflt;
  if (Array.isArray(v)) return v.map((r) => ({ attribute: r.attribute, mapTo: r.mapTo }));
  const mapped = Object.entries(map ?? {}).find(([k]) => k.toLowerCase() === v.toLowerCase());
  const first = String((mapped?.[1] as { mapTo?: unknown } | undefined)?.mapTo ?? '')
    .split(',')[0]
    ?.trim();
  const mapTo = first || dflt[0]?.mapTo;
  if (!mapTo) throw new LdapConfigError(path, `"${v}" is not mapped; use [{ "attribute": "${v}", "mapTo": "<SCIM attribute>" }]`);
  return [{ attribute: v, mapTo }];
}

/** The id attribute a `map` entry with `mapTo: "id"` selects, when `idStrategy` is not given. */
function idFromMap(map: ResourceMapConfig | undefined): IdStrategy | undefined {
  for (const [attr, m] of Object.entries(map ?? {})) {
    if (
      String((m as { mapTo?: unknown }).mapTo ?? '')
        .trim()
        .toLowerCase() !== 'id'
    )
      continue;
    const a = attr.toLowerCase();
    if (a === 'dn' || a === 'distinguishedname' || a === 'entrydn') return 'dn';
    if (a === 'entryuuid') return 'entryUUID';
    if (a === 'objectguid') return 'objectGUID';
    if (a === 'ms-ds-consistencyguid') return 'mS-DS-ConsistencyGuid';
  }
  return undefined;
}

/** The LDAP attribute a map sends to `members.value` / `groups.value`, if any. */
function structuralAttr(map: ResourceMapConfig | undefined, scim: 'members' | 'groups'): string | undefined {
  for (const [attr, m] of Object.entries(map ?? {})) {
    const t = String((m as { mapTo?: unknown } | undefined)?.mapTo ?? '').toLowerCase();
    if (t === scim || t === `${scim}.value`) return attr;
  }
  return undefined;
}

/**
 * Checks one tenant's settings beyond their shape (DNs, filters, what depends on the kind of
 * directory) and fills in the defaults that depend on it.
 *
 * @param path - JSON path of the `ldap` object (`['endpoint', 'entity', 'undefined', 'ldap']`)
 * @param c - the settings, their shape checked
 * @param map - the effective `map` for this tenant, and `mapPath` where it came from
 * @param baseDir - base for relative certificate paths; undefined reads no file (validation only)
 * @throws LdapConfigError naming the setting at fault
 */
export function resolveSettings(
  path: ConfigPath,
  c: CheckedSettings,
  map: LdapMapConfig | undefined,
  mapPath: ConfigPath,
  baseDir: string | undefined,
  tenant: string | undefined,
): ResolvedSettings {
  const at = (...rest: (string | number)[]): ConfigPath => [...path, ...rest];
  const urls = typeof c.baseUrls === 'string' ? [c.baseUrls] : c.baseUrls;
  const isAd = c.isActiveDirectory ?? (c.isOpenLdap === undefined ? false : !c.isOpenLdap);
  const userBase = dnAt(at('userBase'), c.userBase);
  const groupBase = c.groupBase === undefined ? userBase : dnAt(at('groupBase'), c.groupBase);
  if (c.username !== undefined) dnAt(at('username'), c.username);
  if (c.startTls && urls.some((u) => u.toLowerCase().startsWith('ldaps:'))) {
    throw new LdapConfigError(at('startTls'), 'cannot be combined with ldaps:// URLs (they are encrypted already)');
  }
  const preset = isAd ? ACTIVE_DIRECTORY_MAP : OPENLDAP_MAP;
  const m: LdapMapConfig = { user: map?.user ?? preset.user, group: map?.group ?? preset.group };
  const idStrategy = c.idStrategy ?? idFromMap(m.user) ?? (isAd ? 'objectGUID' : 'entryUUID');
  const userOc =
    c.objectClasses?.user ??
    c.userObjectClasses ??
    (isAd ? ['top', 'person', 'organizationalPerson', 'user'] : ['top', 'inetOrgPerson']);
  const groupOc = c.objectClasses?.group ?? c.groupObjectClasses ?? (isAd ? ['top', 'group'] : ['top', 'groupOfNames']);
  const structural = structuralAttr(m.group, 'members');
  if (c.groupMemberAttribute === undefined && structural !== undefined && !/^(member|uniqueMember)$/i.test(structural)) {
    throw new LdapConfigError([...mapPath, 'group', structural], 'members must map to "member" or "uniqueMember"');
  }
  const memberAttribute = c.groupMemberAttribute ?? structural ?? 'member';
  // groupOfNames / groupOfUniqueNames make the member attribute mandatory (AD groups may be empty).
  const needsMember = !isAd && groupOc.some((o) => /^groupOf(Unique)?Names$/i.test(o));
  let placeholder: string | undefined;
  if (needsMember) {
    placeholder = c.placeholderMemberDn ?? c.username ?? 'cn=empty-membership-placeholder';
    dnAt(at('placeholderMemberDn'), placeholder);
  }
  let adGroupType: AdGroupType;
  try {
    adGroupType = parseGroupTypeName(c.adGroupType);
  } catch (e) {
    throw new LdapConfigError(at('adGroupType'), e instanceof GroupTypeError ? e.message : 'invalid');
  }
  const tls = c.tls ?? {};
  const cas =
    tls.ca === undefined
      ? undefined
      : (Array.isArray(tls.ca) ? tls.ca : [tls.ca]).map((x, i) => pem(at('tls', 'ca', i), x, baseDir));
  return {
    tenant,
    urls,
    bindDn: c.username,
    password: c.password,
    userBase,
    groupBase,
    userFilter: filterAt(at('userFilter'), c.userFilter),
    groupFilter: filterAt(at('groupFilter'), c.groupFilter),
    naming: {
      user: naming(
        at('namingAttribute', 'user'),
        c.namingAttribute?.user,
        [{ attribute: isAd ? 'cn' : 'uid', mapTo: 'userName' }],
        m.user,
      ),
      group: naming(
        at('namingAttribute', 'group'),
        c.namingAttribute?.group,
        [{ attribute: 'cn', mapTo: 'displayName' }],
        m.group,
      ),
    },
    objectClasses: { user: userOc, group: groupOc },
    tls: {
      ...(cas ? { ca: cas } : {}),
      ...(tls.cert ? { cert: pem(at('tls', 'cert'), tls.cert, baseDir) } : {}),
      ...(tls.key ? { key: pem(at('tls', 'key'), tls.key, baseDir) } : {}),
      rejectUnauthorized: tls.rejectUnauthorized !== false,
      ...(tls.servername ? { servername: tls.servername } : {}),
    },
    startTls: c.startTls,
    isActiveDirectory: isAd,
    idStrategy,
    allowModifyDN: c.allowModifyDN,
    memberAttribute,
    memberOfAttribute:
      c.memberOfAttribute === null
        ? undefined
        : (c.memberOfAttribute ?? structuralAttr(m.user, 'groups') ?? (isAd ? 'memberOf' : undefined)),
    passwordAttribute: isAd ? 'unicodePwd' : undefined,
    placeholderMemberDn: placeholder,
    dnAttribute: c.dnAttribute ?? (isAd ? 'distinguishedName' : 'entryDN'),
    maintainMembership: c.maintainMembership ?? !isAd,
    permissiveModify: c.permissiveModify,
    adGroupType,
    generateInitialPassword: c.generateInitialPassword,
    pageSize: c.pageSize,
    poolSize: c.poolSize,
    pagingConnections: c.pagingConnections,
    vlv: c.vlv,
    sortAttribute: { user: sortKey(c.sortAttribute?.user), group: sortKey(c.sortAttribute?.group) },
    listSnapshotSeconds: c.listSnapshotSeconds,
    idCacheSeconds: c.idCacheSeconds,
    requiredAttributes: c.requiredAttributes,
    timeoutMs: c.timeoutMs,
    connectTimeoutMs: c.connectTimeoutMs,
    retryAfterSeconds: c.retryAfterSeconds,
    map: m,
    mapPath,
    path,
  };
}

/** One tenant of the `endpoint` section: its settings and map, and where both are written. */
export interface TenantSource {
  tenant: string | undefined;
  path: ConfigPath;
  settings: CheckedSettings;
  map: LdapMapConfig | undefined;
  mapPath: ConfigPath;
}

/**
 * The tenants of a checked `endpoint` section: `ldap` (the default tenant) and every
 * `entity.<baseEntity>.ldap`, each with the map it uses (its own, else the shared one).
 *
 * @throws LdapConfigError when there is none, or the default tenant is written twice
 */
export function tenantSources(config: CheckedConfig): TenantSource[] {
  const out: TenantSource[] = [];
  if (config.ldap !== undefined) {
    out.push({
      tenant: undefined,
      path: ['endpoint', 'ldap'],
      settings: config.ldap,
      map: config.map,
      mapPath: ['endpoint', 'map'],
    });
  }
  for (const [key, ent] of Object.entries(config.entity ?? {})) {
    const path: ConfigPath = ['endpoint', 'entity', key];
    const tenant = key === 'undefined' ? undefined : key;
    if (out.some((t) => t.tenant === tenant)) throw new LdapConfigError(path, 'duplicates endpoint.ldap');
    out.push({
      tenant,
      path: [...path, 'ldap'],
      settings: ent.ldap,
      map: ent.map ?? config.map,
      mapPath: ent.map ? [...path, 'map'] : ['endpoint', 'map'],
    });
  }
  if (!out.length) throw new LdapConfigError(['endpoint'], 'needs entity.<baseEntity>.ldap (or ldap) settings');
  return out;
}

const shapeSection = configSection(shape);

/**
 * Checks the shape of the `endpoint` section (types, unknown keys, required values) and fills in
 * the defaults the schema declares.
 *
 * @throws LdapConfigError for the first problem (the gateway's `check-config` reports them all)
 */
export function checkShape(config: unknown): CheckedConfig {
  const r = shapeSection.validate(config);
  if (r.ok) return r.value;
  const [first] = r.issues;
  const more = r.issues.length > 1 ? ` (and ${r.issues.length - 1} more)` : '';
  throw new LdapConfigError(['endpoint', ...(first?.path ?? [])], `${first?.message ?? 'invalid'}${more}`);
}

/**
 * Resolves the whole `endpoint` section into settings per tenant key
 * (`undefined` for the default tenant), reading the certificate files it names.
 *
 * @throws LdapConfigError for the first invalid setting
 */
export function resolveConfig(config: LdapConfig, baseDir: string): Map<string | undefined, ResolvedSettings> {
  const out = new Map<string | undefined, ResolvedSettings>();
  for (const t of tenantSources(checkShape(config))) {
    out.set(t.tenant, resolveSettings(t.path, t.settings, t.map, t.mapPath, baseDir, t.tenant));
  }
  return out;
}
