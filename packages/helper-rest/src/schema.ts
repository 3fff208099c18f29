/**
 * `endpoint.entity.<baseEntity>.connection`, declared once: the zod schema that
 * `createHelperRest` and the gateway's `check-config` validate with, the JSON Schema editors
 * check files against, and (through `z.input`) the configuration types in `types.ts`.
 */
import { configSection, z } from '@scimgw/config';
import type { SamlAssertionProvider } from './types.js';

/** The methods `retry.idempotentWrites` may list (any case). */
export const WRITE_METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** True for an absolute `http:` or `https:` URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A text setting that may be left empty or `null` (seed files write `"host": null`). */
const maybe = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/** `options.tls`: extra CAs, a client certificate for mutual TLS, certificate checking. */
export const tlsConfigSchema = z
  .strictObject({
    ca: maybe(z.union([z.string(), z.array(z.string())])).describe(
      'Extra trusted CA certificate(s), added to the default roots: file names (relative to the certs directory) or PEM text',
    ),
    cert: maybe(z.string()).describe('Client certificate for mutual TLS: file name or PEM'),
    key: maybe(z.string()).describe('Private key of the client certificate: file name or PEM'),
    passphrase: maybe(z.string()).describe('Passphrase of an encrypted key'),
    rejectUnauthorized: maybe(z.boolean()).describe('false accepts any server certificate (labs and tests only)'),
  })
  .refine((t) => Boolean(t.cert) === Boolean(t.key), {
    message: 'cert and key must be configured together',
    path: ['key'],
  })
  .describe('TLS settings of outbound connections');

/** `proxy.host`: a URL or `host:port`, http(s) only; the parsed URL, or why not. */
export function parseProxyHost(host: string): URL | string {
  const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'is not a valid URL or host:port';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `protocol ${u.protocol} is not supported (use http: or https:)`;
  return u;
}

/** `proxy`: an HTTP(S) forward proxy; `host` empty or null means none. */
export const proxyConfigSchema = z
  .strictObject({
    host: maybe(z.string()).describe('Proxy URL (http://proxy:3128) or host:port; empty or null: no proxy'),
    username: maybe(z.string()).describe('Proxy user (or user-info in host)'),
    password: maybe(z.string()).describe('Proxy password'),
  })
  .superRefine((p, ctx) => {
    if (!p.host) return;
    const parsed = parseProxyHost(p.host);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: ['host'], message: parsed });
  })
  .describe('HTTP(S) forward proxy');

const ms = (doc: string) => z.number().min(0).describe(doc);

/** `retry`: the retry policy of a connection (every key optional; defaults in `DEFAULT_RETRY`). */
export const retryConfigSchema = z
  .strictObject({
    attempts: z.number().describe('Attempts per request, first try included (1 disables retries; at most 10). Default 3'),
    baseDelayMs: ms('Base of the exponential backoff in ms. Default 300'),
    maxDelayMs: ms('Upper bound of one backoff delay in ms. Default 10000'),
    maxRetryAfterMs: ms('A Retry-After longer than this (ms) is not waited for. Default 30000'),
    statuses: z
      .array(z.number().int().min(100).max(599))
      .describe('Response statuses that are retried. Default [429, 502, 503, 504]'),
    idempotentWrites: z
      .array(
        z
          .string()
          .regex(
            /^(?:[Pp][Oo][Ss][Tt]|[Pp][Uu][Tt]|[Pp][Aa][Tt][Cc][Hh]|[Dd][Ee][Ll][Ee][Tt][Ee])$/,
            'must be POST, PUT, PATCH or DELETE',
          ),
      )
      .describe('Write methods the target applies idempotently, so they are sent again after a timeout. Default none'),
    unreachableRetryAfterMs: ms('Retry-After (ms) on the 503 a client gets when the target cannot be reached. Default 30000'),
  })
  .partial()
  .describe('Retry policy');

const text = (doc: string) => z.string().describe(doc);
const extraParams = z
  .record(z.string(), z.string())
  .describe('Extra form parameters of the token request (audience, resource …)');
const entra = {
  tokenUrl: text('Token endpoint; derived from azureTenantId when absent').optional(),
  azureTenantId: text(
    'Entra ID tenant: the token URL is https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token',
  ).optional(),
  authorityHost: text('Entra authority host for sovereign clouds. Default https://login.microsoftonline.com').optional(),
};
/** A Google service account: its key file signs in, optionally as a Workspace user. */
const google = {
  serviceAccountKeyFile: text(
    'Google service account key (the JSON file Google Cloud downloads, or its JSON text): signs in as that account at the token_uri it names. Needs scope',
  ).optional(),
  subject: text('With serviceAccountKeyFile: the Google Workspace user the account acts as (domain-wide delegation)').optional(),
};
type GoogleOptions = { serviceAccountKeyFile?: string | undefined; subject?: string | undefined; scope?: string | undefined };
/** The rules of {@link google}'s fields; true when a service account key is configured. */
const googleRules = (o: GoogleOptions, ctx: Ctx): boolean => {
  if (!nonEmpty(o.serviceAccountKeyFile)) {
    if (nonEmpty(o.subject)) missing(ctx, ['options', 'subject'], 'needs options.serviceAccountKeyFile');
    return false;
  }
  if (!nonEmpty(o.scope))
    missing(ctx, ['options', 'scope'], 'is required with serviceAccountKeyFile (the API scopes, space-separated)');
  return true;
};

/** Signing key and certificate of a client assertion (file names or PEM). */
const keyAndCert = z
  .strictObject({ key: maybe(z.string()), cert: maybe(z.string()), passphrase: maybe(z.string()) })
  .describe('Signing key and certificate (x5t/x5t#S256 come from cert): file names or PEM');

type Ctx = z.core.$RefinementCtx;
const missing = (ctx: Ctx, path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
/** With a service account key, these options have no meaning: each one set is an error. */
const exclusive = (o: Record<string, unknown>, ctx: Ctx, keys: string[]) => {
  for (const k of keys) {
    if (o[k] !== undefined && o[k] !== null && o[k] !== '')
      missing(ctx, ['options', k], 'cannot be combined with serviceAccountKeyFile (the key file names the account)');
  }
};
const needsTokenUrl = (o: { tokenUrl?: string | undefined; azureTenantId?: string | undefined }, ctx: Ctx) => {
  if (!nonEmpty(o.tokenUrl) && !nonEmpty(o.azureTenantId))
    missing(ctx, ['options', 'tokenUrl'], 'is required (or azureTenantId)');
};

const basicAuth = z.strictObject({
  type: z.literal('basic'),
  options: z.strictObject({ username: z.string().min(1), password: z.string() }),
});

const bearerAuth = z
  .strictObject({
    type: z.enum(['bearer', 'token']),
    options: z.strictObject({
      token: text('The bearer token').optional(),
      tokenUrl: text('type "token": where a token is fetched with username and password').optional(),
      username: z.string().optional(),
      password: z.string().optional(),
    }),
  })
  .superRefine((a, ctx) => {
    const o = a.options;
    if (!nonEmpty(o.token) && !(nonEmpty(o.tokenUrl) && typeof o.password === 'string'))
      missing(ctx, ['options', 'token'], 'is required (or tokenUrl with username and password)');
  });

/** `oauth`: client credentials (RFC 6749 §4.4). With azureTenantId, tls.key and tls.cert but no clientSecret: the certificate flow. */
const oauthAuth = z
  .strictObject({
    type: z.literal('oauth'),
    options: z.strictObject({
      ...entra,
      clientId: z.string().min(1).optional(),
      clientSecret: text('Client secret (not needed for the Entra certificate flow: azureTenantId with tls)').optional(),
      scope: text('Requested scope. Entra default: <origin of baseUrls[0]>/.default').optional(),
      tokenAuthMethod: z
        .enum(['client_secret_post', 'client_secret_basic'])
        .optional()
        .describe('How the client authenticates at the token endpoint. Default client_secret_post'),
      extraParams: extraParams.optional(),
      tls: keyAndCert.optional(),
      ...google,
    }),
  })
  .superRefine((a, ctx) => {
    const o = a.options;
    // The seed's shape for a Google service account (as in the email section): resolved to oauthJwtBearer.
    if (googleRules(o, ctx)) return exclusive(o, ctx, ['clientId', 'clientSecret', 'azureTenantId', 'tls']);
    needsTokenUrl(o, ctx);
    if (!nonEmpty(o.clientId)) missing(ctx, ['options', 'clientId'], 'is required (or serviceAccountKeyFile)');
    const certificate = nonEmpty(o.azureTenantId) && nonEmpty(o.tls?.key) && nonEmpty(o.tls?.cert);
    if (!nonEmpty(o.clientSecret) && !certificate)
      missing(ctx, ['options', 'clientSecret'], 'is required (or, with azureTenantId, tls.key and tls.cert)');
  });

/** Federated identity credential (Entra "Other issuer"): the gateway is the issuer. */
const fedCredSchema = z
  .strictObject({
    issuer: z.url().describe('Public base URL of the gateway, e.g. https://scimgateway.example.com'),
    subject: z.string().min(1).describe('Subject configured on the federated credential (the application client id)'),
    name: text('Name of the federated credential (the name claim)').optional(),
    audience: text('Audience of the federated credential. Default api://AzureADTokenExchange').optional(),
    key: text('PEM private key (file name or PEM) replicas share; without it each process makes its own').optional(),
  })
  .describe('Federated credentials: the gateway issues its own client assertions');

/** `oauthJwtBearer`: a certificate-signed client assertion (RFC 7523), or federated credentials. */
const jwtBearerAuth = z
  .strictObject({
    type: z.literal('oauthJwtBearer'),
    options: z.strictObject({
      ...entra,
      clientId: text('Client id; with fedCred it defaults to fedCred.subject').optional(),
      scope: text('Requested scope. Entra default: <origin of baseUrls[0]>/.default').optional(),
      tls: keyAndCert.optional(),
      fedCred: fedCredSchema.optional(),
      jwtPayload: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('The JWT itself is the grant (RFC 7523 §2.1), with these claims'),
      extraParams: extraParams.optional(),
      ...google,
    }),
  })
  .superRefine((a, ctx) => {
    const o = a.options;
    if (googleRules(o, ctx)) return exclusive(o, ctx, ['clientId', 'azureTenantId', 'tls', 'fedCred', 'jwtPayload']);
    needsTokenUrl(o, ctx);
    if (o.fedCred) return;
    if (!nonEmpty(o.tls?.key)) missing(ctx, ['options', 'tls', 'key'], 'is required (or options.fedCred)');
    if (o.jwtPayload) return;
    if (!nonEmpty(o.tls?.cert)) missing(ctx, ['options', 'tls', 'cert'], 'is required (or options.jwtPayload)');
    if (!nonEmpty(o.clientId)) missing(ctx, ['options', 'clientId'], 'is required (or options.jwtPayload)');
  });

/** `oauthSamlBearer` (RFC 7522), with the schema of `assertion` given. */
function samlBearerAuth<A extends z.ZodType>(assertion: A) {
  return z
    .strictObject({
      type: z.literal('oauthSamlBearer'),
      options: z.strictObject({
        tokenUrl: z.string().min(1),
        clientId: z.string().optional(),
        clientSecret: z.string().optional(),
        scope: z.string().optional(),
        companyId: text('SAP SuccessFactors company_id').optional(),
        assertion: assertion.optional(),
        samlPayload: z
          .looseObject({
            clientId: text('The API key (client_id); also the api_key attribute and the default Issuer').optional(),
            companyId: text('SAP SuccessFactors company_id').optional(),
            userId: text('Without assertion: the user the gateway acts as (Subject NameID)').optional(),
            userIdFormat: text('NameID Format. Default urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified').optional(),
            issuer: text('Issuer. Default clientId').optional(),
            audience: text('Audience. Default www.successfactors.com').optional(),
            recipient: text('SubjectConfirmationData Recipient. Default tokenUrl').optional(),
            lifetimeSeconds: z
              .number()
              .int()
              .min(60)
              .max(86_400)
              .optional()
              .describe('How long each assertion is valid. Default 600'),
          })
          .optional()
          .describe('Without assertion: the gateway builds and signs one per token request from these (with tls.key)'),
        tls: keyAndCert.optional(),
        extraParams: extraParams.optional(),
      }),
    })
    .superRefine((a, ctx) => {
      const o = a.options;
      if (o.assertion !== undefined) return;
      if (!nonEmpty(o.samlPayload?.userId))
        missing(ctx, ['options', 'samlPayload', 'userId'], 'is required to build the assertion (or options.assertion)');
      if (!nonEmpty(o.tls?.key))
        missing(ctx, ['options', 'tls', 'key'], 'is required to sign the assertion (or options.assertion)');
      if (!nonEmpty(o.samlPayload?.issuer) && !nonEmpty(o.samlPayload?.clientId) && !nonEmpty(o.clientId))
        missing(ctx, ['options', 'samlPayload', 'issuer'], 'is required to build the assertion (or clientId)');
    });
}

const anyOptions = z.record(z.string(), z.unknown()).nullable().optional();
const passThroughAuth = z.strictObject({
  type: z.literal('passThrough'),
  options: anyOptions.describe("Forward the inbound request's Authorization header"),
});
const noAuth = z.strictObject({ type: z.literal('none'), options: anyOptions });

/** A connection schema with the given schema of the SAML `assertion`. */
function connectionWith<A extends z.ZodType>(assertion: A) {
  return z
    .strictObject({
      baseUrls: maybe(
        z.array(
          z
            .string()
            .regex(/^(?:[Hh][Tt][Tt][Pp][Ss]?:\/\/\S+)?$/, { message: 'must be an http:// or https:// URL', abort: true })
            .refine((u) => u === '' || isHttpUrl(u), 'must be an http:// or https:// URL'),
        ),
      ).describe('Base URLs tried in order; the first that answers is kept (sticky failover)'),
      auth: maybe(
        z.discriminatedUnion('type', [
          basicAuth,
          bearerAuth,
          oauthAuth,
          jwtBearerAuth,
          samlBearerAuth(assertion),
          passThroughAuth,
          noAuth,
        ]),
      ).describe('Authentication of outbound requests; none when absent'),
      proxy: maybe(proxyConfigSchema),
      options: maybe(
        z.strictObject({
          headers: maybe(z.record(z.string(), z.string())).describe('Headers added to every request of this connection'),
          tls: maybe(tlsConfigSchema),
        }),
      ),
      timeout: maybe(z.number().positive()).describe(
        'Per-attempt timeout in ms. Default 10000 for attempts that may be repeated; an attempt that cannot be may use what is left of the deadline',
      ),
      deadline: maybe(z.number().positive()).describe(
        'Deadline in ms of all calls for one inbound request, retries and waits included. Default 25000',
      ),
      retry: maybe(retryConfigSchema),
      maxResponseBytes: maybe(z.number().int().positive()).describe(
        'Largest answer read from the backend, in bytes. Default 268435456 (256 MiB); a larger one fails the call with 502 and is not retried',
      ),
    })
    .describe('endpoint.entity.<baseEntity>.connection: how the connector reaches its backend');
}

/**
 * Zod schema of `endpoint.entity.<baseEntity>.connection` as a configuration file writes it.
 * Connector packages put it into their own `endpoint` section schema.
 *
 * @example
 * const entity = z.strictObject({ connection: connectionConfigSchema.optional() });
 */
export const connectionConfigSchema = connectionWith(
  z.string().min(1).describe('The SAML 2.0 assertion: XML, base64 or base64url'),
);

/**
 * The schema `createHelperRest` validates with: the file's, except that code may give the SAML
 * `assertion` as a function producing one per token request.
 */
export const connectionOptionsSchema = connectionWith(
  z.union([
    z.string().min(1),
    z.custom<SamlAssertionProvider>((v) => typeof v === 'function', 'must be a SAML assertion or a function returning one'),
  ]),
);

/**
 * `endpoint.entity.<baseEntity>.connection` as a configuration section: `validate` names every
 * problem by its path (with a did-you-mean for unknown keys), `jsonSchema` is for editors.
 */
export const connectionSection = configSection(connectionConfigSchema, { title: 'helper-rest connection' });
