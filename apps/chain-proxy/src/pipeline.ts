/**
 * The chain proxy's request pipeline, on plain node:http objects: probes → route → authentication
 * and authorization (this proxy's own `auth`) → body with a size limit → forward to the next
 * gateway → one log line. The same steps, in the same order, as the gateway's pipeline takes for
 * a chained request, without a SCIM handler or connector behind them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { forwardRequest } from '@scimgw/chain';
import { errors } from '@scimgw/core';
import { accessFor, allowedMethods, SCIM_CONTENT_TYPE } from '@scimgw/core/handler';
import type { Authenticator } from '@scimgw/auth';
import type { GatewayLogger } from '@scimgw/logger-stream';
import { answerProbe, browserRefusal, endClientGone, readBody, requestHost, requestOrigin, sendJson } from '@scimgw/server';
import { routeProxy } from './routes.js';

/** What the pipeline needs from its proxy instance. */
export interface ProxyPipelineDeps {
  /** The next gateway's base URL (checked: http(s), no credentials, no trailing slash). */
  chainingBaseUrl: string;
  auth: Authenticator;
  log: GatewayLogger;
  scimVersion: '1.1' | '2.0';
  payloadLimit: number;
  bulkPayloadLimit: number;
  trustForwarded: boolean;
  encrypted: boolean;
  isReady: () => boolean;
  /** More state for `/readyz` (the Azure Relay listener's). */
  readiness?: () => Record<string, unknown>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the node:http request listener of one chain proxy. */
export function createProxyPipeline(d: ProxyPipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (answerProbe(req, res, path, d.isReady(), d.readiness)) return;
    const started = performance.now();
    const incomingId = req.headers['x-request-id'];
    const reqId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    const idHeader = { 'x-request-id': reqId };
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routeProxy(path);
    const tenant = route?.tenant;
    const version = (route?.kind === 'scim' ? route.route.version : undefined) ?? d.scimVersion;
    let requestBody: string | undefined;
    let principal: string | undefined;
    let errorBody: unknown;

    const logLine = () => {
      if (route?.kind === 'logger') return;
      d.log.logRequest({
        reqId,
        method,
        // With its query: the log shows the filter an IdP sent (decoded and masked by the logger).
        path: url,
        ...(tenant === undefined ? {} : { tenant }),
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(requestBody === undefined ? {} : { requestBody }),
        ...(errorBody === undefined ? {} : { responseBody: errorBody }),
        ...(principal === undefined ? {} : { principal }),
      });
    };
    const scimError = (err: errors.ScimError) => {
      errorBody = errors.errorBody(err, version);
      sendJson(res, err.status, { 'content-type': SCIM_CONTENT_TYPE, ...err.headers, ...idHeader }, errorBody);
    };

    const run = async () => {
      if (!route) throw new errors.NotFoundError(`No endpoint at ${path}`);
      const scim = route.kind === 'scim' ? route.route : undefined;
      const remoteAddress = req.socket?.remoteAddress ?? '';
      if (route.kind === 'token') {
        if (method !== 'POST') throw new errors.MethodNotAllowedError('Use POST for /oauth/token');
        const body = await readBody(req, d.payloadLimit);
        const r = await d.auth.tokenEndpoint({ headers: req.headers, body, remoteAddress });
        return sendJson(res, r.status, { ...r.headers, ...idHeader }, r.body);
      }
      // A write a browser sent for another site, or a form-typed body: refused before authentication.
      const forged = browserRefusal(method, req.headers, requestHost(req.headers, d.trustForwarded));
      if (forged) return scimError(forged);
      const access =
        route.kind === 'scim' ? accessFor(route.route, method) : route.kind === 'logger' && method === 'GET' ? 'read' : 'write';
      const authRequest = { method, access, ...(tenant === undefined ? {} : { tenant }), headers: req.headers, remoteAddress };
      const result = route.kind === 'auth' ? await d.auth.validate(authRequest) : await d.auth.authenticate(authRequest);
      if (!result.ok) {
        // A read-only credential's 405 names what it may send here.
        const headers =
          result.status === 405 && route.kind === 'scim'
            ? {
                ...result.headers,
                allow: allowedMethods(route.route)
                  .filter((m) => accessFor(route.route, m) === 'read')
                  .join(', '),
              }
            : result.headers;
        return scimError(new errors.ScimError(result.status, result.detail, undefined, { headers }));
      }
      if (result.authorization !== undefined && route.kind !== 'scim') {
        // Only SCIM requests go on to the gateway behind, which judges a passed-through credential;
        // this proxy's own routes would serve it unchecked.
        const headers = d.auth.passThroughRefused(authRequest, 'nothing on this route checks a passed-through credential');
        return scimError(new errors.UnauthorizedError('Authentication failed', { headers }));
      }
      principal = result.principal.name;
      if (route.kind === 'auth') {
        if (method !== 'GET') throw new errors.MethodNotAllowedError('Use GET for /auth');
        const body = { authenticated: true, method: result.principal.method, readOnly: result.principal.readOnly };
        return sendJson(res, 200, { 'content-type': 'application/json', ...idHeader }, body);
      }
      if (route.kind === 'logger') {
        if (method !== 'GET') throw new errors.MethodNotAllowedError('Use GET for /logger');
        res.setHeader('x-request-id', reqId);
        return d.log.stream.handle(req, res, tenant === undefined ? {} : { tenant });
      }
      const limit = scim?.endpoint === 'Bulk' ? d.bulkPayloadLimit : d.payloadLimit;
      const text = method === 'GET' || method === 'DELETE' || method === 'HEAD' ? undefined : await readBody(req, limit);
      if (text) requestBody = text;
      await forwardRequest(
        d.chainingBaseUrl,
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
      // A credential passed through that the gateway behind refused counts as a failed login here too.
      if (res.statusCode === 401 && result.authorization !== undefined)
        d.auth.passThroughRefused({ headers: req.headers, remoteAddress });
    };

    run()
      .then(logLine, (e: unknown) => {
        // Nobody to answer and nothing failed here: recorded as proxies record it, not as an error.
        if (endClientGone(e, res, (message) => d.log.logger.info({ reqId, tenant }, message))) return logLine();
        const err = errors.toScimError(e);
        if (!errors.isScimError(e) || err.status >= 500)
          d.log.logger.error({ reqId, tenant, err: e instanceof Error ? e.message : String(e) }, 'request failed');
        if (!res.headersSent) scimError(err);
        else res.destroy();
        logLine();
      })
      // A failing log sink must never take the process down.
      .catch(() => {});
  };
}
