/**
 * MCP Streamable HTTP, stateless: every POST gets its own SDK server and transport (the MCP SDK's
 * stateless mode) and is answered with JSON. Nothing is kept between requests, so any replica
 * behind a load balancer answers any request, like the rest of the gateway. The host has read
 * the body (with its size limit) and authenticated the caller before this runs.
 */
import { parseJsonBody } from '@scimgw/core/handler';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpSession } from './call.js';
import type { McpService } from './service.js';

/** One HTTP request to the MCP endpoint, as the host read it. */
export interface McpHttpRequest {
  method: string;
  /** Request headers with lower-case names (node:http's bag). */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body text (POST). */
  body?: string | undefined;
}

/** The answer to write back. */
export interface McpHttpResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or absent (202). */
  body?: string;
}

/** Request headers the transport reads; nothing else is handed on. */
const FORWARDED = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-session-id', 'last-event-id'];

function rpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): McpHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }),
  };
}

/**
 * Whether a request's `Origin` may call: absent (non-browser clients send none) or listed. The MCP
 * specification asks servers to check it against DNS rebinding.
 */
export function originAllowed(origin: string | string[] | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  const value = Array.isArray(origin) ? origin[0] : origin;
  return value !== undefined && allowed.some((a) => a.toLowerCase() === value.toLowerCase());
}

/**
 * Answers one request to the MCP endpoint as `session`.
 *
 * @example
 * const out = await handleMcpHttp(mcp, { method: req.method, headers: req.headers, body: text }, session);
 * res.writeHead(out.status, out.headers).end(out.body);
 */
export async function handleMcpHttp(service: McpService, request: McpHttpRequest, session: McpSession): Promise<McpHttpResponse> {
  if (!originAllowed(request.headers.origin, service.config.allowedOrigins)) {
    return rpcError(403, -32000, 'Forbidden: this Origin is not allowed (scimgateway.mcp.allowedOrigins)');
  }
  // Stateless: no server-to-client stream (GET) and no session to end (DELETE).
  if (request.method.toUpperCase() !== 'POST') {
    return rpcError(405, -32000, 'Method not allowed: this MCP endpoint is stateless; use POST', { allow: 'POST' });
  }
  let parsed: unknown;
  try {
    parsed = parseJsonBody(request.body ?? '');
  } catch (e) {
    return rpcError(400, -32700, `Parse error: ${(e as Error).message}`);
  }
  if (parsed === undefined) return rpcError(400, -32700, 'Parse error: empty body');

  const headers = new Headers();
  for (const name of FORWARDED) {
    const v = request.headers[name];
    if (v !== undefined) headers.set(name, Array.isArray(v) ? v.join(', ') : v);
  }
  const server = await service.createServer(session);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  try {
    await server.connect(transport);
    const response = await transport.handleRequest(new Request('http://mcp.invalid/mcp', { method: 'POST', headers }), {
      parsedBody: parsed,
    });
    const text = await response.text();
    const out: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      out[key] = value;
    });
    return { status: response.status, headers: out, ...(text === '' ? {} : { body: text }) };
  } finally {
    await server.close();
  }
}
