/**
 * Authorization after authentication: read-only credentials and tenant scoping.
 */
import type { Principal } from './types.js';

/**
 * `true` for requests that only read: GET, HEAD, OPTIONS, and `POST …/.search`
 * (RFC 7644 §3.4.3 queries with a body).
 *
 * @param method - HTTP method, any case
 * @param path - request path; a query string and trailing slash are ignored
 * @example isReadRequest('POST', '/tenant-a/Users/.search') // true
 */
export function isReadRequest(method: string, path: string): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return true;
  if (m !== 'POST') return false;
  let p = path;
  const q = p.search(/[?#]/);
  if (q >= 0) p = p.slice(0, q);
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p === '/.search' || p.endsWith('/.search');
}

/**
 * `true` when the principal may reach `tenant`. A principal with an empty `baseEntities`
 * list reaches every tenant; a restricted one reaches only its listed tenants and never
 * the tenant-less root.
 *
 * @example tenantAllowed({ baseEntities: ['a'] } as Principal, 'b') // false
 */
export function tenantAllowed(principal: Pick<Principal, 'baseEntities'>, tenant: string | undefined): boolean {
  if (principal.baseEntities.length === 0) return true;
  return tenant !== undefined && principal.baseEntities.includes(tenant);
}
