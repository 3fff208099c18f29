/** Tool calls per principal in fixed windows, with bounded memory. */

/** Outcome of {@link CallLimiter.take}. */
export type CallVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Options of {@link CallLimiter}. */
export interface CallLimiterOptions {
  /** Calls allowed per window. */
  maxCalls: number;
  /** Window length in seconds. */
  windowSeconds: number;
  /** Keys tracked at most (the oldest window is forgotten first). Default 10000. */
  maxTracked?: number;
}

const ALLOWED: CallVerdict = Object.freeze({ allowed: true });

/**
 * Counts calls per key (principal) in fixed windows; the call past `maxCalls` in a window is
 * refused until the window ends.
 *
 * @example
 * const l = new CallLimiter({ maxCalls: 2, windowSeconds: 60 }, Date.now);
 * l.take('gwadmin'); l.take('gwadmin'); l.take('gwadmin'); // { allowed: false, retryAfterSeconds: 60 }
 */
export class CallLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxTracked: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(options: CallLimiterOptions, now: () => number = Date.now) {
    this.#max = options.maxCalls;
    this.#windowMs = options.windowSeconds * 1000;
    this.#maxTracked = options.maxTracked ?? 10_000;
    this.#now = now;
  }

  /** Counts one call of `key`; refused when the key used up its window. */
  take(key: string): CallVerdict {
    const now = this.#now();
    const w = this.#windows.get(key);
    if (w && now - w.start < this.#windowMs) {
      if (w.count >= this.#max) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((this.#windowMs - (now - w.start)) / 1000)) };
      }
      w.count++;
      return ALLOWED;
    }
    if (w) this.#windows.delete(key);
    else if (this.#windows.size >= this.#maxTracked) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    this.#windows.set(key, { start: now, count: 1 });
    return ALLOWED;
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.#windows.size;
  }
}
