/**
 * When to try a Graph call again and how long to wait: `Retry-After` honoured (never shorter,
 * with jitter added so throttled callers do not return in step), exponential backoff without it,
 * both bounded per wait and by a deadline for the whole call.
 *
 * @see https://learn.microsoft.com/graph/throttling
 */
import { errors } from '@scimgw/core';
import type { RetrySettings } from '../config.js';

/** Methods whose repetition cannot change the outcome. PATCH sets properties, so it is one here. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);

/** True when a repeated `method` cannot do anything twice. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/**
 * Whether an answer with `status` may be retried. 429 means Graph did not process the request,
 * so every method may be sent again; 5xx may have been processed, so only idempotent calls are.
 */
export function retryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429) return true;
  return idempotent && (status === 503 || status === 502 || status === 504);
}

/**
 * The wait before retry number `attempt` (1-based), in ms: `Retry-After` (seconds) when given,
 * else `baseDelayMs · 2^(attempt-1)`, plus up to `jitter` of it at random.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterSeconds: number | undefined,
  settings: Pick<RetrySettings, 'baseDelayMs' | 'maxDelayMs' | 'jitter'>,
  random: () => number = Math.random,
): number {
  const base =
    retryAfterSeconds !== undefined
      ? retryAfterSeconds * 1000
      : Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + settings.jitter * random()));
}

/** A retry budget for one logical call: attempts, single-wait bound and deadline. */
export class RetryBudget {
  readonly #settings: RetrySettings;
  readonly #started: number;
  readonly #now: () => number;
  #attempt = 0;

  constructor(settings: RetrySettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    this.#started = now();
  }

  /** Counts an attempt; the first call returns 1. */
  next(): number {
    return ++this.#attempt;
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** When the deadline passes (epoch ms). */
  get deadline(): number {
    return this.#started + this.#settings.deadlineMs;
  }

  /**
   * The wait before another attempt, or `undefined` when none may be made: attempts used up,
   * a `Retry-After` longer than `maxDelayMs`, or a wait that would end past the deadline.
   */
  wait(retryAfterSeconds: number | undefined, random?: () => number): number | undefined {
    if (this.#attempt >= this.#settings.attempts) return undefined;
    if (retryAfterSeconds !== undefined && retryAfterSeconds * 1000 > this.#settings.maxDelayMs) return undefined;
    const delay = Math.min(
      retryDelayMs(this.#attempt, retryAfterSeconds, this.#settings, random),
      // Jitter may stretch a bounded Retry-After a little, never past the bound by more than the jitter.
      this.#settings.maxDelayMs * (1 + this.#settings.jitter),
    );
    if (this.#now() + delay > this.deadline) return undefined;
    return delay;
  }
}

/** Waits `ms`, or rejects as soon as `signal` aborts (the SCIM client went away). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => new errors.ServiceUnavailableError('The request was cancelled while waiting for Microsoft Graph');
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
