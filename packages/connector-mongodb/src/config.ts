/**
 * The `endpoint` section of a MongoDB gateway configuration, as a zod schema (exported by the
 * package as `configSchema`; the gateway validates with it in `start` and `check-config`).
 */
import { configSection, z } from '@scimgw/config';

/** MongoDB database names: no `/\. "$*<>:|?`, no NUL, at most 63 bytes (MongoDB's limit is 64). */
const DATABASE_NAME = /^[^/\\. "$*<>:|?\u0000]{1,63}$/;
/** Collection names this connector accepts: plain names, never `system.*`. */
const COLLECTION_NAME = /^(?!system\.)[A-Za-z0-9_][A-Za-z0-9_.-]{0,119}$/;
/** The tenant field starts with `_`: no SCIM attribute name can (RFC 7643 ATTRNAME starts with a letter). */
const TENANT_FIELD = /^_(?!id$)[A-Za-z0-9_]{1,63}$/;

const databaseName = z
  .string()
  .regex(DATABASE_NAME, 'must be a MongoDB database name: 1 to 63 characters, none of /\\. "$*<>:|? and no NUL');
const collectionName = z
  .string()
  .regex(COLLECTION_NAME, 'must be a plain collection name (letters, digits, _ . -; not system.*)');

/** TLS settings (the connection string's `tls…` options take the same values). */
export const tlsSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Connect with TLS (also implied by mongodb+srv:// URLs)'),
  caFile: z.string().min(1).optional().describe('PEM file of the certificate authorities to trust'),
  certificateKeyFile: z
    .string()
    .min(1)
    .optional()
    .describe(
      'PEM file with the client certificate and its key (x509 authentication, or servers that require client certificates)',
    ),
  certificateKeyFilePassword: z.string().optional().describe('Password of the key in certificateKeyFile'),
  allowInvalidCertificates: z.boolean().default(false).describe('Accept any server certificate (tests only)'),
  allowInvalidHostnames: z.boolean().default(false).describe('Accept a certificate issued for another host name'),
});

/** Bounded timeouts: nothing the connector sends can wait forever. */
export const timeoutsSchema = z.strictObject({
  connectMS: z.number().int().min(100).max(600_000).default(10_000).describe('TCP + TLS connect timeout'),
  serverSelectionMS: z
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(5_000)
    .describe('How long an operation waits for a usable server (primary) before it fails with 503'),
  socketMS: z.number().int().min(0).max(3_600_000).default(30_000).describe('Idle socket timeout while waiting for a reply'),
  operationMS: z
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(15_000)
    .describe('Server-side time limit (maxTimeMS) of every read, count and aggregation'),
  waitQueueMS: z.number().int().min(0).max(600_000).default(5_000).describe('How long a request waits for a pooled connection'),
});

/** How to reach MongoDB. */
export const connectionSchema = z.strictObject({
  url: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// connection string')
    .describe('Connection string: hosts, replica set and options (credentials better in username/password)'),
  username: z.string().min(1).optional().describe('User name (SCRAM); for x509 the certificate subject, or leave it out'),
  password: z.string().optional().describe('Password (SCRAM); a secret: use a process.env/file reference or encryption'),
  authSource: z.string().min(1).optional().describe('Database holding the user (default admin; $external for x509)'),
  authMechanism: z
    .enum(['DEFAULT', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'MONGODB-X509'])
    .optional()
    .describe('Authentication mechanism; DEFAULT negotiates SCRAM'),
  tls: tlsSchema.optional(),
  replicaSet: z.string().min(1).optional().describe('Replica set name (or replicaSet=… in the URL)'),
  appName: z.string().min(1).max(128).default('scimgw').describe('Shown in the server log and currentOp'),
  maxPoolSize: z.number().int().min(1).max(1000).default(20).describe('Connections per server'),
  timeouts: timeoutsSchema.prefault({}),
});

/** Per-tenant settings under `entity.<baseEntity>`. */
export const entitySchema = z.strictObject({
  database: databaseName.optional().describe('Database of this tenant (tenancy "database"); default <database>_<baseEntity>'),
  connection: connectionSchema
    .optional()
    .describe('Another server for this tenant (tenancy "database" only); default the top-level connection'),
});

/** The `endpoint` section. */
export const endpointSchema = z
  .strictObject({
    connection: connectionSchema,
    database: databaseName
      .default('scim')
      .describe('Database of the default tenant; with tenancy "field", the one database of all tenants'),
    tenancy: z
      .enum(['database', 'field'])
      .default('database')
      .describe(
        '"database": one database per tenant (baseEntity); "field": one set of collections, documents tagged with tenantField',
      ),
    tenantField: z
      .string()
      .regex(
        TENANT_FIELD,
        'must start with "_" (so no SCIM attribute can collide with it), not be _id, and use letters, digits, _',
      )
      .default('_tenant')
      .describe('With tenancy "field": the field holding the tenant (baseEntity)'),
    collections: z
      .strictObject({
        users: collectionName.default('users'),
        groups: collectionName.default('groups'),
        roles: collectionName.default('roles'),
        entitlements: collectionName.default('entitlements'),
      })
      .prefault({}),
    indexes: z
      .strictObject({
        create: z.boolean().default(true).describe('Create the indexes at startup (idempotent); false when the account may not'),
        uniqueGroupDisplayName: z
          .boolean()
          .default(false)
          .describe('A unique, case-insensitive index on group displayName (409 for a duplicate name)'),
      })
      .prefault({}),
    exampleData: z
      .boolean()
      .default(false)
      .describe('Seed an empty tenant with example users, groups, roles and entitlements (bjensen, jsmith, Admins …)'),
    retryAfterSeconds: z.number().int().min(1).max(3600).default(5).describe('Retry-After of a 503 when MongoDB is unreachable'),
    maxInMemory: z
      .number()
      .int()
      .min(100)
      .max(1_000_000)
      .default(10_000)
      .describe(
        'Most candidates read for a filter MongoDB cannot evaluate (user groups, unknown attributes); more is 400 tooMany',
      ),
    entity: z.record(z.string(), entitySchema).default({}).describe('Tenants by baseEntity'),
    passThrough: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "Open MongoDB with the caller's HTTP Basic credentials (a MongoDB user name and password) when the gateway's auth.passThrough hands them on",
          ),
        maxClients: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(100)
          .describe('Distinct callers kept connected; beyond it the least recently used is closed'),
        idleSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400)
          .default(300)
          .describe("A caller's connections close after this long unused"),
        maxPoolSize: z.number().int().min(1).max(100).default(2).describe('Connections per server for each caller'),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.passThrough.enabled) {
      for (const [path, c] of [
        [['connection'], cfg.connection],
        ...Object.entries(cfg.entity).map(([t, e]) => [['entity', t, 'connection'], e.connection] as const),
      ] as const) {
        if (c?.authMechanism === 'MONGODB-X509') {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'authMechanism'],
            message: "pass-through opens MongoDB with the caller's user name and password (SCRAM); x509 takes no password",
          });
        }
      }
    }
    if (cfg.tenancy !== 'field') return;
    for (const [tenant, e] of Object.entries(cfg.entity)) {
      if (e.connection) {
        ctx.addIssue({
          code: 'custom',
          path: ['entity', tenant, 'connection'],
          message: 'a tenant connection needs tenancy "database" (with tenancy "field" all tenants share one database)',
        });
      }
      if (e.database) {
        ctx.addIssue({
          code: 'custom',
          path: ['entity', tenant, 'database'],
          message: 'a tenant database needs tenancy "database" (with tenancy "field" all tenants share one database)',
        });
      }
    }
  });

/** The parsed `endpoint` section (defaults applied). */
export type MongoConfig = z.output<typeof endpointSchema>;
/** The `endpoint` section as written in a configuration file. */
export type MongoConfigInput = z.input<typeof endpointSchema>;
/** Connection settings after parsing. */
export type MongoConnectionConfig = z.output<typeof connectionSchema>;

/**
 * The validator of the connector's `endpoint` section; the gateway runs it before `createConnector`.
 *
 * @example
 * const r = configSchema.validate({ connection: { url: 'mongodb://db1,db2/?replicaSet=rs0' } });
 * if (r.ok) r.value.database; // 'scim'
 */
export const configSchema = configSection(endpointSchema, {
  title: 'connector-mongodb endpoint',
  description: 'Users, groups, roles and entitlements in MongoDB (one database per tenant, or a tenant field)',
  // With endpoint.passThrough, every tenant opens MongoDB as the caller, and MongoDB's roles decide.
  passThroughAuth: (config) => config.passThrough.enabled,
});
