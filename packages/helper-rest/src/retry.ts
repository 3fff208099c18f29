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
  idempotentWrites: [],
  unreachableRetryAfterMs: 30_000,
});

/** The write methods `idempotentWrites` may list. */
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Hard ceiling so a typo in config cannot turn into an endless loop. */
const MAX_ATTEMPTS = 10;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * True for methods HTTP defines as idempotent (RFC 9110 §9.2.2). Whether a request is sent again
 * after a timeout is decided by {@link mayResend}: a target may not honour PUT's and DELETE's
 * idempotence (a repeated DELETE answers 404), so writes need `retry.idempotentWrites`.
 */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/**
 * True when a request that may have reached the target (it timed out, its connection broke, or a
 * gateway in front of the target answered 502/503/504) may be sent again: reads always, writes
 * only when the connection lists them in `idempotentWrites` (or the call says so).
 */
export function mayResend(method: string, retry: Pick<RetryConfig, 'idempotentWrites'>, forced = false): boolean {
  const m = method.toUpperCase();
  return forced || !WRITE_METHODS.has(m) || retry.idempotentWrites.includes(m);
}

/**
 * Merges retry settings, clamping numbers to sane bounds.
 *
 * @throws Error when `idempotentWrites` names something other than POST, PUT, PATCH or DELETE
 */
export function mergeRetry(...layers: (Partial<RetryConfig> | null | undefined)[]): RetryConfig {
  const out: RetryConfig = {
    ...DEFAULT_RETRY,
    statuses: [...DEFAULT_RETRY.statuses],
    idempotentWrites: [...DEFAULT_RETRY.idempotentWrites],
  };
  for (const l of layers) {
    if (!l) continue;
    if (typeof l.attempts === 'number') out.attempts = l.attempts;
    if (typeof l.baseDelayMs === 'number') out.baseDelayMs = l.baseDelayMs;
    if (typeof l.maxDelayMs === 'number') out.maxDelayMs = l.maxDelayMs;
    if (typeof l.maxRetryAfterMs === 'number') out.maxRetryAfterMs = l.maxRetryAfterMs;
    if (Array.isArray(l.statuses)) out.statuses = [...l.statuses];
    if (typeof l.unreachableRetryAfterMs === 'number') out.unreachableRetryAfterMs = l.unreachableRetryAfterMs;
    if (Array.isArray(l.idempotentWrites)) {
      out.idempotentWrites = l.idempotentWrites.map((m) => {
        const up = String(m).toUpperCase();
        if (!WRITE_METHODS.has(up))
          throw new Error(`retry.idempotentWrites lists "${String(m)}"; use POST, PUT, PATCH or DELETE`);
        return up;
      });
    }
  }
  out.attempts = Math.min(MAX_ATTEMPTS, Math.max(1, Math.floor(out.attempts)));
  out.baseDelayMs = Math.max(0, out.baseDelayMs);
  out.maxDelayMs = Math.max(out.baseDelayMs, out.maxDelayMs);
  out.maxRetryAfterMs = Math.max(0, out.maxRetryAfterMs);
  out.unreachableRetryAfterMs = Math.max(0, out.unreachableRetryAfterMs);
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
