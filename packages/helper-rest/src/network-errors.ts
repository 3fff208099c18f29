/**
 * Turns whatever a transport threw into a typed error: a caller abort, the
 * attempt's timeout or the request's deadline, a connection that never opened
 * (safe to fail over and to send again) and one that broke.
 */
import { RestAbortedError, RestConfigError, RestNetworkError, RestResponseTooLargeError, RestTimeoutError } from './errors.js';
import { ResponseTooLarge } from './transport.js';
import { PROXY_REFUSED } from './transport-fetch.js';
import { REDIRECT_HOP_FAILED } from './transport-undici.js';

/** Why the pipeline aborted an attempt, if it did. */
export type AbortCause = 'attempt' | 'deadline' | 'caller' | undefined;

/** What the classifier knows about the attempt. */
export interface AttemptInfo {
  /** `METHOD url` for messages (masked). */
  what: string;
  method: string;
  cause: AbortCause;
  /** The caller's abort reason, when the caller aborted. */
  callerReason?: unknown;
  /** How long the attempt was allowed to take (ms). */
  timeoutMs: number;
  /** `Retry-After` seconds for the client when the target turns out unreachable. */
  retryAfter?: number | undefined;
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
 * Bun throws `ERR_PROXY_TUNNEL` with a `status` for a refused CONNECT, and the fetch transport
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

/** Classifies a transport failure of one attempt. */
export function classifyTransportError(
  e: unknown,
  info: AttemptInfo,
): RestNetworkError | RestTimeoutError | RestAbortedError | RestConfigError | RestResponseTooLargeError {
  if (e instanceof RestConfigError) return e;
  if (e instanceof ResponseTooLarge) {
    return new RestResponseTooLargeError(`${info.what}: the answer is larger than ${e.limit} bytes`, {
      limit: e.limit,
      cause: e,
    });
  }
  const { what, method } = info;
  if (info.cause === 'caller') return new RestAbortedError(`${what} aborted by caller`, { cause: info.callerReason });
  if (info.cause === 'deadline') {
    return new RestTimeoutError(`${what} did not finish within the request's deadline`, { cause: e, method, deadline: true });
  }
  if (info.cause === 'attempt') {
    return new RestTimeoutError(`${what} timed out after ${info.timeoutMs} ms`, { cause: e, method });
  }
  const codes = errorCodes(e);
  const proxyStatus = proxyRefusal(e);
  if (proxyStatus) {
    return new RestNetworkError(
      proxyStatus === '407'
        ? `${what} failed: proxy authentication failed (407)`
        : `${what} failed: proxy answered ${proxyStatus}`,
      { reached: false, errno: `PROXY_${proxyStatus}`, fatal: proxyStatus === '407', method, cause: e },
    );
  }
  const primary = codes.find((c) => NOT_CONNECTED.has(c)) ?? codes[0];
  if (codes.some((c) => TLS_FAILURE.test(c))) {
    return new RestNetworkError(`${what} failed TLS verification (${codes.find((c) => TLS_FAILURE.test(c))})`, {
      reached: false,
      errno: primary,
      fatal: true,
      method,
      cause: e,
    });
  }
  // A hop after a redirect: the request was sent and answered before, whatever this one says.
  const notConnected = !codes.includes(REDIRECT_HOP_FAILED) && codes.some((c) => NOT_CONNECTED.has(c));
  return new RestNetworkError(`${what} failed: ${primary ?? (e instanceof Error ? e.message : 'network error')}`, {
    reached: !notConnected,
    errno: primary,
    method,
    retryAfter: info.retryAfter,
    cause: e,
  });
}
