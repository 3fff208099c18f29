import { type Document, ObjectId, UUID } from 'bson';
import { commandError, type MongoCommandError } from '../errors.js';
import type { Collation } from './collation.js';
import { CollectionIndex, type IndexDefinition, type IndexKey } from './collection-index.js';
import { bsonTag, isPlainObject, renderValue, setOwn, valueKey } from './values.js';

/** Compiles a partial filter expression into a predicate (injected so the store does not depend on the query engine). */
export type PredicateCompiler = (filter: Document, collation: Collation | undefined) => (doc: Document) => boolean;

/** Options a collection was created with. */
export interface CollectionOptions {
  /** The collection's default collation, inherited by its queries and indexes. */
  readonly collation?: Collation;
}

/** Result of {@link Collection.createIndex}. */
export type CreateIndexOutcome = 'created' | 'exists';

/**
 * One collection: its documents in natural (insertion) order keyed by `_id`, and its indexes.
 *
 * Every write checks all unique indexes before it changes anything, so a document is either fully
 * written with all its index entries or not at all; commands run one at a time, which makes that
 * check-then-write atomic across connections.
 */
export class Collection {
  readonly database: string;
  readonly name: string;
  readonly uuid = new UUID();
  readonly options: CollectionOptions;
  readonly #compile: PredicateCompiler;
  readonly #docs = new Map<string, Document>();
  readonly #indexes: CollectionIndex[] = [];

  constructor(database: string, name: string, options: CollectionOptions, compile: PredicateCompiler) {
    this.database = database;
    this.name = name;
    this.options = options;
    this.#compile = compile;
  }

  /** `<db>.<collection>`. */
  get namespace(): string {
    return `${this.database}.${this.name}`;
  }

  /** The number of documents. */
  get size(): number {
    return this.#docs.size;
  }

  /** The collation of the `_id` index (the collection's default collation). */
  get idCollation(): Collation | undefined {
    return this.options.collation;
  }

  /** All documents, in natural order. */
  documents(): Document[] {
    return Array.from(this.#docs.values());
  }

  /** The document whose `_id` equals `id`. */
  get(id: unknown): Document | undefined {
    return this.#docs.get(this.#idKey(id));
  }

  /** The `_id_` index definition followed by the secondary ones. */
  indexDefinitions(): IndexDefinition[] {
    const id: IndexDefinition = {
      name: '_id_',
      key: { _id: 1 },
      ...(this.options.collation ? { collation: this.options.collation } : {}),
    };
    return [id, ...this.#indexes.map((i) => i.definition)];
  }

  /** The secondary indexes. */
  get indexes(): readonly CollectionIndex[] {
    return this.#indexes;
  }

  /**
   * Stores a new document (which must already carry `_id` as its first field).
   *
   * @throws MongoCommandError DuplicateKey (11000) with `keyPattern`/`keyValue` when `_id` or a unique
   *   index key is taken.
   */
  insert(doc: Document): void {
    const id = this.#idKey(doc['_id']);
    if (this.#docs.has(id)) throw this.#duplicate('_id_', { _id: 1 }, this.idCollation, [doc['_id']]);
    const keys = this.#keysAndCheck(doc, id);
    this.#docs.set(id, doc);
    this.#indexes.forEach((index, i) => {
      index.add(id, keys[i]!);
    });
  }

  /**
   * Replaces `before` (a stored document) by `after`, which has the same `_id`.
   *
   * @throws MongoCommandError DuplicateKey when `after` takes a unique key another document holds.
   */
  replace(before: Document, after: Document): void {
    const id = this.#idKey(before['_id']);
    const keys = this.#keysAndCheck(after, id);
    this.#indexes.forEach((index, i) => {
      index.update(id, index.keysOf(before), keys[i]!);
    });
    this.#docs.set(id, after);
  }

  /** Removes a stored document. */
  remove(doc: Document): void {
    const id = this.#idKey(doc['_id']);
    for (const index of this.#indexes) index.remove(id, index.keysOf(doc));
    this.#docs.delete(id);
  }

  /** The key under which a document with this `_id` is kept. */
  idKeyOf(id: unknown): string {
    return this.#idKey(id);
  }

  /** The stored version of the document kept under `idKey`. */
  version(idKey: string): Document | undefined {
    return this.#docs.get(idKey);
  }

  /**
   * Checks that `doc` could be stored if the documents kept under the ids in `ignore` were gone:
   * its `_id` and its unique index keys are free.
   *
   * @throws MongoCommandError DuplicateKey.
   */
  checkUnique(doc: Document, ignore: ReadonlySet<string>): void {
    const id = this.#idKey(doc['_id']);
    if (this.#docs.has(id) && !ignore.has(id)) throw this.#duplicate('_id_', { _id: 1 }, this.idCollation, [doc['_id']]);
    for (const index of this.#indexes) {
      if (!index.unique) continue;
      for (const key of index.keysOf(doc)) {
        for (const held of index.lookup(key.encoded)) {
          if (held !== id && !ignore.has(held))
            throw this.#duplicate(index.name, index.definition.key, index.collation, key.values);
        }
      }
    }
  }

  /** A duplicate key error for `doc` on the index named `indexName` (used by transaction views). */
  duplicateError(indexName: string, doc: Document): MongoCommandError {
    if (indexName === '_id_') return this.#duplicate('_id_', { _id: 1 }, this.idCollation, [doc['_id']]);
    const index = this.#indexes.find((i) => i.name === indexName)!;
    const key = index.keysOf(doc)[0];
    return this.#duplicate(index.name, index.definition.key, index.collation, key?.values ?? []);
  }

  /**
   * Applies several changes at once (a committed transaction): every change or none.
   * `before` is the stored version to replace or remove (undefined for an insert), `after` the new
   * version (undefined for a removal).
   *
   * @throws MongoCommandError DuplicateKey, leaving the collection as it was.
   */
  applyChanges(changes: ReadonlyArray<{ readonly before: Document | undefined; readonly after: Document | undefined }>): void {
    const ids = changes.map((c) => this.#idKey((c.after ?? c.before)!['_id']));
    const replaced = new Set(ids.filter((_, i) => changes[i]!.before !== undefined));
    changes.forEach((change, i) => {
      if (change.before) for (const index of this.#indexes) index.remove(ids[i]!, index.keysOf(change.before));
    });
    const added: number[] = [];
    const seen = new Set<string>();
    try {
      changes.forEach((change, i) => {
        if (!change.after) return;
        const id = ids[i]!;
        if ((this.#docs.has(id) && !replaced.has(id)) || seen.has(id)) {
          throw this.#duplicate('_id_', { _id: 1 }, this.idCollation, [change.after['_id']]);
        }
        const keys = this.#keysAndCheck(change.after, id);
        this.#indexes.forEach((index, k) => {
          index.add(id, keys[k]!);
        });
        seen.add(id);
        added.push(i);
      });
    } catch (error) {
      for (const i of added) for (const index of this.#indexes) index.remove(ids[i]!, index.keysOf(changes[i]!.after!));
      changes.forEach((change, i) => {
        if (change.before) for (const index of this.#indexes) index.add(ids[i]!, index.keysOf(change.before));
      });
      throw error;
    }
    changes.forEach((change, i) => {
      if (change.after) this.#docs.set(ids[i]!, change.after);
      else this.#docs.delete(ids[i]!);
    });
  }

  /** Removes every document, keeping the indexes. */
  clear(): void {
    this.#docs.clear();
    for (const index of this.#indexes) index.clear();
  }

  /**
   * Adds an index, or reports that an identical one exists.
   *
   * @throws MongoCommandError IndexOptionsConflict (85) / IndexKeySpecsConflict (86) as MongoDB does for
   *   conflicting names, keys and options; DuplicateKey when existing documents break a new unique index.
   */
  createIndex(definition: IndexDefinition): CreateIndexOutcome {
    const all = this.indexDefinitions();
    const sameName = all.find((d) => d.name === definition.name);
    if (sameName) {
      if (!sameKey(sameName.key, definition.key)) {
        throw commandError(
          'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${renderIndex(definition)}, existing index: ${renderIndex(sameName)}`,
        );
      }
      if (!sameOptions(sameName, definition)) {
        throw commandError(
          'IndexOptionsConflict',
          `An equivalent index already exists with the same name but different options. Requested index: ${renderIndex(definition)}, existing index: ${renderIndex(sameName)}`,
        );
      }
      return 'exists';
    }
    const equivalent = all.find(
      (d) => sameKey(d.key, definition.key) && sameCollation(d.collation, definition.collation) && samePartial(d, definition),
    );
    if (equivalent) {
      throw commandError('IndexOptionsConflict', `Index already exists with a different name: ${equivalent.name}`);
    }
    const partial = definition.partialFilterExpression
      ? this.#compile(definition.partialFilterExpression, definition.collation)
      : undefined;
    const index = new CollectionIndex(definition, partial);
    for (const [id, doc] of this.#docs) {
      const keys = index.keysOf(doc);
      if (definition.unique) {
        const taken = index.conflict(keys, id);
        if (taken) {
          index.clear();
          const error = this.#duplicate(definition.name, definition.key, definition.collation, taken.values);
          throw commandError(
            'DuplicateKey',
            `Index build failed: ${this.uuid.toHexString()}: Collection ${this.namespace} ( ${this.uuid.toHexString()} ) :: caused by :: ${error.message}`,
            error.extra as Record<string, unknown>,
          );
        }
      }
      index.add(id, keys);
    }
    this.#indexes.push(index);
    return 'created';
  }

  /** Drops the secondary index named `name`; returns whether it existed. */
  dropIndex(name: string): boolean {
    const at = this.#indexes.findIndex((i) => i.name === name);
    if (at < 0) return false;
    this.#indexes.splice(at, 1);
    return true;
  }

  /**
   * Documents that may match `filter`, found through the `_id` map or an index when the filter pins
   * every key field of one to values; `undefined` when only a full scan will do. Callers still test
   * each candidate against the whole filter.
   */
  candidates(filter: Document, collation: Collation | undefined): Document[] | undefined {
    return this.#fieldCandidates(filter, collation) ?? this.#logicalCandidates(filter, collation);
  }

  #fieldCandidates(filter: Document, collation: Collation | undefined): Document[] | undefined {
    const ids = equalityValues(filter['_id']);
    if (ids && usable(this.idCollation, collation, ids)) {
      const out: Document[] = [];
      const seen = new Set<string>();
      for (const id of ids) {
        const key = this.#idKey(id);
        const doc = this.#docs.get(key);
        if (doc && !seen.has(key)) {
          seen.add(key);
          out.push(doc);
        }
      }
      return out;
    }
    for (const index of this.#indexes) {
      if (index.isPartial) continue;
      const perField = index.fields.map((field) => equalityValues(filter[field]));
      if (perField.some((values) => values === undefined)) continue;
      const values = perField as unknown[][];
      // A sparse index has no entries for documents without the field, which `null` would match.
      if (index.isSparse && values.some((v) => v.some((x) => x === null))) continue;
      if (!values.every((v) => usable(index.collation, collation, v))) continue;
      let tuples: string[] = [];
      values.forEach((fieldValues, i) => {
        const keys = fieldValues.map((value) => valueKey(value, index.collation));
        tuples = i === 0 ? keys : tuples.flatMap((prefix) => keys.map((key) => `${prefix}|${key}`));
      });
      if (tuples.length > 10_000) continue;
      const seen = new Set<string>();
      const out: Document[] = [];
      for (const tuple of tuples) {
        for (const id of index.lookup(tuple)) {
          if (seen.has(id)) continue;
          seen.add(id);
          const doc = this.#docs.get(id);
          if (doc) out.push(doc);
        }
      }
      return out;
    }
    return undefined;
  }
  // `$and`: any clause an index serves narrows the whole filter; `$or`: only when every clause does.
  #logicalCandidates(filter: Document, collation: Collation | undefined): Document[] | undefined {
    const and = filter['$and'];
    if (Array.isArray(and)) {
      for (const clause of and) {
        const found = isPlainObject(clause) ? this.candidates(clause, collation) : undefined;
        if (found) return found;
      }
    }
    const or = filter['$or'];
    if (Array.isArray(or) && or.length > 0) {
      const union = new Map<string, Document>();
      for (const clause of or) {
        const found = isPlainObject(clause) ? this.candidates(clause, collation) : undefined;
        if (!found) return undefined;
        for (const doc of found) union.set(this.#idKey(doc['_id']), doc);
      }
      return [...union.values()];
    }
    return undefined;
  }

  #idKey(id: unknown): string {
    return valueKey(id, this.idCollation);
  }

  #keysAndCheck(doc: Document, id: string): IndexKey[][] {
    const keys = this.#indexes.map((index) => index.keysOf(doc));
    this.#indexes.forEach((index, i) => {
      if (!index.unique) return;
      const taken = index.conflict(keys[i]!, id);
      if (taken) throw this.#duplicate(index.name, index.definition.key, index.collation, taken.values);
    });
    return keys;
  }

  #duplicate(
    indexName: string,
    keyPattern: Document,
    collation: Collation | undefined,
    values: readonly unknown[],
  ): MongoCommandError {
    const fields = Object.keys(keyPattern);
    const keyValue: Record<string, unknown> = {};
    fields.forEach((field, i) => {
      setOwn(keyValue, field, values[i] ?? null);
    });
    const rendered = fields.map((field, i) => `${field}: ${renderValue(values[i] ?? null)}`).join(', ');
    const collationText = collation ? ` collation: ${renderValue({ ...collation.spec })}` : '';
    return commandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.namespace} index: ${indexName}${collationText} dup key: { ${rendered} }`,
      { keyPattern: { ...keyPattern }, keyValue },
    );
  }
}

/** A new `_id` for a document that has none. */
export function generateId(): ObjectId {
  return new ObjectId();
}

// The values an equality condition pins a field to, when an index lookup can serve it.
function equalityValues(condition: unknown): unknown[] | undefined {
  if (condition === undefined) return undefined;
  if (!isIndexable(condition)) {
    if (!isPlainObject(condition)) return undefined;
    const keys = Object.keys(condition);
    if (keys.length === 1 && keys[0] === '$eq') {
      const value = condition['$eq'];
      return isIndexable(value) || (isPlainObject(value) && !hasOperator(value)) ? [value] : undefined;
    }
    if (keys.length === 1 && keys[0] === '$in' && Array.isArray(condition['$in'])) {
      const values = condition['$in'] as unknown[];
      return values.every((v) => isIndexable(v) || (isPlainObject(v) && !hasOperator(v))) ? values : undefined;
    }
    return hasOperator(condition) ? undefined : [condition];
  }
  return [condition];
}

function isIndexable(value: unknown): boolean {
  if (value === undefined || Array.isArray(value) || value instanceof RegExp || isPlainObject(value)) return false;
  const tag = bsonTag(value);
  return tag !== 'BSONRegExp' && tag !== 'MinKey' && tag !== 'MaxKey';
}

function hasOperator(value: Record<string, unknown>): boolean {
  return Object.keys(value).some((k) => k.startsWith('$'));
}

function containsString(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.some(containsString);
  if (isPlainObject(value)) return Object.values(value).some(containsString);
  return false;
}

// An index with collation C answers a query with collation Q exactly when C = Q; a binary query can
// also use it, because binary-equal strings are equal under any collation (candidates are re-tested).
function usable(indexCollation: Collation | undefined, queryCollation: Collation | undefined, values: unknown[]): boolean {
  if (!values.some(containsString)) return true;
  if (!queryCollation) return true;
  return indexCollation?.equals(queryCollation) === true;
}

function sameKey(a: Document, b: Document): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && Number(a[k]) === Number(b[k]));
}

function sameCollation(a: Collation | undefined, b: Collation | undefined): boolean {
  return a === undefined ? b === undefined : a.equals(b);
}

function samePartial(a: IndexDefinition, b: IndexDefinition): boolean {
  return valueKey(a.partialFilterExpression ?? null) === valueKey(b.partialFilterExpression ?? null);
}

function sameOptions(a: IndexDefinition, b: IndexDefinition): boolean {
  return (
    (a.unique === true) === (b.unique === true) &&
    (a.sparse === true) === (b.sparse === true) &&
    a.expireAfterSeconds === b.expireAfterSeconds &&
    sameCollation(a.collation, b.collation) &&
    samePartial(a, b)
  );
}

/** An index definition in the shape `listIndexes` returns. */
export function indexDocument(definition: IndexDefinition): Document {
  const doc: Document = { v: 2, key: { ...definition.key }, name: definition.name };
  if (definition.unique) doc['unique'] = true;
  if (definition.sparse) doc['sparse'] = true;
  if (definition.partialFilterExpression) doc['partialFilterExpression'] = definition.partialFilterExpression;
  if (definition.expireAfterSeconds !== undefined) doc['expireAfterSeconds'] = definition.expireAfterSeconds;
  if (definition.hidden) doc['hidden'] = true;
  if (definition.collation) doc['collation'] = { ...definition.collation.spec };
  return doc;
}

function renderIndex(definition: IndexDefinition): string {
  return renderValue(indexDocument(definition));
}
