/**
 * The `endpoint` configuration of the generic connector, declared once as a zod schema (its
 * validator, JSON Schema and types), and its defaults.
 */
import { configSection, z } from '@scimgw/config';
import { SchemaRegistry } from '@scimgw/core';
import type { FilterOperator } from '@scimgw/core/filter';
import { callerCredentialTenants, connectionConfigSchema } from '@scimgw/helper-rest';
import { type MapConfig, MapperConfigError, mapErrorPath } from '@scimgw/mapper';
import { compileMappers } from './mappers.js';

/** SCIM protocol version spoken by the target. */
export type TargetScimVersion = '1.1' | '2.0';

const ALL_OPS: FilterOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];
const OPS_11: FilterOperator[] = ['eq', 'co', 'sw', 'gt', 'ge', 'lt', 'le', 'pr'];

/** `"1.1"`, `"2.0"`, the short forms `"1"`, `"1.0"`, `"2"`, or the numbers a file may write (`2.0` is 2). */
const versionSchema = z
  .union([z.enum(['1.1', '2.0', '1', '1.0', '2']), z.literal(1), z.literal(1.1), z.literal(2)])
  .describe('SCIM version of the target: "2.0" or "1.1"');

/** What the target service evaluates itself; anything else the connector does locally. */
const targetSupportSchema = z
  .strictObject({
    operators: z
      .array(z.enum(ALL_OPS as [FilterOperator, ...FilterOperator[]]))
      .describe('Filter operators the target evaluates. Default: all (2.0), no ne/ew (1.1)'),
    logical: z.array(z.enum(['and', 'or', 'not'])).describe('Logical operators. Default and, or, not (2.0); and, or (1.1)'),
    valuePath: z.boolean().describe('Value-path filters (emails[type eq "work"]). Default true for 2.0, false for 1.1'),
    sort: z.boolean().describe('sortBy/sortOrder. Default true'),
    paging: z.boolean().describe('startIndex/count paging. Default true'),
    attributes: z.boolean().describe('The attributes query parameter. Default true'),
    excludedAttributes: z
      .boolean()
      .describe('The excludedAttributes query parameter. Default true for 2.0, false for 1.1 (sent as attributes instead)'),
    put: z
      .boolean()
      .describe(
        "PUT of a resource. Default true; false: a client's PUT reaches the target as a PATCH of what changed (Google Cloud Identity answers PUT with a 404 page)",
      ),
  })
  .partial()
  .describe('What the target supports natively; the connector does the rest');

/** One tenant (`endpoint.entity.<baseEntity>`): connection plus the target's SCIM version. */
const entitySchema = z.strictObject({
  scimVersion: versionSchema.nullable().optional().describe("SCIM version of this tenant's target; default endpoint.scimVersion"),
  connection: connectionConfigSchema.nullable().optional(),
});

/**
 * `endpoint.map`: resource type → endpoint attribute → entry, checked by `@scimgw/mapper` itself
 * (the entries' own shape is the mapper's: see its reference).
 */
const mapSchema = z
  .record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())))
  .describe(
    'Attribute map (endpointMapper shape): map.user and map.group, endpoint attribute → { mapTo, type, valueMap … }',
  ) as unknown as z.ZodType<MapConfig, MapConfig>;

/** Zod schema of the `endpoint` section of the generic connector. */
export const genericConfigZod = z
  .strictObject({
    scimVersion: versionSchema.optional().describe('Default SCIM version of the targets ("2.0" or "1.1"). Default "2.0"'),
    entity: z
      .record(z.string(), entitySchema.nullable())
      .nullable()
      .optional()
      .describe('Tenants by baseEntity; the default tenant is "undefined"'),
    map: mapSchema.optional(),
    paths: z
      .strictObject({
        users: z.string().min(1).describe('Default /Users'),
        groups: z.string().min(1).describe('Default /Groups'),
      })
      .partial()
      .optional()
      .describe('Resource paths at the target'),
    targetSupport: targetSupportSchema.optional(),
    pageSize: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Page size when every page must be read (local filtering). Default 200'),
  })
  .superRefine((config, ctx) => {
    try {
      compileMappers(config.map ?? DEFAULT_MAP, new SchemaRegistry());
    } catch (e) {
      if (!(e instanceof MapperConfigError)) throw e;
      const path = config.map ? ['map', ...mapErrorPath(e, config.map as Record<string, unknown>, 'endpoint.map')] : [];
      ctx.addIssue({ code: 'custom', path, message: e.message.replace(`${e.path}: `, '') });
    }
  });

/**
 * The `endpoint` section as a configuration section: the gateway runs it in `start` and
 * `check-config` before `createConnector`; `scimgw schema --connector @scimgw/connector-generic`
 * prints its JSON Schema.
 */
export const configSchema = configSection(genericConfigZod, {
  title: 'connector-generic endpoint',
  passThroughAuth: (config) => callerCredentialTenants(config.entity) !== false,
});

/** `endpoint` section of `connector-generic.json`. */
export type GenericConfig = z.input<typeof genericConfigZod>;

/** One tenant (`endpoint.entity.<baseEntity>`): connection plus the target's SCIM version. */
export type GenericEntityConfig = z.input<typeof entitySchema>;

/** What the target service evaluates itself; anything else the connector does locally. */
export type TargetSupport = z.input<typeof targetSupportSchema>;

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
    put: configured?.put ?? true,
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
