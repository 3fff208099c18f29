/**
 * What the MCP server needs from its host: a way to run one SCIM request as the session's caller.
 * The host runs it through its own request pipeline (authentication, read-only and tenant
 * decisions, the core handler, the request log), so a tool call is an ordinary SCIM request.
 */
import type { DryRunRecord } from './dry-run.js';

/** HTTP methods the tools use. */
export type ToolMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One SCIM request a tool makes. */
export interface ToolScimRequest {
  method: ToolMethod;
  /** Path and query below the session's tenant, e.g. `/Users/.search` or `/Users/2819c223?attributes=userName`. */
  path: string;
  /** JSON body (the host serializes it and hands the text to the core handler, as it does for HTTP). */
  body?: unknown;
  /**
   * Run it as a dry run: authorized and validated exactly like the real request, answered by a
   * handler whose connector writes nothing (see {@link createDryRun}); the host returns what it
   * recorded as `preview`.
   */
  dryRun?: boolean;
}

/** The answer to a {@link ToolScimRequest}: the core handler's response. */
export interface ToolScimResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  /** With `dryRun`: the writes the connector was asked for and did not do. */
  preview?: DryRunRecord[];
}

/** Facts about the tool call a SCIM request belongs to, for the host's log. */
export interface ToolCallInfo {
  /** The tool's name, e.g. `create_user`. */
  tool: string;
  /** One id per tool call; every SCIM request of the call carries it (log correlation). */
  requestId: string;
}

/**
 * Runs one SCIM request for the caller of an MCP session. Implemented by the host; never throws
 * for SCIM errors (they are responses), may throw for failures of the host itself.
 */
export type ScimCall = (request: ToolScimRequest, call: ToolCallInfo) => Promise<ToolScimResponse>;

/** The caller of one MCP session, as the host authenticated it. */
export interface McpSession {
  /** Runs the session's SCIM requests (bound to its credential and tenant by the host). */
  call: ScimCall;
  /** Principal name (user name, client id, token name): for logs and the rate limit, never a credential. */
  principal: string;
  /** Tenant (`baseEntity`) the session is bound to; `undefined` for the default tenant. */
  tenant?: string | undefined;
  /** `stdio` or `http`, for the log. */
  transport: 'stdio' | 'http';
}
