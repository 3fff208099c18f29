/**
 * Configuration sections every SQL connector shares (zod, through `@scimgw/config`): the layout,
 * the map, the pool, retries, TLS and limits. A connector adds its own `connection` and wraps the
 * whole in `configSection(z.strictObject({...}))`.
 */
import { z } from '@scimgw/config';
import { IDENTIFIER_PATTERN, QUALIFIED_NAME_PATTERN } from './identifier.js';

const identifier = z
  .string()
  .regex(new RegExp(IDENTIFIER_PATTERN), 'must be a SQL identifier: letters, digits, _ and $, starting with a letter or _')
  .describe('A column name (a plain SQL identifier)');
const tableName = z
  .string()
  .regex(new RegExp(QUALIFIED_NAME_PATTERN), 'must be "table" or "schema.table" made of SQL identifiers')
  .describe('A table name, optionally schema-qualified');

const childTable = z.strictObject({
  table: tableName,
  owner: identifier.describe("Column holding the owner's key"),
  columns: z.record(z.string(), identifier).optional().describe('Objects: sub-attribute → column'),
  value: identifier.optional().describe('Scalars: the column holding each value'),
  order: identifier.optional().describe('Column giving the elements their order'),
  unique: z.boolean().optional().describe('Each owner holds a value once (as group members)'),
});
const jsonColumn = z.strictObject({ json: identifier.describe('JSON column of the main table') });
const memberOf = z.strictObject({ memberOf: z.literal(true).describe('Users: the groups whose members table lists the user') });

/** One table of the layout. */
export const tableLayoutSchema = z.strictObject({
  table: tableName,
  key: identifier.describe('Column holding the SCIM id'),
  keyGeneration: z.enum(['uuid', 'database']).optional().describe('Who makes ids: the gateway (uuid) or the database'),
  version: identifier.optional().describe('Integer column counting changes (ETags, If-Match)'),
  created: identifier.optional().describe('Timestamp column of meta.created'),
  lastModified: identifier.optional().describe('Timestamp column of meta.lastModified'),
  order: identifier.optional().describe('Auto-numbered column giving lists a stable order (default: the key)'),
  pageIndex: z
    .strictObject({ table: tableName, bucketSize: z.int().min(16).max(1_000_000).optional() })
    .optional()
    .describe('Bucket counts of the order column, kept by triggers, for deep pages'),
  lowerCase: z.record(z.string(), identifier).optional().describe('Column → generated LOWER(column) column'),
  multiValued: z
    .record(z.string(), z.union([childTable, jsonColumn, memberOf]))
    .optional()
    .describe('Storage of multi-valued keys'),
});

/** The layout section: tables of users and groups. */
export const layoutSchema = z
  .strictObject({ users: tableLayoutSchema.optional(), groups: tableLayoutSchema.optional() })
  .describe('Tables of users and groups; without it the default layout is used');

/** The map section: `@scimgw/mapper` validates the entries at startup. */
export const mapSchema = z
  .record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())))
  .describe('Attribute mapping (@scimgw/mapper): endpoint key (column or multiValued name) → { mapTo, type, … }');

/** Pool sizing. */
export const poolSchema = z
  .strictObject({
    max: z.int().min(1).max(1000).default(10).describe('Most connections'),
    idleTimeoutMs: z.int().min(0).default(30_000).describe('Close connections idle this long'),
    connectionTimeoutMs: z.int().min(1).default(10_000).describe('Give up waiting for a connection after this long (then 503)'),
  })
  .default({ max: 10, idleTimeoutMs: 30_000, connectionTimeoutMs: 10_000 });

/** Bounded retry of transient errors. */
export const retrySchema = z
  .strictObject({
    attempts: z.int().min(1).max(10).default(3).describe('Attempts in all, the first included'),
    baseDelayMs: z.int().min(0).max(60_000).default(50).describe('Delay before the first retry, doubled each time'),
    maxDelayMs: z.int().min(0).max(60_000).default(1000).describe('Upper bound of one delay'),
    retryAfterSeconds: z.int().min(0).max(3600).default(5).describe('Retry-After of a 503'),
  })
  .default({ attempts: 3, baseDelayMs: 50, maxDelayMs: 1000, retryAfterSeconds: 5 });

/** TLS to the database server; file names are relative to the gateway's base directory. */
export const tlsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Use TLS'),
    ca: z.string().optional().describe('CA certificate file (PEM) to trust'),
    cert: z.string().optional().describe('Client certificate file (PEM)'),
    key: z.string().optional().describe('Client key file (PEM)'),
    passphrase: z.string().optional().describe('Passphrase of the client key'),
    rejectUnauthorized: z.boolean().default(true).describe('Refuse servers whose certificate does not verify'),
    servername: z.string().optional().describe('Server name to verify (default: the host)'),
  })
  .describe('TLS to the database');

/** The keys every SQL connector's endpoint section has besides its `connection`. */
export const sqlEndpointShape = {
  pool: poolSchema,
  retry: retrySchema,
  statementTimeoutMs: z.int().min(0).default(30_000).describe('Cancel statements running longer (0: no limit)'),
  tablePrefix: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,40}$|^$/, 'must be a prefix of SQL identifiers')
    .default('scim_')
    .describe("Prefix of the default layout's table names"),
  pageIndex: z.boolean().default(true).describe('Default layout: keep page indexes (bucket counts) for deep pages'),
  createTables: z.boolean().default(false).describe('Default layout: create missing tables at startup'),
  checkLayout: z.boolean().default(true).describe('Check at startup that every table and column of the layout exists'),
  maxScan: z.int().min(0).default(100_000).describe('Most rows read for a filter or sort the gateway evaluates itself'),
  layout: layoutSchema.optional(),
  map: mapSchema.optional(),
};
