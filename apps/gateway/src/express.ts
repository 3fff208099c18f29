/**
 * Mounting the gateway in an application's own express (or connect-style) app. The gateway itself
 * listens on node:http with no framework in between; this adapter is for hosts that already run
 * express and want SCIM under one of its paths, e.g. `app.use('/scim', await scimMiddleware(parts))`.
 * It imports nothing from express: an express request and response are node:http's, extended.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstanceParts } from './instance.js';
import { createPipeline } from './pipeline.js';

/** The request properties express adds that the adapter reads (all optional: connect has none). */
interface MountedRequest extends IncomingMessage {
  /** The path the middleware is mounted at (`/scim`); express strips it from `req.url`. */
  baseUrl?: string;
}

/** A connect/express middleware: `(req, res, next)`. */
export type ScimMiddleware = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/**
 * The gateway's whole request pipeline (probes, tenants, authentication and authorization, body
 * limits, the SCIM handler, chaining, `/mcp`, logging) as an express middleware. Everything below
 * the mount path is answered by the gateway, errors as SCIM error bodies: `next` is never called.
 * `meta.location` and `Location` include the mount path (express's `req.baseUrl`).
 *
 * @param parts - an instance built with {@link buildInstance}; the caller marks it ready
 *   (`parts.setReady(true)`) once its server listens, and closes it (`parts.close()`) after.
 *
 * @example
 * const parts = await buildInstance(await loadConfig('config/connector-loki.json'));
 * app.use('/scim', scimMiddleware(parts));
 * app.listen(8080, () => parts.setReady(true));
 */
export function scimMiddleware(parts: Pick<InstanceParts, 'deps'>): ScimMiddleware {
  const pipeline = createPipeline(parts.deps);
  return (req, res) => pipeline(req, res, (req as MountedRequest).baseUrl ?? '');
}
