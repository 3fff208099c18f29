/**
 * Validation of the `endpoint` section into resolved per-tenant settings,
 * with defaults by directory type. Mistakes are found at startup and
 * reported with their JSON path.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ResourceMapConfig } from '@scimgw/mapper';
import { type AdGroupType, GroupTypeError, parseGroupTypeName } from './ad/grouptype.js';
import {
  type IdStrategy,
  type LdapConfig,
  LdapConfigError,
  type LdapMapConfig,
  type LdapSettingsConfig,
  type NamingRule,
} from './config.js';
import type { SortKey } from './controls/sort.js';
import { type Dn, DnSyntaxError, parseDn } from './dn.js';
import { type LdapFilter, LdapFilterSyntaxError, parseLdapFilter } from './filter.js';
import { ACTIVE_DIRECTORY_MAP, OPENLDAP_MAP } from './presets.js';

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
  timeoutMs: number;
  connectTimeoutMs: number;
  retryAfterSeconds: number;
  /** Configured `requiredAttributes` (defaults are applied by object class in the tenant). */
  requiredAttributes: Record<string, string[]> | undefined;
  map: LdapMapConfig;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function dnAt(path: string, v: unknown): Dn {
  if (typeof v !== 'string' || v.trim() === '') throw new LdapConfigError(path, 'must be a DN string');
  try {
    return parseDn(v);
  } catch (e) {
    throw new LdapConfigError(path, e instanceof DnSyntaxError ? e.message : 'invalid DN');
  }
}

function filterAt(path: string, v: unknown): LdapFilter | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new LdapConfigError(path, 'must be an LDAP filter string');
  try {
    return parseLdapFilter(v);
  } catch (e) {
    throw new LdapConfigError(path, e instanceof LdapFilterSyntaxError ? e.message : 'invalid filter');
  }
}

function posInt(path: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new LdapConfigError(path, 'must be a positive integer');
  return v;
}

function nonNegInt(path: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new LdapConfigError(path, 'must be a non-negative integer');
  return v;
}

/** `attribute` or `attribute:orderingRule` (names or OIDs). */
function sortKeyAt(path: string, v: unknown): SortKey | undefined {
  if (v === undefined) return undefined;
  const m =
    typeof v === 'string'
      ? /^([A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?::([A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+))?$/.exec(v)
      : null;
  if (!m) throw new LdapConfigError(path, 'must be "attribute" or "attribute:orderingRule"');
  return { attributeType: m[1] as string, ...(m[2] ? { orderingRule: m[2] } : {}) };
}

function requiredAt(path: string, v: unknown): Record<string, string[]> | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) throw new LdapConfigError(path, 'must be an object of attribute → list of SCIM paths');
  const out: Record<string, string[]> = {};
  for (const [attr, from] of Object.entries(v)) {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(attr)) throw new LdapConfigError(`${path}.${attr}`, 'is not an LDAP attribute name');
    if (!Array.isArray(from) || !from.length || !from.every((f) => typeof f === 'string' && f !== ''))
      throw new LdapConfigError(`${path}.${attr}`, 'must be a non-empty list of SCIM paths');
    out[attr] = from as string[];
  }
  return out;
}

function pem(path: string, v: string, baseDir: string): string {
  if (v.includes('-----BEGIN')) return v;
  const file = isAbsolute(v) ? v : resolve(baseDir, v);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new LdapConfigError(path, `cannot read ${file}`);
  }
}

function naming(path: string, v: unknown, dflt: NamingRule[], map: ResourceMapConfig | undefined): NamingRule[] {
  if (v === undefined) return dflt;
  if (typeof v === 'string') {
    const mapped = Object.entries(map ?? {}).find(([k]) => k.toLowerCase() === v.toLowerCase());
    const first = String((mapped?.[1] as { mapTo?: unknown } | undefined)?.mapTo ?? '')
      .split(',')[0]
      ?.trim();
    const mapTo = first || dflt[0]?.mapTo;
    if (!mapTo)
      throw new LdapConfigError(path, `"${v}" is not mapped; use [{ "attribute": "${v}", "mapTo": "<SCIM attribute>" }]`);
    return [{ attribute: v, mapTo }];
  }
  if (!Array.isArray(v) || v.length === 0)
    throw new LdapConfigError(path, 'must be an attribute name or a list of { attribute, mapTo }');
  return v.map((r, i) => {
    if (!isObj(r) || typeof r.attribute !== 'string' || typeof r.mapTo !== 'string') {
      throw new LdapConfigError(`${path}[${i}]`, 'must be { "attribute": string, "mapTo": string }');
    }
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(r.attribute))
      throw new LdapConfigError(`${path}[${i}].attribute`, 'invalid attribute name');
    return { attribute: r.attribute, mapTo: r.mapTo };
  });
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

const STRATEGIES: IdStrategy[] = ['dn', 'entryUUID', 'objectGUID', 'mS-DS-ConsistencyGuid'];

/**
 * Validates one tenant's settings and fills in defaults.
 *
 * @param path - JSON path for messages (`endpoint.entity.undefined.ldap`)
 * @param raw - the `ldap` object
 * @param map - the effective `map` for this tenant
 * @param baseDir - base for relative certificate paths
 * @throws LdapConfigError naming the setting at fault
 */
export function resolveSettings(
  path: string,
  raw: unknown,
  map: LdapMapConfig | undefined,
  baseDir: string,
  tenant: string | undefined,
): ResolvedSettings {
  if (!isObj(raw)) throw new LdapConfigError(path, 'must be an object');
  const c = raw as unknown as LdapSettingsConfig;
  const urls = (Array.isArray(c.baseUrls) ? c.baseUrls : typeof c.baseUrls === 'string' ? [c.baseUrls] : []).filter(
    (u) => typeof u === 'string' && u !== '',
  );
  if (!urls.length) throw new LdapConfigError(`${path}.baseUrls`, 'needs at least one ldap:// or ldaps:// URL');
  urls.forEach((u, i) => {
    if (!/^ldaps?:\/\/[^/]+\/?$/i.test(u))
      throw new LdapConfigError(`${path}.baseUrls[${i}]`, `"${u}" is not an ldap:// or ldaps:// URL`);
  });
  const isAd = c.isActiveDirectory ?? (c.isOpenLdap === undefined ? false : !c.isOpenLdap);
  const userBase = dnAt(`${path}.userBase`, c.userBase);
  const groupBase = c.groupBase === undefined ? userBase : dnAt(`${path}.groupBase`, c.groupBase);
  if (c.username !== undefined) dnAt(`${path}.username`, c.username);
  if (c.startTls && urls.some((u) => u.toLowerCase().startsWith('ldaps:'))) {
    throw new LdapConfigError(`${path}.startTls`, 'cannot be combined with ldaps:// URLs (they are encrypted already)');
  }
  const preset = isAd ? ACTIVE_DIRECTORY_MAP : OPENLDAP_MAP;
  const m: LdapMapConfig = { user: map?.user ?? preset.user, group: map?.group ?? preset.group };
  const idStrategy = c.idStrategy ?? idFromMap(m.user) ?? (isAd ? 'objectGUID' : 'entryUUID');
  if (!STRATEGIES.includes(idStrategy))
    throw new LdapConfigError(`${path}.idStrategy`, `must be one of ${STRATEGIES.join(', ')}`);
  const userOc =
    c.objectClasses?.user ??
    c.userObjectClasses ??
    (isAd ? ['top', 'person', 'organizationalPerson', 'user'] : ['top', 'inetOrgPerson']);
  const groupOc = c.objectClasses?.group ?? c.groupObjectClasses ?? (isAd ? ['top', 'group'] : ['top', 'groupOfNames']);
  const memberAttribute =
    c.groupMemberAttribute ?? (structuralAttr(m.group, 'members') as 'member' | 'uniqueMember' | undefined) ?? 'member';
  if (!/^(member|uniqueMember)$/i.test(memberAttribute)) {
    throw new LdapConfigError(`${path}.groupMemberAttribute`, 'must be "member" or "uniqueMember"');
  }
  // groupOfNames / groupOfUniqueNames make the member attribute mandatory (AD groups may be empty).
  const needsMember = !isAd && groupOc.some((o) => /^groupOf(Unique)?Names$/i.test(o));
  let placeholder: string | undefined;
  if (needsMember) {
    placeholder = c.placeholderMemberDn ?? c.username ?? 'cn=empty-membership-placeholder';
    dnAt(`${path}.placeholderMemberDn`, placeholder);
  }
  let adGroupType: AdGroupType;
  try {
    adGroupType = parseGroupTypeName(c.adGroupType ?? 'global-security');
  } catch (e) {
    throw new LdapConfigError(`${path}.adGroupType`, e instanceof GroupTypeError ? e.message : 'invalid');
  }
  const tls = c.tls ?? {};
  const cas =
    tls.ca === undefined
      ? undefined
      : (Array.isArray(tls.ca) ? tls.ca : [tls.ca]).map((x, i) => pem(`${path}.tls.ca[${i}]`, x, baseDir));
  return {
    tenant,
    urls,
    bindDn: c.username,
    password: c.password,
    userBase,
    groupBase,
    userFilter: filterAt(`${path}.userFilter`, c.userFilter),
    groupFilter: filterAt(`${path}.groupFilter`, c.groupFilter),
    naming: {
      user: naming(
        `${path}.namingAttribute.user`,
        c.namingAttribute?.user,
        [{ attribute: isAd ? 'cn' : 'uid', mapTo: 'userName' }],
        m.user,
      ),
      group: naming(
        `${path}.namingAttribute.group`,
        c.namingAttribute?.group,
        [{ attribute: 'cn', mapTo: 'displayName' }],
        m.group,
      ),
    },
    objectClasses: { user: userOc, group: groupOc },
    tls: {
      ...(cas ? { ca: cas } : {}),
      ...(tls.cert ? { cert: pem(`${path}.tls.cert`, tls.cert, baseDir) } : {}),
      ...(tls.key ? { key: pem(`${path}.tls.key`, tls.key, baseDir) } : {}),
      rejectUnauthorized: tls.rejectUnauthorized !== false,
      ...(tls.servername ? { servername: tls.servername } : {}),
    },
    startTls: c.startTls === true,
    isActiveDirectory: isAd,
    idStrategy,
    allowModifyDN: c.allowModifyDN === true,
    memberAttribute,
    memberOfAttribute:
      c.memberOfAttribute === null
        ? undefined
        : (c.memberOfAttribute ?? structuralAttr(m.user, 'groups') ?? (isAd ? 'memberOf' : undefined)),
    passwordAttribute: isAd ? 'unicodePwd' : undefined,
    placeholderMemberDn: placeholder,
    dnAttribute: c.dnAttribute ?? (isAd ? 'distinguishedName' : 'entryDN'),
    maintainMembership: c.maintainMembership ?? !isAd,
    permissiveModify: c.permissiveModify !== false,
    adGroupType,
    generateInitialPassword: c.generateInitialPassword === true,
    pageSize: posInt(`${path}.pageSize`, c.pageSize, 500),
    poolSize: posInt(`${path}.poolSize`, c.poolSize, 4),
    pagingConnections: posInt(`${path}.pagingConnections`, c.pagingConnections, 4),
    vlv: c.vlv !== false,
    sortAttribute: {
      user: sortKeyAt(`${path}.sortAttribute.user`, c.sortAttribute?.user),
      group: sortKeyAt(`${path}.sortAttribute.group`, c.sortAttribute?.group),
    },
    listSnapshotSeconds: nonNegInt(`${path}.listSnapshotSeconds`, c.listSnapshotSeconds, 10),
    requiredAttributes: requiredAt(`${path}.requiredAttributes`, c.requiredAttributes),
    timeoutMs: posInt(`${path}.timeoutMs`, c.timeoutMs, 30_000),
    connectTimeoutMs: posInt(`${path}.connectTimeoutMs`, c.connectTimeoutMs, 5_000),
    retryAfterSeconds: posInt(`${path}.retryAfterSeconds`, c.retryAfterSeconds, 5),
    map: m,
  };
}

/**
 * Resolves the whole `endpoint` section into settings per tenant key
 * (`undefined` for the default tenant).
 *
 * @throws LdapConfigError for the first invalid setting
 */
export function resolveConfig(config: LdapConfig, baseDir: string): Map<string | undefined, ResolvedSettings> {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new LdapConfigError('endpoint', 'must be an object');
  const out = new Map<string | undefined, ResolvedSettings>();
  if (config.ldap !== undefined) {
    out.set(undefined, resolveSettings('endpoint.ldap', config.ldap, config.map, baseDir, undefined));
  }
  for (const [key, ent] of Object.entries(config.entity ?? {})) {
    const path = `endpoint.entity.${key}`;
    if (typeof ent !== 'object' || ent === null) throw new LdapConfigError(path, 'must be an object');
    const tenant = key === 'undefined' ? undefined : key;
    if (out.has(tenant)) throw new LdapConfigError(path, 'duplicates endpoint.ldap');
    out.set(tenant, resolveSettings(`${path}.ldap`, ent.ldap, ent.map ?? config.map, baseDir, tenant));
  }
  if (!out.size) throw new LdapConfigError('endpoint', 'needs entity.<baseEntity>.ldap (or ldap) settings');
  return out;
}
