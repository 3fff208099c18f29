/**
 * The `endpoint` section of a SOAP connector configuration, as a zod schema (`configSchema`).
 *
 * The shape keeps what the seed gateway's plugin-soap configuration had where it helps migration:
 * operations are `{ service, method }` pairs, `baseServiceEndpoint` is the base URL services hang
 * under, WSDLs default to `config/wsdls/<service>.wsdl`, and `username`/`password` are a
 * WS-Security UsernameToken. Connections (TLS, proxy, HTTP auth, timeout, retries) have the shape
 * of `@scimgw/helper-rest`'s `entity.<baseEntity>.connection`.
 */
import { configSection, z } from '@scimgw/config';
import { callerCredentialTenants } from '@scimgw/helper-rest';

const PASSWORD_TYPES = ['PasswordText', 'PasswordDigest'] as const;

/** RSA signature algorithms the `soap` package's X.509 signer (xml-crypto) supports. */
export const SIGNATURE_ALGORITHMS = [
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
] as const;

/** Digest algorithms of the X.509 signer. */
export const DIGEST_ALGORITHMS = [
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512',
  'http://www.w3.org/2000/09/xmldsig#sha1',
] as const;

const tlsSchema = z
  .strictObject({
    ca: z
      .union([z.string(), z.array(z.string())])
      .nullish()
      .describe('Extra trusted CA certificate(s): file names in config/certs, absolute paths or PEM text'),
    cert: z.string().nullish().describe('Client certificate for mutual TLS (file or PEM)'),
    key: z.string().nullish().describe('Client private key for mutual TLS (file or PEM)'),
    passphrase: z.string().nullish().describe('Passphrase of an encrypted key'),
    rejectUnauthorized: z.boolean().nullish().describe('false accepts any server certificate (lab setups only)'),
  })
  .describe('TLS of outbound connections (helper-rest shape)');

const connectionSchema = z
  .strictObject({
    baseUrls: z
      .array(z.url())
      .nullish()
      .describe('Base URLs the services hang under, tried in order (failover). Default: [baseServiceEndpoint]'),
    auth: z
      .strictObject({
        type: z.enum(['basic', 'bearer', 'token', 'oauth', 'oauthJwtBearer', 'oauthSamlBearer', 'passThrough', 'none']),
        options: z.record(z.string(), z.unknown()).nullish(),
      })
      .nullish()
      .describe('HTTP authentication of every SOAP request (helper-rest auth; basic: { username, password })'),
    proxy: z
      .strictObject({
        host: z.string().nullish().describe('http://proxy:3128 or proxy:3128'),
        username: z.string().nullish(),
        password: z.string().nullish(),
      })
      .nullish(),
    options: z
      .strictObject({
        headers: z.record(z.string(), z.string()).nullish().describe('HTTP headers added to every request'),
        tls: tlsSchema.nullish(),
      })
      .nullish(),
    timeout: z.number().int().positive().nullish().describe('Per-attempt timeout in ms. Default 30000'),
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(10).optional().describe('Attempts of an idempotent operation, first included'),
        baseDelayMs: z.number().int().min(0).optional(),
        maxDelayMs: z.number().int().min(0).optional(),
        maxRetryAfterMs: z.number().int().min(0).optional(),
        statuses: z
          .array(z.number().int().min(400).max(599))
          .optional()
          .describe('HTTP statuses retried. Default 429, 502, 503, 504'),
      })
      .nullish(),
  })
  .describe('How SOAP requests travel: the helper-rest connection shape');

const usernameTokenSchema = z
  .strictObject({
    username: z.string().min(1),
    password: z.string(),
    passwordType: z.enum(PASSWORD_TYPES).default('PasswordText').describe('PasswordText (over TLS) or PasswordDigest'),
    timestamp: z.boolean().default(true).describe('Add a wsu:Timestamp'),
    nonce: z.boolean().optional().describe('Add a nonce to PasswordText tokens (digests always have one)'),
    created: z.boolean().default(true).describe('Add wsu:Created to the token'),
    mustUnderstand: z.boolean().optional(),
    actor: z.string().optional(),
  })
  .describe('WS-Security UsernameToken (OASIS Username Token Profile 1.0)');

const x509Schema = z
  .strictObject({
    key: z.string().min(1).describe('Private key (PEM file in config/certs, absolute path or PEM text)'),
    cert: z.string().min(1).describe('Certificate sent as the BinarySecurityToken (file or PEM)'),
    passphrase: z.string().optional().describe('Passphrase of an encrypted key'),
    signatureAlgorithm: z.enum(SIGNATURE_ALGORITHMS).default(SIGNATURE_ALGORITHMS[0]),
    digestAlgorithm: z.enum(DIGEST_ALGORITHMS).default(DIGEST_ALGORITHMS[0]),
    timestamp: z.boolean().default(true).describe('Add (and sign) a wsu:Timestamp'),
  })
  .describe('WS-Security X.509 signature of the Body (and Timestamp)');

const wsSecuritySchema = z
  .strictObject({
    usernameToken: usernameTokenSchema.optional(),
    x509: x509Schema.optional(),
  })
  .describe('WS-Security header: a UsernameToken, an X.509 signature, or both');

const entitySchema = z.strictObject({
  connection: connectionSchema.nullish(),
  wsSecurity: wsSecuritySchema.nullish().describe("This tenant's WS-Security (wins over endpoint.wsSecurity)"),
});

const serviceSchema = z.strictObject({
  wsdl: z
    .string()
    .min(1)
    .optional()
    .describe('WSDL file (relative to the base directory) or http(s) URL. Default <wsdlDir>/<name>.wsdl'),
  path: z
    .string()
    .optional()
    .describe(
      "Path of the service under the tenant's base URLs. Default: the service name. Without base URLs the WSDL's address is used",
    ),
  port: z
    .string()
    .optional()
    .describe('WSDL port to use when the service has several. Default: the first that has the operation'),
  soap12: z.boolean().default(false).describe('Send SOAP 1.2 envelopes and headers'),
});

const templateValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(templateValue), z.record(z.string(), templateValue)]),
);

const operationFields = {
  service: z.string().min(1).describe('A key of `services` (or a WSDL <wsdlDir>/<service>.wsdl)'),
  method: z.string().min(1).describe('Operation name in the WSDL'),
  request: z
    .record(z.string(), templateValue)
    .optional()
    .describe('Message template: JSON of the input message where whole-string placeholders ($id, $record, …) are filled'),
  result: z.string().optional().describe('Dotted path of the record(s) (or new id) in the response. Default: the whole response'),
  idempotent: z.boolean().optional().describe('May be retried. Default true for list/search/get/replace/delete'),
  timeout: z.number().int().positive().optional().describe("Per-attempt timeout in ms (overrides the connection's)"),
};

const operationSchema = z.strictObject(operationFields);

const listSchema = z.strictObject({
  ...operationFields,
  total: z.string().optional().describe('Dotted path of the total count, needed to page with $startIndex/$offset/$count'),
  pageSize: z.number().int().min(1).max(10_000).default(200).describe('Page size when every page has to be read'),
  maxPages: z.number().int().min(1).default(1000).describe('Stop after this many pages (guards against endless paging)'),
});

const searchSchema = z.strictObject({
  ...operationFields,
  total: z.string().optional(),
  attributes: z
    .array(z.string().min(1))
    .min(1)
    .describe('SCIM attributes the operation finds by equality ($attribute/$value), e.g. ["userName", "externalId"]'),
});

const resourceOperationsSchema = z.strictObject({
  list: listSchema.optional().describe('Lists all resources'),
  search: searchSchema.optional().describe('Finds resources by one attribute (attr eq value)'),
  get: operationSchema.optional().describe('Reads one resource by $id'),
  create: operationSchema.optional(),
  modify: operationSchema.optional().describe('Changes attributes: $record (the merged record) or $set/$clear (the changes)'),
  replace: operationSchema.optional(),
  delete: operationSchema.optional(),
  addMember: operationSchema.optional().describe('Groups: adds one member ($id, $member)'),
  removeMember: operationSchema.optional().describe('Groups: removes one member ($id, $member)'),
});

const faultRuleSchema = z
  .strictObject({
    category: z.enum(['notFound', 'duplicate', 'validation', 'credentials', 'other']),
    code: z
      .string()
      .min(1)
      .optional()
      .describe('Matches when a fault code, subcode or detail element name contains this text (case-insensitive)'),
    reason: z.string().min(1).optional().describe('Matches when the fault string contains this text (case-insensitive)'),
  })
  .refine((r) => r.code !== undefined || r.reason !== undefined, { message: 'a fault rule needs "code" or "reason"' });

const endpointSchema = z.strictObject({
  baseServiceEndpoint: z
    .url()
    .optional()
    .describe(
      'Base URL of the services (seed name); a service is at <baseServiceEndpoint>/<path>. Default for connection.baseUrls',
    ),
  wsdlDir: z.string().default('config/wsdls').describe('Where <service>.wsdl files are, relative to the base directory'),
  username: z
    .string()
    .optional()
    .describe('Seed shorthand: WS-Security UsernameToken user (PasswordText) when wsSecurity is not set'),
  password: z.string().optional().describe('Seed shorthand: the UsernameToken password'),
  wsSecurity: wsSecuritySchema.optional().describe('WS-Security of every tenant without its own'),
  services: z.record(z.string(), serviceSchema).default({}).describe('Services by name'),
  entity: z
    .record(z.string(), entitySchema.nullish())
    .default({})
    .describe('Tenants by baseEntity; "undefined" is the default tenant'),
  operations: z
    .strictObject({ user: resourceOperationsSchema.optional(), group: resourceOperationsSchema.optional() })
    .describe('Which WSDL operation does what, per resource type'),
  map: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .describe('Attribute mapping (@scimgw/mapper): map.user / map.group, endpoint element → SCIM attribute'),
  faults: z
    .array(faultRuleSchema)
    .default([])
    .describe('Fault rules checked before the built-in ones; the first match decides the SCIM error'),
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024)
    .describe('Responses longer than this are refused before parsing'),
});

/**
 * The validator of the connector's `endpoint` section (zod 4 via `@scimgw/config`). Unknown keys
 * are errors; defaults are filled in.
 *
 * @example
 * const r = configSchema.validate(json.endpoint);
 * if (!r.ok) for (const i of r.issues) console.error(i.path.join('.'), i.message);
 */
export const configSchema = configSection(endpointSchema, {
  title: 'connector-soap endpoint',
  passThroughAuth: (config) => callerCredentialTenants(config.entity) !== false,
  description: 'SCIM users and groups provisioned to SOAP services, by configuration',
});

/** The parsed `endpoint` section. */
export type SoapConfig = z.output<typeof endpointSchema>;
/** The `endpoint` section as written (defaults optional). */
export type SoapConfigInput = z.input<typeof endpointSchema>;
/** One operation: `{ service, method, request?, result?, … }`. */
export type OperationConfig = z.output<typeof operationSchema>;
/** The list operation (adds `total`, `pageSize`, `maxPages`). */
export type ListOperationConfig = z.output<typeof listSchema>;
/** The search operation (adds `attributes` and `total`). */
export type SearchOperationConfig = z.output<typeof searchSchema>;
/** The operations of one resource type. */
export type ResourceOperationsConfig = z.output<typeof resourceOperationsSchema>;
/** `services.<name>`. */
export type ServiceConfig = z.output<typeof serviceSchema>;
/** `wsSecurity`. */
export type WsSecurityConfig = z.output<typeof wsSecuritySchema>;
/** `entity.<baseEntity>`. */
export type SoapEntityConfig = z.output<typeof entitySchema>;
/** `connection`: the helper-rest shape. */
export type SoapConnectionConfig = z.output<typeof connectionSchema>;
/** One entry of `faults`. */
export type FaultRule = z.output<typeof faultRuleSchema>;
