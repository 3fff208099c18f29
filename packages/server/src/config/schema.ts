/**
 * The shape of a configuration file, declared once with zod: the `scimgateway` section (the older
 * scimgateway product's shape, so its files migrate), composed of the sections other packages own
 * (`auth` from @scimgw/auth, `log` and `email` from @scimgw/logger-stream, `mcp` from @scimgw/mcp,
 * `stream` from @scimgw/stream). The `endpoint` section belongs to the connector and is checked by
 * the connector's own `configSchema`.
 */
import { createRequire } from 'node:module';
import { authConfigSchema } from '@scimgw/auth';
import { z } from '@scimgw/config';
import { emailConfigSchema, logConfigSchema } from '@scimgw/logger-stream';
import { sizeSetting } from './size.js';
import type { mcpConfigSchema as McpConfigSchema } from '@scimgw/mcp/config';
import type { streamConfigSchema as StreamConfigSchema } from '@scimgw/stream/config';

/**
 * A section whose package this host did not install (optional peer dependencies: the chain proxy
 * installs neither the MCP server nor the SCIM Stream client). Anything switched on in it is refused.
 */
function notInstalled(pkg: string, section: string) {
  return z.looseObject({}).superRefine((value, ctx) => {
    if (/"enabled":true/.test(JSON.stringify(value)))
      ctx.addIssue({
        code: 'custom',
        message: `needs ${pkg}, which is not installed with this host: turn ${section} off or use the gateway`,
      });
  });
}

/** The sections owned by optional packages, as the host registered them or found them installed. */
const optionalSections: { mcp?: z.ZodType; stream?: z.ZodType } = {};

/**
 * Gives the configuration schema the `mcp` and `stream` sections of packages the host bundles
 * (`apps/gateway` calls it at startup, so a single executable that bundled them validates them
 * too). Without it, each section is looked up when a configuration is first validated: the
 * package's own schema when it is installed, else one that refuses the section switched on.
 */
export function registerConfigSections(s: { mcp?: z.ZodType; stream?: z.ZodType }): void {
  if (s.mcp) optionalSections.mcp = s.mcp;
  if (s.stream) optionalSections.stream = s.stream;
}

const requireHere = createRequire(import.meta.url);

/** The package's export `name`, or a refusing section when the package is not installed. */
function installedOr(key: 'mcp' | 'stream', spec: string, pkg: string, name: string, section: string): z.ZodType {
  const known = optionalSections[key];
  if (known) return known;
  let found: z.ZodType;
  try {
    // Synchronous on purpose: a top-level await here would keep the host from being bundled as
    // CommonJS (a Node single executable). Node ≥ 20.19 and Bun load ES modules with require.
    found = (requireHere(spec) as Record<string, z.ZodType>)[name] as z.ZodType;
  } catch (e) {
    const code = (e as { code?: unknown })?.code;
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((e as Error).message).includes(pkg);
    if (!missing) throw e;
    found = notInstalled(pkg, section);
  }
  optionalSections[key] = found;
  return found;
}

const mcpConfigSchema = z.lazy(() =>
  installedOr('mcp', '@scimgw/mcp/config', '@scimgw/mcp', 'mcpConfigSchema', 'scimgateway.mcp'),
) as unknown as typeof McpConfigSchema;
const streamConfigSchema = z.lazy(() =>
  installedOr('stream', '@scimgw/stream/config', '@scimgw/stream', 'streamConfigSchema', 'scimgateway.stream'),
) as unknown as typeof StreamConfigSchema;

const text = (doc: string) => z.string().nullish().describe(doc);
const cidrs = (doc: string) => z.array(z.string()).nullish().describe(doc);
const pfx = z.strictObject({ bundle: text('PKCS#12 file (certs folder or absolute)'), password: text('Its password') }).nullish();

/** `https://<namespace>/<hybrid-connection>` without query, fragment or credentials. */
function isRelayUrl(value: string | null | undefined): boolean {
  try {
    const u = new URL(value ?? '');
    return u.protocol === 'https:' && u.pathname.replace(/\/+$/, '') !== '' && !u.search && !u.hash && !u.username && !u.password;
  } catch {
    return false;
  }
}

/**
 * `scimgateway.azureRelay`: the older product's keys (`enabled`, `connectionUrl`, `apiKey`,
 * `keyRule`), and `token` for a SAS token made elsewhere. Checked here as a whole so a listener
 * that could never connect stops the start with the key named.
 */
const azureRelaySchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Listen through Azure Relay as well as on the port'),
    connectionUrl: text('https://<namespace>.servicebus.windows.net/<hybrid-connection>: the SCIM base URL clients use'),
    keyRule: text('Shared access policy name, e.g. RootManageSharedAccessKey (with apiKey)'),
    apiKey: text("That policy's primary or secondary key (encrypted at rest)"),
    token: text('A SAS token for the Hybrid Connection instead of keyRule + apiKey (encrypted at rest; not renewed)'),
  })
  .superRefine((r, ctx) => {
    if (!r.enabled) return;
    if (!isRelayUrl(r.connectionUrl))
      ctx.addIssue({
        code: 'custom',
        path: ['connectionUrl'],
        message: 'must be https://<namespace>.servicebus.windows.net/<hybrid-connection> (no query, fragment or credentials)',
      });
    const withKey = Boolean(r.apiKey) || Boolean(r.keyRule);
    if (withKey && !(r.apiKey && r.keyRule))
      ctx.addIssue({ code: 'custom', path: [r.apiKey ? 'keyRule' : 'apiKey'], message: 'keyRule and apiKey go together' });
    if (withKey && r.token)
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'give either token or keyRule + apiKey, not both' });
    if (!withKey && !r.token)
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: 'required: keyRule + apiKey (a shared access policy) or token' });
  });

/** Zod schema of the `scimgateway` section. */
export const gatewayConfigSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).describe('TCP port; each configuration file (instance) needs its own'),
  localhostonly: z.boolean().default(false).describe('Listen on 127.0.0.1 / ::1 only'),
  chainingBaseUrl: text('http(s)://host:port[/path] of the next gateway: SCIM requests are authorized here, then forwarded'),
  idleTimeout: z.number().int().min(1).default(120).describe('Seconds an idle keep-alive connection stays open'),
  payloadSize: sizeSetting('1mb', 'Largest request body: bytes, or a size like "500kb", "1mb"'),
  scim: z
    .strictObject({
      version: z.enum(['1.1', '2.0']).default('2.0').describe('Protocol on unversioned paths'),
      skipTypeConvert: z.boolean().default(false).describe('Accepted for compatibility'),
      skipMetaLocation: z.boolean().default(false).describe('Omit meta.location'),
      groupMemberOfUser: z.boolean().default(false).describe("Membership is changed through the user's groups"),
      usePutSoftSync: z.boolean().default(false).describe('PUT keeps attributes the body omits'),
      unknownAttributes: z
        .enum(['ignore', 'reject'])
        .default('ignore')
        .describe(
          'Attributes no served schema defines, in POST, PUT, PATCH and Bulk: ignore (left out, one warning per name) or reject (400)',
        ),
      groupPatchStatus: z
        .union([z.literal(200), z.literal(204)])
        .default(204)
        .describe('Status of a successful group PATCH'),
      defaultPageSize: z.number().int().min(1).default(100).describe('Page size when a client sends no count'),
      maxPageSize: z.number().int().min(1).default(1000).describe('Largest page (filter.maxResults)'),
      customSchemas: text('JSON file with custom schemas and extensions, relative to the configuration folder'),
    })
    .prefault({}),
  log: logConfigSchema.prefault({}),
  auth: authConfigSchema.prefault({}),
  certificate: z
    .strictObject({
      key: text('PEM private key file'),
      cert: text('PEM certificate file'),
      ca: z
        .union([z.string(), z.array(z.string())])
        .nullish()
        .describe('CA file, or a list of them'),
      pfx,
    })
    .nullish()
    .describe('TLS: HTTPS when set'),
  pfx: pfx.describe('PKCS#12 bundle instead of PEM files'),
  ipAllowList: cidrs('CIDRs allowed to connect; empty = all'),
  trustedProxies: cidrs('CIDRs of proxies whose X-Forwarded-For is believed'),
  rateLimit: z
    .union([
      z.boolean(),
      z.strictObject({
        maxFailures: z.number().int().min(1).optional().describe('Failed logins per window'),
        windowSeconds: z.number().int().min(1).optional().describe('Window length in seconds'),
        maxTracked: z.number().int().min(1).optional().describe('Client addresses tracked at most'),
      }),
    ])
    .nullish()
    .describe('Failed-login limit per client address; false turns it off'),
  email: emailConfigSchema.nullish(),
  mcp: mcpConfigSchema.prefault({}).describe('The MCP server: provisioning tools for AI agents'),
  metrics: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Serve GET /metrics (Prometheus text format), with the credentials /logger takes'),
      processMetrics: z.boolean().default(true).describe('Include Node.js process metrics: CPU, memory, event loop lag, GC'),
    })
    .prefault({})
    .describe('Prometheus metrics of requests, connector calls, the journal, the SCIM Stream and the process'),
  tracing: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('Make OpenTelemetry spans (the process registers the SDK and exporter) and pass W3C traceparent on'),
    })
    .prefault({})
    .describe('OpenTelemetry traces through @opentelemetry/api'),
  bulk: z
    .strictObject({
      maxOperations: z.number().int().min(0).default(1000).describe('Operations per Bulk request; 0 turns Bulk off'),
      maxPayloadSize: z.number().int().min(1).default(10_485_760).describe('Bytes per Bulk request'),
    })
    .prefault({}),
  recorder: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Write every SCIM request and its answer to `file`, for `scimgw replay`'),
      file: z
        .string()
        .min(1)
        .default('recordings/scim-traffic.jsonl')
        .describe('JSON Lines file, relative to the configuration folder; appended to, created with mode 0600'),
      pseudonymize: z
        .boolean()
        .default(true)
        .describe(
          'Replace every value that could name a person by a keyed pseudonym (false: values as sent, secrets still masked)',
        ),
      tenants: z
        .array(z.string())
        .default([])
        .describe('Record only the requests of these tenants (baseEntity; "undefined" for the default one); empty: all'),
      maxSize: sizeSetting('20mb', 'Recording stops (one warning) once the file would pass this size: bytes, or "500kb", "20mb"'),
    })
    .prefault({})
    .describe("Records an IdP's traffic, secrets masked and personal values pseudonymized, to replay elsewhere"),
  azureRelay: azureRelaySchema.nullish().describe('Azure Relay listener: also accept requests through a Hybrid Connection'),
  stream: streamConfigSchema.nullish(),
  kubernetes: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Accepted for compatibility'),
      shutdownTimeout: z.number().int().min(0).default(15).describe('Seconds to finish in-flight requests on SIGTERM'),
    })
    .nullish(),
});

/** Zod schema of a whole configuration file (the `endpoint` section is the connector's to check). */
export const configFileSchema = z.strictObject({
  $schema: z.string().optional().describe('The JSON Schema editors check this file against'),
  connector: z.string().min(1).optional().describe('Connector package, e.g. @scimgw/connector-loki'),
  scimgateway: gatewayConfigSchema,
  endpoint: z.record(z.string(), z.unknown()).default({}).describe("The connector's settings"),
});

/** The `scimgateway` section with defaults applied. */
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
