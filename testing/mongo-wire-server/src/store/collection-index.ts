import type { Document } from 'bson';
import { commandError } from '../errors.js';
import type { Collation } from './collation.js';
import { EMPTY_ARRAY, pathValues } from './paths.js';
import { valueKey } from './values.js';

/** The normalized definition of an index, as `listIndexes` reports it. */
export interface IndexDefinition {
  readonly name: string;
  readonly key: Document;
  readonly unique?: boolean;
  readonly sparse?: boolean;
  readonly partialFilterExpression?: Document;
  readonly expireAfterSeconds?: number;
  readonly hidden?: boolean;
  readonly collation?: Collation;
}

/** One index key of a document: its encoded form and the values it was made of. */
export interface IndexKey {
  readonly encoded: string;
  readonly values: readonly unknown[];
}

/**
 * An index on one collection: a hash map from encoded keys to document ids.
 *
 * It answers equality lookups and enforces uniqueness; ordering is not kept (sorts are done in
 * memory), which is enough for a test server.
 */
export class CollectionIndex {
  readonly definition: IndexDefinition;
  readonly fields: readonly string[];
  readonly #partial: ((doc: Document) => boolean) | undefined;
  // key → one id, or a set of ids once several documents share the key.
  readonly #entries = new Map<string, string | Set<string>>();
  // Keys of documents with many keys (large arrays), so an update does not recompute the old ones.
  readonly #keyCache = new WeakMap<Document, IndexKey[]>();

  constructor(definition: IndexDefinition, partial?: (doc: Document) => boolean) {
    this.definition = definition;
    this.fields = Object.keys(definition.key);
    this.#partial = partial;
  }

  get name(): string {
    return this.definition.name;
  }

  get unique(): boolean {
    return this.definition.unique === true;
  }

  get collation(): Collation | undefined {
    return this.definition.collation;
  }

  /** Whether a partial filter leaves documents out of the index. */
  get isPartial(): boolean {
    return this.#partial !== undefined;
  }

  /** Whether documents missing every key field are left out. */
  get isSparse(): boolean {
    return this.definition.sparse === true;
  }

  /**
   * The keys `doc` contributes to this index (deduplicated), or an empty list when a sparse or
   * partial index leaves it out.
   *
   * @throws MongoCommandError CannotIndexParallelArrays when two key fields are arrays.
   */
  keysOf(doc: Document): IndexKey[] {
    const cached = this.#keyCache.get(doc);
    if (cached) return cached;
    const keys = this.#computeKeys(doc);
    if (keys.length > 16) this.#keyCache.set(doc, keys);
    return keys;
  }

  #computeKeys(doc: Document): IndexKey[] {
    if (this.#partial && !this.#partial(doc)) return [];
    const perField = this.fields.map((field) => pathValues(doc, field));
    if (this.definition.sparse && perField.every((p) => p.values.every((v) => v === undefined))) return [];
    const multikeyFields = this.fields.filter((_, i) => perField[i]!.multikey);
    if (multikeyFields.length > 1) {
      throw commandError(
        'CannotIndexParallelArrays',
        `cannot index parallel arrays [${multikeyFields[1]}] [${multikeyFields[0]}]`,
      );
    }
    let tuples: unknown[][] = [[]];
    for (const field of perField) {
      const next: unknown[][] = [];
      for (const tuple of tuples) for (const value of field.values) next.push([...tuple, value]);
      tuples = next;
    }
    const keys = new Map<string, IndexKey>();
    for (const tuple of tuples) {
      const values = tuple.map((v) => (v === EMPTY_ARRAY ? undefined : v));
      const encoded = tuple.map((v) => (v === EMPTY_ARRAY ? 'U' : valueKey(v, this.collation))).join('|');
      if (!keys.has(encoded)) keys.set(encoded, { encoded, values });
    }
    return [...keys.values()];
  }

  /** The first key of `keys` already held by another document than `selfId`, if any. */
  conflict(keys: readonly IndexKey[], selfId: string | undefined): IndexKey | undefined {
    for (const key of keys) {
      const held = this.#entries.get(key.encoded);
      if (held === undefined) continue;
      if (typeof held === 'string') {
        if (held !== selfId) return key;
      } else if (held.size > 1 || !held.has(selfId ?? '')) {
        return key;
      }
    }
    return undefined;
  }

  /** Records that document `id` has `keys`. */
  add(id: string, keys: readonly IndexKey[]): void {
    for (const { encoded } of keys) {
      const held = this.#entries.get(encoded);
      if (held === undefined) this.#entries.set(encoded, id);
      else if (typeof held === 'string') {
        if (held !== id) this.#entries.set(encoded, new Set([held, id]));
      } else held.add(id);
    }
  }

  /** Replaces the entries of document `id` (old keys → new keys), touching only keys that changed. */
  update(id: string, before: readonly IndexKey[], after: readonly IndexKey[]): void {
    if (before.length + after.length <= 32) {
      this.remove(id, before);
      this.add(id, after);
      return;
    }
    const oldKeys = new Set(before.map((k) => k.encoded));
    const newKeys = new Set(after.map((k) => k.encoded));
    this.remove(
      id,
      before.filter((k) => !newKeys.has(k.encoded)),
    );
    this.add(
      id,
      after.filter((k) => !oldKeys.has(k.encoded)),
    );
  }

  /** Forgets `keys` of document `id`. */
  remove(id: string, keys: readonly IndexKey[]): void {
    for (const { encoded } of keys) {
      const held = this.#entries.get(encoded);
      if (held === undefined) continue;
      if (typeof held === 'string') {
        if (held === id) this.#entries.delete(encoded);
      } else {
        held.delete(id);
        if (held.size === 1) this.#entries.set(encoded, held.values().next().value as string);
        else if (held.size === 0) this.#entries.delete(encoded);
      }
    }
  }

  /** The ids of documents with the encoded key. */
  lookup(encoded: string): Iterable<string> {
    const held = this.#entries.get(encoded);
    if (held === undefined) return [];
    return typeof held === 'string' ? [held] : held;
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
