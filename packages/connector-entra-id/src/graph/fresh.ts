/**
 * Objects this gateway created a moment ago. Microsoft Entra ID replicates a new object to its
 * other replicas within seconds; until then a read or a reference to it can answer 404. A 404
 * for an id in this set is retried (read-your-write); any other 404 is final at once.
 */

/** Remembers recently created object ids, bounded in size and age. */
export class FreshObjects {
  readonly #createdAt = new Map<string, number>();
  readonly #windowMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(windowMs: number, options: { max?: number; now?: () => number } = {}) {
    this.#windowMs = windowMs;
    this.#max = options.max ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Records a new object. */
  add(id: string): void {
    const key = id.toLowerCase();
    this.#createdAt.delete(key);
    this.#createdAt.set(key, this.#now());
    if (this.#createdAt.size > this.#max) {
      const oldest = this.#createdAt.keys().next().value;
      if (oldest !== undefined) this.#createdAt.delete(oldest);
    }
  }

  /** Forgets an object (deleted: its 404 is final). */
  delete(id: string): void {
    this.#createdAt.delete(id.toLowerCase());
  }

  /** True while `id` is within the replication window. */
  has(id: string): boolean {
    const at = this.#createdAt.get(id.toLowerCase());
    if (at === undefined) return false;
    if (this.#now() - at > this.#windowMs) {
      this.#createdAt.delete(id.toLowerCase());
      return false;
    }
    return true;
  }

  /** Until when a 404 involving any of `ids` is worth retrying (epoch ms), or `undefined`. */
  retryUntil(ids: readonly string[]): number | undefined {
    let until: number | undefined;
    for (const id of ids) {
      const at = this.#createdAt.get(id.toLowerCase());
      if (at !== undefined && this.has(id)) until = Math.max(until ?? 0, at + this.#windowMs);
    }
    return until;
  }
}
