/**
 * A minimal host for the package's tests: the embedded store (connector-loki, in memory) behind
 * the core handler, and a dry-run handler beside it, with no authentication (the gateway's tests
 * cover that). Every SCIM request a tool makes is recorded.
 */
import { createLokiConnector } from '@scimgw/connector-loki';
import { type Logger, SchemaRegistry } from '@scimgw/core';
import { createScimHandler, parseSchemaDocument } from '@scimgw/core/handler';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpSession, ScimCall, ToolScimRequest } from '../src/call.js';
import { createDryRun } from '../src/dry-run.js';
import { createMcpService, type McpService, type McpServiceOptions } from '../src/service.js';
import { mcpConfigSchema } from '../src/config.js';
import { connectorSupports } from '../src/toolset.js';

export const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

/** A custom extension with a custom attribute and agent hints, as a configuration would add it. */
export function customRegistry(): SchemaRegistry {
  const doc = parseSchemaDocument({
    schemas: [
      {
        id: ACME,
        name: 'AcmeUser',
        description: 'Acme employee data',
        attributes: [
          { name: 'badgeNumber', type: 'integer', description: 'Number printed on the badge', required: false },
          { name: 'costCenter', canonicalValues: ['R&D', 'Sales'] },
          { name: 'pin', returned: 'never', mutability: 'writeOnly' },
        ],
      },
    ],
    extensions: { User: [ACME] },
  });
  // Vendor keys as the mapper publishes them (parseSchemaDocument keeps only the standard ones).
  const schema = doc.schemas[0] as (typeof doc.schemas)[number] & Record<string, unknown>;
  schema['x-agent-schema'] = { instructions: 'Badge numbers come from the security desk' };
  (schema.attributes[0] as unknown as Record<string, unknown>)['x-agent-schema'] = { examples: [4711], format: 'digits only' };
  return new SchemaRegistry().extend(doc);
}

/** One log line the test logger got. */
export interface Line {
  level: string;
  msg: string;
  data?: Record<string, unknown>;
}

export interface TestHost {
  service: McpService;
  session: McpSession;
  /** SCIM requests the tools made, in order. */
  requests: ToolScimRequest[];
  lines: Line[];
  /** Calls the real handler directly (to look at the store without the tools). */
  scim: (method: string, url: string, body?: unknown) => Promise<{ status: number; body?: any }>;
  /** Everything in the store, for before/after comparisons. */
  snapshot: () => Promise<unknown>;
  client: () => Promise<Client>;
}

export async function testHost(
  opts: {
    registry?: SchemaRegistry;
    config?: Record<string, unknown>;
    service?: Partial<McpServiceOptions>;
    principal?: string;
  } = {},
): Promise<TestHost> {
  const registry = opts.registry ?? new SchemaRegistry();
  const connector = createLokiConnector({ persistence: false, registry });
  const served = connector.registry ?? registry;
  const scim = createScimHandler({ connector, registry: served, pagination: { defaultPageSize: 100, maxPageSize: 200 } });
  const dry = createDryRun(connector, served);
  const preview = createScimHandler({
    connector: dry.connector,
    registry: served,
    pagination: { defaultPageSize: 100, maxPageSize: 200 },
  });
  const requests: ToolScimRequest[] = [];
  const call: ScimCall = async (req, info) => {
    requests.push(req);
    const res = await (req.dryRun ? preview : scim).handle({
      method: req.method,
      url: req.path,
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      context: { requestId: info.requestId },
    });
    return req.dryRun ? { ...res, preview: dry.take(info.requestId) } : res;
  };
  const lines: Line[] = [];
  const line = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(data ? { data } : {}) });
  };
  const log: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  const service = createMcpService({
    config: mcpConfigSchema.parse(opts.config ?? {}),
    log,
    supports: connectorSupports(connector),
    ...opts.service,
  });
  const session: McpSession = { call, principal: opts.principal ?? 'tester', transport: 'stdio' };
  const direct = async (method: string, url: string, body?: unknown) => {
    const r = await scim.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: r.status, body: r.body as any };
  };
  return {
    service,
    session,
    requests,
    lines,
    scim: direct,
    snapshot: async () => [(await direct('GET', '/Users?count=1000')).body, (await direct('GET', '/Groups?count=1000')).body],
    client: async () => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const server = await service.createServer(session);
      await server.connect(serverSide);
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(clientSide);
      return client;
    },
  };
}

/** The JSON a tool answered (its structured content). */
export function structured(result: unknown): any {
  return (result as { structuredContent?: unknown }).structuredContent;
}
