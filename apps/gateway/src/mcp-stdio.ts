/**
 * `scimgw mcp --config FILE [--tenant NAME]`: the MCP server of one configuration over stdio, as a
 * desktop MCP client starts it. The instance is built as `start` builds it (same checks, same
 * authenticator, same core handler), without listening. The credential comes from the
 * environment and is checked like any other: its read-only flag and tenants apply to every tool
 * call. stdout carries the protocol, so the console log goes to stderr.
 */
import type { Readable, Writable } from 'node:stream';
import { serveMcpStdio } from '@scimgw/mcp';
import { authorizeRequest, passThroughJudges } from './authorize.js';
import { buildInstance } from './instance.js';
import { sessionCall } from './mcp.js';
import type { PreparedConfig } from './prepare.js';

/** Environment variable holding a bearer token (sent as `Authorization: Bearer <token>`). */
export const MCP_TOKEN_ENV = 'SCIMGW_MCP_TOKEN';
/** Environment variable holding a whole `Authorization` value (`Basic …`, `Bearer …`). */
export const MCP_AUTHORIZATION_ENV = 'SCIMGW_MCP_AUTHORIZATION';

/** The address a local stdio client counts as (for `ipAllowList` and the failed-login limit). */
const STDIO_ADDRESS = '127.0.0.1';

/** Options of {@link runMcpStdio}. */
export interface McpStdioOptions {
  /** Tenant (`baseEntity`) the session works in; default the default tenant. */
  tenant?: string | undefined;
  env: NodeJS.ProcessEnv;
  stdin?: Readable;
  stdout?: Writable;
  /** Where the console log goes. Default `process.stderr`. */
  stderr?: Writable;
  /** Problems before the session starts, for the user (stderr). */
  err: (line: string) => void;
  /** End the session on SIGTERM/SIGINT (the CLI does; tests do not). */
  handleSignals?: boolean;
}

/** The `Authorization` value from the environment, or undefined. */
export function mcpAuthorization(env: NodeJS.ProcessEnv): string | undefined {
  const whole = env[MCP_AUTHORIZATION_ENV]?.trim();
  if (whole) return whole;
  const token = env[MCP_TOKEN_ENV]?.trim();
  return token ? `Bearer ${token}` : undefined;
}

/**
 * Serves the MCP server of `cfg` over stdio until the client closes stdin. Resolves with the exit
 * code: 0 after a session, 1 or 2 when it cannot start (the reason is passed to `err`).
 */
export async function runMcpStdio(cfg: PreparedConfig, o: McpStdioOptions): Promise<number> {
  if (cfg.connector === null) {
    o.err(`scimgw mcp: ${cfg.file} has no connector (it only chains); run the MCP server on the gateway that owns the connector`);
    return 1;
  }
  if (o.tenant !== undefined && !cfg.tenants.includes(o.tenant)) {
    o.err(`scimgw mcp: tenant "${o.tenant}" is not configured in ${cfg.file} (endpoint.entity)`);
    return 2;
  }
  const authorization = mcpAuthorization(o.env);
  if (!authorization) {
    o.err(
      `scimgw mcp: set ${MCP_TOKEN_ENV} (a bearer token) or ${MCP_AUTHORIZATION_ENV} (a whole Authorization value) to a credential of scimgateway.auth; its readOnly and baseEntities apply to every tool call`,
    );
    return 2;
  }
  let parts: Awaited<ReturnType<typeof buildInstance>>;
  try {
    parts = await buildInstance(cfg, { withMcp: true, subscribe: false, stdout: o.stderr ?? process.stderr });
  } catch (e) {
    // The connector could not start: e.g. the embedded store is held by a running gateway.
    o.err(`scimgw mcp: cannot start: ${(e as Error).message}`);
    return 1;
  }
  const mcp = parts.mcp;
  const headers = { authorization };
  // Checked as the HTTP endpoint checks a connection: this credential, reading, in this tenant.
  const checked = await authorizeRequest(parts.deps.auth, {
    method: 'POST',
    special: { kind: 'mcp', ...(o.tenant === undefined ? {} : { tenant: o.tenant }) },
    tenant: o.tenant,
    headers,
    remoteAddress: STDIO_ADDRESS,
    judges: passThroughJudges(parts.deps.connector, undefined),
  });
  if (!checked.ok || !mcp) {
    // The detail never contains the credential.
    o.err(`scimgw mcp: the credential was refused: ${checked.ok ? 'no MCP server' : checked.error.detail}`);
    await parts.close();
    return 1;
  }
  const session = {
    call: sessionCall({ ...parts.deps, mcp }, { headers, remoteAddress: STDIO_ADDRESS, tenant: o.tenant }),
    principal: checked.principal.name,
    tenant: o.tenant,
    transport: 'stdio' as const,
  };
  let served: Awaited<ReturnType<typeof serveMcpStdio>>;
  try {
    served = await serveMcpStdio(mcp.service, session, {
      ...(o.stdin ? { stdin: o.stdin } : {}),
      ...(o.stdout ? { stdout: o.stdout } : {}),
      maxMessageBytes: parts.deps.payloadLimit,
    });
  } catch (e) {
    // The tools are built from the gateway's discovery documents before the session starts.
    o.err(`scimgw mcp: cannot start: ${(e as Error).message}`);
    await parts.close();
    return 1;
  }
  parts.setReady(true);
  parts.log.logger.info(
    { principal: session.principal, ...(o.tenant === undefined ? {} : { tenant: o.tenant }) },
    `${cfg.name}: MCP server on stdio`,
  );
  const stop = () => void served.close();
  if (o.handleSignals) {
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }
  await served.closed;
  if (o.handleSignals) {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  parts.setReady(false);
  await parts.close();
  return 0;
}
