/**
 * The shape of a configuration file, declared once with zod: the `scimgateway` section (the older
 * scimgateway product's shape, so its files migrate), composed of the sections other packages own
 * (`auth` from @scimgw/auth, `log` and `email` from @scimgw/logger-stream, `mcp` from @scimgw/mcp,
 * `stream` from @scimgw/stream). The `endpoint` section belongs to the connector and is checked by
 * the connector's own `configSchema`.
 */
import { authConfigSchema } from '@scimgw/auth';
import { z } from '@scimgw/config';
import { emailConfigSchema, logConfigSchema } from '@scimgw/logger-stream';
import { mcpConfigSchema } from '@scimgw/mcp/config';
import { streamConfigSchema } from '@scimgw/stream/config';

const text = (doc: string) => z.string().nullish().describe(doc);
const cidrs = (doc: string) => z.array(z.string()).nullish().describe(doc);
const pfx = z.strictObject({ bundle: text('PKCS#12 file (certs folder or absolute)'), password: text('Its password') }).nullish();

/** Zod schema of the `scimgateway` section. */
export const gatewayConfigSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).describe('TCP port; each configuration file (instance) needs its own'),
  localhostonly: z.boolean().default(false).describe('Listen on 127.0.0.1 / ::1 only'),
  chainingBaseUrl: text('http(s)://host:port[/path] of the next gateway: SCIM requests are authorized here, then forwarded'),
  idleTimeout: z.number().int().min(1).default(120).describe('Seconds an idle keep-alive connection stays open'),
  payloadSize: z
    .union([z.number().int().min(1), z.string()])
    .default('1mb')
    .describe('Largest request body: bytes, or a size like "500kb", "1mb"'),
  scim: z
    .strictObject({
      version: z.enum(['1.1', '2.0']).default('2.0').describe('Protocol on unversioned paths'),
      skipTypeConvert: z.boolean().default(false).describe('Accepted for compatibility'),
      skipMetaLocation: z.boolean().default(false).describe('Omit meta.location'),
      groupMemberOfUser: z.boolean().default(false).describe("Membership is changed through the user's groups"),
      usePutSoftSync: z.boolean().default(false).describe('PUT keeps attributes the body omits'),
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
  bulk: z
    .strictObject({
      maxOperations: z.number().int().min(0).default(1000).describe('Operations per Bulk request; 0 turns Bulk off'),
      maxPayloadSize: z.number().int().min(1).default(10_485_760).describe('Bytes per Bulk request'),
    })
    .prefault({}),
  azureRelay: z
    .looseObject({ enabled: z.boolean().default(false) })
    .nullish()
    .describe('Azure Relay listener (accepted for migration)'),
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
