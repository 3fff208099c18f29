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

/** Gives `ctx` a `signal` that aborts when `res` closes before it finished. */
export function cancelOnDisconnect(ctx: RequestContext, res: ServerResponse): void {
  let controller: AbortController | undefined;
  Object.defineProperty(ctx, 'signal', {
    enumerable: true,
    configurable: true,
    get(): AbortSignal {
      if (controller) return controller.signal;
      const c = new AbortController();
      controller = c;
      const gone = () => c.abort(new ClientGoneError('The client closed the connection before the answer was written'));
      if (res.writableFinished) return c.signal;
      if (res.destroyed || res.socket?.destroyed) gone();
      else res.once('close', () => (res.writableFinished ? undefined : gone()));
      return c.signal;
    },
  });
}
