/**
 * API-gateway mode: `/api[/{id}]` (authenticated) and `GET /pub/api`
 * (unauthenticated, only where the connector defines `publicGet`), bodies
 * passed to the connector and returned as-is.
 */
import { type Connector, errors, type RequestContext } from '@scimgw/core';
import { type Access, parseJsonBody } from '@scimgw/core/handler';

/** One API call. */
export interface ApiCall {
  kind: 'api' | 'pubapi';
  method: string;
  url: string;
  tenant: string | undefined;
  id?: string | undefined;
  body: string | undefined;
  reqId: string;
  ctx?: RequestContext;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/**
 * `/api[/{id}]`: method → operation and whether it reads or writes. `handleApi` dispatches from this
 * table and the pipeline authorizes from it.
 */
export const API_OPERATIONS: ReadonlyMap<string, { name: 'get' | 'post' | 'put' | 'patch' | 'delete'; access: Access }> = new Map(
  [
    ['GET', { name: 'get', access: 'read' }],
    ['POST', { name: 'post', access: 'write' }],
    ['PUT', { name: 'put', access: 'write' }],
    ['PATCH', { name: 'patch', access: 'write' }],
    ['DELETE', { name: 'delete', access: 'write' }],
  ],
);

function query(url: string): Record<string, string> {
  const i = url.indexOf('?');
  return Object.fromEntries(new URLSearchParams(i === -1 ? '' : url.slice(i + 1)));
}

/** Runs an API call against the connector's `api` operations. */
export async function handleApi(
  connector: Connector,
  call: ApiCall,
): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  const api = connector.host?.api;
  const ctx: RequestContext = call.ctx ?? { requestId: call.reqId, tenant: call.tenant };
  if (!api) throw new errors.NotFoundError('This connector has no API');
  if (call.kind === 'pubapi') {
    if (call.method !== 'GET' || !api.publicGet) throw new errors.NotFoundError('No public API here');
    return { status: 200, headers: JSON_TYPE, body: await api.publicGet(query(call.url), ctx) };
  }
  const operation = API_OPERATIONS.get(call.method);
  if (!operation) throw new errors.MethodNotAllowedError(`Method ${call.method} is not allowed`, [...API_OPERATIONS.keys()]);
  const fn = api[operation.name];
  if (!fn) throw new errors.MethodNotAllowedError(`${call.method} is not supported by this API`);
  switch (operation.name) {
    case 'get':
      return { status: 200, headers: JSON_TYPE, body: await api.get!(call.id, query(call.url), ctx) };
    case 'post':
      if (call.id !== undefined) throw new errors.MethodNotAllowedError('POST goes to /api without an id');
      return { status: 201, headers: JSON_TYPE, body: await api.post!(parseJsonBody(call.body ?? ''), ctx) };
    case 'put':
    case 'patch': {
      if (call.id === undefined) throw new errors.MethodNotAllowedError(`${call.method} needs /api/{id}`);
      return { status: 200, headers: JSON_TYPE, body: await api[operation.name]!(call.id, parseJsonBody(call.body ?? ''), ctx) };
    }
    case 'delete': {
      if (call.id === undefined) throw new errors.MethodNotAllowedError('DELETE needs /api/{id}');
      const body = await api.delete!(call.id, ctx);
      return body === undefined ? { status: 204, headers: {}, body: undefined } : { status: 200, headers: JSON_TYPE, body };
    }
  }
}
