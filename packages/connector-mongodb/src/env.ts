/** What every operation of the connector shares: tenants, versions, logging, error translation. */
import { errors, type Logger, type RequestContext } from '@scimgw/core';
import { describeCode, isConnectionError, serverCodeOf, toScimError } from './errors.js';
import type { Kind } from './kind.js';
import type { Tenant, TenantRegistry } from './tenancy.js';
import type { ObservedVersions } from './versions.js';

/** Shared state of the operations. */
export interface Env {
  tenants: TenantRegistry;
  versions: ObservedVersions;
  log: Logger;
  newId: () => string;
  retryAfter: number;
}

/** The key under which a request's observed version of a resource is kept. */
export function versionKey(kind: Kind, id: string): string {
  return `${kind.role}\u0000${id}`;
}

/**
 * Runs one operation on its tenant (`open` gives it: with pass-through, on the caller's own
 * MongoDB connection) and translates what it throws. A failure that is not the client's (5xx) is
 * logged with the server's code and message, which never reach the client. With the caller's
 * credentials, MongoDB refusing them is 401 and refusing the operation to that user is 403.
 */
export async function guarded<T>(
  env: Env,
  ctx: RequestContext,
  what: string,
  fn: (open: () => Promise<Tenant>) => Promise<T>,
  uniqueness?: (e: unknown) => string | undefined,
): Promise<T> {
  const lease = env.tenants.lease(ctx.tenant, ctx.authorization);
  try {
    return await fn(lease.open);
  } catch (e) {
    if (errors.isScimError(e)) throw e;
    if (lease.caller) {
      const code = serverCodeOf(e) ?? serverCodeOf((e as { cause?: unknown }).cause);
      if (code === 18) {
        lease.evict();
        throw new errors.UnauthorizedError('MongoDB refused these credentials', { cause: e });
      }
      if (code === 13) throw new errors.ForbiddenError(`Cannot ${what}: MongoDB does not allow this user to`, { cause: e });
    }
    const u = uniqueness?.(e);
    const err = toScimError(e, { what, retryAfter: env.retryAfter, ...(u ? { uniqueness: u } : {}) });
    if (err.status >= 500) {
      const code = serverCodeOf(e);
      const log = ctx.log ?? env.log;
      const data: Record<string, unknown> = {
        operation: what,
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        ...(code === undefined ? {} : { code: describeCode(code) }),
        ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
      };
      if (isConnectionError(e)) log.warn('mongodb: the database is not reachable', data);
      else log.error('mongodb: operation failed', data);
    }
    throw err;
  } finally {
    lease.release();
  }
}
