/**
 * API gateway mode for plugins written for the older API: `getApi`, `postApi`, `putApi`,
 * `patchApi` and `deleteApi` behind the authenticated `/api` routes, and `publicApi` behind the
 * unauthenticated `GET /pub/api`, with that API's argument order. What they return goes back to
 * the client as it is.
 */
import type { ApiOperations } from '@scimgw/core/host';
import { callPlugin, type PluginCallDeps } from './plugin-call.js';

/** The `api` operations a plugin's methods provide, or `undefined` when it defines none. */
export function legacyApi(deps: PluginCallDeps): ApiOperations | undefined {
  const { gateway } = deps;
  const api: ApiOperations = {};
  const getApi = gateway.method('getApi');
  if (getApi) {
    // Before its sixth version the older API passed the request body as a fourth argument
    // (`baseEntity, id, query, apiObj, ctx`): a method declared with five parameters gets it that way.
    const withBody = getApi.length >= 5;
    api.get = (id, query, ctx) => callPlugin(deps, 'getApi', ctx, withBody ? [id, query, undefined] : [id, query]);
  }
  if (gateway.method('postApi')) api.post = (body, ctx) => callPlugin(deps, 'postApi', ctx, [body]);
  if (gateway.method('putApi')) api.put = (id, body, ctx) => callPlugin(deps, 'putApi', ctx, [id, body]);
  if (gateway.method('patchApi')) api.patch = (id, body, ctx) => callPlugin(deps, 'patchApi', ctx, [id, body]);
  // A plugin that returns nothing (`null`, as the older examples do) gets 204.
  if (gateway.method('deleteApi')) api.delete = async (id, ctx) => (await callPlugin(deps, 'deleteApi', ctx, [id])) ?? undefined;
  if (gateway.method('publicApi'))
    api.publicGet = (query, ctx) => callPlugin(deps, 'publicApi', ctx, ['GET', undefined, query, undefined]);
  return Object.keys(api).length > 0 ? api : undefined;
}
