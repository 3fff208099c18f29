/**
 * The `endpoint` section of `@scimgw/connector-mysql`: the connection, and the keys every SQL
 * connector shares (layout, map, pool, retries, timeouts).
 */
import { configSection, z } from '@scimgw/config';
import { sqlEndpointShape, tlsSchema } from '@scimgw/sql';

const connectionSchema = z
  .strictObject({
    uri: z
      .string()
      .optional()
      .describe('mysql://user:password@host:port/database (instead of host, port, database, user, password)'),
    host: z.string().default('127.0.0.1').describe('Server host name or address'),
    port: z.int().min(1).max(65535).default(3306),
    database: z.string().optional().describe('Database (schema) the tables are in'),
    user: z.string().default('root'),
    password: z.string().optional().describe('Password (use a secret reference: process.env.NAME, process.file.PATH)'),
    flavor: z
      .enum(['auto', 'mariadb', 'mysql'])
      .default('auto')
      .describe('Server family (their collations differ); auto asks the server'),
    tls: tlsSchema.optional(),
  })
  .default({ host: '127.0.0.1', port: 3306, user: 'root', flavor: 'auto' });

/** The validator of the `endpoint` section. */
export const configSchema = configSection(z.strictObject({ connection: connectionSchema, ...sqlEndpointShape }), {
  title: '@scimgw/connector-mysql endpoint',
  description: 'Users, groups and memberships in MySQL or MariaDB tables',
  // Signs in with its own account: a passed-through credential would be checked by nothing.
  passThroughAuth: () => false,
});

/** The `endpoint` section, validated (defaults filled in). */
export type MysqlConfig = ReturnType<typeof configSchema.schema.parse>;
/** The `endpoint` section as written in a configuration file. */
export type MysqlConfigInput = Parameters<typeof configSchema.schema.parse>[0];
