/**
 * The `auth` section of a gateway configuration, declared once: the validator the gateway's
 * configuration loader and `createAuthenticator` both run, and the JSON Schema editors use.
 * Shapes keep the older scimgateway product's, so its files migrate unchanged.
 */
import { configSection, z } from '@scimgw/config';

/** Text that may be absent: `null`, missing, or a string (`''` counts as not set). */
const text = (doc: string) => z.string().nullish().describe(doc);

/** What every credential may do once authenticated. */
const scope = {
  readOnly: z.boolean().nullish().describe('Only operations that read (GET, POST …/.search); writes get 405'),
  baseEntities: z.array(z.string().min(1)).nullish().describe('Tenants this credential may reach; empty or absent = all'),
};

const jwtOptions = z
  .strictObject({
    issuer: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Expected iss (one of them)'),
    audience: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Expected aud (the token must contain one)'),
    algorithms: z.array(z.string()).optional().describe('Narrows the algorithms the key allows'),
    clockTolerance: z.union([z.number(), z.string()]).optional().describe('Allowed clock skew: seconds or a span like "30s"'),
    maxTokenAge: z.union([z.number(), z.string()]).optional().describe('Maximum age since iat: seconds or a span like "1h"'),
    maxAge: z.union([z.number(), z.string()]).optional().describe('Older name of maxTokenAge'),
    subject: z.string().optional().describe('Expected sub'),
    typ: z.string().optional().describe('Expected typ header'),
    requiredClaims: z.array(z.string()).optional().describe('Claims that must be present'),
  })
  .nullish();

/** Zod schema of the `auth` section. */
export const authConfigSchema = z
  .strictObject({
    basic: z
      .array(
        z.strictObject({
          username: text('User name; null disables the entry'),
          password: text('Password in clear text (encrypted in place) or a $scrypt$ hash'),
          ...scope,
        }),
      )
      .nullish()
      .describe('HTTP Basic credentials'),
    bearerToken: z
      .array(
        z.strictObject({
          token: text('Shared secret sent as Authorization: Bearer …; null disables the entry'),
          name: text('Name of the principal in logs instead of the token'),
          ...scope,
        }),
      )
      .nullish()
      .describe('Shared-secret bearer tokens'),
    bearerJwt: z
      .array(
        z.strictObject({
          secret: text('HMAC secret (HS256/384/512)'),
          publicKey: text('PEM file with a public key, certificate or private key (certs folder or absolute)'),
          wellKnownUri: text('OpenID discovery URL, or a JWKS URL'),
          azureTenantId: text('Entra ID tenant whose provisioning tokens are accepted'),
          options: jwtOptions.describe('Checks of the token'),
          name: text('Name of the principal when the token has no sub'),
          ...scope,
        }),
      )
      .nullish()
      .describe('JWT bearer tokens'),
    bearerOAuth: z
      .array(
        z.strictObject({
          clientId: text('Client id for POST /oauth/token; null disables the entry'),
          clientSecret: text('Client secret in clear text (encrypted in place) or a $scrypt$ hash'),
          ...scope,
        }),
      )
      .nullish()
      .describe('Clients of the built-in OAuth client-credentials token endpoint'),
    passThrough: z
      .strictObject({ enabled: z.boolean().nullish().describe('Hand unknown credentials to the connector'), ...scope })
      .nullish()
      .describe('Pass-through authentication'),
  })
  .describe('Inbound authentication');

/** The `auth` section as a configuration section (`validate` and `jsonSchema`). */
export const authSection = configSection(authConfigSchema, { title: 'scimgw auth section' });

/** The `auth` section as written in a configuration file. */
export type AuthConfig = z.input<typeof authConfigSchema>;

type Entry<K extends keyof AuthConfig> = NonNullable<AuthConfig[K]> extends readonly (infer E)[] ? E : NonNullable<AuthConfig[K]>;
/** What a credential may do: `readOnly` and `baseEntities`. */
export type CredentialScope = { readOnly?: boolean | null | undefined; baseEntities?: string[] | null | undefined };
/** One HTTP Basic credential. */
export type BasicCredential = Entry<'basic'>;
/** One shared-secret bearer token. */
export type BearerTokenCredential = Entry<'bearerToken'>;
/** One JWT key source with its checks. */
export type BearerJwtCredential = Entry<'bearerJwt'>;
/** The checks of a JWT (`bearerJwt[].options`). */
export type JwtVerifyOptions = NonNullable<BearerJwtCredential['options']>;
/** One client of the OAuth token endpoint. */
export type OAuthClientCredential = Entry<'bearerOAuth'>;
/** Pass-through authentication. */
export type PassThroughConfig = NonNullable<AuthConfig['passThrough']>;
