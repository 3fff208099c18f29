/**
 * A record of every Graph call (batch items included) and every token request, so a test can
 * assert how many calls an operation took — e.g. exactly one `POST /groups/{id}/members/$ref`.
 */

/** One Graph call. */
export interface CallRecord {
  readonly method: string;
  /** Route template such as `POST /groups/{id}/members/$ref`; `null` when no route matched. */
  readonly route: string | null;
  /** Path below `/v1.0` with the query string. */
  readonly url: string;
  readonly status: number;
  readonly inBatch: boolean;
  readonly at: number;
}

/** One token request (no credential is ever kept). */
export interface TokenCallRecord {
  readonly clientId: string | undefined;
  readonly method: 'secret' | 'certificate' | 'federated' | 'none';
  readonly status: number;
  readonly error: string | undefined;
  readonly at: number;
}

/** Filter for {@link CallLog.count}. */
export interface CallFilter {
  readonly method?: string;
  /** Exact template (`POST /groups/{id}/members/$ref`) or a pattern tested against it. */
  readonly route?: string | RegExp;
  readonly inBatch?: boolean;
  readonly status?: number;
}

const MAX_KEPT = 200_000;

/** The emulator's call log. */
export class CallLog {
  private calls: CallRecord[] = [];
  private tokens: TokenCallRecord[] = [];
  private readonly perRoute = new Map<string, number>();

  /** @internal */
  record(call: CallRecord): void {
    if (this.calls.length >= MAX_KEPT) this.calls = this.calls.slice(MAX_KEPT / 2);
    this.calls.push(call);
    const key = call.route ?? `${call.method} (unmatched)`;
    this.perRoute.set(key, (this.perRoute.get(key) ?? 0) + 1);
  }

  /** @internal */
  recordToken(call: TokenCallRecord): void {
    if (this.tokens.length >= MAX_KEPT) this.tokens = this.tokens.slice(MAX_KEPT / 2);
    this.tokens.push(call);
  }

  /** Graph calls so far (the most recent 200,000 at most). */
  list(): readonly CallRecord[] {
    return this.calls;
  }

  /** Token requests so far. */
  tokenRequests(): readonly TokenCallRecord[] {
    return this.tokens;
  }

  /** Number of Graph calls matching `filter`. */
  count(filter: CallFilter = {}): number {
    return this.calls.filter(
      (call) =>
        (filter.method === undefined || call.method === filter.method.toUpperCase()) &&
        (filter.inBatch === undefined || call.inBatch === filter.inBatch) &&
        (filter.status === undefined || call.status === filter.status) &&
        (filter.route === undefined ||
          (typeof filter.route === 'string'
            ? call.route === filter.route
            : call.route !== null && filter.route.test(call.route))),
    ).length;
  }

  /** Calls per route template since the last reset. */
  byRoute(): Record<string, number> {
    return Object.fromEntries(this.perRoute);
  }

  /** Forgets everything recorded so far. */
  reset(): void {
    this.calls = [];
    this.tokens = [];
    this.perRoute.clear();
  }
}
