/**
 * The `endpoint` section of `@scimgw/connector-saphana`: the connection (encryption explicit) and
 * the database-user provisioning settings.
 */
import { configSection, z } from '@scimgw/config';
import { HANA_NAME } from './identifier.js';

const connectionSchema = z.strictObject({
  host: z.string().min(1).describe('Server host name (HANA Cloud: <instance>.hana.prod-<region>.hanacloud.ondemand.com)'),
  port: z.int().min(1).max(65535).default(443).describe('SQL port (HANA Cloud: 443; on premise: 3<instance>15)'),
  user: z.string().min(1).describe('Technical user with USER ADMIN and ROLE ADMIN (or the grants it hands out)'),
  password: z.string().min(1).describe('Password (use a secret reference: process.env.NAME, process.file.PATH)'),
  encrypt: z.boolean().default(true).describe('TLS; always passed to the driver'),
  sslValidateCertificate: z.boolean().default(true).describe('Verify the server certificate; always passed to the driver'),
  sslTrustStore: z.string().optional().describe('PEM of the CA to trust (the text, or a process.text.PATH reference)'),
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

/** The validator of the `endpoint` section. */
export const configSchema = configSection(
  z.strictObject({
    connection: connectionSchema,
    mode: z.literal('users').default('users').describe('users: provision HANA database users'),
    users: usersSchema,
  }),
  { title: '@scimgw/connector-saphana endpoint', description: 'SAP HANA database users with SAML identities, and their roles' },
);

/** The `endpoint` section, validated. */
export type HanaConfig = ReturnType<typeof configSchema.schema.parse>;
/** The `endpoint` section as written. */
export type HanaConfigInput = Parameters<typeof configSchema.schema.parse>[0];
