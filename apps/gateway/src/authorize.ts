/**
 * Who is calling and what they may do: the gateway's own routes beside the SCIM ones, the access
 * each request needs, and the one step that authenticates and authorizes a request. HTTP requests
 * and the SCIM requests of MCP tool calls both go through {@link authorizeRequest}, so read-only
 * and tenant decisions are made in one place, for the access core's operation table assigns.
 */
import { type Access, accessFor, allowedMethods, type ScimRoute } from '@scimgw/core/handler';
import { checksPassThrough, type Connector, errors, type RequestContext } from '@scimgw/core';
import type { Authenticator, HeaderBag, Principal } from '@scimgw/auth';
import type { GatewayLogger } from '@scimgw/logger-stream';
import { API_OPERATIONS } from './api.js';
import { lazyConnectorLogger } from './connector-logger.js';

/** A non-SCIM route of the gateway, with the tenant it was addressed under. */
export type Special = { kind: 'logger' | 'token' | 'auth' | 'api' | 'pubapi' | 'mcp' | 'metrics'; tenant?: string; id?: string };

/** Paths that can be one of the routes {@link routeSpecial} knows (a cheap test before splitting). */
const MAYBE_SPECIAL = /\/(?:logger|auth|oauth|pub|api|mcp|metrics)(?:\/|$)/i;

function decodeSafe(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Recognizes the non-SCIM routes, with an optional leading tenant segment. */
export function routeSpecial(path: string): Special | undefined {
  if (!MAYBE_SPECIAL.test(path)) return undefined;
  const segs = path.split('/').filter(Boolean);
  const at = (i: number) => segs[i]?.toLowerCase();
  for (const offset of [0, 1]) {
    const tenant = offset === 1 ? decodeSafe(segs[0]) : undefined;
    if (offset === 1 && tenant === undefined) return undefined;
    const rest = segs.length - offset;
    const base = tenant === undefined ? {} : { tenant };
    if (rest === 1 && at(offset) === 'logger') return { kind: 'logger', ...base };
    // Metrics are the whole instance's: no tenant form.
    if (rest === 1 && offset === 0 && at(0) === 'metrics') return { kind: 'metrics' };
    if (rest === 1 && at(offset) === 'auth') return { kind: 'auth', ...base };
    if (rest === 1 && at(offset) === 'mcp') return { kind: 'mcp', ...base };
    if (rest === 2 && at(offset) === 'oauth' && at(offset + 1) === 'token') return { kind: 'token', ...base };
    if (rest === 2 && at(offset) === 'pub' && at(offset + 1) === 'api') return { kind: 'pubapi', ...base };
    if ((rest === 1 || rest === 2) && at(offset) === 'api') {
      const id = rest === 2 ? decodeSafe(segs[offset + 1]) : undefined;
      return { kind: 'api', ...base, ...(id === undefined ? {} : { id }) };
    }
  }
  return undefined;
}

/**
 * Whether a request reads or writes, from the route it is dispatched to: SCIM routes from core's
 * operation table (the handler dispatches from the same table), the gateway's own routes from theirs.
 * Connecting to `/mcp` only reads: each tool call's SCIM request is authorized for its own access.
 */
export function accessOf(special: Special | undefined, route: ScimRoute | undefined, method: string): Access {
  if (route) return accessFor(route, method);
  if (special?.kind === 'api') return API_OPERATIONS.get(method)?.access ?? 'write';
  if (special?.kind === 'mcp') return 'read';
  // /logger and /metrics only read (GET); /auth and /oauth/token are not authorized by access.
  return (special?.kind === 'logger' || special?.kind === 'metrics') && method === 'GET' ? 'read' : 'write';
}

/** What a read-only credential may send to this route (the `Allow` of its 405). */
function readMethods(special: Special | undefined, route: ScimRoute | undefined): string {
  if (!route)
    return special?.kind === 'api' || special?.kind === 'logger' || special?.kind === 'metrics'
      ? 'GET'
      : special?.kind === 'mcp'
        ? 'POST'
        : '';
  return allowedMethods(route)
    .filter((m) => accessFor(route, m) === 'read')
    .join(', ');
}

/**
 * What checks a credential the authenticator passed through (`auth.passThrough`): the connector,
 * on the tenants for which it declares `passThroughAuth` (it receives the credential with every
 * call there), and, on a chaining gateway, the next gateway (SCIM requests are forwarded with it).
 */
export interface PassThroughJudges {
  /** Whether the connector checks the passed-through credentials of a tenant. */
  connector: (tenant: string | undefined) => boolean;
  chaining: boolean;
}

/** The judges of an instance. */
export function passThroughJudges(connector: Connector, chainingBaseUrl: string | undefined): PassThroughJudges {
  return { connector: (tenant) => checksPassThrough(connector, tenant), chaining: chainingBaseUrl !== undefined };
}

/**
 * Whether a passed-through credential reaches a judge on this route of this tenant. SCIM routes:
 * the connector or the next gateway; the API-gateway routes and MCP: the connector (their SCIM
 * calls carry it). The gateway's own routes (`/logger`, `/metrics`, `/auth`) are served here, where
 * nothing checks it; so is a tenant whose backend is signed in to with an account of the gateway's.
 */
function judged(
  j: PassThroughJudges,
  special: Special | undefined,
  route: ScimRoute | undefined,
  tenant: string | undefined,
): boolean {
  if (route) return j.chaining || j.connector(tenant);
  return (special?.kind === 'api' || special?.kind === 'mcp') && j.connector(tenant);
}

/** One request to authorize. */
export interface AuthorizeRequest {
  method: string;
  special?: Special | undefined;
  route?: ScimRoute | undefined;
  tenant?: string | undefined;
  headers: HeaderBag;
  remoteAddress: string;
  /** Where a passed-through credential is checked (required: every caller decides). */
  judges: PassThroughJudges;
}

/** Outcome of {@link authorizeRequest}: the principal, or the SCIM error to answer with. */
export type Authorized =
  | { ok: true; principal: Principal; authorization?: string | undefined }
  | { ok: false; error: errors.ScimError };

/**
 * Authenticates the caller and authorizes the request (IP allow list, failed-login limit,
 * credential, read-only for the route's access, tenant) with the gateway's authenticator.
 * `GET /auth` only validates the credential.
 */
export async function authorizeRequest(auth: Authenticator, r: AuthorizeRequest): Promise<Authorized> {
  const authRequest = {
    method: r.method,
    access: accessOf(r.special, r.route, r.method),
    ...(r.tenant === undefined ? {} : { tenant: r.tenant }),
    headers: r.headers,
    remoteAddress: r.remoteAddress,
  };
  const result = r.special?.kind === 'auth' ? await auth.validate(authRequest) : await auth.authenticate(authRequest);
  if (result.ok && result.authorization !== undefined && !judged(r.judges, r.special, r.route, r.tenant)) {
    // A credential only a backend could judge, on a route that would serve it unchecked: not known here.
    const headers = auth.passThroughRefused(authRequest, 'nothing on this route checks a passed-through credential');
    return { ok: false, error: new errors.UnauthorizedError('Authentication failed', { headers }) };
  }
  if (result.ok) return result;
  const headers = result.status === 405 ? { ...result.headers, allow: readMethods(r.special, r.route) } : result.headers;
  return { ok: false, error: new errors.ScimError(result.status, result.detail, undefined, { headers }) };
}

/** What {@link requestContext} needs from the instance. */
export interface ContextDeps {
  connector: Connector;
  log: GatewayLogger;
  passThroughEnabled: boolean;
}

/** The connector's context for an authorized request. */
export function requestContext(
  d: ContextDeps,
  reqId: string,
  tenant: string | undefined,
  authorized: Extract<Authorized, { ok: true }>,
): RequestContext {
  return {
    requestId: reqId,
    tenant,
    principal: { name: authorized.principal.name, method: authorized.principal.method },
    ...(d.passThroughEnabled && authorized.authorization !== undefined && checksPassThrough(d.connector, tenant)
      ? { authorization: authorized.authorization }
      : {}),
    log: lazyConnectorLogger(() => d.log.forRequest({ reqId, ...(tenant === undefined ? {} : { tenant }) }), d.log.logger),
  };
}

/**
 * Whether the backend refused a credential the gateway passed through: a 401 answer, or a Bulk
 * answer with a 401 inside (each operation of a Bulk request is a try of the same credential).
 */
export function refusedByBackend(status: number, body: unknown): boolean {
  if (status === 401) return true;
  if (status !== 200 || typeof body !== 'object' || body === null) return false;
  const ops = (body as { Operations?: unknown }).Operations;
  return (
    Array.isArray(ops) &&
    ops.some((op) => typeof op === 'object' && op !== null && String((op as { status?: unknown }).status) === '401')
  );
}
