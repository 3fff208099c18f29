import type { Document } from 'bson';
import { commandError, MongoCommandError } from '../errors.js';
import type { Catalog } from '../store/catalog.js';
import type { Collation } from '../store/collation.js';
import type { Collection } from '../store/collection.js';
import type { CollectionView, DataSource } from '../store/data-view.js';

/** One document's change inside a transaction. */
interface Change {
  /** The stored version when the transaction first touched it (undefined: it did not exist). */
  readonly before: Document | undefined;
  /** The transaction's version (undefined: removed). */
  after: Document | undefined;
}

/** A write conflict: another writer changed a document this transaction changes. */
export function writeConflict(): MongoCommandError {
  return commandError(
    'WriteConflict',
    'Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
    { errorLabels: ['TransientTransactionError'] },
  );
}

/**
 * A transaction's view of the data: reads see a snapshot of each collection (taken when the
 * transaction first uses it) plus the transaction's own changes; writes go to a private overlay that
 * {@link commit} applies to every collection at once.
 *
 * As in MongoDB, a write (or the commit) fails with WriteConflict (112, TransientTransactionError)
 * when the stored version of the document changed after the transaction's snapshot, so
 * read-modify-write inside a transaction cannot lose an update; the driver's `withTransaction`
 * retries. Reads inside a transaction scan the snapshot (only `_id` equality is a lookup).
 */
export class TransactionView implements DataSource {
  readonly #catalog: Catalog;
  readonly #overlays = new Map<Collection, Map<string, Change>>();
  readonly #views = new Map<Collection, TransactionCollection>();

  constructor(catalog: Catalog) {
    this.#catalog = catalog;
  }

  get(database: string, name: string): CollectionView | undefined {
    const base = this.#catalog.get(database, name);
    return base ? this.#view(base) : undefined;
  }

  ensure(database: string, name: string): { collection: CollectionView; created: boolean } {
    const { collection, created } = this.#catalog.ensure(database, name);
    return { collection: this.#view(collection), created };
  }

  /** Whether the transaction changed anything. */
  get hasChanges(): boolean {
    for (const overlay of this.#overlays.values()) if (overlay.size > 0) return true;
    return false;
  }

  /**
   * Applies every change atomically.
   *
   * @throws MongoCommandError WriteConflict when a stored document changed meanwhile (nothing is applied).
   */
  commit(): void {
    const plans: Array<[Collection, Array<{ before: Document | undefined; after: Document | undefined }>]> = [];
    for (const [collection, overlay] of this.#overlays) {
      if (overlay.size === 0) continue;
      if (this.#catalog.get(collection.database, collection.name) !== collection) throw writeConflict();
      const changes = [];
      for (const [id, change] of overlay) {
        if (collection.version(id) !== change.before) throw writeConflict();
        if (change.before !== change.after) changes.push({ before: change.before, after: change.after });
      }
      plans.push([collection, changes]);
    }
    const applied: typeof plans = [];
    try {
      for (const plan of plans) {
        plan[0].applyChanges(plan[1]);
        applied.push(plan);
      }
    } catch (error) {
      for (const [collection, changes] of applied.reverse()) {
        collection.applyChanges(changes.map((c) => ({ before: c.after, after: c.before })));
      }
      if (error instanceof MongoCommandError && error.codeName === 'DuplicateKey') throw writeConflict();
      throw error;
    }
  }

  #view(base: Collection): TransactionCollection {
    let view = this.#views.get(base);
    if (!view) {
      let overlay = this.#overlays.get(base);
      if (!overlay) {
        overlay = new Map();
        this.#overlays.set(base, overlay);
      }
      view = new TransactionCollection(base, overlay);
      this.#views.set(base, view);
    }
    return view;
  }
}

class TransactionCollection implements CollectionView {
  readonly #base: Collection;
  readonly #overlay: Map<string, Change>;
  readonly #snapshot: Map<string, Document>;

  constructor(base: Collection, overlay: Map<string, Change>) {
    this.#base = base;
    this.#overlay = overlay;
    this.#snapshot = new Map(base.documents().map((doc) => [base.idKeyOf(doc['_id']), doc]));
  }

  get database() {
    return this.#base.database;
  }
  get name() {
    return this.#base.name;
  }
  get namespace() {
    return this.#base.namespace;
  }
  get uuid() {
    return this.#base.uuid;
  }
  get options() {
    return this.#base.options;
  }
  get idCollation() {
    return this.#base.idCollation;
  }

  indexDefinitions() {
    return this.#base.indexDefinitions();
  }

  documents(): Document[] {
    const out: Document[] = [];
    for (const [id, doc] of this.#snapshot) {
      const change = this.#overlay.get(id);
      if (!change) out.push(doc);
      else if (change.after) out.push(change.after);
    }
    for (const [id, change] of this.#overlay) if (!this.#snapshot.has(id) && change.after) out.push(change.after);
    return out;
  }

  candidates(filter: Document, collation: Collation | undefined): Document[] | undefined {
    const id = filter['_id'];
    if (id === undefined || (typeof id === 'object' && id !== null && Object.keys(id).some((k) => k.startsWith('$'))))
      return undefined;
    // A lookup by _id is exact only under the _id index's own collation (or binary comparison).
    if (collation && !collation.equals(this.#base.idCollation)) return undefined;
    const doc = this.get(id);
    return doc ? [doc] : [];
  }

  get(id: unknown): Document | undefined {
    const key = this.#base.idKeyOf(id);
    const change = this.#overlay.get(key);
    return change ? change.after : this.#snapshot.get(key);
  }

  insert(doc: Document): void {
    const id = this.#base.idKeyOf(doc['_id']);
    if (this.get(doc['_id'])) throw this.#base.duplicateError('_id_', doc);
    this.#checkUnique(doc, id);
    this.#record(id, undefined, doc);
  }

  replace(before: Document, after: Document): void {
    const id = this.#base.idKeyOf(before['_id']);
    this.#checkUnique(after, id);
    this.#record(id, before, after);
  }

  remove(doc: Document): void {
    const id = this.#base.idKeyOf(doc['_id']);
    this.#record(id, doc, undefined);
  }

  // `seen` is the version the transaction based this write on.
  #record(id: string, seen: Document | undefined, after: Document | undefined): void {
    const existing = this.#overlay.get(id);
    if (existing) {
      if (existing.after !== seen) throw writeConflict();
      existing.after = after;
      return;
    }
    if (this.#base.version(id) !== seen) throw writeConflict();
    this.#overlay.set(id, { before: seen, after });
  }

  #checkUnique(doc: Document, id: string): void {
    const ignore = new Set(this.#overlay.keys());
    ignore.add(id);
    this.#base.checkUnique(doc, ignore);
    for (const index of this.#base.indexes) {
      if (!index.unique) continue;
      const keys = new Set(index.keysOf(doc).map((k) => k.encoded));
      for (const [otherId, change] of this.#overlay) {
        if (otherId === id || !change.after) continue;
        if (index.keysOf(change.after).some((k) => keys.has(k.encoded))) throw this.#base.duplicateError(index.name, doc);
      }
    }
  }
}
