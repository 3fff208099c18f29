/**
 * The `endpoint` section of `@scimgw/connector-postgres`: the connection, and the keys every SQL
 * connector shares (layout, map, pool, retries, timeouts).
 */
import { configSection, z } from '@scimgw/config';
import { sqlEndpointShape, tlsSchema } from '@scimgw/sql';

const connectionSchema = z
  .strictObject({
    connectionString: z
      .string()
      .optional()
      .describe('postgres://user:password@host:port/database (instead of host, port, database, user, password)'),
    host: z.string().default('127.0.0.1').describe('Server host name or address'),
    port: z.int().min(1).max(65535).default(5432),
    database: z.string().default('postgres'),
    user: z.string().optional().describe('Database user (default: the operating system user)'),
    password: z.string().optional().describe('Password (use a secret reference: process.env.NAME, process.file.PATH)'),
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'must be a SQL identifier')
      .optional()
      .describe('Schema the tables are in (first on the search path)'),
    applicationName: z.string().default('scimgw').describe('application_name shown in pg_stat_activity'),
    tls: tlsSchema.optional(),
  })
  .default({ host: '127.0.0.1', port: 5432, database: 'postgres', applicationName: 'scimgw' });

/** The validator of the `endpoint` section. */
export const configSchema = configSection(z.strictObject({ connection: connectionSchema, ...sqlEndpointShape }), {
  title: '@scimgw/connector-postgres endpoint',
  description: 'Users, groups and memberships in PostgreSQL tables',
  // Signs in with its own account: a passed-through credential would be checked by nothing.
  passThroughAuth: () => false,
});

/** The `endpoint` section, validated (defaults filled in). */
export type PostgresConfig = ReturnType<typeof configSchema.schema.parse>;
/** The `endpoint` section as written in a configuration file. */
export type PostgresConfigInput = Parameters<typeof configSchema.schema.parse>[0];
