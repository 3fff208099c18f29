/**
 * The request pipeline of one gateway instance, on plain node:http objects:
 * probes → tenant → authentication → body → core handler → response → one log
 * line. Express only mounts this as its single catch-all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  type Access,
  accessFor,
  allowedMethods,
  routeScimPath,
  SCIM_CONTENT_TYPE,
  type ScimRoute,
  type ScimHandler,
} from '@scimgw/core/handler';
import { type Connector, errors } from '@scimgw/core';
import type { PublicRoute } from '@scimgw/core/host';
import type { Authenticator } from '@scimgw/auth';
import type { GatewayLogger } from '@scimgw/logger-stream';
import { readBody, requestOrigin, sendJson } from '@scimgw/server';
import { API_OPERATIONS, handleApi } from './api.js';
import { forwardRequest } from './chain.js';
import { lazyConnectorLogger } from './connector-logger.js';
import { PROBE_PATHS, probe } from './probes.js';

/** What the pipeline needs from its instance. */
export interface PipelineDeps {
  scim: ScimHandler;
  connector: Connector;
  auth: Authenticator;
  log: GatewayLogger;
  /** Tenants configured under `endpoint.entity`. */
  tenants: ReadonlySet<string>;
  scimVersion: '1.1' | '2.0';
  payloadLimit: number;
  bulkPayloadLimit: number;
  passThroughEnabled: boolean;
  trustForwarded: boolean;
  encrypted: boolean;
  isReady: () => boolean;
  /** More of the instance's state for `/readyz` (the SCIM Stream's connections and lag). */
  readiness?: () => Record<string, unknown>;
  /** Unauthenticated documents the connector asked to serve (federated-credential JWKS …), by path. */
  publicRoutes: ReadonlyMap<string, PublicRoute>;
  /** `scimgateway.chainingBaseUrl`: SCIM requests go on to this gateway once authorized here. */
  chainingBaseUrl?: string | undefined;
}

type Special = { kind: 'logger' | 'token' | 'auth' | 'api' | 'pubapi'; tenant?: string; id?: string };

/** Paths that can be one of the routes {@link routeSpecial} knows (a cheap test before splitting). */
const MAYBE_SPECIAL = /\/(?:logger|auth|oauth|pub|api)(?:\/|$)/i;

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
    if (rest === 1 && at(offset) === 'auth') return { kind: 'auth', ...base };
    if (rest === 2 && at(offset) === 'oauth' && at(offset + 1) === 'token') return { kind: 'token', ...base };
    if (rest === 2 && at(offset) === 'pub' && at(offset + 1) === 'api') return { kind: 'pubapi', ...base };
    if ((rest === 1 || rest === 2) && at(offset) === 'api') {
      const id = rest === 2 ? decodeSafe(segs[offset + 1]) : undefined;
      return { kind: 'api', ...base, ...(id === undefined ? {} : { id }) };
    }
  }
  return undefined;
}

function decodeSafe(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Whether a request reads or writes, from the route it is dispatched to: SCIM routes from core's
 * operation table (the handler dispatches from the same table), the gateway's own routes from theirs.
 */
export function accessOf(special: Special | undefined, route: ScimRoute | undefined, method: string): Access {
  if (route) return accessFor(route, method);
  if (special?.kind === 'api') return API_OPERATIONS.get(method)?.access ?? 'write';
  // /logger only reads (GET); /auth and /oauth/token are not authorized by access.
  return special?.kind === 'logger' && method === 'GET' ? 'read' : 'write';
}

/** What a read-only credential may send to this route (the `Allow` of its 405). */
function readMethods(special: Special | undefined, route: ScimRoute | undefined): string {
  if (!route) return special?.kind === 'api' || special?.kind === 'logger' ? 'GET' : '';
  return allowedMethods(route)
    .filter((m) => accessFor(route, m) === 'read')
    .join(', ');
}

/** Builds the node:http request listener for one instance. */
export function createPipeline(d: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const scimError = (res: ServerResponse, err: errors.ScimError, version: '1.1' | '2.0', extra: Record<string, string> = {}) => {
    sendJson(res, err.status, { 'content-type': SCIM_CONTENT_TYPE, ...err.headers, ...extra }, errors.errorBody(err, version));
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (PROBE_PATHS.has(path)) {
      const p = probe(path, d.isReady(), path === '/readyz' ? d.readiness?.() : undefined);
      res.writeHead(p.status, { 'content-type': p.type, 'content-length': String(Buffer.byteLength(p.body)) });
      res.end(p.body);
      return;
    }
    if (req.method === 'GET' && d.publicRoutes.size > 0) {
      const route = d.publicRoutes.get(path);
      if (route) {
        Promise.resolve()
          .then(() => route.document())
          .then(
            (doc) => sendJson(res, 200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }, doc),
            () => sendJson(res, 503, { 'content-type': 'application/json' }, { error: 'unavailable' }),
          );
        return;
      }
    }
    const started = performance.now();
    const incomingId = req.headers['x-request-id'];
    const reqId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    // Every answer carries the request id. It goes into the header object handed to writeHead
    // (see `send`), not through res.setHeader: a header set beforehand makes Node merge the object
    // into its header map key by key instead of formatting it directly.
    const idHeader = { 'x-request-id': reqId };
    const send = (status: number, headers: Record<string, string>, body?: unknown) =>
      sendJson(res, status, { ...headers, ...idHeader }, body);
    const method = (req.method ?? 'GET').toUpperCase();
    const special = routeSpecial(path);
    const route = special ? undefined : routeScimPath(path);
    const tenant = special?.tenant ?? route?.tenant;
    const version = route?.version ?? d.scimVersion;
    let requestBody: unknown;
    let responseBody: unknown;
    let principal: string | undefined;

    // One log line per request, written once the response has been handed to the socket (run()
    // settles after its last write), not from a 'finish' listener: no closure to register per request.
    const logLine = () => {
      if (special?.kind === 'logger') return;
      d.log.logRequest({
        reqId,
        method,
        path,
        ...(tenant === undefined ? {} : { tenant }),
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(requestBody === undefined ? {} : { requestBody }),
        ...(responseBody === undefined ? {} : { responseBody }),
        ...(principal === undefined ? {} : { principal }),
      });
    };

    const run = async () => {
      if (special?.kind === 'pubapi') {
        const r = await handleApi(d.connector, { kind: 'pubapi', method, url, tenant, body: undefined, reqId });
        responseBody = r.body;
        return send(r.status, r.headers, r.body);
      }
      // A chaining gateway leaves tenants to the gateway that owns them.
      const chained = d.chainingBaseUrl !== undefined && route !== undefined;
      if (tenant !== undefined && !chained && !d.tenants.has(tenant))
        throw new errors.NotFoundError(`Unknown tenant "${tenant}"`);
      if (!special && !route) throw new errors.NotFoundError(`No endpoint at ${path}`);
      const remoteAddress = req.socket.remoteAddress ?? '';
      if (special?.kind === 'token') {
        if (method !== 'POST') throw new errors.MethodNotAllowedError('Use POST for /oauth/token');
        const body = await readBody(req, d.payloadLimit);
        const r = await d.auth.tokenEndpoint({ headers: req.headers, body, remoteAddress });
        return send(r.status, r.headers, r.body);
      }
      const authRequest = {
        method,
        access: accessOf(special, route, method),
        ...(tenant === undefined ? {} : { tenant }),
        headers: req.headers,
        remoteAddress,
      };
      // GET /auth validates a credential without side effects (no method check).
      const authResult = special?.kind === 'auth' ? await d.auth.validate(authRequest) : await d.auth.authenticate(authRequest);
      if (!authResult.ok) {
        const err = new errors.ScimError(authResult.status, authResult.detail, undefined, {
          headers: authResult.status === 405 ? { ...authResult.headers, allow: readMethods(special, route) } : authResult.headers,
        });
        responseBody = errors.errorBody(err, version);
        return scimError(res, err, version, idHeader);
      }
      principal = authResult.principal.name;
      const ctx = {
        requestId: reqId,
        tenant,
        principal: { name: authResult.principal.name, method: authResult.principal.method },
        ...(d.passThroughEnabled && d.connector.passThroughAuth && authResult.authorization
          ? { authorization: authResult.authorization }
          : {}),
        log: lazyConnectorLogger(() => d.log.forRequest({ reqId, ...(tenant === undefined ? {} : { tenant }) }), d.log.logger),
      };
      if (special?.kind === 'auth') {
        if (method !== 'GET') throw new errors.MethodNotAllowedError('Use GET for /auth');
        responseBody = { authenticated: true, method: authResult.principal.method, readOnly: authResult.principal.readOnly };
        return send(200, { 'content-type': 'application/json' }, responseBody);
      }
      if (special?.kind === 'logger') {
        if (method !== 'GET') throw new errors.MethodNotAllowedError('Use GET for /logger');
        // Tenant scoping is enforced by authenticate(): a credential limited to some tenants gets
        // 403 on the tenant-less /logger, and only its own tenant's lines on /<baseEntity>/logger.
        res.setHeader('x-request-id', reqId);
        return d.log.stream.handle(req, res, tenant === undefined ? {} : { tenant });
      }
      const limit = route?.endpoint === 'Bulk' ? d.bulkPayloadLimit : d.payloadLimit;
      const text = method === 'GET' || method === 'DELETE' || method === 'HEAD' ? undefined : await readBody(req, limit);
      if (text) requestBody = text;
      if (chained) {
        return forwardRequest(
          d.chainingBaseUrl!,
          {
            method,
            url,
            headers: req.headers,
            body: text,
            requestId: reqId,
            clientAddress: remoteAddress,
            origin: requestOrigin(req.headers, d.encrypted, d.trustForwarded),
          },
          res,
          idHeader,
        );
      }
      if (special?.kind === 'api') {
        const r = await handleApi(d.connector, { kind: 'api', method, url, tenant, id: special.id, body: text, reqId, ctx });
        responseBody = r.body;
        return send(r.status, r.headers, r.body);
      }
      const out = await d.scim.handle({
        method,
        url,
        route,
        headers: req.headers,
        body: text,
        origin: requestOrigin(req.headers, d.encrypted, d.trustForwarded),
        context: ctx,
      });
      responseBody = out.body;
      if (out.status >= 500) d.log.logger.error({ reqId, tenant, status: out.status, err: out.body }, 'request failed');
      send(out.status, out.headers, out.body);
    };

    run()
      .then(logLine, (e: unknown) => {
        const err = errors.toScimError(e);
        if (!errors.isScimError(e) || err.status >= 500)
          d.log.logger.error({ reqId, tenant, err: e instanceof Error ? e.message : String(e) }, 'request failed');
        responseBody = errors.errorBody(err, version);
        if (!res.headersSent) scimError(res, err, version, idHeader);
        else res.destroy();
        logLine();
      })
      // A failing log sink must never take the process down.
      .catch(() => {});
  };
}
