/**
 * The request pipeline of one gateway instance, on plain node:http objects:
 * probes → tenant → authentication → body → core handler → response → one log
 * line. Express only mounts this as its single catch-all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { routeScimPath, SCIM_CONTENT_TYPE, type ScimHandler } from '@scimgw/core/handler';
import { type Connector, errors } from '@scimgw/core';
import type { PublicRoute } from '@scimgw/core/host';
import type { Authenticator } from '@scimgw/auth';
import type { GatewayLogger } from '@scimgw/logger-stream';
import { answerProbe, browserRefusal, endClientGone, readBody, requestHost, requestOrigin, sendJson } from '@scimgw/server';
import { handleApi } from './api.js';
import { accessOf, authorizeRequest, passThroughJudges, refusedByBackend, requestContext, routeSpecial } from './authorize.js';
import { cancelOnDisconnect } from './cancel.js';
import { forwardRequest } from '@scimgw/chain';
import type { McpHost } from './mcp.js';
import type { Recorder } from './recorder/recorder.js';
import { observeRequest, type PipelineTelemetry } from './telemetry/request.js';

export { accessOf, routeSpecial } from './authorize.js';
export type { Special } from './authorize.js';

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
  /** The MCP server at `/mcp` (`scimgateway.mcp.enabled`); without it `/mcp` is not a route. */
  mcp?: McpHost | undefined;
  /** Metrics (`/metrics`) and traces of the instance; without it nothing is measured. */
  telemetry?: PipelineTelemetry | undefined;
  /** `scimgateway.recorder`: authenticated SCIM requests and their answers, recorded (never on a chaining gateway). */
  recorder?: Recorder | undefined;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * A request listener of one instance. `mountPath` is the path a host mounted the gateway at and
 * already removed from `req.url` (express's `req.baseUrl`, see express.ts); `meta.location`
 * includes it. The gateway's own node:http server passes none.
 */
export type PipelineListener = (req: IncomingMessage, res: ServerResponse, mountPath?: string) => void;

/** Builds the node:http request listener for one instance. */
export function createPipeline(d: PipelineDeps): PipelineListener {
  const scimError = (res: ServerResponse, err: errors.ScimError, version: '1.1' | '2.0', extra: Record<string, string> = {}) => {
    sendJson(res, err.status, { 'content-type': SCIM_CONTENT_TYPE, ...err.headers, ...extra }, errors.errorBody(err, version));
  };

  // Where a passed-through credential is checked: fixed for the instance, decided once.
  const judges = passThroughJudges(d.connector, d.chainingBaseUrl);
  /** A passed-through credential the backend refused counts as a failed login; a 401 gets the challenge. */
  const refusal = (
    req: IncomingMessage,
    passedThrough: boolean,
    status: number,
    headers: Record<string, string>,
    body: unknown,
  ): Record<string, string> => {
    if (!passedThrough || !refusedByBackend(status, body)) return headers;
    const challenge = d.auth.passThroughRefused({ headers: req.headers, remoteAddress: req.socket.remoteAddress ?? '' });
    return status === 401 ? { ...challenge, ...headers } : headers;
  };

  return (req, res, mountPath) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (answerProbe(req, res, path, d.isReady(), d.readiness)) return;
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
    const recordSeq = d.recorder?.arrive();
    const incomingId = req.headers['x-request-id'];
    const reqId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    // Every answer carries the request id. It goes into the header object handed to writeHead
    // (see `send`), not through res.setHeader: a header set beforehand makes Node merge the object
    // into its header map key by key instead of formatting it directly.
    const idHeader = { 'x-request-id': reqId };
    const send = (status: number, headers: Record<string, string>, body?: unknown) =>
      sendJson(res, status, { ...headers, ...idHeader }, body);
    const method = (req.method ?? 'GET').toUpperCase();
    const found = routeSpecial(path);
    const special = (found?.kind === 'mcp' && !d.mcp) || (found?.kind === 'metrics' && !d.telemetry?.metrics) ? undefined : found;
    const route = special ? undefined : routeScimPath(path);
    const tenant = special?.tenant ?? route?.tenant;
    const version = route?.version ?? d.scimVersion;
    let requestBody: unknown;
    let responseBody: unknown;
    let principal: string | undefined;
    // Set once the request runs on a credential the authenticator passed through (auth.passThrough).
    let passedThrough = false;
    const observed = d.telemetry
      ? observeRequest(d.telemetry, { method, special, route, tenant, requestId: reqId, headers: req.headers })
      : undefined;

    // One log line per request, written once the response has been handed to the socket (run()
    // settles after its last write), not from a 'finish' listener: no closure to register per request.
    const logLine = () => {
      observed?.end(res.statusCode);
      if (d.recorder && recordSeq !== undefined && route && principal !== undefined) {
        d.recorder.record({
          seq: recordSeq,
          tenant,
          method,
          url,
          headers: req.headers,
          requestText: typeof requestBody === 'string' ? requestBody : undefined,
          status: res.statusCode,
          response: responseBody,
          started,
          ended: performance.now(),
        });
      }
      if (special?.kind === 'logger') return;
      d.log.logRequest({
        reqId,
        method,
        // With its query: the log shows the filter an IdP sent (decoded and masked by the logger).
        path: url,
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
      if (!special && !route) {
        // RFC 7644 §3.11: a service provider without /Me answers 501, not 404.
        if (/\/me\/?$/i.test(path))
          throw new errors.NotImplementedError('/Me is not supported: this gateway has no resource for the caller');
        throw new errors.NotFoundError(`No endpoint at ${path}`);
      }
      // /mcp has its own Origin rule (mcp.allowedOrigins); /oauth/token takes a form by definition.
      const forged =
        special?.kind === 'mcp' || special?.kind === 'token'
          ? undefined
          : browserRefusal(method, req.headers, requestHost(req.headers, d.trustForwarded));
      if (forged) {
        observed?.refused(forged.status, 'scim');
        responseBody = errors.errorBody(forged, version);
        return scimError(res, forged, version, idHeader);
      }
      const remoteAddress = req.socket.remoteAddress ?? '';
      if (special?.kind === 'token') {
        if (method !== 'POST') throw new errors.MethodNotAllowedError('Use POST for /oauth/token');
        const body = await readBody(req, d.payloadLimit);
        const r = await d.auth.tokenEndpoint({ headers: req.headers, body, remoteAddress });
        if (r.status === 401 || r.status === 429) observed?.refused(r.status, 'token');
        return send(r.status, r.headers, r.body);
      }
      const authorized = await authorizeRequest(d.auth, {
        method,
        special,
        route,
        tenant,
        headers: req.headers,
        remoteAddress,
        judges,
      });
      if (!authorized.ok) {
        observed?.refused(authorized.error.status, 'scim');
        responseBody = errors.errorBody(authorized.error, version);
        return scimError(res, authorized.error, version, idHeader);
      }
      // Only a caller allowed here learns whether a tenant exists: before, its 404 named the
      // tenants to anyone (outside the IP allow list and without a credential too).
      if (tenant !== undefined && !chained && !d.tenants.has(tenant))
        throw new errors.NotFoundError(`Unknown tenant "${tenant}"`);
      principal = authorized.principal.name;
      const ctx = requestContext(d, reqId, tenant, authorized);
      // A credential passed through that the backend refused counts as a failed login here too.
      passedThrough = authorized.authorization !== undefined;
      if (accessOf(special, route, method) === 'read') cancelOnDisconnect(ctx, res);
      if (special?.kind === 'auth') {
        if (method !== 'GET') throw new errors.MethodNotAllowedError('Use GET for /auth');
        responseBody = { authenticated: true, method: authorized.principal.method, readOnly: authorized.principal.readOnly };
        return send(200, { 'content-type': 'application/json' }, responseBody);
      }
      if (special?.kind === 'metrics' && d.telemetry?.metrics) {
        if (method !== 'GET') throw new errors.MethodNotAllowedError('Use GET for /metrics');
        const text = await d.telemetry.metrics.render();
        res.writeHead(200, { 'content-type': d.telemetry.metrics.contentType, 'cache-control': 'no-store', ...idHeader });
        res.end(text);
        return;
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
        await forwardRequest(
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
        if (res.statusCode === 401 && passedThrough) d.auth.passThroughRefused({ headers: req.headers, remoteAddress });
        return;
      }
      if (special?.kind === 'mcp' && d.mcp) {
        const r = await d.mcp.http(
          { ...d, mcp: d.mcp },
          { method, headers: req.headers, body: text },
          {
            headers: req.headers,
            remoteAddress,
            tenant,
            origin: requestOrigin(req.headers, d.encrypted, d.trustForwarded) + (mountPath ?? ''),
          },
          authorized.principal.name,
        );
        responseBody = r.body;
        return send(r.status, r.headers, r.body);
      }
      if (special?.kind === 'api') {
        const r = await handleApi(d.connector, { kind: 'api', method, url, tenant, id: special.id, body: text, reqId, ctx });
        responseBody = r.body;
        return send(r.status, refusal(req, passedThrough, r.status, r.headers, r.body), r.body);
      }
      const out = await d.scim.handle({
        method,
        url,
        route,
        headers: req.headers,
        body: text,
        // `meta.location` is origin + route prefix: a mounted gateway's resources live under its mount path.
        origin: requestOrigin(req.headers, d.encrypted, d.trustForwarded) + (mountPath ?? ''),
        context: ctx,
      });
      responseBody = out.body;
      if (out.status >= 500) d.log.logger.error({ reqId, tenant, status: out.status, err: out.body }, 'request failed');
      send(out.status, refusal(req, passedThrough, out.status, out.headers, out.body), out.body);
    };

    (observed ? observed.run(run) : run())
      .then(logLine, (e: unknown) => {
        // Nobody to answer and nothing failed here: recorded as proxies record it, not as an error.
        if (endClientGone(e, res, (message) => d.log.logger.info({ reqId, tenant }, message))) return logLine();
        const err = errors.toScimError(e);
        if (!errors.isScimError(e) || err.status >= 500)
          d.log.logger.error({ reqId, tenant, err: e instanceof Error ? e.message : String(e) }, 'request failed');
        responseBody = errors.errorBody(err, version);
        // A connector that threw 401 for a passed-through credential: counted as a refusal, as a returned one is.
        const challenge =
          passedThrough && err.status === 401
            ? d.auth.passThroughRefused({ headers: req.headers, remoteAddress: req.socket.remoteAddress ?? '' })
            : undefined;
        const ownChallenge = Object.keys(err.headers ?? {}).some((k) => k.toLowerCase() === 'www-authenticate');
        if (!res.headersSent) scimError(res, err, version, challenge && !ownChallenge ? { ...challenge, ...idHeader } : idHeader);
        else res.destroy();
        logLine();
      })
      // A failing log sink must never take the process down.
      .catch(() => {});
  };
}
