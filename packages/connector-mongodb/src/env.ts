/** What every operation of the connector shares: tenants, versions, logging, error translation. */
import { errors, type Logger, type RequestContext } from '@scimgw/core';
import { describeCode, isConnectionError, serverCodeOf, toScimError } from './errors.js';
import type { Kind } from './kind.js';
import type { TenantRegistry } from './tenancy.js';
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
 * Runs one operation and translates what it throws. A failure that is not the client's (5xx) is
 * logged with the server's code and message, which never reach the client.
 */
export async function guarded<T>(
  env: Env,
  ctx: RequestContext,
  what: string,
  fn: () => Promise<T>,
  uniqueness?: (e: unknown) => string | undefined,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (errors.isScimError(e)) throw e;
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
  }
}
