/**
 * The `fetch` transport: Bun's native `fetch` (with its `tls` and `proxy`
 * init fields), a replacement `fetch`, or Node's global `fetch` when undici
 * cannot be loaded. Both runtimes keep connections alive by default.
 */
import { BodyTooLargeError, readBoundedBytes } from '@scimgw/config';
import { RestConfigError } from './errors.js';
import { proxyUrlWithCredentials } from './proxy.js';
import {
  MAX_RESPONSE_BYTES,
  type OutboundRequest,
  type RawResponse,
  ResponseTooLarge,
  type Transport,
  TransportAbort,
  type TransportOptions,
} from './transport.js';

/** Code of the error thrown when a proxy refuses a plain-HTTP request on Bun (see below). */
export const PROXY_REFUSED = 'ERR_PROXY_REFUSED';

/**
 * Runs `run` with an AbortSignal that fires after `req.timeoutMs` or when the caller aborts, and
 * reports either as a {@link TransportAbort}.
 */
export async function withAbort<T>(req: OutboundRequest, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let why: TransportAbort['why'] | undefined;
  const timer = setTimeout(() => {
    why = 'timeout';
    ac.abort();
  }, req.timeoutMs);
  const onAbort = () => {
    why = 'caller';
    ac.abort();
  };
  const caller = req.caller?.();
  try {
    if (caller?.aborted) throw new TransportAbort('caller', caller.reason);
    caller?.addEventListener('abort', onAbort, { once: true });
    return await run(ac.signal);
  } catch (e) {
    if (why !== undefined && !(e instanceof TransportAbort)) throw new TransportAbort(why, why === 'caller' ? caller?.reason : e);
    throw e;
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onAbort);
  }
}

/**
 * Reads a fetch `Response` to its end, at most `limit` bytes of body ({@link ResponseTooLarge}
 * past it; see `readBoundedBytes` of `@scimgw/config`), so a target that answers without end
 * cannot fill the memory.
 */
export async function readFetchResponse(res: Response, url: string, limit = MAX_RESPONSE_BYTES): Promise<RawResponse> {
  const bytes = await readBoundedBytes(res, limit).catch((e: unknown) => {
    throw e instanceof BodyTooLargeError ? new ResponseTooLarge(limit) : e;
  });
  return {
    status: res.status,
    header: (name) => res.headers.get(name) ?? undefined,
    headers: () => res.headers,
    bytes,
    url,
  };
}

/**
 * Sends through `base`. `opts.tls`/`opts.proxy` become Bun's `tls`/`proxy`
 * init fields; a replacement fetch receives them the same way.
 */
export function fetchTransport(base: typeof fetch, opts: TransportOptions): Transport {
  const extra: Record<string, unknown> = {};
  if (opts.tls) extra.tls = { ...opts.tls };
  if (opts.proxy) extra.proxy = proxyUrlWithCredentials(opts.proxy);
  let closed = false;
  return {
    async send(req) {
      if (closed) throw new RestConfigError('The REST helper is closed');
      return withAbort(req, async (signal) => {
        const res = await base(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body ?? null,
          signal,
          redirect: 'follow',
          ...extra,
        } as RequestInit);
        // Bun sends a plain-HTTP request to the proxy itself instead of tunnelling it, so a proxy
        // that refuses the credentials answers the request: a 407 response, where a tunnel (undici,
        // or Bun for HTTPS) fails with an error. Make it the same failure.
        if (opts.proxy && res.status === 407) {
          await res.body?.cancel().catch(() => {});
          throw Object.assign(new Error('Proxy refused the request: 407'), { code: PROXY_REFUSED, status: 407 });
        }
        return readFetchResponse(res, req.url, opts.maxResponseBytes);
      });
    },
    async close() {
      closed = true;
    },
  };
}
