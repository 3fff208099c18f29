/**
 * The `fetch` transport: Bun's native `fetch` (with its `tls` and `proxy`
 * init fields), a replacement `fetch`, or Node's global `fetch` when undici
 * cannot be loaded. Both runtimes keep connections alive by default.
 */
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
 * past it). A body with a `Content-Length` within the limit is read in one native call (a fetch
 * never delivers more than the length it declared); one without is read chunk by chunk and
 * cancelled once it passes the limit, so a target that streams without end cannot fill the memory.
 */
export async function readFetchResponse(res: Response, url: string, limit = MAX_RESPONSE_BYTES): Promise<RawResponse> {
  const declared = res.headers.get('content-length');
  let bytes: Uint8Array;
  if (declared !== null && /^\d+$/.test(declared.trim())) {
    if (Number(declared) > limit) {
      await res.body?.cancel().catch(() => {});
      throw new ResponseTooLarge(limit);
    }
    bytes = new Uint8Array(await res.arrayBuffer());
  } else bytes = await readLimited(res, limit);
  return {
    status: res.status,
    header: (name) => res.headers.get(name) ?? undefined,
    headers: () => res.headers,
    bytes,
    url,
  };
}

/** The body of an answer without a `Content-Length`, read up to `limit` bytes. */
async function readLimited(res: Response, limit: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new ResponseTooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
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
