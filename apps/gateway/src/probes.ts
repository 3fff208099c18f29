/** Unauthenticated, unlogged endpoints: `/ping`, liveness and readiness. */

/** Paths answered without authentication or logging. */
export const PROBE_PATHS = new Set(['/ping', '/healthz', '/livez', '/readyz']);

/** Answers a probe: status and a small body. */
export function probe(path: string, ready: boolean): { status: number; type: string; body: string } {
  if (path === '/ping') return { status: 200, type: 'text/plain; charset=utf-8', body: 'hello' };
  if (path === '/readyz') {
    return ready
      ? { status: 200, type: 'application/json', body: '{"status":"ready"}' }
      : { status: 503, type: 'application/json', body: '{"status":"not ready"}' };
  }
  return { status: 200, type: 'application/json', body: '{"status":"alive"}' };
}
