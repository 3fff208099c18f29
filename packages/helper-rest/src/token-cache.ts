/**
 * Access token cache of one tenant: reuses a token until shortly before it
 * expires, lets concurrent requests share a single token request, and drops
 * a token the backend rejected (only that token, so a burst of 401s caused by
 * one stale token triggers one refresh, not many).
 */

/** An access token as used in the `Authorization` header. */
export interface AccessToken {
  /** The token value. */
  value: string;
  /** Scheme for the header, e.g. `Bearer`. */
  tokenType: string;
  /** Lifetime in seconds from the token response (`expires_in`), if any. */
  expiresIn?: number | undefined;
}

interface Entry {
  token: AccessToken;
  /** When to stop using it (ms since epoch); `Infinity` when the lifetime is unknown. */
  refreshAt: number;
}

/** Refresh this long before expiry at most (ms). */
const MAX_SKEW_MS = 60_000;

/**
 * Caches the token produced by `fetcher`.
 *
 * @example
 * const cache = new TokenCache(() => requestToken(...));
 * const { value } = await cache.get();
 */
export class TokenCache {
  readonly #fetcher: () => Promise<AccessToken>;
  readonly #now: () => number;
  #entry: Entry | undefined;
  #inflight: Promise<AccessToken> | undefined;
  /** Number of token requests made (for diagnostics and tests). */
  fetchCount = 0;

  constructor(fetcher: () => Promise<AccessToken>, now: () => number = Date.now) {
    this.#fetcher = fetcher;
    this.#now = now;
  }

  /** The cached token while it is still fresh, without fetching. */
  peek(): AccessToken | undefined {
    const e = this.#entry;
    return e && this.#now() < e.refreshAt ? e.token : undefined;
  }

  /** A valid token, fetching one if needed. Concurrent callers share one fetch. */
  get(): Promise<AccessToken> {
    const e = this.#entry;
    if (e && this.#now() < e.refreshAt) return Promise.resolve(e.token);
    if (this.#inflight) return this.#inflight;
    this.fetchCount++;
    const started = this.#now();
    const p = this.#fetcher().then(
      (token) => {
        this.#entry = { token, refreshAt: refreshTime(started, token.expiresIn) };
        this.#inflight = undefined;
        return token;
      },
      (err: unknown) => {
        // Failures are not cached: the next request tries again.
        this.#inflight = undefined;
        throw err;
      },
    );
    this.#inflight = p;
    return p;
  }

  /**
   * Forgets the cached token if it is `rejected` (or unconditionally without
   * an argument). A newer token, or one being fetched, is kept.
   */
  invalidate(rejected?: string): void {
    if (this.#entry && (rejected === undefined || this.#entry.token.value === rejected)) this.#entry = undefined;
  }
}

/** Refresh at lifetime minus a skew of 10% (at most one minute). */
function refreshTime(issuedAt: number, expiresIn: number | undefined): number {
  if (expiresIn === undefined || !Number.isFinite(expiresIn) || expiresIn <= 0) return Number.POSITIVE_INFINITY;
  const lifetime = expiresIn * 1000;
  return issuedAt + lifetime - Math.min(MAX_SKEW_MS, lifetime / 10);
}
