/**
 * Authorization after authentication: tenant scoping. (Read-only credentials are checked against
 * the access the host derived from its route table: see `AuthRequest.access`.)
 */
import type { Principal } from './types.js';

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
