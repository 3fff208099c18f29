/**
 * Gateway chaining (`scimgateway.chainingBaseUrl`): gateway1 → gateway2 → … → the gateway that
 * owns the connector. A chaining gateway authenticates and authorizes each SCIM request with its
 * own `auth` settings (pass-through credentials included), then sends it, with the client's
 * `Authorization` header, to the next gateway and relays the answer as it streams in. Probes,
 * `/logger`, `/metrics`, `/oauth/token`, `/auth` and the `/api` routes stay local.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { context, propagation } from '@opentelemetry/api';
import { errors } from '@scimgw/core';

/** How long the next gateway may take to start answering. */
export const CHAIN_TIMEOUT_MS = 120_000;

/** Request headers passed on to the next gateway (besides the X-Forwarded-* set). */
const FORWARDED_REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'if-match', 'if-none-match', 'user-agent'];

/** Response headers relayed to the client. The body is relayed as it arrives, so no length. */
const RELAYED_RESPONSE_HEADERS = ['content-type', 'etag', 'location', 'www-authenticate', 'retry-after', 'cache-control'];

/**
 * Checks `scimgateway.chainingBaseUrl` at startup.
 *
 * @returns the base URL without a trailing slash, or undefined when chaining is off
 * @throws Error naming the config path for anything but an http(s) URL without credentials
 */
export function parseChainingBaseUrl(value: unknown, where = 'scimgateway.chainingBaseUrl'): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const bad = (why: string) => new Error(`${where}: ${why} (got ${JSON.stringify(String(value))})`);
  if (typeof value !== 'string') throw bad('must be a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('must be an http:// or https:// URL');
  // The client's own Authorization header goes to the next gateway; a credential in the URL
  // would be a second one, and would end up in logs.
  if (url.username || url.password) {
    // Not echoed: the value holds a credential.
    throw new Error(`${where}: must not contain a user name or password (the client's Authorization is forwarded)`);
  }
  if (url.search || url.hash) throw bad('must not contain a query or fragment');
  return url.href.replace(/\/+$/, '');
}

/** One request to pass on. */
export interface ChainRequest {
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string | undefined;
  requestId: string;
  /** The client's address, appended to X-Forwarded-For. */
  clientAddress: string;
  /** `proto://host` the client used (X-Forwarded-Proto / -Host, so the next gateway's locations point here). */
  origin: string;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The headers sent to the next gateway. */
export function chainRequestHeaders(r: ChainRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const v = header(r.headers[name]);
    if (v !== undefined) out[name] = v;
  }
  const earlier = header(r.headers['x-forwarded-for']);
  out['x-forwarded-for'] = earlier ? `${earlier}, ${r.clientAddress}` : r.clientAddress;
  // `origin` is requestOrigin's `proto://host`.
  const sep = r.origin.indexOf('://');
  out['x-forwarded-proto'] = r.origin.slice(0, sep);
  out['x-forwarded-host'] = r.origin.slice(sep + 3);
  out['x-request-id'] = r.requestId;
  // With tracing on, the next gateway continues this request's trace (W3C traceparent/tracestate);
  // without a traced request or a registered SDK this writes nothing.
  propagation.inject(context.active(), out);
  // Relayed byte for byte: no compression to undo on the way through.
  out['accept-encoding'] = 'identity';
  return out;
}

/** What a failed connection attempt was, for the client's error detail (never the URL's path or a header). */
function failure(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = cause?.code ?? (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const message = cause?.message ?? (e as { message?: unknown }).message;
  return typeof message === 'string' ? message : 'connection failed';
}

/**
 * Sends `r` to the next gateway and relays its answer to `res`. Throws a `ScimError` (502, or
 * 504 on timeout) when the next gateway cannot be reached; once its answer has started, a broken
 * stream ends the client's response too.
 */
export async function forwardRequest(
  base: string,
  r: ChainRequest,
  res: ServerResponse,
  extraHeaders: Record<string, string>,
  timeoutMs = CHAIN_TIMEOUT_MS,
): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  // A client that goes away stops the transfer from the next gateway as well.
  const onClose = () => controller.abort();
  res.once('close', onClose);
  let upstream: Response;
  try {
    upstream = await fetch(base + r.url, {
      method: r.method,
      headers: chainRequestHeaders(r),
      ...(r.body === undefined || r.method === 'GET' || r.method === 'HEAD' ? {} : { body: r.body }),
      redirect: 'manual',
      signal: controller.signal,
    });
  } catch (e) {
    res.off('close', onClose);
    clearTimeout(timer);
    const timedOut = controller.signal.aborted && !res.destroyed;
    const next = new URL(base);
    throw timedOut
      ? new errors.ScimError(504, `The next gateway (${next.host}) did not answer within ${Math.round(timeoutMs / 1000)} s`)
      : new errors.ScimError(502, `The next gateway (${next.host}) could not be reached: ${failure(e)}`);
  }
  clearTimeout(timer);
  try {
    const headers: Record<string, string> = { ...extraHeaders };
    for (const name of RELAYED_RESPONSE_HEADERS) {
      const v = upstream.headers.get(name);
      if (v !== null) headers[name] = v;
    }
    res.writeHead(upstream.status, headers);
    if (upstream.body && r.method !== 'HEAD') {
      for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
        if (res.destroyed) break;
        if (!res.write(chunk))
          await new Promise<void>((go) => {
            const done = () => {
              res.off('drain', done);
              res.off('close', done);
              go();
            };
            res.once('drain', done);
            res.once('close', done);
          });
      }
    }
    res.end();
  } catch (e) {
    // The answer had started: the status line is gone, so the client sees a cut-off response.
    res.destroy(e as Error);
  } finally {
    res.off('close', onClose);
  }
}
