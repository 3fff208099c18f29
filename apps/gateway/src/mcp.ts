/**
 * The MCP server on a gateway instance. Each tool call's SCIM requests run through the same steps
 * as an HTTP request: {@link authorizeRequest} (read-only and tenant decided for the request's
 * access), the instance's core handler, one request log line with the principal. Dry runs use a
 * second handler, built with the same options on a connector that records writes instead of
 * doing them (`createDryRun` of @scimgw/mcp).
 */
import { type Connector, errors } from '@scimgw/core';
import {
  createScimHandler,
  errorResponse,
  routeScimPath,
  type ScimHandler,
  type ScimHandlerOptions,
  type ScimResponse,
} from '@scimgw/core/handler';
import type { Authenticator, HeaderBag } from '@scimgw/auth';
import type { GatewayLogger } from '@scimgw/logger-stream';
import {
  connectorSupports,
  createDryRun,
  createMcpService,
  type DryRun,
  handleMcpHttp,
  type McpConfig,
  type McpHttpRequest,
  type McpHttpResponse,
  type McpService,
  type ScimCall,
} from '@scimgw/mcp';
import { authorizeRequest, passThroughJudges, refusedByBackend, requestContext } from './authorize.js';
import { connectorLogger } from './connector-logger.js';

/** The MCP parts of an instance. */
export interface McpHost {
  service: McpService;
  /** The core handler dry runs go to. */
  preview: ScimHandler;
  dryRun: DryRun;
  /**
   * Answers one MCP request over HTTP for an authenticated principal. A method of the host, so the
   * pipeline needs no import of @scimgw/mcp: an instance without MCP never loads it (memory).
   */
  http(d: SessionDeps, request: McpHttpRequest, identity: SessionIdentity, principal: string): Promise<McpHttpResponse>;
}

/** Options of {@link createMcpHost}. */
export interface McpHostOptions {
  config: McpConfig;
  connector: Connector;
  /** The options the instance's real handler was created with. */
  scimOptions: ScimHandlerOptions;
  /** The schemas the real handler serves. */
  registry: ScimHandler['registry'];
  log: GatewayLogger;
  /** Largest tool-call arguments (the instance's `payloadSize`). */
  maxArgumentBytes: number;
  version?: string;
}

/** Builds the MCP service of an instance and its dry-run handler. */
export function createMcpHost(o: McpHostOptions): McpHost {
  const dryRun = createDryRun(o.connector, o.registry);
  const preview = createScimHandler({ ...o.scimOptions, connector: dryRun.connector });
  const service = createMcpService({
    config: o.config,
    log: connectorLogger(o.log.logger.child({ component: 'mcp' })),
    supports: connectorSupports(o.connector),
    maxArgumentBytes: o.maxArgumentBytes,
    ...(o.version ? { version: o.version } : {}),
  });
  return {
    service,
    preview,
    dryRun,
    http: (d, request, identity, principal) =>
      handleMcpHttp(service, request, {
        call: sessionCall(d, identity),
        principal,
        tenant: identity.tenant,
        transport: 'http',
      }),
  };
}

/** What {@link sessionCall} needs from the instance. */
export interface SessionDeps {
  scim: ScimHandler;
  connector: Connector;
  auth: Authenticator;
  log: GatewayLogger;
  passThroughEnabled: boolean;
  mcp: McpHost;
}

/** The caller of an MCP session: the credential it presented, from where, for which tenant. */
export interface SessionIdentity {
  /** Headers carrying the credential (`authorization`), as the MCP request brought them. */
  headers: HeaderBag;
  remoteAddress: string;
  tenant?: string | undefined;
  /** Scheme and authority for `meta.location`; none over stdio. */
  origin?: string | undefined;
}

/**
 * The SCIM requests of one MCP session. Every request is authorized on its own (the credential is
 * checked again, the read-only rule applied to this request's access, the tenant to this tenant),
 * handled by the instance's core handler, and logged with its principal.
 */
export function sessionCall(d: SessionDeps, identity: SessionIdentity): ScimCall {
  const tenant = identity.tenant;
  // SCIM 2.0 whatever `scim.version` serves on unversioned paths: the tools read 2.0 documents.
  const prefix = `${tenant === undefined ? '' : `/${encodeURIComponent(tenant)}`}/scim/v2`;
  return async (request, info) => {
    const started = performance.now();
    const url = `${prefix}${request.path}`;
    const path = url.split('?')[0] ?? url;
    const route = routeScimPath(url);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    let principal: string | undefined;
    let out: ScimResponse;
    if (!route) {
      // Tools only build paths the router serves; this would be a bug, answered as HTTP would.
      out = errorResponse(new errors.NotFoundError(`No SCIM endpoint at ${path}`));
    } else {
      const authorized = await authorizeRequest(d.auth, {
        method: request.method,
        route,
        tenant,
        headers: identity.headers,
        remoteAddress: identity.remoteAddress,
        // MCP's SCIM calls run on this instance's connector, never forwarded.
        judges: passThroughJudges(d.connector, undefined),
      });
      if (!authorized.ok) {
        out = errorResponse(authorized.error);
      } else {
        principal = authorized.principal.name;
        out = await (request.dryRun ? d.mcp.preview : d.scim).handle({
          method: request.method,
          url,
          route,
          headers: {},
          body,
          ...(identity.origin === undefined ? {} : { origin: identity.origin }),
          context: requestContext(d, info.requestId, tenant, authorized),
        });
        // A credential passed through that the backend refused counts as a failed login, as over HTTP.
        if (authorized.authorization !== undefined && refusedByBackend(out.status, out.body))
          d.auth.passThroughRefused({ headers: identity.headers, remoteAddress: identity.remoteAddress });
      }
    }
    d.log.logRequest({
      reqId: info.requestId,
      method: request.dryRun ? `${request.method} (dry run)` : request.method,
      path,
      ...(tenant === undefined ? {} : { tenant }),
      status: out.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(body === undefined ? {} : { requestBody: body }),
      ...(out.body === undefined ? {} : { responseBody: out.body }),
      ...(principal === undefined ? {} : { principal }),
    });
    if (out.status >= 500)
      d.log.logger.error({ reqId: info.requestId, tenant, status: out.status, err: out.body }, 'request failed');
    return request.dryRun ? { ...out, preview: d.mcp.dryRun.take(info.requestId) } : out;
  };
}
