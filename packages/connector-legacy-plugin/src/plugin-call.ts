/**
 * One call of a plugin method the way the older gateway made it: the tenant (`baseEntity`, the
 * string `"undefined"` for the default one) first, the method's own arguments, then the
 * pass-through `ctx` when the plugin asked for it. What the plugin throws becomes a SCIM error by
 * the older API's conventions; anything else is logged here and reaches the client as an opaque
 * 500.
 */
import { errors, type Logger, type RequestContext } from '@scimgw/core';
import { toScimError } from './errors.js';
import type { LegacyGatewayObject, PluginMethodName } from './shim/gateway-object.js';

/** What a plugin call needs. */
export interface PluginCallDeps {
  gateway: LegacyGatewayObject;
  /** The connector's logger, for requests that carry none. */
  gatewayLog: Logger;
}

/** The key of a request's tenant in the older API. */
export const tenantOf = (ctx: RequestContext): string => ctx.tenant ?? 'undefined';

/** The older API's pass-through `ctx`: `{ headers: { authorization } }` when the plugin asked for it. */
export function legacyCtx(gateway: LegacyGatewayObject, ctx: RequestContext): Record<string, unknown> | undefined {
  return gateway.authPassThroughAllowed && ctx.authorization ? { headers: { authorization: ctx.authorization } } : undefined;
}

/** Calls `name` with `args` between the tenant and the pass-through `ctx`. */
export async function callPlugin(
  deps: PluginCallDeps,
  name: PluginMethodName,
  ctx: RequestContext,
  args: readonly unknown[],
): Promise<unknown> {
  const m = deps.gateway.method(name);
  if (!m) throw new errors.NotImplementedError(`the plugin does not implement ${name}`);
  try {
    return await (m as (...a: unknown[]) => unknown)(tenantOf(ctx), ...args, legacyCtx(deps.gateway, ctx));
  } catch (e) {
    const mapped = toScimError(e, name);
    if (mapped === e) (ctx.log ?? deps.gatewayLog).error(`${name} failed: ${(e as Error)?.message ?? String(e)}`);
    throw mapped;
  }
}
