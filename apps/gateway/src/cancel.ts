/**
 * `RequestContext.signal` for reads: aborted when the client goes away before its answer is
 * written (it disconnected, or the host closed its connection on shutdown), so a connector stops
 * paging through a backend for nobody.
 *
 * Writes get no signal: a write the client gave up on is still carried to its end, so a backend is
 * never left half-changed (a user created but not yet put in its groups). The client learns the
 * outcome when it retries.
 *
 * The controller is made when a connector first reads `ctx.signal`: connectors that never look
 * (the embedded store) cost no listener per request.
 */
import type { ServerResponse } from 'node:http';
import type { RequestContext } from '@scimgw/core';

/** Why the signal aborted: the client is gone. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
}

/** Where a context's signal comes from: the response, and the controller once made. */
interface Disconnect {
  readonly res: ServerResponse;
  controller: AbortController | undefined;
}

/** The {@link Disconnect} of a context (a symbol key: not among the context's named keys). */
const DISCONNECT = Symbol('scimgw.disconnect');

type WithDisconnect = RequestContext & { [DISCONNECT]?: Disconnect };

/** The `signal` accessor every context shares; its state is the context's own {@link DISCONNECT}. */
function signalOf(this: WithDisconnect): AbortSignal | undefined {
  const d = this[DISCONNECT];
  if (d === undefined) return undefined;
  if (d.controller) return d.controller.signal;
  const c = new AbortController();
  d.controller = c;
  const res = d.res;
  const gone = () => c.abort(new ClientGoneError('The client closed the connection before the answer was written'));
  if (res.writableFinished) return c.signal;
  if (res.destroyed || res.socket?.destroyed) gone();
  else res.once('close', () => (res.writableFinished ? undefined : gone()));
  return c.signal;
}

/**
 * One descriptor, one getter for every request: V8 gives contexts that get the same accessor the
 * same hidden class, where a getter closed over each request (a new function per request) made
 * each context an object of its own kind: about a microsecond per read request.
 */
const SIGNAL: PropertyDescriptor = { enumerable: true, configurable: true, get: signalOf };

/** Gives `ctx` a `signal` that aborts when `res` closes before it finished. */
export function cancelOnDisconnect(ctx: RequestContext, res: ServerResponse): void {
  (ctx as WithDisconnect)[DISCONNECT] = { res, controller: undefined };
  Object.defineProperty(ctx, 'signal', SIGNAL);
}
