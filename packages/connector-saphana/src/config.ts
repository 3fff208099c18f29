/**
 * The `endpoint` section of `@scimgw/connector-saphana`: the connection (encryption explicit) and
 * one of two modes — `users` (the default: HANA database users with SAML identities) or `tables`
 * (users, groups and memberships in tables, through `@scimgw/sql`, with the keys every SQL
 * connector shares).
 */
import { configSection, z } from '@scimgw/config';
import { sqlEndpointShape } from '@scimgw/sql';
import { HANA_NAME } from './identifier.js';

const connectionSchema = z.strictObject({
  host: z.string().min(1).describe('Server host name (HANA Cloud: <instance>.hana.prod-<region>.hanacloud.ondemand.com)'),
  port: z.int().min(1).max(65535).default(443).describe('SQL port (HANA Cloud: 443; on premise: 3<instance>15)'),
  user: z.string().min(1).describe('Technical user with USER ADMIN and ROLE ADMIN (or the grants it hands out)'),
  password: z.string().min(1).describe('Password (use a secret reference: process.env.NAME, process.file.PATH)'),
  encrypt: z.boolean().default(true).describe('TLS; always passed to the driver'),
  sslValidateCertificate: z.boolean().default(true).describe('Verify the server certificate; always passed to the driver'),
  sslTrustStore: z.string().optional().describe('PEM of the CA to trust (the text, or a process.text.PATH reference)'),
  currentSchema: z
    .string()
    .regex(HANA_NAME, 'a SAP HANA name')
    .optional()
    .describe("Schema of unqualified table names (tables mode; default: the user's own schema)"),
});

const usersSchema = z.strictObject({
  samlProvider: z
    .string()
    .regex(HANA_NAME, 'a SAP HANA name')
    .describe('SAML provider of the identities (CREATE SAML PROVIDER …)'),
  rolePattern: z
    .string()
    .default('^SCIM_')
    .refine((s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    }, 'a regular expression')
    .describe('Roles granted, revoked and listed through SCIM (a regular expression on the role name)'),
  dropCascade: z.boolean().default(false).describe('DROP USER … CASCADE: also drop the objects the user owns'),
});

const usersMode = z.strictObject({
  connection: connectionSchema,
  mode: z.literal('users').default('users').describe('users: provision HANA database users (the default)'),
  users: usersSchema,
});

const tablesMode = z.strictObject({
  connection: connectionSchema,
  mode: z.literal('tables').describe('tables: users, groups and memberships in tables (@scimgw/sql)'),
  ...sqlEndpointShape,
  pageIndex: z
    .literal(false)
    .default(false)
    .describe('Page indexes (bucket counts kept by triggers) are not available on SAP HANA'),
});

/** The validator of the `endpoint` section. */
export const configSchema = configSection(
  z.preprocess(
    // `mode` may be left out: database users, as before the table mode existed.
    (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('mode' in v) ? { ...v, mode: 'users' } : v),
    z.discriminatedUnion('mode', [usersMode, tablesMode]),
  ),
  {
    title: '@scimgw/connector-saphana endpoint',
    description:
      'SAP HANA database users with SAML identities and their roles (mode users), or users, groups and memberships in tables (mode tables)',
    // Signs in with its own account: a passed-through credential would be checked by nothing.
    passThroughAuth: () => false,
  },
);

/** The `endpoint` section, validated. */
export type HanaConfig = ReturnType<typeof configSchema.schema.parse>;
/** The `endpoint` section as written. */
export type HanaConfigInput = z.input<typeof usersMode> | z.input<typeof tablesMode>;
/** The `endpoint` section of the user mode, validated. */
export type HanaUsersConfig = z.output<typeof usersMode>;
/** The `endpoint` section of the table mode, validated. */
export type HanaTablesConfig = z.output<typeof tablesMode>;
