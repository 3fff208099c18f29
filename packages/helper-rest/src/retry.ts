/**
 * Retry policy: which requests may be repeated, how long to wait, and how to
 * read `Retry-After`.
 *
 * @see RFC 9110 §9.2.2 (idempotent methods), §10.2.3 (Retry-After)
 */
import { RestAbortedError } from './errors.js';
import type { RetryConfig } from './types.js';

/** Defaults applied under the connection's and the call's overrides. */
export const DEFAULT_RETRY: Readonly<RetryConfig> = Object.freeze({
  attempts: 3,
  baseDelayMs: 300,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  statuses: [429, 502, 503, 504],
});

/** Hard ceiling so a typo in config cannot turn into an endless loop. */
const MAX_ATTEMPTS = 10;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** True for methods that may be repeated without changing the outcome. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/** Merges retry settings, clamping to sane bounds. */
export function mergeRetry(...layers: (Partial<RetryConfig> | null | undefined)[]): RetryConfig {
  const out: RetryConfig = { ...DEFAULT_RETRY, statuses: [...DEFAULT_RETRY.statuses] };
  for (const l of layers) {
    if (!l) continue;
    if (typeof l.attempts === 'number') out.attempts = l.attempts;
    if (typeof l.baseDelayMs === 'number') out.baseDelayMs = l.baseDelayMs;
    if (typeof l.maxDelayMs === 'number') out.maxDelayMs = l.maxDelayMs;
    if (typeof l.maxRetryAfterMs === 'number') out.maxRetryAfterMs = l.maxRetryAfterMs;
    if (Array.isArray(l.statuses)) out.statuses = [...l.statuses];
  }
  out.attempts = Math.min(MAX_ATTEMPTS, Math.max(1, Math.floor(out.attempts)));
  out.baseDelayMs = Math.max(0, out.baseDelayMs);
  out.maxDelayMs = Math.max(out.baseDelayMs, out.maxDelayMs);
  out.maxRetryAfterMs = Math.max(0, out.maxRetryAfterMs);
  return out;
}

/**
 * Parses `Retry-After` (delay-seconds or HTTP-date) into milliseconds from
 * `now`. Returns `undefined` for a missing or malformed value; a date in the
 * past yields 0.
 *
 * @example
 * parseRetryAfter('5') // 5000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')) // 2000
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) {
    const seconds = Number(v);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // Only accept something that looks like an HTTP-date, not any string Date.parse tolerates.
  if (!/^[A-Za-z]{3},? /.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Exponential backoff with jitter for retry number `retry` (1-based): a
 * random delay between half and the full exponential step, capped. The
 * floor keeps retries from bunching at zero; the randomness spreads a herd.
 */
export function backoffDelay(
  retry: number,
  cfg: Pick<RetryConfig, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const step = Math.min(cfg.maxDelayMs, cfg.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Waits `ms`, or rejects with {@link RestAbortedError} as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new RestAbortedError('Request aborted while waiting to retry', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RestAbortedError('Request aborted while waiting to retry', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
