/**
 * One tenant's data: LokiJS collections (documents in insertion order, unique
 * `id` index), hash indexes beside them, group membership kept per member,
 * and durability through a journal that is compacted into a snapshot.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { errors } from '@scimgw/core';
import Loki from 'lokijs';
import { MultiIndex, Membership } from './indexes.js';
import { Journal, type JournalRecord, serializeRecords } from './journal.js';
import { readSnapshot, writeSnapshotAtomic } from './snapshot.js';

export type Doc = Record<string, unknown> & { id: string };
export type CollectionName = 'users' | 'groups' | 'roles' | 'entitlements';
const COLLECTIONS: CollectionName[] = ['users', 'groups', 'roles', 'entitlements'];

/** Options of {@link TenantStore.open}. */
export interface TenantStoreOptions {
  /** Base path of the files (`<file>.json` snapshot, `<file>.journal`); undefined = in memory only. */
  file?: string | undefined;
  /** fdatasync each journal batch. Default true. */
  fsync?: boolean | undefined;
  /** Compact when the journal passes this many bytes. Default 64 MiB. */
  compactBytes?: number | undefined;
  /** Zero-filled bytes the journal file grows by (see `JournalOptions.preallocate`). Default 1 MiB. */
  preallocateBytes?: number | undefined;
  /** Called to fill a brand-new store. */
  seed?: ((store: TenantStore) => void) | undefined;
  /** Told about each journal batch made durable (seconds, bytes). */
  onSync?: ((seconds: number, bytes: number) => void) | undefined;
}

interface Snapshot {
  format: 'scimgw-loki/1';
  collections: Record<string, Doc[]>;
}

type LokiDoc = Doc & { $loki?: number };

export class TenantStore {
  private readonly db = new Loki('scimgw');
  private readonly colls = new Map<CollectionName, Collection<LokiDoc>>();
  readonly userNames = new MultiIndex(true);
  readonly externalIds = new Map<CollectionName, MultiIndex>();
  readonly displayNames = new Map<CollectionName, MultiIndex>();
  readonly membership = new Membership();
  private journal: Journal | undefined;
  private compacting: Promise<void> | undefined;
  /**
   * Reverts of the in-memory changes made since the last {@link persist} (recorded once the store is
   * loaded). A write changes memory first and then journals it; if the journal cannot take it, these
   * put memory back, so no client ever reads a write it was told had failed.
   */
  private undoLog: (() => void)[] | undefined;

  private constructor(private readonly opts: TenantStoreOptions) {
    for (const name of COLLECTIONS) {
      this.colls.set(name, this.db.addCollection<LokiDoc>(name, { unique: ['id'], disableMeta: true, clone: false }));
      this.externalIds.set(name, new MultiIndex(false));
      this.displayNames.set(name, new MultiIndex(true));
    }
  }

  /** Opens (or creates) a store: snapshot + journal replay, then compaction. */
  static async open(opts: TenantStoreOptions): Promise<TenantStore> {
    const s = new TenantStore(opts);
    if (!opts.file) {
      opts.seed?.(s);
      s.recordUndo();
      return s;
    }
    mkdirSync(dirname(opts.file), { recursive: true });
    const snapPath = `${opts.file}.json`;
    const journalPath = `${opts.file}.journal`;
    const fresh = !existsSync(snapPath) && !existsSync(journalPath);
    const snap = readSnapshot(snapPath);
    if (snap) s.load(JSON.parse(snap) as Snapshot);
    const { records, end } = Journal.read(journalPath);
    for (const rec of records) s.replay(rec);
    if (fresh) opts.seed?.(s);
    s.journal = new Journal(journalPath, end, {
      fsync: opts.fsync ?? true,
      preallocate: opts.preallocateBytes,
      onSync: opts.onSync,
    });
    // Compact only when there is something to fold in: rewriting a big snapshot on every start
    // would make restarts of large directories slow for nothing.
    if (fresh || records.length > 0) await s.compact();
    s.recordUndo();
    return s;
  }

  /** From now on every change to memory records how to revert it (not while loading). */
  private recordUndo(): void {
    this.undoLog = [];
    this.membership.onUndo = (undo) => this.undoLog?.push(undo);
  }

  /** Takes the reverts recorded since the last call, newest last. */
  private takeUndo(): (() => void) | undefined {
    const log = this.undoLog;
    if (!log || log.length === 0) return undefined;
    this.undoLog = [];
    return () => {
      // Reverting must not record reverts of its own.
      const saved = this.undoLog;
      this.undoLog = undefined;
      try {
        for (let i = log.length - 1; i >= 0; i--) log[i]?.();
      } finally {
        this.undoLog = saved;
      }
    };
  }

  /**
   * Reverts what an operation changed in memory and did not persist (it failed half-way). Call it
   * where an operation that changes memory in several steps can throw before {@link persist}.
   */
  private rollbackUnpersisted(): void {
    this.takeUndo()?.();
  }

  collection(name: CollectionName): Collection<LokiDoc> {
    return this.colls.get(name) as Collection<LokiDoc>;
  }

  /** All documents of a collection in insertion order (live array: do not mutate). */
  all(name: CollectionName): readonly LokiDoc[] {
    return this.collection(name).data;
  }

  get(name: CollectionName, id: string): LokiDoc | undefined {
    return this.collection(name).by('id', id) ?? undefined;
  }

  /** Throws 409 when `userName` is taken by another user. */
  assertUserNameFree(userName: unknown, exceptId?: string): void {
    for (const other of this.userNames.get(userName)) {
      if (other !== exceptId) throw new errors.UniquenessError(`userName "${String(userName)}" already exists`);
    }
  }

  /** Throws 409 when `id` exists. */
  assertIdFree(name: CollectionName, id: string): void {
    if (this.get(name, id)) throw new errors.UniquenessError(`id "${id}" already exists`);
  }

  private index(name: CollectionName, doc: Doc, add: boolean): void {
    const op = add ? 'add' : 'delete';
    if (name === 'users') this.userNames[op](doc.userName, doc.id);
    this.externalIds.get(name)?.[op](doc.externalId, doc.id);
    this.displayNames.get(name)?.[op](doc.displayName, doc.id);
  }

  /**
   * Moves index entries from `old` to `doc`, touching only values that changed. (Deleting and
   * re-adding an unchanged key makes V8's hash map rehash again and again: tens of µs per write.)
   */
  private reindex(name: CollectionName, old: Doc, doc: Doc): void {
    if (name === 'users' && old.userName !== doc.userName) move(this.userNames, old.userName, doc.userName, doc.id);
    if (old.externalId !== doc.externalId) move(this.externalIds.get(name), old.externalId, doc.externalId, doc.id);
    if (old.displayName !== doc.displayName) move(this.displayNames.get(name), old.displayName, doc.displayName, doc.id);
  }

  /**
   * Inserts or replaces a document in memory (no journal). LokiJS adds `$loki` to what it stores,
   * so the document is copied first, unless `owned` says nobody else holds it (a document parsed
   * from the snapshot or the journal): loading a million users then leaves no second copy of each
   * as garbage.
   */
  putLocal(name: CollectionName, doc: Doc, owned = false): void {
    const coll = this.collection(name);
    const old = coll.by('id', doc.id);
    if (this.undoLog) {
      // The replaced document is out of LokiJS once replaced, and nobody changes it in place.
      if (old) this.undoLog.push(() => this.restore(name, old));
      else this.undoLog.push(() => this.deleteLocal(name, doc.id));
    }
    const stored: LokiDoc = owned ? doc : { ...doc };
    if (old) {
      stored.$loki = old.$loki as number;
      coll.update(stored);
      this.reindex(name, old, stored);
    } else {
      delete stored.$loki;
      coll.insert(stored);
      this.index(name, stored, true);
    }
  }

  /** Puts back a document this store held before (an undo). */
  private restore(name: CollectionName, old: LokiDoc): void {
    const { $loki: _l, ...previous } = old;
    this.putLocal(name, previous as Doc, true);
  }

  /** Removes a document in memory (no journal). */
  deleteLocal(name: CollectionName, id: string): boolean {
    const coll = this.collection(name);
    const old = coll.by('id', id);
    if (!old) return false;
    if (this.undoLog) {
      // A copy: LokiJS's remove deletes `$loki` and `meta` from the object it removes.
      const saved = { ...old };
      this.undoLog.push(() => this.restore(name, saved));
    }
    this.index(name, old, false);
    coll.remove(old);
    if (name === 'groups') this.membership.drop(id);
    return true;
  }

  private replay(rec: JournalRecord): void {
    switch (rec.k) {
      case 'put':
        this.putLocal(rec.c as CollectionName, rec.doc as Doc, true);
        break;
      case 'del':
        this.deleteLocal(rec.c as CollectionName, rec.id);
        break;
      case 'madd':
        this.membership.add(rec.g, rec.m);
        break;
      case 'mdel':
        this.membership.remove(rec.g, rec.v);
        break;
      case 'mset':
        this.membership.set(rec.g, rec.m);
        break;
    }
  }

  /**
   * Applies one write: `change` updates memory and returns the journal records that describe it,
   * which are then made durable. If anything fails (`change` throws half-way, the records cannot be
   * serialized, the journal cannot be written or synced), memory is put back as it was and the
   * error is thrown: no client ever reads a write it was told had failed, and a restart does not
   * bring it back either.
   */
  async commit(change: () => JournalRecord[]): Promise<void> {
    let records: JournalRecord[];
    try {
      records = change();
    } catch (e) {
      this.rollbackUnpersisted();
      throw e;
    }
    await this.persist(records);
  }

  /** Makes records durable; resolves when they are on disk (immediately in memory mode). */
  private async persist(records: JournalRecord[]): Promise<void> {
    const undo = this.takeUndo();
    if (!this.journal || records.length === 0) return;
    let text: string;
    try {
      text = serializeRecords(records);
    } catch (e) {
      // The same request would fail the same way again: a client error, not a reason to retry.
      undo?.();
      throw new errors.InvalidValueError('The change was not saved: its values cannot be stored. Nothing was changed.', {
        cause: e,
      });
    }
    try {
      await this.journal.append(text, undo);
    } catch (e) {
      // Memory is already back to what the journal holds (the undo ran): tell the client to retry,
      // and name the cause (ENOSPC, EIO …), which the gateway logs with every 5xx.
      const code = (e as NodeJS.ErrnoException).code;
      throw new errors.ServiceUnavailableError(
        `The change was not saved: the store's journal could not be written${code ? ` (${code})` : ''}. Nothing was changed; retry later.`,
        30,
        { cause: e },
      );
    }
    if (this.journal.size > (this.opts.compactBytes ?? 64 * 1024 * 1024) && !this.compacting) {
      this.compacting = this.compact().finally(() => {
        this.compacting = undefined;
      });
    }
  }

  private load(snap: Snapshot): void {
    if (snap.format !== 'scimgw-loki/1') throw new Error(`Unknown snapshot format ${String(snap.format)}`);
    for (const name of COLLECTIONS) {
      for (const doc of snap.collections[name] ?? []) {
        if (name === 'groups' && Array.isArray(doc.members)) {
          const { members, ...rest } = doc;
          this.putLocal(name, rest as Doc, true);
          this.membership.add(doc.id, members as Record<string, unknown>[]);
        } else this.putLocal(name, doc, true);
      }
    }
  }

  private serialize(): string {
    const collections: Record<string, Doc[]> = {};
    for (const name of COLLECTIONS) {
      collections[name] = this.all(name).map(({ $loki: _l, ...doc }) =>
        name === 'groups' && this.membership.count(doc.id) ? { ...doc, members: this.membership.list(doc.id) } : doc,
      );
    }
    return JSON.stringify({ format: 'scimgw-loki/1', collections } satisfies Snapshot);
  }

  /** Writes a snapshot of the current state and empties the journal. */
  async compact(): Promise<void> {
    if (!this.opts.file || !this.journal) return;
    await this.journal.drain();
    // Synchronous from here: no journal write can be in flight between snapshot and truncation.
    writeSnapshotAtomic(`${this.opts.file}.json`, this.serialize());
    this.journal.truncateSync();
  }

  /** Flushes, compacts and closes the files. */
  async close(): Promise<void> {
    if (this.compacting) await this.compacting;
    await this.compact();
    await this.journal?.close();
    this.journal = undefined;
  }
}

/** Moves `id` from key `a` to key `b` of an index. */
function move(idx: MultiIndex | undefined, a: unknown, b: unknown, id: string): void {
  if (!idx) return;
  idx.delete(a, id);
  idx.add(b, id);
}
