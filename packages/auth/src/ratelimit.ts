/**
 * Failed-login throttling per client address (fixed window, bounded memory).
 */
import { formatIp, isIPv4Address, parseIp } from './ip.js';
import type { RateLimitOptions } from './types.js';

/** Outcome of {@link FailureLimiter.check}. */
export type LimitState = { blocked: false } | { blocked: true; retryAfterSeconds: number };

const NOT_BLOCKED: LimitState = Object.freeze({ blocked: false });

interface Window {
  start: number;
  count: number;
}

/**
 * The key an address is counted under. IPv6 clients are grouped by /64 because one
 * customer usually holds a whole /64 and could otherwise rotate through it.
 */
export function rateLimitKey(address: string): string {
  const a = parseIp(address);
  if (a === undefined) return address;
  if (isIPv4Address(a)) return formatIp(a);
  return `${formatIp((a >> 64n) << 64n)}/64`;
}

/**
 * Counts failed logins per address in fixed windows; an address that reaches
 * `maxFailures` inside a window is refused until the window ends.
 *
 * @example
 * const l = new FailureLimiter({ maxFailures: 3, windowSeconds: 60 }, Date.now);
 * l.recordFailure('10.0.0.1'); l.check('10.0.0.1'); // { blocked: false }
 */
export class FailureLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxTracked: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  constructor(options: RateLimitOptions, now: () => number) {
    this.#max = options.maxFailures ?? 10;
    this.#windowMs = (options.windowSeconds ?? 60) * 1000;
    this.#maxTracked = options.maxTracked ?? 10_000;
    this.#now = now;
  }

  /** Whether `address` is currently refused, and for how long. */
  check(address: string): LimitState {
    // Nothing has failed lately (the usual case): no key to compute, nothing to look up.
    if (this.#windows.size === 0) return NOT_BLOCKED;
    const key = rateLimitKey(address);
    const w = this.#windows.get(key);
    if (!w) return NOT_BLOCKED;
    const elapsed = this.#now() - w.start;
    if (elapsed >= this.#windowMs) {
      this.#windows.delete(key);
      return NOT_BLOCKED;
    }
    if (w.count < this.#max) return NOT_BLOCKED;
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((this.#windowMs - elapsed) / 1000)) };
  }

  /**
   * Count one failed attempt from `address`.
   *
   * @returns `true` when this failure reached the limit (the address is now refused)
   */
  recordFailure(address: string): boolean {
    const key = rateLimitKey(address);
    const now = this.#now();
    const w = this.#windows.get(key);
    if (w && now - w.start < this.#windowMs) {
      w.count++;
      return w.count === this.#max;
    }
    if (w) this.#windows.delete(key);
    if (this.#windows.size >= this.#maxTracked) {
      // Forget the oldest window first (Map keeps insertion order).
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    this.#windows.set(key, { start: now, count: 1 });
    return this.#max === 1;
  }

  /** Number of addresses currently tracked (for tests and metrics). */
  get size(): number {
    return this.#windows.size;
  }
}
