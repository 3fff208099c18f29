/** Unauthenticated, unlogged endpoints: `/ping`, liveness and readiness. */

/** Paths answered without authentication or logging. */
export const PROBE_PATHS = new Set(['/ping', '/healthz', '/livez', '/readyz']);

/**
 * Answers a probe: status and a small body. `/readyz` carries `details` (the SCIM Stream's
 * connections, counts and lag) when the instance has any.
 */
export function probe(
  path: string,
  ready: boolean,
  details?: Record<string, unknown>,
): { status: number; type: string; body: string } {
  if (path === '/ping') return { status: 200, type: 'text/plain; charset=utf-8', body: 'hello' };
  if (path === '/readyz') {
    const status = ready ? 'ready' : 'not ready';
    const body = details ? JSON.stringify({ status, ...details }) : `{"status":"${status}"}`;
    return { status: ready ? 200 : 503, type: 'application/json', body };
  }
  return { status: 200, type: 'application/json', body: '{"status":"alive"}' };
}
