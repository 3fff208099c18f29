/**
 * Keyed digests for comparing secrets. Presented and stored secrets are both run through
 * HMAC-SHA256 under a per-process random key, so comparisons are always between two
 * 32-byte buffers (`timingSafeEqual` needs equal lengths, and the length of a stored secret
 * leaks nothing) and cache keys never contain a plaintext credential.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 under a random per-instance key. */
export class Digester {
  readonly #key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.#key = key;
  }

  /**
   * Digest of several parts under a domain label. Parts are length-prefixed so that
   * (`ab`, `c`) and (`a`, `bc`) never collide.
   */
  digest(label: string, ...parts: string[]): Buffer {
    // One update of one string (this runs on every request): each part is prefixed with its
    // length, so the encoding stays unambiguous.
    let s = label;
    for (const part of parts) s += `\u0000${part.length}:${part}`;
    return createHmac('sha256', this.#key).update(s, 'utf8').digest();
  }
}

/** Constant-time equality of two digests of the same length. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A size-bounded least-recently-used map. */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();

  constructor(max: number) {
    this.#max = max;
  }

  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    if (this.#map.size >= this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
    this.#map.set(key, value);
  }

  get size(): number {
    return this.#map.size;
  }
}
