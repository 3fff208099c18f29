/**
 * The mapped form of target records, kept while the target keeps sending the same record.
 *
 * Every read still asks the target, and what is served is always what the target has just sent:
 * a record is looked up by its id and compared, value by value and key by key in order, with the
 * record its kept resource was mapped from. Only when the two are the same JSON is the kept
 * resource used, which mapping the new record would have rebuilt identically. The kept resource
 * is deeply frozen and the same object on every read, so the core keeps its shaped form and the
 * host the JSON of that (issue 20): a record read again costs a comparison instead of mapping,
 * shaping and serializing it.
 */
import type { ScimResource } from '@scimgw/core';
import type { Known } from './known.js';

/** Deeper records are neither compared nor kept (JSON from a target is rarely more than 5 deep). */
const MAX_DEPTH = 32;

interface Entry {
  /** The record as the target sent it (never changed, never handed out). */
  raw: Record<string, unknown>;
  /** Its mapped form, deeply frozen; `undefined` when the mapping hides the record. */
  resource: ScimResource | undefined;
  /**
   * The record's bytes in the target's answer (once an answer was read as bytes) and `resource`,
   * for answers that hold them again (see known.ts).
   */
  known: Known<ScimResource | undefined> | undefined;
  /** About how many values the entry holds (its share of the bound). */
  weight: number;
}

/** A record not worth keeping: too deep or too large. */
const TOO_BIG = -1;

/** True when `a` and `b` are the same JSON value, object keys in the same order. */
export function sameJson(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > MAX_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (k !== kb[i]) return false;
    if (!sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/** Freezes `v` deeply; returns how many values it holds, or -1 when it is too deep to keep. */
function freezeAll(v: unknown, depth: number): number {
  if (v === null || typeof v !== 'object') return 1;
  if (depth > MAX_DEPTH) return -1;
  let n = 1;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const c = freezeAll(v[i], depth + 1);
      if (c < 0) return -1;
      n += c;
    }
  } else {
    for (const k in v) {
      const c = freezeAll((v as Record<string, unknown>)[k], depth + 1);
      if (c < 0) return -1;
      n += c;
    }
  }
  Object.freeze(v);
  return n;
}

/**
 * Mapped resources of one collection by tenant and id, bounded by about `maxWeight` values
 * (records and their resources counted together); the oldest entries leave first.
 */
export class KeptResources {
  readonly #entries = new Map<string, Entry>();
  #weight = 0;

  constructor(readonly maxWeight: number) {}

  /** Number of records kept (tests). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The mapped form of `raw`, the record the target just sent: the kept resource when `raw` is the
   * record it was mapped from, else `map(raw)`, kept (deeply frozen) for the next read.
   */
  resolve(
    tenant: string | undefined,
    raw: Record<string, unknown>,
    map: (raw: Record<string, unknown>) => ScimResource | undefined,
  ): ScimResource | undefined {
    const id = raw.id;
    if (typeof id !== 'string' || id === '') return map(raw);
    const key = keyOf(tenant, id);
    const hit = this.#entries.get(key);
    if (hit !== undefined && sameJson(hit.raw, raw)) return hit.resource;
    return this.#keep(key, hit, raw, map(raw), undefined);
  }

  /**
   * Like {@link resolve} for a record still in the target's answer as `bytes` (its JSON), whose
   * `id` the caller read from them: the kept resource when they are the bytes it was mapped from,
   * without decoding or parsing them; else `parse()` (which returns `INVALID` for bytes that are no
   * JSON, or `undefined` for a record that is no resource) mapped by `map`.
   */
  resolveBytes<Invalid>(
    tenant: string | undefined,
    id: string,
    bytes: Buffer,
    parse: () => Record<string, unknown> | undefined | Invalid,
    map: (raw: Record<string, unknown>) => ScimResource | undefined,
  ): ScimResource | undefined | Invalid {
    const key = keyOf(tenant, id);
    const hit = this.#entries.get(key);
    if (hit?.known?.bytes?.equals(bytes)) return hit.resource;
    const raw = parse();
    if (raw === undefined || !isRecord(raw)) return raw;
    if (raw.id !== id) return this.resolve(tenant, raw, map);
    // The same record in other bytes (or kept from an answer parsed whole): known by these now.
    if (hit !== undefined && sameJson(hit.raw, raw)) {
      const old = hit.known?.bytes;
      const extra = bytesWeight(bytes) - (old ? bytesWeight(old) : 0);
      forget(hit.known);
      hit.known = { bytes: Buffer.from(bytes), value: hit.resource, next: undefined };
      hit.weight += extra;
      this.#weight += extra;
      this.#evict();
      return hit.resource;
    }
    return this.#keep(key, hit, raw, map(raw), Buffer.from(bytes));
  }

  /**
   * The known bytes of the record kept for the id in `b` at `idStart`–`idEnd` (the caller compares
   * them with its answer), or undefined. Its bytes are those the kept resource was mapped from,
   * as objectAt found them in an answer and JSON.parse read them, as known.ts requires.
   */
  knownById(tenant: string | undefined, b: Buffer, idStart: number, idEnd: number): Known<ScimResource | undefined> | undefined {
    return this.#entries.get(keyOf(tenant, b.toString('utf8', idStart, idEnd)))?.known;
  }

  #keep(
    key: string,
    old: Entry | undefined,
    raw: Record<string, unknown>,
    resource: ScimResource | undefined,
    bytes: Buffer | undefined,
  ): ScimResource | undefined {
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#weight -= old.weight;
      forget(old.known);
    }
    // The record is frozen too: it is only compared from now on, and nothing may change it.
    const a = freezeAll(raw, 0);
    const b = a === TOO_BIG ? TOO_BIG : freezeAll(resource, 0);
    const weight = a + b + (bytes ? bytesWeight(bytes) : 0);
    if (a === TOO_BIG || b === TOO_BIG || weight > this.maxWeight / 4) return resource;
    const known = bytes && { bytes, value: resource, next: undefined };
    this.#entries.set(key, { raw, resource, known, weight });
    this.#weight += weight;
    this.#evict();
    return resource;
  }

  #evict(): void {
    while (this.#weight > this.maxWeight) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      const e = this.#entries.get(oldest.value) as Entry;
      this.#entries.delete(oldest.value);
      this.#weight -= e.weight;
      forget(e.known);
    }
  }
}

/**
 * A known object that left: other known objects may still point at it (`next`), so it stops
 * matching any answer and lets go of its bytes, its resource and what followed it.
 */
function forget(k: Known<ScimResource | undefined> | undefined): void {
  if (k === undefined) return;
  k.bytes = undefined;
  k.value = undefined;
  k.next = undefined;
}

function keyOf(tenant: string | undefined, id: string): string {
  return tenant === undefined ? `\u0000${id}` : `${tenant}\u0000${id}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Kept bytes counted as values: about as many as the record holds. */
function bytesWeight(bytes: Uint8Array): number {
  return Math.ceil(bytes.byteLength / 32);
}
