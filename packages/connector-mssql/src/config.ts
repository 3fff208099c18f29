/**
 * The `endpoint` section of `@scimgw/connector-mssql`: the server, how to log in (SQL Server
 * login, Windows/NTLM, or an Entra ID token), encryption stated explicitly, and the keys every SQL
 * connector shares (layout, map, pool, retries, timeouts).
 */
import { configSection, z } from '@scimgw/config';
import { sqlEndpointShape } from '@scimgw/sql';

const secret = (what: string) =>
  z.string().min(1).describe(`${what} (use a secret reference: process.env.NAME, process.file.PATH)`);

/** How the connector logs in. */
export const authenticationSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({ type: z.literal('sql'), user: z.string().min(1), password: secret('Password') })
      .describe('A SQL Server login'),
    z
      .strictObject({ type: z.literal('ntlm'), domain: z.string().min(1), user: z.string().min(1), password: secret('Password') })
      .describe('Windows authentication with NTLM (a domain account)'),
    z
      .strictObject({
        type: z.literal('azure-active-directory-access-token'),
        token: secret('An Entra ID access token for https://database.windows.net/'),
      })
      .describe('Entra ID (Azure AD): a token obtained elsewhere'),
    z
      .strictObject({
        type: z.literal('azure-active-directory-service-principal-secret'),
        clientId: z.string().min(1),
        clientSecret: secret('Client secret'),
        tenantId: z.string().min(1),
      })
      .describe('Entra ID (Azure AD): an application with a client secret'),
    z
      .strictObject({ type: z.literal('azure-active-directory-default'), clientId: z.string().optional() })
      .describe('Entra ID (Azure AD): managed identity, workload identity or environment credentials'),
  ])
  .describe('How to log in');

const connectionSchema = z.strictObject({
  server: z.string().min(1).describe('Server host name or address'),
  port: z.int().min(1).max(65535).default(1433),
  instanceName: z.string().optional().describe('Named instance (found through SQL Browser; then port is not used)'),
  database: z.string().min(1).describe('Database the tables are in'),
  authentication: authenticationSchema,
  encrypt: z
    .union([z.boolean(), z.literal('strict')])
    .default(true)
    .describe(
      'TLS: true (TDS 7.4 with TLS), "strict" (TDS 8.0, TLS before anything else), false (no TLS; only for test servers)',
    ),
  trustServerCertificate: z
    .boolean()
    .default(false)
    .describe('Accept any server certificate without verifying it (never in production)'),
  ca: z.string().optional().describe('CA certificate file (PEM) that signed the server certificate'),
  serverName: z.string().optional().describe('Host name the server certificate must carry (default: server)'),
  appName: z.string().default('scimgw').describe('Application name the server sees (sys.dm_exec_sessions.program_name)'),
  connectTimeoutMs: z.int().min(1).default(15_000).describe('Give up a login after this long'),
});

/** The validator of the `endpoint` section. */
export const configSchema = configSection(
  z.strictObject({
    connection: connectionSchema,
    ...sqlEndpointShape,
    pageIndex: z
      .literal(false)
      .default(false)
      .describe('Page indexes (bucket counts kept by triggers) are not available on SQL Server'),
  }),
  {
    title: '@scimgw/connector-mssql endpoint',
    description: 'Users, groups and memberships in Microsoft SQL Server or Azure SQL tables',
    // Signs in with its own account: a passed-through credential would be checked by nothing.
    passThroughAuth: () => false,
  },
);

/** The `endpoint` section, validated (defaults filled in). */
export type MssqlConfig = ReturnType<typeof configSchema.schema.parse>;
/** The `endpoint` section as written in a configuration file. */
export type MssqlConfigInput = Parameters<typeof configSchema.schema.parse>[0];
/** The `authentication` key, validated. */
export type MssqlAuthentication = MssqlConfig['connection']['authentication'];
