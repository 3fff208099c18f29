/** Which tenants of an `endpoint.entity` section sign in with the caller's own credentials. */
import type { PassThroughTenants } from '@scimgw/core';
import { tenantKey } from './config.js';

/** The part of an `endpoint.entity` section read here (any connector's typed section fits). */
export type EntitySection =
  | Readonly<
      Record<string, { readonly connection?: { readonly auth?: { readonly type?: unknown } | null } | null } | null | undefined>
    >
  | null
  | undefined;

/**
 * A connector's `passThroughAuth` from its `endpoint.entity` section: `false` when no tenant's
 * connection has `auth.type` `passThrough`, otherwise whether the tenant's does. A tenant that
 * signs in with an account of its own checks no caller's credential, so the host must not pass one
 * through to it (`"undefined"` is the default tenant's key, as in the older product).
 *
 * @example
 * const p = callerCredentialTenants({ hr: { connection: { auth: { type: 'passThrough' } } }, undefined: { connection: { auth: { type: 'basic' } } } });
 * p !== false && p('hr') // true; p('undefined') and p(undefined) are false
 */
export function callerCredentialTenants(entity: EntitySection): false | PassThroughTenants {
  const keys = new Set<string>();
  for (const [key, e] of Object.entries(entity ?? {})) if (e?.connection?.auth?.type === 'passThrough') keys.add(key);
  if (keys.size === 0) return false;
  return (tenant) => keys.has(tenantKey(tenant));
}
