import type { Logger } from 'pino';

/** The facts of one finished request, handed to `logRequest`. */
export interface RequestLogEntry {
  reqId: string;
  method: string;
  /** Path with query string as received; secrets in the query are masked. */
  path: string;
  tenant?: string;
  status: number;
  durationMs: number;
  /** Authenticated principal (user name, client id), never a credential. */
  principal?: string;
  /** Logged only where the level is `debug`. */
  requestBody?: unknown;
  /** Logged only where the level is `debug`. */
  responseBody?: unknown;
}

/** Paths of liveness/readiness probes, which would drown the log if logged. */
const PROBE_PATHS = new Set(['/ping', '/health', '/healthz', '/livez', '/readyz', '/ready', '/live', '/status']);

/**
 * True for health probes (`/ping`, `/health`, `/healthz`, `/livez`, `/readyz` …,
 * also under a tenant prefix such as `/tenant1/ping`). The gateway skips these;
 * `logRequest` skips them too, so a host that forgets is still quiet.
 *
 * @param path - request path, with or without query string
 * @example
 * ```ts
 * isProbePath('/ping?x=1'); // true
 * isProbePath('/Users');    // false
 * ```
 */
export function isProbePath(path: string): boolean {
  let p = path;
  const q = p.search(/[?#]/);
  if (q >= 0) p = p.slice(0, q);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  p = p.toLowerCase();
  if (PROBE_PATHS.has(p)) return true;
  const last = p.slice(p.lastIndexOf('/'));
  return (last === '/ping' || last === '/healthz') && p.split('/').length === 3;
}

/** Body larger than this (as JSON) is cut, so one huge list response cannot blow up a log file. */
const MAX_BODY_CHARS = 64 * 1024;

function boundedBody(body: unknown, mask: (v: unknown) => unknown): unknown {
  const masked = mask(body);
  let json: string | undefined;
  try {
    json = typeof masked === 'string' ? masked : JSON.stringify(masked);
  } catch {
    return '[unserialisable body]';
  }
  if (json === undefined || json.length <= MAX_BODY_CHARS) return masked;
  return { truncated: true, chars: json.length, head: json.slice(0, MAX_BODY_CHARS) };
}

/** Level of the final line: server errors are errors, client errors warnings (404 is routine), the rest info. */
export function requestLevel(status: number): 'info' | 'warn' | 'error' {
  if (status >= 500) return 'error';
  if (status >= 400 && status !== 404) return 'warn';
  return 'info';
}

/**
 * Writes the one final line for a request. Bodies are attached only when some
 * sink logs at `debug`; sinks above debug receive the line without them.
 *
 * @param logger - the gateway logger
 * @param entry - what happened
 * @param mask - the masker (bodies are masked before size-bounding)
 */
export function writeRequestLine(logger: Logger, entry: RequestLogEntry, mask: (v: unknown) => unknown): void {
  if (isProbePath(entry.path)) return;
  const level = requestLevel(entry.status);
  if (!logger.isLevelEnabled(level)) return;
  const durationMs = Math.round(entry.durationMs * 100) / 100;
  const path = shownPath(entry.path, mask);
  const fields: Record<string, unknown> = {
    kind: 'request',
    reqId: entry.reqId,
    ...(entry.tenant !== undefined ? { tenant: entry.tenant } : {}),
    method: entry.method,
    path,
    status: entry.status,
    durationMs,
    ...(entry.principal !== undefined ? { principal: entry.principal } : {}),
  };
  if (logger.isLevelEnabled('debug')) {
    if (entry.requestBody !== undefined) fields.requestBody = boundedBody(entry.requestBody, mask);
    if (entry.responseBody !== undefined) fields.responseBody = boundedBody(entry.responseBody, mask);
  }
  logger[level](fields, `${entry.method} ${path} ${entry.status} ${durationMs}ms`);
}

/**
 * The path as a log line shows it: the query string decoded, so the filter an IdP sent reads as
 * it wrote it (`?filter=userName eq "bjensen"`), and masked as any other text (`password=…`, a
 * filter comparing a secret attribute, configured secret values).
 */
export function shownPath(path: string, mask: (v: unknown) => unknown): string {
  const q = path.indexOf('?');
  if (q === -1) return path;
  let query = path.slice(q + 1);
  try {
    query = decodeURIComponent(query.replace(/\+/g, ' '));
  } catch {
    // Not valid percent-encoding: shown as sent.
  }
  return `${path.slice(0, q)}?${mask(query) as string}`;
}
