/**
 * The `endpoint` section of an Entra ID connector configuration: one Entra tenant per `baseEntity`
 * (the seed gateway's `endpoint.entity.<baseEntity>.connection` shape), the attribute mapping, and
 * the connector's behaviour (roles, access packages, licenses, throttling, replication).
 */
import { configSection, z } from '@scimgw/config';
import type { MapConfig } from '@scimgw/mapper';

const nullish = <T extends z.ZodType>(schema: T) => schema.nullish();

const tlsFiles = z.strictObject({
  key: nullish(z.string()).describe('PEM private key of the app certificate (file name under config/certs, or PEM text)'),
  cert: nullish(z.string()).describe('PEM certificate uploaded to the app registration (file name or PEM text)'),
  pfx: nullish(z.string()).describe('PKCS#12 (.pfx/.p12) file holding key and certificate, instead of key + cert'),
  passphrase: nullish(z.string()).describe('Passphrase of an encrypted key or of the PFX file'),
});

const fedCred = z.strictObject({
  issuer: z.string().url().describe("The gateway's public URL: Entra fetches <issuer>/.well-known/openid-configuration"),
  subject: z.string().min(1).describe('Subject configured on the federated credential of the app registration'),
  name: nullish(z.string()).describe('Name of the federated credential (added as the name claim)'),
  audience: nullish(z.string()).describe('Audience of the federated credential; default api://AzureADTokenExchange'),
  key: nullish(z.string()).describe('PEM key to sign assertions with; default: generated per process (one replica only)'),
});

const tenantOptions = {
  azureTenantId: z.string().min(1).describe('Directory (tenant) id or verified domain of the Entra tenant'),
  clientId: nullish(z.string()).describe('Application (client) id of the app registration'),
  authorityHost: nullish(z.string().url()).describe('Identity platform host; default: the cloud’s login host'),
  tokenUrl: nullish(z.string()).describe('Ignored (seed compatibility): msal-node derives the token endpoint'),
  scope: nullish(z.string()).describe('Ignored (seed compatibility): the scope is <graph origin>/.default'),
};

const secretAuth = z.strictObject({
  type: z.literal('oauth'),
  options: z.strictObject({
    ...tenantOptions,
    clientSecret: nullish(z.string()).describe('Client secret of the app registration'),
    tls: nullish(tlsFiles),
  }),
});

const assertionAuth = z.strictObject({
  type: z.literal('oauthJwtBearer'),
  options: z.strictObject({
    ...tenantOptions,
    tls: nullish(tlsFiles),
    fedCred: nullish(fedCred),
  }),
});

const retry = z.strictObject({
  attempts: z.number().int().min(1).max(10).default(5).describe('Attempts per Graph call, the first included'),
  baseDelayMs: z.number().int().min(0).default(500).describe('Base of the exponential backoff without Retry-After'),
  maxDelayMs: z.number().int().min(0).default(30_000).describe('Longest single wait, Retry-After included'),
  deadlineMs: z
    .number()
    .int()
    .min(1)
    .default(60_000)
    .describe('No retry is started past this time after the first attempt; the client then gets 503 with Retry-After'),
  jitter: z.number().min(0).max(1).default(0.2).describe('Up to this share is added at random to every wait'),
});

const connection = z.strictObject({
  baseUrls: nullish(z.array(z.string().url())).describe(
    'Graph base URL override, e.g. https://graph.microsoft.com/v1.0; default: the cloud’s Graph v1.0 URL',
  ),
  auth: z.discriminatedUnion('type', [secretAuth, assertionAuth]),
  proxy: nullish(
    z.strictObject({
      host: nullish(z.string()),
      username: nullish(z.string()),
      password: nullish(z.string()),
    }),
  ),
  options: nullish(
    z.strictObject({
      headers: nullish(z.record(z.string(), z.string())),
      tls: nullish(
        z.strictObject({
          ca: nullish(z.union([z.string(), z.array(z.string())])),
          cert: nullish(z.string()),
          key: nullish(z.string()),
          passphrase: nullish(z.string()),
          rejectUnauthorized: nullish(z.boolean()),
        }),
      ),
    }),
  ),
  timeout: nullish(z.number().int().min(1)).describe('Per attempt, in ms; default 30000'),
  retry: nullish(retry.partial()),
});

/** National clouds. */
export const CLOUD_NAMES = ['global', 'usgov', 'usgovDod', 'china'] as const;
/** A national cloud name. */
export type CloudName = (typeof CLOUD_NAMES)[number];

const entity = z.strictObject({
  connection,
  cloud: z.enum(CLOUD_NAMES).default('global').describe('National cloud of this tenant'),
  userPrincipalNameDomain: nullish(z.string()).describe(
    'userName values without "@" get this domain in userPrincipalName, and lose it again when read',
  ),
});

const attributeChoice = z.enum(['roles', 'entitlements']).nullable();

const mapEntry = z.looseObject({ mapTo: z.string() });
const mapSection = z.record(z.string(), z.union([mapEntry, z.record(z.string(), z.unknown())]));

const schema = z.strictObject({
  entity: z
    .record(z.string(), entity)
    .refine((e) => Object.keys(e).length > 0, 'configure at least one tenant (use "undefined" for the default)')
    .describe('One Entra tenant per baseEntity; "undefined" is the default tenant'),
  map: nullish(z.strictObject({ user: nullish(mapSection), group: nullish(mapSection) })).describe(
    'SCIM ↔ Graph attribute mapping (the seed endpointMapper shape); default: the documented mapping',
  ),
  users: z
    .strictObject({
      generatePassword: z.boolean().default(true).describe('Create users without a password with a random one'),
      forceChangePasswordNextSignIn: z.boolean().default(false),
      accountEnabledDefault: z.boolean().default(true).describe('accountEnabled of a created user without active'),
      createDefaults: z
        .record(z.string(), z.unknown())
        .default({})
        .describe('Graph properties added to every created user unless mapped (usageLocation, passwordPolicies …)'),
      transitiveGroups: z.boolean().default(false).describe('groups of a user from transitiveMemberOf (direct + indirect)'),
    })
    .prefault({}),
  groups: z
    .strictObject({
      kind: z.enum(['security', 'microsoft365']).default('security').describe('What kind of group POST /Groups creates'),
      createDefaults: z.record(z.string(), z.unknown()).default({}),
    })
    .prefault({}),
  roles: z
    .strictObject({
      attribute: attributeChoice.default('roles').describe('User attribute carrying directory roles; null: off'),
      permanent: z.boolean().default(true).describe('Manage permanent role assignments'),
      eligible: z.boolean().default(true).describe('Manage PIM eligibility (roleEligibilityScheduleRequests)'),
      defaultType: z.enum(['Permanent', 'Eligible']).default('Permanent').describe('Type of a granted role without type'),
      eligibilityDuration: nullish(z.string()).describe('ISO 8601 duration of new eligibilities (P365D); default: no expiration'),
      justification: z.string().default('Provisioned by scimgw'),
    })
    .prefault({}),
  accessPackages: z
    .strictObject({
      attribute: attributeChoice.default('entitlements').describe('User attribute carrying access packages; null: off'),
      type: z.string().default('AccessPackage').describe('type of the elements that are access packages'),
      policies: z
        .record(z.string(), z.string())
        .default({})
        .describe('accessPackageId → assignmentPolicyId; default: the package’s first policy'),
    })
    .prefault({}),
  licenses: z
    .strictObject({
      attribute: attributeChoice.default('entitlements').describe('User attribute carrying licenses (read-only); null: off'),
      type: z.string().default('License'),
    })
    .prefault({}),
  retry: retry.prefault({}),
  replication: z
    .strictObject({
      windowMs: z
        .number()
        .int()
        .min(0)
        .default(60_000)
        .describe('A 404 for an object this gateway created this recently is retried (read-your-write)'),
      delayMs: z.number().int().min(0).default(500),
    })
    .prefault({}),
  pageSize: z.number().int().min(1).max(999).default(999).describe('$top when the connector reads through pages itself'),
  maxLocalResults: z
    .number()
    .int()
    .min(1)
    .default(10_000)
    .describe('Most results held for a query Graph cannot page itself (local sort); more is 400 tooMany'),
});

/** The validator of the `endpoint` section (`configSchema` of the package). */
export const configSchema = configSection(schema, {
  title: 'connector-entra-id endpoint',
  description: 'Microsoft Entra ID through Microsoft Graph',
  // Signs in with its own application: a passed-through credential would be checked by nothing.
  passThroughAuth: () => false,
});

/** The `endpoint` section after validation (defaults filled). */
export type EntraIdConfig = z.output<typeof schema> & { map?: MapConfig | null };
/** The `endpoint` section as written. */
export type EntraIdConfigInput = z.input<typeof schema>;
/** One tenant's section after validation. */
export type EntraIdEntityConfig = z.output<typeof entity>;
/** Retry settings after validation. */
export type RetrySettings = z.output<typeof retry>;

/**
 * Validates and fills defaults, throwing an Error that lists every problem (for direct use;
 * hosts run {@link configSchema} themselves).
 */
export function parseConfig(input: unknown): EntraIdConfig {
  const r = configSchema.validate(input);
  if (!r.ok) {
    const lines = r.issues.map((i) => `endpoint.${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid connector-entra-id configuration:\n  ${lines.join('\n  ')}`);
  }
  return r.value as EntraIdConfig;
}
