/**
 * The MCP service of one gateway instance: the generated tools (per tenant), the rate limit, the
 * audit line of every tool call, and an MCP SDK `Server` per session.
 */
import { randomUUID } from 'node:crypto';
import { formatConfigPath } from '@scimgw/config';
import type { Logger } from '@scimgw/core';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { McpSession } from './call.js';
import { defaultMcpConfig, type McpConfig } from './config.js';
import { discover } from './discovery.js';
import { failure, type ToolOutcome } from './outcome.js';
import { CallLimiter } from './rate-limit.js';
import { redactArguments } from './redact.js';
import type { ToolDefinition } from './tool.js';
import { buildToolSet, type ToolSet, type ToolSetOptions } from './toolset.js';

/** Options of {@link createMcpService}. */
export interface McpServiceOptions {
  /** The `mcp` section, parsed (defaults when absent). */
  config?: McpConfig | undefined;
  /** Gets one info line per tool call (principal, tool, outcome) and the redacted arguments at debug. */
  log: Logger;
  /** `serverInfo.name` clients show. Default `scimgw`. */
  name?: string;
  /** `serverInfo.version`. Default this package's version. */
  version?: string;
  /** Which connector operations exist per resource type (tools for missing ones are not listed). */
  supports?: ToolSetOptions['supports'];
  /** Largest tool-call arguments, as JSON bytes. Default 1 MiB. */
  maxArgumentBytes?: number;
  /** Clock in epoch milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

/** The MCP service of one gateway instance. */
export interface McpService {
  /** The `mcp` section in effect. */
  readonly config: McpConfig;
  /** The tools a session gets (built once per tenant from the discovery documents, then kept). */
  toolSet(session: McpSession): Promise<ToolSet>;
  /** An MCP SDK server for one session; connect it to a transport. */
  createServer(session: McpSession): Promise<Server>;
  /** Runs one tool call as `session` (what the server's `tools/call` handler does). */
  callTool(session: McpSession, name: string, args: unknown): Promise<CallToolResult>;
}

declare const __SCIMGW_MCP_VERSION__: string;
/** This package's version (injected at build time). */
export const MCP_VERSION: string = typeof __SCIMGW_MCP_VERSION__ === 'string' ? __SCIMGW_MCP_VERSION__ : '0.0.0';

const DEFAULT_MAX_ARGUMENT_BYTES = 1024 * 1024;

/** The elicitation validator the SDK wants; these servers never elicit, so one refusing validator is shared. */
const NO_ELICITATION: jsonSchemaValidator = {
  getValidator: () => () => ({ valid: false, data: undefined, errorMessage: 'this server does not elicit input' }),
};

/** A tool as `tools/list` lists it. */
function listed(t: ToolDefinition): Tool {
  const { $schema: _s, ...inputSchema } = t.input.jsonSchema;
  return {
    name: t.name,
    title: t.annotations.title,
    description: t.description,
    inputSchema: inputSchema as Tool['inputSchema'],
    annotations: { ...t.annotations },
  };
}

function result(outcome: ToolOutcome): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(outcome.structured) }],
    structuredContent: outcome.structured,
    ...(outcome.isError ? { isError: true } : {}),
  };
}

/**
 * Creates the MCP service of a gateway instance. The host authenticates each session and hands
 * in a {@link McpSession} whose `call` runs SCIM requests through its own pipeline.
 *
 * @example
 * const mcp = createMcpService({ config, log });
 * const server = await mcp.createServer({ call, principal: 'gwadmin', transport: 'stdio' });
 * await server.connect(new StdioServerTransport());
 */
export function createMcpService(options: McpServiceOptions): McpService {
  const config = options.config ?? defaultMcpConfig();
  const now = options.now ?? Date.now;
  const log = options.log;
  const maxBytes = options.maxArgumentBytes ?? DEFAULT_MAX_ARGUMENT_BYTES;
  const limiter = config.rateLimit === false ? undefined : new CallLimiter(config.rateLimit, now);
  const sets = new Map<string, Promise<ToolSet>>();

  function toolSet(session: McpSession): Promise<ToolSet> {
    const key = session.tenant ?? '';
    let set = sets.get(key);
    if (!set) {
      set = discover(session.call, randomUUID()).then((d) =>
        buildToolSet(d, { destructiveTools: config.destructiveTools, pageSize: config.pageSize, supports: options.supports }),
      );
      // A failed discovery (backend down, say) is tried again by the next session.
      set.catch(() => sets.delete(key));
      sets.set(key, set);
    }
    return set;
  }

  async function run(session: McpSession, tool: ToolDefinition, args: unknown, requestId: string): Promise<ToolOutcome> {
    const verdict = limiter?.take(session.principal);
    if (verdict && !verdict.allowed) {
      const { maxCalls, windowSeconds } = config.rateLimit as { maxCalls: number; windowSeconds: number };
      return failure(
        `rate limit: at most ${maxCalls} tool calls in ${windowSeconds} s; try again in ${verdict.retryAfterSeconds} s`,
        {
          status: 429,
          retryAfterSeconds: verdict.retryAfterSeconds,
        },
      );
    }
    const size = Buffer.byteLength(JSON.stringify(args ?? {}));
    if (size > maxBytes) return failure(`arguments too large: ${size} bytes, at most ${maxBytes}`, { status: 413 });
    const checked = tool.input.validate(args ?? {});
    if (!checked.ok) {
      const problems = checked.issues.map((i) => `${formatConfigPath(i.path) || '(arguments)'}: ${i.message}`);
      return failure(`invalid arguments for ${tool.name}: ${problems.join('; ')}`, { status: 400, problems });
    }
    return tool.run(checked.value, {
      scim: (request) => session.call(request, { tool: tool.name, requestId }),
      pageSize: config.pageSize,
    });
  }

  async function callTool(session: McpSession, name: string, args: unknown): Promise<CallToolResult> {
    const started = now();
    const set = await toolSet(session);
    const tool = set.byName.get(name);
    if (!tool) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${name}"; this server has ${[...set.byName.keys()].join(', ')}`);
    }
    const requestId = randomUUID();
    let outcome: ToolOutcome;
    try {
      outcome = await run(session, tool, args, requestId);
    } catch (e) {
      log.error('mcp: tool failed', { reqId: requestId, tool: name, principal: session.principal, err: (e as Error).message });
      outcome = failure(`the gateway could not run ${name} (request ${requestId})`, { status: 500 });
    }
    const status = outcome.structured.status;
    const line = {
      reqId: requestId,
      tool: name,
      principal: session.principal,
      ...(session.tenant === undefined ? {} : { tenant: session.tenant }),
      transport: session.transport,
      dryRun: (args as { dryRun?: unknown } | undefined)?.dryRun === true,
      outcome: outcome.isError ? 'error' : 'ok',
      ...(typeof status === 'number' ? { status } : {}),
      durationMs: Math.round((now() - started) * 100) / 100,
    };
    log.info('mcp tool call', line);
    if (log.isLevelEnabled?.('debug') ?? true) {
      log.debug('mcp tool arguments', { reqId: requestId, tool: name, arguments: redactArguments(args, set.writeOnly) });
    }
    return result(outcome);
  }

  async function createServer(session: McpSession): Promise<Server> {
    const set = await toolSet(session);
    const server = new Server(
      { name: options.name ?? 'scimgw', version: options.version ?? MCP_VERSION, title: 'scimgw SCIM provisioning gateway' },
      { capabilities: { tools: { listChanged: false } }, instructions: set.instructions, jsonSchemaValidator: NO_ELICITATION },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: set.tools.map(listed) }));
    server.setRequestHandler(CallToolRequestSchema, async (request) =>
      callTool(session, request.params.name, request.params.arguments ?? {}),
    );
    return server;
  }

  return { config, toolSet, createServer, callTool };
}
