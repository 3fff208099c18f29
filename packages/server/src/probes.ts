/** Unauthenticated, unlogged endpoints: `/ping`, liveness, readiness, and `/` pointing to the rest. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Paths answered without authentication or logging. */
export const PROBE_PATHS = new Set(['/', '/ping', '/healthz', '/livez', '/readyz']);

/**
 * What `/` answers: where the documentation is and which endpoints exist (a person opening the
 * gateway's address in a browser gets this instead of a bare 404). Nothing about the data, the
 * configuration or the version: it is answered without authentication.
 */
const ROOT_BODY = JSON.stringify(
  {
    service: 'scimgw SCIM gateway',
    documentation: 'https://github.com/scimgw/scimgw/tree/main/docs',
    scim: {
      base: 'SCIM 2.0 at / and /scim/v2; with tenants, /<baseEntity>/… (authentication required)',
      discovery: ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'],
      resources: ['/Users', '/Groups', '/Bulk', '/.search'],
    },
    probes: { liveness: '/healthz', readiness: '/readyz', ping: '/ping' },
    logs: '/logger (live log stream, authentication required)',
  },
  null,
  2,
);

const METHOD_NOT_ALLOWED = {
  status: 405,
  type: 'application/scim+json',
  body: JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: '405',
    detail: 'This endpoint answers GET and HEAD only',
  }),
  headers: { allow: 'GET, HEAD' },
};

/**
 * Answers a probe (GET or HEAD; any other method gets 405 with `Allow`): status and a small body. `/readyz` carries `details` (the SCIM Stream's
 * connections, counts and lag) when the instance has any.
 */
export function probe(
  path: string,
  ready: boolean,
  details?: Record<string, unknown>,
  method = 'GET',
): { status: number; type: string; body: string; headers?: Record<string, string> } {
  // Probes are read-only: whatever the path, another method changes nothing and is told so.
  if (method !== 'GET' && method !== 'HEAD') return METHOD_NOT_ALLOWED;
  if (path === '/') return { status: 200, type: 'application/json', body: ROOT_BODY };
  if (path === '/ping') return { status: 200, type: 'text/plain; charset=utf-8', body: 'hello' };
  if (path === '/readyz') {
    const status = ready ? 'ready' : 'not ready';
    const body = details ? JSON.stringify({ status, ...details }) : `{"status":"${status}"}`;
    return { status: ready ? 200 : 503, type: 'application/json', body };
  }
  return { status: 200, type: 'application/json', body: '{"status":"alive"}' };
}

/**
 * Answers `req` when `path` is a probe path (returns true); leaves it alone otherwise. Both apps'
 * pipelines call this first, so probes behave the same in each.
 */
export function answerProbe(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ready: boolean,
  readiness?: () => Record<string, unknown> | undefined,
): boolean {
  if (!PROBE_PATHS.has(path)) return false;
  const p = probe(path, ready, path === '/readyz' ? readiness?.() : undefined, req.method);
  res.writeHead(p.status, { ...p.headers, 'content-type': p.type, 'content-length': String(Buffer.byteLength(p.body)) });
  res.end(p.body);
  return true;
}
