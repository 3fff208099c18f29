/**
 * The `endpoint` configuration of the LDAP connector, kept close to the seed
 * product's plugin-ldap shape (`entity.<baseEntity>.ldap` plus `map`): its
 * shape declared once as a zod schema (the types derive from it). The rules a
 * shape cannot state (DN and filter syntax, the map) live in `settings.ts`,
 * and `schema.ts` joins both into the `configSchema` the gateway runs.
 */
import { formatConfigPath, z } from '@scimgw/config';
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

/** An LDAP attribute name (RFC 4512 `descr`). */
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*$/;
const attributeName = z.string().regex(ATTRIBUTE, 'must be an LDAP attribute name');

/** Defaults of the settings that do not depend on the kind of directory. */
export const LDAP_DEFAULTS = {
  pageSize: 500,
  poolSize: 4,
  pagingConnections: 4,
  vlv: true,
  listSnapshotSeconds: 10,
  idCacheSeconds: 10,
  timeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  retryAfterSeconds: 5,
  adGroupType: 'global-security',
} as const;

/** One naming (RDN) rule: the RDN attribute and the SCIM attribute its value comes from. */
const namingRuleSchema = z.strictObject({
  attribute: attributeName.describe('RDN attribute, e.g. uid or CN'),
  mapTo: z.string().min(1).describe('SCIM attribute the value comes from, e.g. userName'),
});

const namingSchema = z
  .union([z.string().min(1), z.array(namingRuleSchema).min(1)])
  .describe('An attribute name (its value from the map), or the seed\'s [{ "attribute", "mapTo" }] list');

/** TLS settings. `ca`/`cert`/`key` are PEM text or paths (relative to the gateway's base directory). */
const tlsSchema = z
  .strictObject({
    ca: z.union([z.string(), z.array(z.string())]).describe('CA certificate(s) to trust: PEM text or file paths'),
    cert: z.string().describe('Client certificate: PEM text or file path'),
    key: z.string().describe('Client key: PEM text or file path'),
    rejectUnauthorized: z.boolean().describe('Verify the server certificate. Default true'),
    servername: z.string().describe('Name to verify the certificate against, when it differs from the URL host'),
  })
  .partial()
  .describe('TLS settings of LDAPS and StartTLS connections');

const ldapUrl = z
  .string()
  .regex(/^[Ll][Dd][Aa][Pp][Ss]?:\/\/[^/]+\/?$/, 'must be an ldap:// or ldaps:// URL (host and port, no path)');
const count = (doc: string, dflt: number) => z.number().int().min(1).default(dflt).describe(doc);
const perKind = <T extends z.ZodType>(schema: T, doc: string) =>
  z.strictObject({ user: schema, group: schema }).partial().describe(doc);
const classes = z.array(z.string().min(1)).min(1);

/** The `ldap` settings of one tenant (`endpoint.ldap` or `endpoint.entity.<baseEntity>.ldap`). */
export const ldapSettingsSchema = z
  .strictObject({
    baseUrls: z
      .union([ldapUrl, z.array(ldapUrl).min(1)])
      .describe('Server URLs tried in order (failover): ldap://host:389, ldaps://host:636'),
    username: z.string().optional().describe('Bind DN of the service account; omit for an anonymous bind'),
    password: z.string().optional().describe('Bind password'),
    userBase: z.string().describe('Subtree holding users (a DN)'),
    groupBase: z.string().optional().describe('Subtree holding groups (a DN). Default userBase'),
    userFilter: z.string().optional().describe('LDAP filter every user must match'),
    groupFilter: z.string().optional().describe('LDAP filter every group must match'),
    namingAttribute: perKind(namingSchema, 'RDN of new entries. Default user uid (AD CN), group cn').optional(),
    objectClasses: perKind(classes, 'objectClass values of new entries').optional(),
    userObjectClasses: classes.optional().describe('Seed spelling of objectClasses.user'),
    groupObjectClasses: classes.optional().describe('Seed spelling of objectClasses.group'),
    tls: tlsSchema.optional(),
    startTls: z.boolean().default(false).describe('Upgrade ldap:// connections with StartTLS before binding'),
    isActiveDirectory: z
      .boolean()
      .optional()
      .describe('Active Directory conventions (objectGUID, unicodePwd, userAccountControl, memberOf)'),
    isOpenLdap: z
      .boolean()
      .optional()
      .describe('Seed flag: isOpenLdap false means Active Directory when isActiveDirectory is not set'),
    idStrategy: z
      .enum(['dn', 'entryUUID', 'objectGUID', 'mS-DS-ConsistencyGuid'])
      .optional()
      .describe('What becomes the SCIM id. Default entryUUID (AD objectGUID), or what the map gives "id"'),
    allowModifyDN: z.boolean().default(false).describe('Rename entries when the naming value changes'),
    groupMemberAttribute: z.enum(['member', 'uniqueMember']).optional().describe('Member attribute of groups. Default member'),
    memberOfAttribute: attributeName
      .nullable()
      .optional()
      .describe('User attribute listing group DNs (memberOf); null finds groups by searching. AD default memberOf'),
    placeholderMemberDn: z
      .string()
      .optional()
      .describe('Member kept in otherwise empty groupOfNames groups (hidden from SCIM). Default the bind DN'),
    dnAttribute: attributeName.optional().describe("Attribute holding an entry's own DN. Default entryDN (AD distinguishedName)"),
    maintainMembership: z
      .boolean()
      .optional()
      .describe('Fix group members after deletes and renames (no referential integrity). Default true, AD false'),
    permissiveModify: z.boolean().default(true).describe('Send the permissive-modify control with membership changes'),
    adGroupType: z
      .string()
      .default(LDAP_DEFAULTS.adGroupType)
      .describe('AD groupType of new groups: global, domainLocal, universal or builtinLocal, -security or -distribution'),
    generateInitialPassword: z
      .boolean()
      .default(false)
      .describe('AD: a random password (never logged or returned) for users created without one'),
    requiredAttributes: z
      .record(attributeName, z.array(z.string().min(1)).min(1))
      .optional()
      .describe(
        'Attributes the object classes require → SCIM paths (first with a value wins) that fill them. Default for person classes outside AD: cn and sn; {} turns it off',
      ),
    pageSize: count('Simple Paged Results page size', LDAP_DEFAULTS.pageSize),
    poolSize: count('Bound connections per tenant for everything but paged searches', LDAP_DEFAULTS.poolSize),
    pagingConnections: count(
      'Connections for paged and VLV searches, one search each at a time',
      LDAP_DEFAULTS.pagingConnections,
    ),
    vlv: z
      .boolean()
      .default(LDAP_DEFAULTS.vlv)
      .describe('Page lists with server-side sorting and virtual list views when offered'),
    sortAttribute: perKind(
      z
        .string()
        .regex(
          /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?::(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+))?$/,
          'must be "attribute" or "attribute:orderingRule"',
        ),
      'VLV sort key per resource type. Default the userName / displayName attribute (caseIgnoreOrderingMatch outside AD)',
    ).optional(),
    listSnapshotSeconds: z
      .number()
      .int()
      .min(0)
      .default(LDAP_DEFAULTS.listSnapshotSeconds)
      .describe('Seconds a sorted list or DN snapshot serves the next pages of a listing; 0 reads every page afresh'),
    idCacheSeconds: z
      .number()
      .int()
      .min(0)
      .default(LDAP_DEFAULTS.idCacheSeconds)
      .describe('Seconds the ids of member and reference DNs serve later reads (not with idStrategy dn); 0 searches every time'),
    timeoutMs: count('Milliseconds per LDAP operation', LDAP_DEFAULTS.timeoutMs),
    connectTimeoutMs: count('Milliseconds to connect', LDAP_DEFAULTS.connectTimeoutMs),
    retryAfterSeconds: count('Retry-After seconds when the directory is busy or down', LDAP_DEFAULTS.retryAfterSeconds),
  })
  .describe('LDAP settings of a tenant');

/**
 * `endpoint.map`: resource type → LDAP attribute → entry, checked by `@scimgw/mapper` itself (see
 * the mapper reference for the entries).
 */
const mapSchema = z
  .record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())))
  .describe('Attribute map: map.user and map.group, LDAP attribute → { mapTo, type, valueMap … }') as unknown as z.ZodType<
  MapConfig,
  MapConfig
>;

/** Zod schema of the `endpoint` section, shape only (the rules a shape cannot say are in `configSchema`). */
export const ldapConfigShape = z.strictObject({
  entity: z
    .record(
      z.string(),
      z.strictObject({
        ldap: ldapSettingsSchema,
        map: mapSchema.optional().describe("This tenant's map (instead of the shared one)"),
      }),
    )
    .optional()
    .describe('Tenants by baseEntity; the default tenant is "undefined", as in the seed'),
  ldap: ldapSettingsSchema.optional().describe('Single-tenant shorthand for entity.undefined.ldap'),
  map: mapSchema.optional().describe("Mapping shared by all tenants (a tenant's own map wins)"),
});

/** One naming (RDN) rule: the RDN attribute and the SCIM attribute its value comes from. */
export type NamingRule = z.output<typeof namingRuleSchema>;

/** TLS settings. `ca`/`cert`/`key` are PEM text or paths (relative to the gateway's base directory). */
export type LdapTlsConfig = z.input<typeof tlsSchema>;

/** Identifier strategy: what becomes the SCIM `id`. */
export type IdStrategy = NonNullable<z.output<typeof ldapSettingsSchema>['idStrategy']>;

/** The `ldap` settings of one tenant, as a configuration writes them. */
export type LdapSettingsConfig = z.input<typeof ldapSettingsSchema>;

/** One tenant's entry under `endpoint.entity`. */
export type LdapEntityConfig = NonNullable<LdapConfig['entity']>[string];

/** The `endpoint` section of the configuration. */
export type LdapConfig = z.input<typeof ldapConfigShape>;

/** A JSON path as segments (`['endpoint', 'ldap', 'baseUrls', 0]`). */
export type ConfigPath = readonly (string | number)[];

/** Raised for an invalid configuration; `path` is the JSON path at fault. */
export class LdapConfigError extends Error {
  override name = 'LdapConfigError';
  readonly code = 'ERR_LDAP_CONFIG';
  /** The JSON path, as text (`endpoint.ldap.baseUrls[0]`). */
  readonly path: string;
  /** The JSON path as segments (names may contain dots). */
  readonly segments: ConfigPath;
  /** What is wrong, without the path. */
  readonly problem: string;
  constructor(path: string | ConfigPath, problem: string) {
    const text = typeof path === 'string' ? path : formatConfigPath(path);
    super(`${text}: ${problem}`);
    this.path = text;
    this.segments = typeof path === 'string' ? [path] : path;
    this.problem = problem;
  }
}
