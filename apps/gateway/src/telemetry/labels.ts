/**
 * Label values of the gateway's metrics and span names. Each is drawn from a small fixed set:
 * route templates instead of raw paths, configured tenants only, status classes in histograms,
 * so a client cannot grow the number of time series by sending odd paths.
 */
import type { ScimRoute } from '@scimgw/core/handler';
import type { Special } from '../authorize.js';

/** The `route` label of a request that matched no route. */
export const UNMATCHED = '(unmatched)';
/** The `tenant` label of a tenant this instance does not serve (404, or forwarded by a chaining gateway). */
export const OTHER_TENANT = '(other)';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** The request method, or `OTHER` for a method outside HTTP's usual set. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

/**
 * The route template of a request: `/Users/{id}`, `/Groups/.search`, `/logger`, `/api/{id}`…,
 * without the tenant (a label of its own) and without the `/scim/v2` prefix.
 */
export function routeLabel(special: Special | undefined, route: ScimRoute | undefined): string {
  if (route) {
    // Made once per endpoint: a label that is the same string every time is hashed once as a key
    // (metrics.ts), where a string built per request is hashed per request.
    let labels = ROUTE_LABELS.get(route.endpoint);
    if (labels === undefined) {
      const e = `/${route.endpoint}`;
      labels = [e, `${e}/.search`, `${e}/{id}`];
      // Endpoints are core's canonical names, a fixed set; the bound only guards against a host
      // that routes something else.
      if (ROUTE_LABELS.size < 64) ROUTE_LABELS.set(route.endpoint, labels);
    }
    return labels[route.search ? 1 : route.id !== undefined ? 2 : 0];
  }
  switch (special?.kind) {
    case 'logger':
      return '/logger';
    case 'token':
      return '/oauth/token';
    case 'auth':
      return '/auth';
    case 'mcp':
      return '/mcp';
    case 'metrics':
      return '/metrics';
    case 'pubapi':
      return '/pub/api';
    case 'api':
      return special.id === undefined ? '/api' : '/api/{id}';
    default:
      return UNMATCHED;
  }
}

/** Per endpoint, its route labels: the collection, `/.search` and `/{id}`. */
const ROUTE_LABELS = new Map<string, readonly [string, string, string]>();

/** The `tenant` label: `''` for the default tenant, the tenant when configured, else {@link OTHER_TENANT}. */
export function tenantLabel(tenant: string | undefined, tenants: ReadonlySet<string>): string {
  if (tenant === undefined) return '';
  return tenants.has(tenant) ? tenant : OTHER_TENANT;
}

/** `2xx`, `4xx`, `5xx`…: the status label of histograms (exact statuses are on the counters). */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
