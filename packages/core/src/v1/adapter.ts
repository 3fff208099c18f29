/**
 * SCIM 1.1 as a wrapper around the 2.0 handler: a 1.1 request is turned into a 2.0 request, the
 * 2.0 handler answers, and the answer is turned into 1.1 form. Nothing behind the 2.0 handler knows
 * that 1.1 exists; decisions are made from parsed parameters, never from the raw URL.
 */
import type { Connector } from '../contract/types.js';
import { errorBody, NotFoundError, toScimError } from '../errors.js';
import { requestBody } from '../handler/body.js';
import { operationFor } from '../handler/operations.js';
import { paramsFromQuery, paramsFromSearchBody } from '../handler/params.js';
import type { ScimRoute } from '../handler/router.js';
import { SCIM_CONTENT_TYPE } from '../handler/shape.js';
import type { ScimRequest, ScimResponse } from '../handler/types.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { isObject } from '../util/object.js';
import { isPartialResource, partialResourceToPatchOp } from './request.js';
import { bodyManagerToV2, urlManagerToV2 } from './manager.js';
import { bodyToV1, schemaV1, serviceProviderConfigV1 } from './response.js';
import { V1 } from './urns.js';

/** Runs one request through the 2.0 handler. */
export type Handle20 = (request: ScimRequest, route: ScimRoute) => Promise<ScimResponse>;

/** Calls made to the adapter's owner when a client dialect rule is applied. */
export type OnQuirk = (quirk: 'partialResourcePatch', request: ScimRequest) => void;

/** Builds the 1.1 wrapper for one handler. */
export function scimV1Adapter(registry: SchemaRegistry, connector: Connector, handle20: Handle20, onQuirk?: OnQuirk) {
  /** `/Schemas` in SCIM 1.1: one schema document per resource type. */
  function schemas(id: string | undefined): Record<string, unknown> {
    const all = registry.resourceTypes().filter((rt) => rt.id === 'User' || rt.id === 'Group' || connector.resources[rt.id]);
    if (id !== undefined) {
      const rt = all.find((t) => [t.id, t.name, t.endpoint.slice(1)].some((n) => n.toLowerCase() === id.toLowerCase()));
      if (!rt) throw new NotFoundError(`Schema "${id}" not found`);
      return schemaV1(registry, rt);
    }
    const list = all.map((rt) => schemaV1(registry, rt));
    return { schemas: [V1.Core], totalResults: list.length, itemsPerPage: list.length, startIndex: 1, Resources: list };
  }

  /** The 2.0 request for a 1.1 one: the manager as 2.0 names it (bodies and query), a partial-resource PATCH as a PatchOp. */
  function toV2(req: ScimRequest, route: ScimRoute): ScimRequest {
    const op = operationFor(route, req.method)?.name;
    const rt = registry.resourceType(route.endpoint);
    if (!rt) return req;
    if (op === 'list' || op === 'get') {
      const url = urlManagerToV2(registry, rt, req.url);
      return url === req.url ? req : { ...req, url };
    }
    if (op !== 'modify' && op !== 'create' && op !== 'replace') return req;
    let body = requestBody(req.body);
    if (op !== 'modify' || isPartialResource(body)) body = bodyManagerToV2(registry, rt, body);
    if (op !== 'modify' || !isPartialResource(body)) return { ...req, body };
    onQuirk?.('partialResourcePatch', req);
    return { ...req, body: partialResourceToPatchOp(registry, rt, body) };
  }

  /** Whether the client filtered, from its parsed parameters (query string or SearchRequest). */
  function filtered(req: ScimRequest, route: ScimRoute): boolean {
    const op = operationFor(route, req.method)?.name;
    if (op === 'list') {
      const i = req.url.indexOf('?');
      return (paramsFromQuery(i === -1 ? '' : req.url.slice(i + 1)).filter ?? '').trim() !== '';
    }
    if (op === 'search' || op === 'rootSearch') {
      const body = requestBody(req.body);
      return isObject(body) && (paramsFromSearchBody(body).filter ?? '').trim() !== '';
    }
    return false;
  }

  return async function handleV1(req: ScimRequest, route: ScimRoute): Promise<ScimResponse> {
    const headers = { 'content-type': SCIM_CONTENT_TYPE };
    try {
      if (operationFor(route, req.method)?.name === 'discovery') {
        if (route.endpoint === 'ResourceTypes') throw new NotFoundError('ResourceTypes is not part of SCIM 1.1');
        if (route.endpoint === 'Schemas') return { status: 200, headers, body: schemas(route.id) };
      }
      const v2 = toV2(req, route);
      const res = await handle20(v2, route);
      if (res.status >= 400) return { ...res, body: errorToV1(res.body) };
      if (route.endpoint === 'ServiceProviderConfig' && isObject(res.body)) {
        return { ...res, body: serviceProviderConfigV1(res.body) };
      }
      // 1.1 clients (Broadcom Identity Manager) expect 404 when a filter matches nothing.
      if (res.status === 200 && (res.body as { totalResults?: unknown })?.totalResults === 0 && filtered(v2, route)) {
        throw new NotFoundError('No resource matches the filter');
      }
      return { ...res, body: bulkToV1(bodyToV1(res.body)) };
    } catch (e) {
      const err = toScimError(e);
      return { status: err.status, headers: { ...headers, ...err.headers }, body: errorBody(err, '1.1') };
    }
  };
}

/** A 2.0 error body in 1.1 form. */
function errorToV1(body: unknown): unknown {
  if (!isObject(body) || body.detail === undefined) return body;
  return { Errors: [{ description: String(body.detail), code: String(body.status ?? '') }] };
}

/** The error bodies inside a Bulk response, in 1.1 form. */
function bulkToV1(body: unknown): unknown {
  if (!isObject(body) || !Array.isArray(body.Operations)) return body;
  return {
    ...body,
    Operations: body.Operations.map((op) =>
      isObject(op) && op.response !== undefined ? { ...op, response: errorToV1(op.response) } : op,
    ),
  };
}
