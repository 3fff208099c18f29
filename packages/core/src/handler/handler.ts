/**
 * The framework-free SCIM request handler: a plain request in, a plain response out. Hosts
 * (node:http, express, Bun) are thin adapters around it. It speaks SCIM 2.0; SCIM 1.1 is a wrapper
 * around it (`../v1/adapter.ts`).
 */
import type { RequestContext } from '../contract/types.js';
import {
  errorBody,
  ForbiddenError,
  InvalidSyntaxError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  type ScimError,
  toScimError,
} from '../errors.js';
import { SchemaRegistry } from '../schema/registry.js';
import { scimV1Adapter } from '../v1/adapter.js';
import { requestBody } from './body.js';
import { ownContext } from './context.js';
import { runBulk } from './bulk.js';
import { type DiscoveryContext, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { allowedMethods, operationFor, routeShape, type ScimOperationName } from './operations.js';
import { type ListParams, paramsFromQuery, paramsFromSearchBody } from './params.js';
import { lanesOf } from './lanes.js';
import { createOp, deleteOp, getOp, listOp, patchOp, replaceOp, type ResourceCall } from './resources.js';
import { rootSearch } from './root-search.js';
import { routeScimPath, type ScimRoute } from './router.js';
import { SCIM_CONTENT_TYPE } from './shape.js';
import type { ScimHandlerOptions, ScimRequest, ScimResponse } from './types.js';

/** A SCIM handler bound to one connector. */
export interface ScimHandler {
  /** Handles one request; never throws (errors become SCIM error responses). */
  handle(request: ScimRequest): Promise<ScimResponse>;
  /** The schemas and resource types served (the connector's registry, limited to its resource types). */
  readonly registry: SchemaRegistry;
}

/** Operations that take a request body; any other ignores one. */
const BODY_OPERATIONS: ReadonlySet<ScimOperationName> = new Set(['create', 'replace', 'modify', 'bulk', 'search', 'rootSearch']);

/**
 * The list parameters of a request URL. Most writes have no query string: they get their (empty)
 * parameters without reading one.
 */
function paramsOf(url: string): ListParams {
  const i = url.indexOf('?');
  return i === -1 ? { ...NO_PARAMS } : paramsFromQuery(url.slice(i + 1));
}
const NO_PARAMS: Readonly<ListParams> = paramsFromQuery('');

/** Renders an error response in the protocol version of the request. */
export function errorResponse(err: ScimError, version: '2.0' | '1.1' = '2.0'): ScimResponse {
  const headers: Record<string, string> = { 'content-type': SCIM_CONTENT_TYPE, ...err.headers };
  return { status: err.status, headers, body: errorBody(err, version) };
}

/**
 * Creates the SCIM request handler for a connector.
 *
 * @example
 * const scim = createScimHandler({ connector });
 * const res = await scim.handle({ method: 'GET', url: '/Users?filter=userName eq "bjensen"' });
 * @see RFC 7644
 */
export function createScimHandler(options: ScimHandlerOptions): ScimHandler {
  const connector = options.connector;
  const served = Object.keys(connector.resources).filter((t) => connector.resources[t] !== undefined);
  const registry = (options.registry ?? connector.registry ?? new SchemaRegistry()).extend({ serve: served });
  const lanes = lanesOf(connector);

  /** Runs one request in SCIM 2.0; throws ScimErrors. */
  async function dispatch(req: ScimRequest, route: ScimRoute): Promise<ScimResponse> {
    const method = req.method.toUpperCase();
    const operation = operationFor(route, method);
    if (!operation) {
      const allow = allowedMethods(route);
      throw new MethodNotAllowedError(`${method} is not allowed here; use ${allow.join(' or ')}`, allow);
    }
    let ctx: RequestContext = req.context ?? {};
    if (ctx.tenant === undefined && route.tenant !== undefined) {
      if (ctx === req.context) ctx = ownContext(ctx);
      ctx.tenant = route.tenant;
    }
    const headers = { 'content-type': SCIM_CONTENT_TYPE };
    const base = options.skipMetaLocation ? undefined : `${req.origin ?? ''}${route.prefix}`;
    const body = BODY_OPERATIONS.has(operation.name) ? requestBody(req.body) : undefined;

    switch (operation.name) {
      case 'discovery':
        // RFC 7644 §4: a filter on a discovery endpoint is refused, so no client takes it as applied.
        if (paramsOf(req.url).filter !== undefined)
          throw new ForbiddenError(`/${route.endpoint} takes no filter (RFC 7644 §4): it lists everything it serves`);
        return { status: 200, headers, body: discovery(route, { registry, connector, options, base }) };
      case 'bulk':
        return bulk(req, route, body, base, headers);
      case 'rootSearch':
        return rootSearch(registry, connector, options, paramsFromSearchBody(body), ctx, base, headers);
      default:
        break;
    }
    const rt = registry.resourceType(route.endpoint);
    const ops = rt ? connector.resources[rt.id] : undefined;
    if (!rt || !ops) throw new NotFoundError(`Endpoint /${route.endpoint} is not served by this gateway`);
    const call: ResourceCall = { registry, options, rt, ops, ctx, base, headers, request: { ...req, body, context: ctx }, lanes };
    const id = route.id as string;
    switch (operation.name) {
      case 'search':
        return listOp(call, paramsFromSearchBody(body));
      case 'list':
        return listOp(call, paramsOf(req.url));
      case 'get':
        return getOp(call, id, paramsOf(req.url));
      case 'create':
        return createOp(call, paramsOf(req.url));
      case 'replace':
        return replaceOp(call, id, paramsOf(req.url));
      case 'modify':
        return patchOp(call, id, paramsOf(req.url));
      case 'delete':
        return deleteOp(call, id);
    }
  }

  /** `/ServiceProviderConfig`, `/ResourceTypes[/id]`, `/Schemas[/id]`. */
  function discovery(route: ScimRoute, disco: DiscoveryContext): Record<string, unknown> {
    if (route.endpoint === 'ServiceProviderConfig') return serviceProviderConfig(disco);
    return route.endpoint === 'ResourceTypes' ? resourceTypes(disco, route.id) : schemas(disco, route.id);
  }

  /**
   * `POST /Bulk`: each operation is routed and dispatched like a request of its own. (The byte
   * limit of a Bulk body is the host's: it reads the body.)
   */
  async function bulk(
    req: ScimRequest,
    route: ScimRoute,
    body: unknown,
    base: string | undefined,
    headers: Record<string, string>,
  ): Promise<ScimResponse> {
    const maxOps = options.bulk?.maxOperations ?? 0;
    if (maxOps <= 0) throw new NotImplementedError('Bulk is not enabled');
    const res = await runBulk(
      body,
      maxOps,
      async (m, path, data, ifMatch) => {
        const sub = routeScimPath(path);
        // Only resource paths: no tenant, no nested Bulk, nothing but the methods Bulk allows there.
        const shape = sub && routeShape(sub);
        if (!sub || sub.tenant !== undefined || (shape !== 'collection' && shape !== 'item')) {
          throw new InvalidSyntaxError(`Bulk operation path "${path}" is not a resource path`);
        }
        const opHeaders = { ...(req.headers ?? {}), ...(ifMatch ? { 'if-match': ifMatch } : {}) };
        let r: ScimResponse;
        try {
          r = await dispatch(
            { ...req, method: m, url: `${route.prefix}${path}`, headers: opHeaders, body: data },
            { ...sub, prefix: route.prefix, ...(route.tenant === undefined ? {} : { tenant: route.tenant }) },
          );
        } catch (e) {
          r = errorResponse(toScimError(e), '2.0');
        }
        // RFC 7644 §3.7.3: every operation but a failed POST names the resource it addressed.
        if (!r.headers.location && m !== 'POST' && base !== undefined) r.headers.location = `${base}${path}`;
        return r;
      },
      '2.0',
    );
    return { ...res, headers };
  }

  async function handle20(req: ScimRequest, route: ScimRoute): Promise<ScimResponse> {
    try {
      return await dispatch(req, route);
    } catch (e) {
      return errorResponse(toScimError(e), '2.0');
    }
  }
  const handleV1 = scimV1Adapter(registry, connector, handle20, (quirk, req) => options.onQuirk?.(quirk, req));

  return {
    registry,
    async handle(req: ScimRequest): Promise<ScimResponse> {
      const route = req.route ?? routeScimPath(req.url);
      const version = route?.version ?? options.scimVersion ?? '2.0';
      if (!route) return errorResponse(new NotFoundError(`No SCIM endpoint at ${req.url.split('?')[0]}`), version);
      return version === '1.1' ? handleV1(req, route) : handle20(req, route);
    },
  };
}
