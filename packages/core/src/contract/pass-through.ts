/** Where a connector checks passed-through credentials (`passThroughAuth`). */
import type { Connector } from './types.js';

/**
 * Whether `connector` checks the passed-through credentials of `tenant` (`undefined`: the default
 * tenant), as its `passThroughAuth` declares. A declaration that throws checks nothing.
 *
 * @example
 * checksPassThrough({ passThroughAuth: (t) => t === 'hr' }, 'sales') // false
 */
export function checksPassThrough(connector: Pick<Connector, 'passThroughAuth'>, tenant: string | undefined): boolean {
  const declared = connector.passThroughAuth;
  if (typeof declared !== 'function') return declared === true;
  try {
    return declared(tenant) === true;
  } catch {
    return false;
  }
}
