/**
 * Retries of SOAP calls. They happen here, around the whole call, and not in the HTTP client:
 * each attempt builds a new envelope, so a WS-Security nonce and timestamp are never replayed
 * (services that keep a nonce cache would reject a resent envelope).
 *
 * What is repeated follows helper-rest's rules: a request that provably never reached the service
 * may always be sent again; one that may have reached it only when the operation is idempotent.
 * A fault is an answer and is never retried.
 */
import {
  backoffDelay,
  DEFAULT_RETRY,
  RestError,
  RestNetworkError,
  RestTimeoutError,
  type RetryConfig,
} from '@scimgw/helper-rest';
import type { SoapCallError } from './errors.js';

/** Attempts are capped so a typo in configuration can't loop for long. */
const MAX_ATTEMPTS = 10;

/** The retry settings of one tenant: helper-rest's defaults under the connection's `retry`. */
export function retryPolicy(configured: Partial<RetryConfig> | null | undefined): RetryConfig {
  const p: RetryConfig = { ...DEFAULT_RETRY, statuses: [...DEFAULT_RETRY.statuses], ...(configured ?? {}) };
  p.attempts = Math.min(MAX_ATTEMPTS, Math.max(1, Math.floor(p.attempts)));
  p.maxDelayMs = Math.max(p.baseDelayMs, p.maxDelayMs);
  return p;
}

/** Whether a failed call may be sent again. */
export function mayRetry(err: SoapCallError, idempotent: boolean, policy: RetryConfig): boolean {
  const cause = err.cause;
  if (cause instanceof RestNetworkError) return !cause.fatal && (!cause.reached || idempotent);
  if (cause instanceof RestTimeoutError) return idempotent;
  if (cause instanceof RestError) return idempotent && policy.statuses.includes(cause.status);
  return false;
}

/** How long to wait before the next attempt, or `undefined` when the service asks for longer than allowed. */
export function retryDelay(err: SoapCallError, attempt: number, policy: RetryConfig): number | undefined {
  // Only the service's own Retry-After (an HTTP answer) sets the pace; the one helper-rest attaches
  // to a broken or refused connection is what the SCIM client is told, not a wait for this retry.
  if (err.retryAfter !== undefined && err.cause instanceof RestError && !(err.cause instanceof RestNetworkError)) {
    const ms = err.retryAfter * 1000;
    return ms <= policy.maxRetryAfterMs ? ms : undefined;
  }
  return backoffDelay(attempt, policy);
}

/** Waits `ms`, or fails as soon as `signal` aborts. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
