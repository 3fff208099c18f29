/**
 * How bytes leave the process. Plain connections use the global `fetch`
 * (Node 20 and Bun). Custom TLS or a proxy need runtime-specific options:
 *
 * - Bun: its `fetch` takes `tls` and `proxy` init fields natively.
 * - Node: global `fetch` has no TLS/proxy options, so an undici `Agent` or
 *   `ProxyAgent` is used as `dispatcher` with undici's own `fetch` (pairing a
 *   dispatcher with the same undici build avoids version skew with the copy
 *   bundled in Node). undici is loaded lazily; when it is missing only the
 *   connections that need it fail, with a clear configuration error.
 */
import { RestAbortedError, RestConfigError, RestNetworkError, RestTimeoutError } from './errors.js';
import type { ResolvedProxy } from './proxy.js';
import { proxyUrlWithCredentials } from './proxy.js';
import type { LoadedTls } from './tls.js';

/** Sends requests for one connection. */
export interface Transport {
  fetch(url: string, init: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** What the transport needs to know about a connection. */
export interface TransportOptions {
  tls?: LoadedTls | undefined;
  proxy?: ResolvedProxy | undefined;
  /** Replacement fetch from `createHelperRest({ fetch })`. */
  fetchImpl?: typeof fetch | undefined;
}

/** True when running on Bun. */
export function isBun(): boolean {
  return typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
}

type Closable = { close(): Promise<void> };
type UndiciModule = typeof import('undici');

let undiciModule: Promise<UndiciModule> | undefined;

function loadUndici(): Promise<UndiciModule> {
  // Cached once per process; a failed import is retried by the next connection that needs it.
  undiciModule ??= import('undici').catch((e: unknown) => {
    undiciModule = undefined;
    throw new RestConfigError(
      'TLS or proxy options on Node need the "undici" package (a dependency of @scimgw/helper-rest); it could not be loaded',
      { cause: e },
    );
  });
  return undiciModule;
}

/** Creates the transport for one connection. */
export function createTransport(opts: TransportOptions): Transport {
  const base = opts.fetchImpl ?? globalThis.fetch.bind(globalThis);
  if (!opts.tls && !opts.proxy) {
    return { fetch: (url, init) => base(url, init), close: async () => {} };
  }
  if (isBun()) return bunTransport(base, opts);
  return nodeTransport(opts);
}

/** Code of the error thrown when a proxy refuses a plain-HTTP request on Bun (see bunTransport). */
const PROXY_REFUSED = 'ERR_PROXY_REFUSED';

function bunTransport(base: typeof fetch, opts: TransportOptions): Transport {
  const extra: Record<string, unknown> = {};
  if (opts.tls) extra.tls = { ...opts.tls };
  if (opts.proxy) extra.proxy = proxyUrlWithCredentials(opts.proxy);
  return {
    async fetch(url, init) {
      const res = await base(url, { ...init, ...extra } as RequestInit);
      // Bun sends a plain-HTTP request to the proxy itself instead of tunnelling it, so a proxy
      // that refuses the credentials answers the request: a 407 response, where a tunnel (undici,
      // or Bun for HTTPS) fails with an error. Make it the same failure.
      if (opts.proxy && res.status === 407) {
        await res.body?.cancel().catch(() => {});
        throw Object.assign(new Error('Proxy refused the request: 407'), { code: PROXY_REFUSED, status: 407 });
      }
      return res;
    },
    close: async () => {},
  };
}

function nodeTransport(opts: TransportOptions): Transport {
  let dispatcher: Promise<{ dispatcher: Closable; fetch: typeof fetch }> | undefined;
  let closed = false;
  const get = () => {
    dispatcher ??= loadUndici().then((undici) => {
      const tls = opts.tls ? { ...opts.tls } : undefined;
      const d = opts.proxy
        ? new undici.ProxyAgent({
            uri: opts.proxy.url,
            ...(opts.proxy.authorization ? { token: opts.proxy.authorization } : {}),
            ...(tls ? { requestTls: tls } : {}),
          })
        : new undici.Agent({ connect: tls ?? {} });
      const f = (opts.fetchImpl ?? undici.fetch) as unknown as typeof fetch;
      return { dispatcher: d, fetch: f };
    });
    return dispatcher;
  };
  return {
    async fetch(url, init) {
      if (closed) throw new RestConfigError('The REST helper is closed');
      const { dispatcher: d, fetch: f } = await get();
      return f(url, { ...init, dispatcher: d } as RequestInit);
    },
    async close() {
      closed = true;
      if (dispatcher) await (await dispatcher.catch(() => undefined))?.dispatcher.close();
    },
  };
}

/** Errors meaning the TCP connection was never established: safe to fail over and to retry any method. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  // Bun's spellings
  'ConnectionRefused',
  'FailedToOpenSocket',
  'UnableToConnect',
  'DNSResolutionFailed',
]);

/** TLS verification failures: a configuration problem, never retried. */
const TLS_FAILURE =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME|UNABLE_TO_GET_ISSUER|ERR_SSL|TLSV1_ALERT|DEPTH_ZERO|HANDSHAKE|TLS/i;

/**
 * The status a proxy refused with: undici says "Proxy response (407) !== 200 when HTTP Tunneling";
 * Bun throws `ERR_PROXY_TUNNEL` with a `status` for a refused CONNECT, and bunTransport
 * `ERR_PROXY_REFUSED` for a refused plain request.
 */
function proxyRefusal(e: unknown): string | undefined {
  const fromMessage = /Proxy response \((\d{3})\)/.exec(errorMessages(e))?.[1];
  if (fromMessage) return fromMessage;
  let x: unknown = e;
  for (let depth = 0; typeof x === 'object' && x !== null && depth <= 5; depth++) {
    const { code, status } = x as { code?: unknown; status?: unknown };
    if ((code === 'ERR_PROXY_TUNNEL' || code === PROXY_REFUSED) && typeof status === 'number') return String(status);
    x = (x as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorMessages(e: unknown, depth = 0): string {
  if (typeof e !== 'object' || e === null || depth > 5) return '';
  const msg = (e as { message?: unknown }).message;
  return `${typeof msg === 'string' ? msg : ''} ${errorMessages((e as { cause?: unknown }).cause, depth + 1)}`;
}

function errorCodes(e: unknown, depth = 0): string[] {
  if (typeof e !== 'object' || e === null || depth > 5) return [];
  const out: string[] = [];
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') out.push(code);
  out.push(...errorCodes((e as { cause?: unknown }).cause, depth + 1));
  const errors = (e as { errors?: unknown }).errors;
  if (Array.isArray(errors)) for (const inner of errors) out.push(...errorCodes(inner, depth + 1));
  return out;
}

/**
 * Turns whatever `fetch` threw into a typed error, telling apart a caller
 * abort, our own timeout, a connection that never opened and one that broke.
 */
export function classifyFetchError(
  e: unknown,
  signals: { timeout: AbortSignal; caller: AbortSignal | undefined },
  what: string,
  timeoutMs: number,
): RestNetworkError | RestTimeoutError | RestAbortedError | RestConfigError {
  if (e instanceof RestConfigError) return e;
  if (signals.caller?.aborted) return new RestAbortedError(`${what} aborted by caller`, { cause: signals.caller.reason });
  if (signals.timeout.aborted) return new RestTimeoutError(`${what} timed out after ${timeoutMs} ms`, { cause: e });
  const codes = errorCodes(e);
  const proxyStatus = proxyRefusal(e);
  if (proxyStatus) {
    return new RestNetworkError(
      proxyStatus === '407'
        ? `${what} failed: proxy authentication failed (407)`
        : `${what} failed: proxy answered ${proxyStatus}`,
      { reached: false, errno: `PROXY_${proxyStatus}`, fatal: proxyStatus === '407', cause: e },
    );
  }
  const primary = codes.find((c) => NOT_CONNECTED.has(c)) ?? codes[0];
  if (codes.some((c) => TLS_FAILURE.test(c))) {
    return new RestNetworkError(`${what} failed TLS verification (${codes.find((c) => TLS_FAILURE.test(c))})`, {
      reached: false,
      errno: primary,
      fatal: true,
      cause: e,
    });
  }
  const notConnected = codes.some((c) => NOT_CONNECTED.has(c));
  return new RestNetworkError(`${what} failed: ${primary ?? (e instanceof Error ? e.message : 'network error')}`, {
    reached: !notConnected,
    errno: primary,
    cause: e,
  });
}
