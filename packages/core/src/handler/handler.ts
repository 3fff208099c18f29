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
import { isForbiddenKey, MAX_JSON_DEPTH, parseJsonSafe } from '../util/object.js';
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
import { allowedMethods, operationFor, routeShape, type ScimOperationName } from './operations.js';
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

/**
 * Copies JSON a host already parsed without prototype-polluting keys, refusing nesting deeper
 * than {@link MAX_JSON_DEPTH} as text bodies are.
 */
function sanitize(v: unknown, depth = 1): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (depth > MAX_JSON_DEPTH) throw new InvalidSyntaxError(`Request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((x) => sanitize(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) if (!isForbiddenKey(k)) out[k] = sanitize(val, depth + 1);
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

/** Operations that take a request body; any other ignores one. */
const BODY_OPERATIONS: ReadonlySet<ScimOperationName> = new Set(['create', 'replace', 'modify', 'bulk', 'search', 'rootSearch']);

/** The query string of a request URL. */
function queryOf(url: string): URLSearchParams {
  const i = url.indexOf('?');
  return new URLSearchParams(i === -1 ? '' : url.slice(i + 1));
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
    const operation = operationFor(route, method);
    if (!operation) {
      const allow = allowedMethods(route);
      throw new MethodNotAllowedError(`${method} is not allowed here; use ${allow.join(' or ')}`, allow);
    }
    const ctx: RequestContext = { ...(req.context ?? {}) };
    if (ctx.tenant === undefined && route.tenant !== undefined) ctx.tenant = route.tenant;
    if (route.tenant !== undefined && options.isKnownTenant && !options.isKnownTenant(route.tenant)) {
      throw new NotFoundError(`Unknown tenant "${route.tenant}"`);
    }
    const headers = { 'content-type': SCIM_CONTENT_TYPE };
    const base = options.skipMetaLocation ? undefined : `${req.origin ?? ''}${route.prefix}`;
    let body = BODY_OPERATIONS.has(operation.name) ? readBody(req.body) : undefined;
    const disco: DiscoveryContext = { registry, connector, options, base };
    const v1 = version === '1.1';

    switch (operation.name) {
      case 'discovery':
        return discoveryOp(route, disco, v1, headers);
      case 'bulk':
        return bulkOp(req, route, body, base, version, headers);
      case 'rootSearch':
        return rootSearch(paramsFromSearchBody(body), ctx, base, headers);
      default:
        break;
    }

    const rt = registry.resourceType(route.endpoint);
    const ops = rt ? connector.resources[rt.id] : undefined;
    if (!rt || !ops) throw new NotFoundError(`Endpoint /${route.endpoint} is not served by this gateway`);
    if (v1 && operation.name === 'modify' && isPartialResource(body)) {
      body = partialResourceToPatchOp(registry, rt, body);
      options.onQuirk?.('partialResourcePatch', req);
    }
    const call: ResourceCall = { registry, options, rt, ops, ctx, base, headers, request: { ...req, body, context: ctx } };
    const id = route.id as string;
    switch (operation.name) {
      case 'search':
        return listOp(call, paramsFromSearchBody(body));
      case 'list':
        return listOp(call, paramsFromQuery(queryOf(req.url)));
      case 'get':
        return getOp(call, id, paramsFromQuery(queryOf(req.url)));
      case 'create':
        return createOp(call, paramsFromQuery(queryOf(req.url)));
      case 'replace':
        return replaceOp(call, id, paramsFromQuery(queryOf(req.url)));
      case 'modify':
        return patchOp(call, id, paramsFromQuery(queryOf(req.url)));
      case 'delete':
        return deleteOp(call, id);
    }
  }

  /** `/ServiceProviderConfig`, `/ResourceTypes[/id]`, `/Schemas[/id]`. */
  function discoveryOp(route: ScimRoute, disco: DiscoveryContext, v1: boolean, headers: Record<string, string>): ScimResponse {
    switch (route.endpoint) {
      case 'ServiceProviderConfig': {
        const spc = serviceProviderConfig(disco);
        return { status: 200, headers, body: v1 ? serviceProviderConfigV1(spc) : spc };
      }
      case 'ResourceTypes':
        if (v1) throw new NotFoundError('ResourceTypes is not part of SCIM 1.1');
        return { status: 200, headers, body: resourceTypes(disco, route.id) };
      default:
        return { status: 200, headers, body: v1 ? schemasV1(route.id) : schemas(disco, route.id) };
    }
  }

  /** `POST /Bulk`: each operation is routed and dispatched like a request of its own. */
  async function bulkOp(
    req: ScimRequest,
    route: ScimRoute,
    body: unknown,
    base: string | undefined,
    version: '2.0' | '1.1',
    headers: Record<string, string>,
  ): Promise<ScimResponse> {
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
        // Only resource paths: no tenant, no nested Bulk, nothing but the methods Bulk allows there.
        const shape = sub && routeShape(sub);
        if (!sub || sub.tenant !== undefined || (shape !== 'collection' && shape !== 'item')) {
          throw new InvalidSyntaxError(`Bulk operation path "${path}" is not a resource path`);
        }
        const headers = { ...(req.headers ?? {}), ...(ifMatch ? { 'if-match': ifMatch } : {}) };
        const r = await dispatch(
          { ...req, method: m, url: `${route.prefix}${path}`, headers, body: data },
          { ...sub, prefix: route.prefix, ...(route.tenant === undefined ? {} : { tenant: route.tenant }) },
          version,
        );
        if (!r.headers.location && m !== 'POST' && r.status < 400 && base !== undefined) r.headers.location = `${base}${path}`;
        return r;
      },
      version,
    );
    return { ...res, headers };
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
