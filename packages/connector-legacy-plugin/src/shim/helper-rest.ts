/**
 * The older API's `HelperRest` for plugins (`new HelperRest(scimgateway)`, then
 * `helper.doRequest(baseEntity, method, path, body?, ctx?, options?)`), on top of
 * @scimgw/helper-rest: the same `endpoint.entity.<baseEntity>.connection` settings, with our
 * retries, failover, token cache and secret masking. Results and errors keep the older shapes:
 * `{ statusCode, statusMessage, body, headers }`, and on HTTP errors an `Error` whose message is
 * that object as JSON (plugins parse `statusCode` out of it).
 */
import type { RequestContext } from '@scimgw/core';
import { createHelperRest, type EndpointConfig, type HelperRest, RestError, type RequestOptions } from '@scimgw/helper-rest';
import type { LegacyGatewayObject } from './gateway-object.js';

/** What every loaded plugin's `HelperRest` needs from the connector. */
export interface HelperRestHost {
  certsDir: string;
  log: import('@scimgw/core').Logger;
  /** Every client made, closed with the connector. */
  clients: HelperRest[];
}

/** The older `doRequest` result. */
export interface LegacyRestResult {
  statusCode: number;
  statusMessage: string;
  body: unknown;
  headers: Record<string, string>;
}

const headerObject = (h: Headers): Record<string, string> => Object.fromEntries(h.entries());

/** The older API's pass-through `ctx` (`{ headers: { authorization } }`) as our request context. */
function requestContext(ctx: unknown): RequestContext | undefined {
  const auth = (ctx as { headers?: { authorization?: unknown } } | undefined)?.headers?.authorization;
  return typeof auth === 'string' ? { authorization: auth } : undefined;
}

/** What `new HelperRest(scimgateway)` gives a plugin. */
export interface LegacyHelperRest {
  doRequest(
    baseEntity: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    ctx?: unknown,
    options?: RequestOptions,
  ): Promise<LegacyRestResult>;
  getGraphUrl(): string;
}

/** The constructor plugins call. */
export type LegacyHelperRestConstructor = new (
  gateway: LegacyGatewayObject,
  optionalEntities?: { entity?: unknown },
) => LegacyHelperRest;

/** Builds the `HelperRest` class a plugin constructs, bound to one connector's host services. */
export function legacyHelperRestClass(host: HelperRestHost): LegacyHelperRestConstructor {
  return class implements LegacyHelperRest {
    readonly #client: HelperRest;
    constructor(gateway: LegacyGatewayObject, optionalEntities?: { entity?: unknown }) {
      if (!gateway || typeof gateway.getConfig !== 'function') {
        throw new Error('HelperRest: pass the object from new ScimGateway()');
      }
      const entity = optionalEntities?.entity ?? gateway.getConfig().entity ?? {};
      this.#client = createHelperRest({
        endpoint: { entity } as EndpointConfig,
        certsDir: host.certsDir,
        logger: host.log,
      });
      host.clients.push(this.#client);
    }

    async doRequest(
      baseEntity: string | undefined,
      method: string,
      path: string,
      body?: unknown,
      ctx?: unknown,
      options?: RequestOptions,
    ): Promise<LegacyRestResult> {
      const tenant = baseEntity === 'undefined' ? undefined : baseEntity;
      const reqCtx = requestContext(ctx);
      // The older helper sent the inbound Authorization header as it was when a plugin passed `ctx`.
      const opts: RequestOptions | undefined = reqCtx?.authorization
        ? { ...options, headers: { ...options?.headers, authorization: reqCtx.authorization } }
        : options;
      try {
        const res = await this.#client.doRequest(tenant, method, path, body, reqCtx, opts);
        return { statusCode: res.status, statusMessage: '', body: res.body, headers: headerObject(res.headers) };
      } catch (e) {
        if (e instanceof RestError) {
          throw new Error(JSON.stringify({ statusCode: e.status, statusMessage: e.detail ?? '', body: e.body }));
        }
        throw e;
      }
    }

    /** Microsoft Graph's base URL, as plugins for Entra ID asked for it. */
    getGraphUrl(): string {
      return 'https://graph.microsoft.com/v1.0';
    }
  };
}
