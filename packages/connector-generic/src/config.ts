/** The `endpoint` configuration of the generic connector and its defaults. */
import type { FilterOperator } from '@scimgw/core/filter';
import type { EndpointConfig, EntityConfig } from '@scimgw/helper-rest';
import type { MapConfig } from '@scimgw/mapper';

/** SCIM protocol version spoken by the target. */
export type TargetScimVersion = '1.1' | '2.0';

/** What the target service evaluates itself; anything else the connector does locally. */
export interface TargetSupport {
  /** Filter operators the target evaluates. Default: all (2.0), no `ne`/`ew` (1.1). */
  operators?: FilterOperator[];
  /** Logical operators. Default `and`, `or`, `not` (2.0); `and`, `or` (1.1). */
  logical?: ('and' | 'or' | 'not')[];
  /** Value-path filters (`emails[type eq "work"]`). Default true for 2.0, false for 1.1. */
  valuePath?: boolean;
  /** `sortBy`/`sortOrder`. Default true. */
  sort?: boolean;
  /** `startIndex`/`count` paging. Default true. */
  paging?: boolean;
  /** The `attributes` query parameter (which attributes to return). Default true. */
  attributes?: boolean;
  /**
   * The `excludedAttributes` query parameter. Default true for 2.0, false for 1.1 (which has
   * none): there an exclusion is sent as `attributes` listing everything else.
   */
  excludedAttributes?: boolean;
}

/** One tenant (`endpoint.entity.<baseEntity>`): connection plus the target's SCIM version. */
export interface GenericEntityConfig extends EntityConfig {
  /** SCIM version of this tenant's target (seed position of the setting). */
  scimVersion?: TargetScimVersion | string;
}

/** `endpoint` section of `connector-generic.json`. */
export interface GenericConfig extends EndpointConfig {
  entity?: Record<string, GenericEntityConfig | null | undefined> | null;
  /** Default SCIM version of targets (a tenant's `scimVersion` wins). Default `2.0`. */
  scimVersion?: TargetScimVersion | string;
  /** Attribute mapping (`endpointMapper` shape). Default: {@link DEFAULT_MAP}. */
  map?: MapConfig;
  /** Resource paths at the target. Default `/Users` and `/Groups`. */
  paths?: { users?: string; groups?: string };
  /** What the target supports natively. */
  targetSupport?: TargetSupport;
  /** Page size when the connector has to read every page (local filtering). Default 200. */
  pageSize?: number;
}

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const same = (attr: string, type = 'string', extra: Record<string, unknown> = {}) => ({ mapTo: attr, type, ...extra });

/**
 * One-to-one mapping onto a target SCIM service (another scimgw gateway by
 * default): what the seed's generic plugin ships, plus the enterprise extension
 * and `meta` timestamps.
 */
export const DEFAULT_MAP: MapConfig = {
  user: {
    id: same('id'),
    externalId: same('externalId'),
    userName: same('userName'),
    active: same('active', 'boolean'),
    password: same('password'),
    displayName: same('displayName'),
    nickName: same('nickName'),
    title: same('title'),
    userType: same('userType'),
    preferredLanguage: same('preferredLanguage'),
    locale: same('locale'),
    timezone: same('timezone'),
    name: same('name', 'complexObject', { subAttributes: [] }),
    emails: same('emails', 'complexArray'),
    phoneNumbers: same('phoneNumbers', 'complexArray'),
    addresses: same('addresses', 'complexArray'),
    groups: same('groups', 'complexArray'),
    roles: same('roles', 'complexArray'),
    entitlements: same('entitlements', 'complexArray'),
    [`${ENT}:employeeNumber`]: same(`${ENT}:employeeNumber`),
    [`${ENT}:costCenter`]: same(`${ENT}:costCenter`),
    [`${ENT}:organization`]: same(`${ENT}:organization`),
    [`${ENT}:division`]: same(`${ENT}:division`),
    [`${ENT}:department`]: same(`${ENT}:department`),
    [`${ENT}:manager.value`]: same(`${ENT}:manager.value`),
    'meta.created': same('meta.created', 'datetime'),
    'meta.lastModified': same('meta.lastModified', 'datetime'),
  },
  group: {
    id: same('id'),
    externalId: same('externalId'),
    displayName: same('displayName', 'string', { valueMap: {} }),
    members: same('members', 'complexArray'),
    'meta.created': same('meta.created', 'datetime'),
    'meta.lastModified': same('meta.lastModified', 'datetime'),
  },
};

const ALL_OPS: FilterOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];
const OPS_11: FilterOperator[] = ['eq', 'co', 'sw', 'gt', 'ge', 'lt', 'le', 'pr'];

/** Effective target support for a version, with configured overrides. */
export function supportFor(version: TargetScimVersion, configured: TargetSupport | undefined): Required<TargetSupport> {
  const v11 = version === '1.1';
  return {
    operators: configured?.operators ?? (v11 ? OPS_11 : ALL_OPS),
    logical: configured?.logical ?? (v11 ? ['and', 'or'] : ['and', 'or', 'not']),
    valuePath: configured?.valuePath ?? !v11,
    sort: configured?.sort ?? true,
    paging: configured?.paging ?? true,
    attributes: configured?.attributes ?? true,
    excludedAttributes: configured?.excludedAttributes ?? !v11,
  };
}

/** Reads a version setting (`"1.1"`, `"1"`, `"2.0"`, `"2"`). */
export function parseVersion(v: unknown, where: string): TargetScimVersion | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v).trim();
  if (s === '1.1' || s === '1' || s === '1.0') return '1.1';
  if (s === '2.0' || s === '2') return '2.0';
  throw new Error(`${where}: scimVersion must be "1.1" or "2.0", not "${s}"`);
}
