/**
 * The framework-free SCIM request handler: a plain request in, a plain
 * response out. Hosts (express, node:http, Bun) are thin adapters around it.
 */
import type { Connector, RequestContext, ScimResource } from '../connector/types.js';
import {
  errorBody,
  InvalidSyntaxError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  PayloadTooLargeError,
  type ScimError,
  toScimError,
} from '../errors.js';
import { Projection } from '../query/projection.js';
import type { SchemaDocument } from '../schema/document.js';
import { defaultResourceTypes, SchemaRegistry } from '../schema/registry.js';
import { isForbiddenKey, isObject, parseJsonSafe } from '../util/object.js';
import { type DiscoveryContext, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { isPartialResource, partialResourceToPatchOp } from '../v1/request.js';
import { bodyToV1, schemaV1, serviceProviderConfigV1 } from '../v1/response.js';
import { V1 } from '../v1/urns.js';
import { runBulk } from './bulk.js';
import { collectMatching } from './list.js';
import {
  canonicalFilter,
  canonicalSortPath,
  type ListParams,
  paramsFromQuery,
  paramsFromSearchBody,
  parseFilterParam,
} from './params.js';
import { createOp, deleteOp, getOp, listOp, patchOp, replaceOp, type ResourceCall } from './resources.js';
import { routeScimPath, type ScimRoute } from './router.js';
import { finishResource, listResponse, SCIM_CONTENT_TYPE } from './shape.js';
import { sortResources } from '../query/sort.js';
import type { ScimHandlerOptions, ScimRequest, ScimResponse } from './types.js';

/** A SCIM handler bound to one connector. */
export interface ScimHandler {
  /** Handles one request; never throws (errors become SCIM error responses). */
  handle(request: ScimRequest): Promise<ScimResponse>;
  /** The schemas and resource types in force. */
  readonly registry: SchemaRegistry;
}

/**
 * Builds the registry a connector implies: its resource types, schemas and
 * extensions, plus custom schemas and extensions from configuration.
 */
export function registryForConnector(connector: Connector, custom?: SchemaDocument): SchemaRegistry {
  const types = defaultResourceTypes.filter((t) => connector.resources[t.id] !== undefined);
  const extensions: Record<string, string[]> = { ...(connector.extensions ?? {}) };
  for (const [rt, urns] of Object.entries(custom?.extensions ?? {})) extensions[rt] = [...(extensions[rt] ?? []), ...urns];
  return new SchemaRegistry({
    schemas: [...(connector.schemas ?? []), ...(custom?.schemas ?? [])],
    resourceTypes: types,
    extensions,
  });
}

/** Removes prototype-polluting keys from JSON a host already parsed. */
function sanitize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sanitize);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) if (!isForbiddenKey(k)) out[k] = sanitize(val);
  return out;
}

function readBody(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
    if (text.trim() === '') return undefined;
    try {
      return parseJsonSafe(text);
    } catch (e) {
      throw new InvalidSyntaxError(`Request body is not valid JSON: ${(e as Error).message}`);
    }
  }
  return sanitize(body);
}

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
  const registry = options.registry ?? registryForConnector(options.connector);
  const connector = options.connector;

  async function dispatch(req: ScimRequest, route: ScimRoute, version: '2.0' | '1.1'): Promise<ScimResponse> {
    const method = req.method.toUpperCase();
    const ctx: RequestContext = { ...(req.context ?? {}) };
    if (ctx.tenant === undefined && route.tenant !== undefined) ctx.tenant = route.tenant;
    if (route.tenant !== undefined && options.isKnownTenant && !options.isKnownTenant(route.tenant)) {
      throw new NotFoundError(`Unknown tenant "${route.tenant}"`);
    }
    const headers = { 'content-type': SCIM_CONTENT_TYPE };
    const base = options.skipMetaLocation ? undefined : `${req.origin ?? ''}${route.prefix}`;
    const q = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
    let body = method === 'GET' || method === 'DELETE' ? undefined : readBody(req.body);
    const request: ScimRequest = { ...req, body, context: ctx };
    const disco: DiscoveryContext = { registry, connector, options, base };
    const v1 = version === '1.1';

    switch (route.endpoint) {
      case 'ServiceProviderConfig': {
        if (method !== 'GET') throw new MethodNotAllowedError('ServiceProviderConfig is read-only');
        const spc = serviceProviderConfig(disco);
        return { status: 200, headers, body: v1 ? serviceProviderConfigV1(spc) : spc };
      }
      case 'ResourceTypes':
        if (method !== 'GET') throw new MethodNotAllowedError('ResourceTypes is read-only');
        if (v1) throw new NotFoundError('ResourceTypes is not part of SCIM 1.1');
        return { status: 200, headers, body: resourceTypes(disco, route.id) };
      case 'Schemas':
        if (method !== 'GET') throw new MethodNotAllowedError('Schemas is read-only');
        if (v1) return { status: 200, headers, body: schemasV1(route.id) };
        return { status: 200, headers, body: schemas(disco, route.id) };
      case 'Bulk': {
        if (method !== 'POST') throw new MethodNotAllowedError('Use POST for /Bulk');
        const maxOps = options.bulk?.maxOperations ?? 0;
        if (maxOps <= 0) throw new NotImplementedError('Bulk is not enabled');
        const maxBytes = options.bulk?.maxPayloadSize ?? 1_048_576;
        if (typeof req.body === 'string' && new TextEncoder().encode(req.body).length > maxBytes) {
          throw new PayloadTooLargeError(`Bulk request is larger than ${maxBytes} bytes`);
        }
        const res = await runBulk(
          body,
          maxOps,
          async (m, path, data, ifMatch) => {
            const sub = routeScimPath(path);
            if (!sub || sub.endpoint === 'Bulk' || sub.tenant !== undefined) {
              throw new InvalidSyntaxError(`Bulk operation path "${path}" is not a resource path`);
            }
            const headers = { ...(req.headers ?? {}), ...(ifMatch ? { 'if-match': ifMatch } : {}) };
            const r = await dispatch(
              { ...req, method: m, url: `${route.prefix}${path}`, headers, body: data },
              { ...sub, prefix: route.prefix, ...(route.tenant === undefined ? {} : { tenant: route.tenant }) },
              version,
            );
            if (!r.headers.location && m !== 'POST' && r.status < 400 && base !== undefined)
              r.headers.location = `${base}${path}`;
            return r;
          },
          version,
        );
        return { ...res, headers };
      }
      case '.search':
        if (method !== 'POST') throw new MethodNotAllowedError('Use POST for /.search');
        return rootSearch(paramsFromSearchBody(body), ctx, base, headers);
    }

    const rt = registry.resourceType(route.endpoint);
    const ops = rt ? connector.resources[rt.id] : undefined;
    if (!rt || !ops) throw new NotFoundError(`Endpoint /${route.endpoint} is not served by this gateway`);
    if (v1 && method === 'PATCH' && isPartialResource(body)) {
      body = partialResourceToPatchOp(registry, rt, body);
      options.onQuirk?.('partialResourcePatch', req);
    }
    const call: ResourceCall = { registry, options, rt, ops, ctx, base, headers, request: { ...request, body } };
    const p: ListParams = paramsFromQuery(q);
    if (route.search) {
      if (method !== 'POST') throw new MethodNotAllowedError('Use POST for .search');
      return listOp(call, paramsFromSearchBody(body));
    }
    const id = route.id;
    switch (method) {
      case 'GET':
        return id === undefined ? listOp(call, p) : getOp(call, id, p);
      case 'POST':
        if (id !== undefined) throw new MethodNotAllowedError('POST is not allowed on a resource; use PUT or PATCH');
        return createOp(call, p);
      case 'PUT':
        if (id === undefined) throw new MethodNotAllowedError('PUT needs a resource id');
        return replaceOp(call, id, p);
      case 'PATCH':
        if (id === undefined) throw new MethodNotAllowedError('PATCH needs a resource id');
        return patchOp(call, id, p);
      case 'DELETE':
        if (id === undefined) throw new MethodNotAllowedError('DELETE needs a resource id');
        return deleteOp(call, id);
      default:
        throw new MethodNotAllowedError(`Method ${method} is not allowed`);
    }
  }

  /** `/Schemas` in SCIM 1.1: one schema document per resource type. */
  function schemasV1(id: string | undefined): Record<string, unknown> {
    const all = registry.resourceTypes().filter((rt) => rt.id === 'User' || rt.id === 'Group' || connector.resources[rt.id]);
    if (id !== undefined) {
      const rt = all.find((t) => [t.id, t.name, t.endpoint.slice(1)].some((n) => n.toLowerCase() === id.toLowerCase()));
      if (!rt) throw new NotFoundError(`Schema "${id}" not found`);
      return schemaV1(registry, rt);
    }
    const list = all.map((rt) => schemaV1(registry, rt));
    return { schemas: [V1.Core], totalResults: list.length, itemsPerPage: list.length, startIndex: 1, Resources: list };
  }

  /** POST /.search at the root: searches every resource type that can be queried. */
  async function rootSearch(
    p: ListParams,
    ctx: RequestContext,
    base: string | undefined,
    headers: Record<string, string>,
  ): Promise<ScimResponse> {
    const all: ScimResource[] = [];
    for (const rt of registry.resourceTypes()) {
      const ops = connector.resources[rt.id];
      if (!ops?.query) continue;
      const filter = p.filter ? canonicalFilter(registry, rt, parseFilterParam(p.filter, options.filterLimits)) : undefined;
      const found = await collectMatching(ops, connector.capabilities, filter, registry.resolver(rt), {}, ctx);
      const projection = new Projection(registry, rt, p);
      for (const r of found) all.push(projection.apply(finishResource(registry, rt, r, base)));
    }
    const rt0 = registry.resourceTypes()[0];
    const sorted =
      p.sortBy && rt0
        ? sortResources(all, canonicalSortPath(registry, rt0, p.sortBy), p.sortOrder ?? 'ascending', registry.resolver(rt0))
        : all;
    const start = Math.max(1, p.startIndex ?? 1);
    const count = Math.min(
      Math.max(p.count ?? options.pagination?.defaultPageSize ?? 100, 0),
      options.pagination?.maxPageSize ?? 1000,
    );
    return { status: 200, headers, body: listResponse(sorted.slice(start - 1, start - 1 + count), sorted.length, start) };
  }

  return {
    registry,
    async handle(req: ScimRequest): Promise<ScimResponse> {
      const route = req.route ?? routeScimPath(req.url);
      const version = route?.version ?? options.scimVersion ?? '2.0';
      try {
        if (!route) throw new NotFoundError(`No SCIM endpoint at ${req.url.split('?')[0]}`);
        const res = await dispatch(req, route, version);
        if (version !== '1.1') return res;
        // SCIM 1.1 answers 404 when a filter matches nothing (what 1.1 clients such as Broadcom IM expect).
        const b = res.body as { totalResults?: unknown } | undefined;
        if (res.status === 200 && b?.totalResults === 0 && /[?&]filter=/i.test(req.url)) {
          throw new NotFoundError('No resource matches the filter');
        }
        return { ...res, body: bodyToV1(res.body) };
      } catch (e) {
        return errorResponse(toScimError(e), version);
      }
    },
  };
}
