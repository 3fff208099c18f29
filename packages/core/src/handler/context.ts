/** The request context as the core hands it to a connector. */
import type { RequestContext } from '../contract/types.js';

/**
 * A copy of the host's context for the core to change (`tenant` from the path, `ifMatch`): the
 * host's own object is never changed. Made only when something is to be set, so most requests hand
 * the connector the host's context as it is; a host that makes its `signal` on first use (the
 * gateway) would otherwise pay for copying an accessor on every read, twenty times what a spread
 * costs. A `signal` that is an accessor is copied as an accessor, not read: a spread would make
 * the signal (an AbortController and a `close` listener in the gateway).
 */
export function ownContext(from: RequestContext): RequestContext {
  if (Object.getOwnPropertyDescriptor(from, 'signal')?.get === undefined) return { ...from };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    const d = Object.getOwnPropertyDescriptor(from, key)!;
    // Read from the host's object, whose state the accessor may keep on it.
    const get = d.get;
    if (get) Object.defineProperty(out, key, { get: () => get.call(from), enumerable: true, configurable: true });
    else out[key] = d.value;
  }
  return out as RequestContext;
}
