/**
 * One tenant's data: a row table per collection (each resource kept as one compact string, hash
 * indexes of row numbers beside it: rows.ts), group membership kept per member, and durability
 * through a journal that is compacted into a snapshot.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errors } from '@scimgw/core';
import { decode, unpack } from './codec.js';
import { Membership } from './indexes.js';
import { Journal, type JournalRecord, serializeRecords } from './journal.js';
import { StoreLock, type StoreLockLostError, type StoreLockOptions } from './lock.js';
import { type GroupRef, KeptDoc, ReadCache } from './read-cache.js';
import { type Doc, type IndexedField, RowTable, type RowsView, storedJson } from './rows.js';
import { readSnapshot, SNAPSHOT_FORMAT, syncDirectoryAsync, writeSnapshotFile } from './snapshot.js';

export { KeptDoc };

export type { Doc } from './rows.js';
export type CollectionName = 'users' | 'groups' | 'roles' | 'entitlements';
const COLLECTIONS: CollectionName[] = ['users', 'groups', 'roles', 'entitlements'];

/** Computes users' `groups` for writes without keeping them (one for every store: it holds nothing). */
const KEEPS_NOTHING = new ReadCache({ maxBytes: 0 });

/** The attributes each collection indexes (what query.ts looks up instead of scanning). */
const INDEXED: Record<CollectionName, IndexedField[]> = {
  users: [
    { name: 'userName', fold: true },
    { name: 'externalId', fold: false },
  ],
  groups: [
    { name: 'externalId', fold: false },
    { name: 'displayName', fold: true },
  ],
  roles: [
    { name: 'externalId', fold: false },
    { name: 'displayName', fold: true },
  ],
  entitlements: [
    { name: 'externalId', fold: false },
    { name: 'displayName', fold: true },
  ],
};

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
  /**
   * Told when a compaction started in the background (the journal passed `compactBytes`) fails;
   * nothing is lost (see {@link TenantStore.compact}) and the next one retries. Without it the
   * failure is an unhandled rejection.
   */
  onCompactError?: ((error: unknown) => void) | undefined;
  /**
   * Bound of the read cache (decoded resources kept for reads, see read-cache.ts). Default 16 MiB;
   * 0 turns it off (reads decode anew and hand out objects nothing keeps, as writes do).
   */
  readCacheBytes?: number | undefined;
  /**
   * Told when the store's lock (`<file>.lock`, see lock.ts) turns out to be another process's: from
   * then on the store refuses writes (503) and compacts nothing.
   */
  onLockLost?: ((error: StoreLockLostError) => void) | undefined;
  /** Timings of the lock (tests shorten them); see lock.ts for the defaults. */
  lock?: Omit<StoreLockOptions, 'onLost'> | undefined;
}

/** A write whose values JSON cannot represent (the same request would fail the same way again). */
const unstorable = (cause: unknown) =>
  new errors.InvalidValueError('The change was not saved: its values cannot be stored. Nothing was changed.', { cause });

export class TenantStore {
  private readonly tables = new Map<CollectionName, RowTable>();
  readonly membership = new Membership();
  private journal: Journal | undefined;
  /** This process's hold on the files (see lock.ts); undefined in memory and once closed. */
  private lock: StoreLock | undefined;
  /** The compaction running or queued last (see {@link compact}); undefined when none is. */
  private compacting: Promise<void> | undefined;
  /**
   * Set while the journal writes to `<file>.journal.next` and `<file>.journal` still holds records
   * no snapshot has (from a compaction's start until its snapshot is in place): its size in bytes.
   */
  private retiredJournal: number | undefined;
  /** A background compaction failed: the next starts once the journals reach this many bytes. */
  private retryAt = 0;
  /**
   * Reverts of the in-memory changes made since the last {@link persist} (recorded once the store is
   * loaded). A write changes memory first and then journals it; if the journal cannot take it, these
   * put memory back, so no client ever reads a write it was told had failed.
   */
  private undoLog: (() => void)[] | undefined;
  /**
   * The last document {@link putLocal} stored and the JSON text it stored of it: its journal record
   * (made right after, in the same turn) reuses the text instead of serializing the document again.
   */
  private lastPut: Doc | undefined;
  private lastPutJson = '';

  /** Frozen decoded resources and users' `groups` for reads (see {@link read}, {@link readPage}). */
  private readonly reads: ReadCache;

  private constructor(private readonly opts: TenantStoreOptions) {
    for (const name of COLLECTIONS) this.tables.set(name, new RowTable(INDEXED[name]));
    this.reads = new ReadCache({ maxBytes: opts.readCacheBytes });
    this.membership.onMemberChange = (value) => this.reads.memberChanged(value);
  }

  /**
   * Opens (or creates) a store: lock, snapshot + journal replay, then compaction. Throws
   * StoreLockedError (lock.ts), having read and changed nothing, while another live process has the
   * files open.
   */
  static async open(opts: TenantStoreOptions): Promise<TenantStore> {
    const s = new TenantStore(opts);
    if (!opts.file) {
      opts.seed?.(s);
      s.recordUndo();
      return s;
    }
    mkdirSync(dirname(opts.file), { recursive: true });
    // Before anything is read: a second process compacting the files would rename new ones over
    // those the first is writing.
    s.lock = StoreLock.acquire(`${opts.file}.lock`, { ...opts.lock, onLost: opts.onLockLost });
    try {
      await s.loadFiles(opts.file, s.lock);
    } catch (e) {
      await s.journal?.close().catch(noop);
      s.journal = undefined;
      s.lock.release();
      s.lock = undefined;
      throw e;
    }
    s.recordUndo();
    return s;
  }

  /** Reads the files of a store at `file` into memory, and opens its journal (see {@link open}). */
  private async loadFiles(file: string, lock: StoreLock): Promise<void> {
    const opts = this.opts;
    const { snapshot, journal, next } = paths(file);
    const hadSnapshot = readSnapshot(snapshot, (name, doc) => this.load(name, doc));
    // Loading a large snapshot holds the event loop, and with it the lock's heartbeat.
    lock.refreshSync();
    // A compaction that did not finish may have left a second journal: the records written after it
    // began (see compact). Replayed after the first, whether or not its snapshot made it into place.
    const first = Journal.read(journal);
    for (const rec of first.records) this.replay(rec);
    const second = existsSync(next) ? Journal.read(next) : undefined;
    for (const rec of second?.records ?? []) this.replay(rec);
    lock.refreshSync();
    // Nothing was ever acknowledged without a snapshot or a record: seed (again, if a crash ended
    // the first start before its snapshot was in place).
    const fresh = !hadSnapshot && first.records.length === 0 && !second?.records.length;
    if (fresh) opts.seed?.(this);
    const journalOpts = { fsync: opts.fsync ?? true, preallocate: opts.preallocateBytes, onSync: opts.onSync };
    if (second) {
      // Carry on where that compaction stopped: writing to the second journal, the first kept
      // until a snapshot holds what it holds.
      this.journal = new Journal(next, second.end, journalOpts);
      this.retiredJournal = first.end;
    } else this.journal = new Journal(journal, first.end, journalOpts);
    // Compact only when there is something to fold in: rewriting a big snapshot on every start
    // would make restarts of large directories slow for nothing.
    if (fresh || first.records.length > 0 || second) await this.compact();
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
    this.lastPut = undefined;
    this.takeUndo()?.();
  }

  private table(name: CollectionName): RowTable {
    return this.tables.get(name) as RowTable;
  }

  /** Number of resources of a collection. */
  count(name: CollectionName): number {
    return this.table(name).size;
  }

  /** Resources at positions [start, end) of a collection's insertion order (new objects). */
  page(name: CollectionName, start: number, end: number): Doc[] {
    return this.table(name).page(start, end);
  }

  /**
   * Every resource of a collection in insertion order, decoded one at a time (new objects); with
   * `needle`, only those whose JSON text, lower-cased, contains it.
   */
  scan(name: CollectionName, needle?: string): Iterable<Doc> {
    return this.table(name).scan(needle);
  }

  /** The resource (a new object the caller may change), or undefined. */
  get(name: CollectionName, id: string): Doc | undefined {
    return this.table(name).get(id);
  }

  /**
   * The resource for a read: deeply frozen, the same object on every read while it is unchanged
   * (see read-cache.ts); undefined when there is none.
   */
  read(name: CollectionName, id: string): Doc | undefined {
    if (this.opts.readCacheBytes === 0) return this.get(name, id);
    const stored = this.table(name).stored(id);
    return stored === undefined ? undefined : this.reads.doc(stored);
  }

  /** Resources at positions [start, end) for a read: frozen, as {@link read} gives them. */
  readPage(name: CollectionName, start: number, end: number): Doc[] {
    if (this.opts.readCacheBytes === 0) return this.page(name, start, end);
    return this.table(name)
      .storedPage(start, end)
      .map((s) => this.reads.doc(s));
  }

  /**
   * {@link readPage} as the read cache's entries ({@link KeptDoc}: the frozen document and what the
   * reader keeps for it) where the resources are kept; documents read for the first time come as
   * they are. With the cache off, every element is a new document.
   */
  readPageKept(name: CollectionName, start: number, end: number): (KeptDoc | Doc)[] {
    if (this.opts.readCacheBytes === 0) return this.page(name, start, end);
    const stored = this.table(name).storedPage(start, end);
    const out: (KeptDoc | Doc)[] = new Array(stored.length);
    for (let i = 0; i < stored.length; i++) out[i] = this.reads.kept(stored[i] as string);
    return out;
  }

  /**
   * A user's `groups` (id, the group's displayName, `direct`): frozen, the same list until a
   * membership of the user changes or a group is renamed. `keep` false computes it without keeping
   * it (writes: the cache is filled by reads only).
   */
  /** Changes whenever some user's `groups` may have changed (see {@link userGroups}). */
  get groupsGeneration(): number {
    return this.reads.generation;
  }

  userGroups(userId: string, keep = true): readonly GroupRef[] {
    const ids = this.membership.groupsOf(userId);
    const names = (gid: string) => this.read('groups', gid)?.displayName;
    return (keep ? this.reads : KEEPS_NOTHING).groupsOf(userId, ids, names);
  }

  /**
   * Ids of the resources whose indexed attribute `field` equals `value` (see INDEXED; `userName`
   * and `displayName` case-insensitively).
   */
  find(name: CollectionName, field: string, value: unknown): ReadonlySet<string> {
    return this.table(name).find(field, value);
  }

  /** The resources {@link find} gives the ids of, decoded (new objects, as {@link get} gives them). */
  findDocs(name: CollectionName, field: string, value: unknown): Doc[] {
    return this.table(name).findDocs(field, value);
  }

  /** True when `field` of collection `name` is indexed (so {@link find} answers for it). */
  indexes(name: CollectionName, field: string): boolean {
    return INDEXED[name].some((f) => f.name === field);
  }

  /** Throws 409 when `userName` is taken by another user. */
  assertUserNameFree(userName: unknown, exceptId?: string): void {
    for (const other of this.find('users', 'userName', userName)) {
      if (other !== exceptId) throw new errors.UniquenessError(`userName "${String(userName)}" already exists`);
    }
  }

  /** Throws 409 when `id` exists. */
  assertIdFree(name: CollectionName, id: string): void {
    if (this.table(name).has(id)) throw new errors.UniquenessError(`id "${id}" already exists`);
  }

  /**
   * Inserts or replaces a resource in memory (no journal). The store keeps its stored form, not
   * `doc`: the caller keeps its object (a journal record may still hold it). `current` is the
   * resource as stored now when the caller has it decoded already (read in the same turn): then
   * it is not decoded again to tell a renamed group.
   */
  putLocal(name: CollectionName, doc: Doc, current?: Doc): void {
    let json: string;
    try {
      json = storedJson(doc);
    } catch (e) {
      // Its journal record would be this text (see persist): the same client error.
      throw unstorable(e);
    }
    const old = this.table(name).put(doc, json);
    this.lastPut = doc;
    this.lastPutJson = json;
    if (name === 'groups') this.groupPut(doc, old, current);
    if (this.undoLog) {
      if (old !== undefined) this.undoLog.push(() => this.restore(name, old));
      else this.undoLog.push(() => this.deleteLocal(name, doc.id));
    }
  }

  /** Users' `groups` show group names: computed anew when a group with members is renamed or comes back. */
  private groupPut(doc: Doc, old: string | undefined, current: Doc | undefined): void {
    if (old === undefined ? this.membership.count(doc.id) > 0 : (current ?? decode(old)).displayName !== doc.displayName) {
      this.reads.groupsRenamed();
    }
  }

  /** Puts back a stored form this store held before (an undo). */
  private restore(name: CollectionName, stored: string): void {
    this.putLocal(name, JSON.parse(unpack(stored)) as Doc);
  }

  /** Removes a resource in memory (no journal). */
  deleteLocal(name: CollectionName, id: string): boolean {
    const old = this.table(name).delete(id);
    if (old === undefined) return false;
    if (this.undoLog) this.undoLog.push(() => this.restore(name, old));
    if (name === 'groups') this.membership.drop(id);
    return true;
  }

  /**
   * Applies one journal record. Records are replayed over states that may already hold them and
   * later changes too (a crash after a compaction's snapshot was in place, before its journal was:
   * see {@link compact}), so replaying the records written since state A over a state B that
   * followed from them must give B again. It does, because each record sets the parts of the state
   * it names, whatever they were:
   * - `put` stores the whole document (the row by its id; indexes follow the row);
   * - `del` removes the row, and for a group its members, even when the row is gone already (a
   *   group deleted later in the records may have had members added before; they must go again);
   * - `madd` sets the named members' entries: a member not there becomes the record's entry, one
   *   there takes the record's keys over its own; `mdel` removes members; `mset` drops the group's
   *   members and adds the record's.
   * For each part the records that touch it set it, in order, from the last that sets it whole
   * (`put`, `del`, `mdel`, `mset`) or, for `madd` only, key by key over what was there: the last
   * record that writes a key wins either way, so the result is the value those records gave it in
   * B. Parts no record touches keep their value in B. The one thing that may differ is the position
   * of a resource deleted and put again under the same id in insertion order (pages without
   * sortBy), which SCIM does not fix.
   */
  private replay(rec: JournalRecord): void {
    switch (rec.k) {
      case 'put':
        this.putLocal(rec.c as CollectionName, rec.doc as Doc);
        break;
      case 'del':
        this.deleteLocal(rec.c as CollectionName, rec.id);
        if (rec.c === 'groups') this.membership.drop(rec.id);
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
  commit(change: () => JournalRecord[]): Promise<void> {
    // Not an async function: the caller waits on persist's promise itself, one promise and one
    // turn of the microtask queue fewer per write.
    let records: JournalRecord[];
    try {
      records = change();
    } catch (e) {
      try {
        this.rollbackUnpersisted();
      } catch (undoError) {
        return Promise.reject(undoError);
      }
      return Promise.reject(e);
    }
    return this.persist(records);
  }

  /** Makes records durable; resolves when they are on disk (immediately in memory mode). */
  private async persist(records: JournalRecord[]): Promise<void> {
    const undo = this.takeUndo();
    if (!this.journal || records.length === 0) {
      this.lastPut = undefined;
      return;
    }
    const lost = this.lock?.lost;
    if (lost) {
      // Another process may be writing the files now: a record journaled here could be lost.
      undo?.();
      this.lastPut = undefined;
      throw new errors.ServiceUnavailableError(
        "The change was not saved: another process took over the store's files. Nothing was changed; restart the gateway.",
        30,
        { cause: lost },
      );
    }
    let text: string;
    try {
      text = serializeRecords(records, (doc) => (doc === this.lastPut ? this.lastPutJson : undefined));
    } catch (e) {
      // The same request would fail the same way again: a client error, not a reason to retry.
      undo?.();
      this.lastPut = undefined;
      throw unstorable(e);
    }
    this.lastPut = undefined;
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
    if (!this.compacting && this.journalBytes() > Math.max(this.opts.compactBytes ?? 64 * 1024 * 1024, this.retryAt)) {
      this.compact().then(
        () => {
          this.retryAt = 0;
        },
        (e) => {
          // Retried once the journals grew by another eighth of the limit, not on every write.
          this.retryAt = this.journalBytes() + (this.opts.compactBytes ?? 64 * 1024 * 1024) / 8;
          if (!this.opts.onCompactError) throw e;
          this.opts.onCompactError(e);
        },
      );
    }
  }

  /** Bytes of journal records no snapshot holds yet (both files while a compaction runs). */
  private journalBytes(): number {
    return (this.journal?.size ?? 0) + (this.retiredJournal ?? 0);
  }

  /** Takes one document of the snapshot being read. */
  private load(name: string, doc: Record<string, unknown>): void {
    if (!COLLECTIONS.includes(name as CollectionName)) return;
    if (name === 'groups' && Array.isArray(doc.members)) {
      const { members, ...rest } = doc;
      this.putLocal(name, rest as Doc);
      this.membership.add(rest.id as string, members as Record<string, unknown>[]);
    } else this.putLocal(name as CollectionName, doc as Doc);
  }

  /**
   * What a snapshot of the store holds, taken in one turn of the event loop: each collection's rows
   * (a RowsView: what later writes overwrite is kept for it; stored forms are immutable strings)
   * and each group's members (frozen elements; see Membership.membersNow). Cheap: nothing is
   * copied, decoded or serialized here but one reference per group member list. Released (see
   * RowTable.release) once the snapshot is written.
   */
  private capture(): Captured {
    const out: Captured = [];
    for (const name of COLLECTIONS) {
      const table = this.table(name);
      const rows = table.capture();
      let members: (readonly Record<string, unknown>[] | undefined)[] | undefined;
      if (name === 'groups') {
        members = new Array(rows.length);
        for (let r = 0; r < rows.length; r++) {
          const stored = rows.at(r);
          if (stored !== undefined) members[r] = this.membership.membersNow(RowTable.idOf(stored));
        }
      }
      out.push({ name, rows, members, release: () => table.release(rows) });
    }
    return out;
  }

  /**
   * The snapshot's text in pieces, from a {@link capture}: each resource's JSON from its stored form
   * (groups with their members added), never the whole text at once.
   */
  private static *serialize(captured: Captured): Generator<string> {
    yield `{"format":"${SNAPSHOT_FORMAT}","collections":{`;
    let firstColl = true;
    for (const { name, rows, members } of captured) {
      yield `${firstColl ? '' : ','}${JSON.stringify(name)}:[`;
      firstColl = false;
      let first = true;
      for (let r = 0; r < rows.length; r++) {
        const stored = rows.at(r);
        if (stored === undefined) continue;
        let json = unpack(stored);
        const m = members?.[r];
        if (m) json = `${json.slice(0, -1)},"members":${JSON.stringify(m)}}`;
        yield first ? json : `,${json}`;
        first = false;
      }
      yield ']';
    }
    yield '}}';
  }

  /**
   * Writes a snapshot of the current state and empties the journal, while the store goes on
   * answering reads and writes. One at a time: a call while one runs waits for it, then runs its
   * own (the snapshot then holds at least what was acknowledged before the call).
   *
   * In one turn of the event loop, the state is captured ({@link capture}) and the journal switched
   * to a second file, `<file>.journal.next`: every record from then on goes there, every record
   * before is in `<file>.journal`. Then, yielding to the event loop between MiB-sized writes, the
   * snapshot is written to `<file>.json.tmp` and synced; once the records the capture holds are all
   * durable, it is renamed over `<file>.json` (directory synced), and the second journal renamed
   * over the first (directory synced). After a crash at any point, open() reads the snapshot, then
   * `<file>.journal`, then `<file>.journal.next` if it is there: each record replayed over a state
   * that already holds it leaves that state as it was (see {@link replay}).
   *
   * If the snapshot cannot be written (ENOSPC, EIO …), its temporary file is removed and the error
   * thrown; the snapshot and both journals in place still hold everything, and the next compaction
   * writes to the second journal as before. If a record the capture holds is refused (the journal
   * could not take it: undone in memory), the snapshot is not used either (it holds that record).
   */
  compact(): Promise<void> {
    const before = this.compacting;
    const run = (before ? before.then(noop, noop) : Promise.resolve()).then(() => this.compactNow());
    this.compacting = run;
    const clear = () => {
      if (this.compacting === run) this.compacting = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  private async compactNow(): Promise<void> {
    const journal = this.journal;
    if (!this.opts.file || !journal) return;
    const files = paths(this.opts.file);
    // The files are still this process's (throws when another took them over: see lock.ts).
    this.lock?.refreshSync();
    // Synchronous from here to the first await: the capture point. The records it holds that the
    // journal has not made durable yet must all be: the snapshot may be used only if none of them
    // is refused (undone in memory; a refused write must not come back from the snapshot).
    const failures = journal.failures;
    const settled = journal.settled(journal.appendCount);
    const captured = this.capture();
    try {
      if (this.retiredJournal === undefined) {
        const bytes = journal.size;
        journal.rotate(files.next);
        this.retiredJournal = bytes;
      }
      await writeSnapshotFile(files.tmp, TenantStore.serialize(captured));
    } finally {
      for (const c of captured) c.release();
    }
    if ((await settled) !== failures) {
      await rm(files.tmp, { force: true }).catch(noop);
      throw new Error('Compaction abandoned: the journal refused a write the snapshot held; the next one retries.');
    }
    // Renaming replaces files: only while they are still this process's.
    this.lock?.refreshSync();
    // In the thread pool: replacing the old snapshot frees its blocks (a tenth of a second at a
    // million users, measured on the event loop).
    await rename(files.tmp, files.snapshot);
    await syncDirectoryAsync(dirname(files.snapshot));
    await journal.rename(files.journal);
    this.retiredJournal = undefined;
    await syncDirectoryAsync(dirname(files.snapshot));
  }

  /**
   * Flushes, compacts and closes the files, and releases the lock (kept when the compaction fails:
   * the journal is still open then).
   */
  async close(): Promise<void> {
    // A lost lock: the files are another process's now, nothing more is written to them (a
    // compaction that finds it lost throws before renaming anything).
    if (!this.lock?.lost) {
      try {
        await this.compact();
      } catch (e) {
        if (!this.lock?.lost) throw e;
      }
    }
    await this.journal?.close();
    this.journal = undefined;
    this.lock?.release();
    this.lock = undefined;
  }
}

const noop = () => {};

/** A {@link TenantStore.capture}: per collection its rows and, for groups, each row's members. */
type Captured = {
  name: CollectionName;
  rows: RowsView;
  members: (readonly Record<string, unknown>[] | undefined)[] | undefined;
  /** Ends the capture of the rows (see RowTable.release). */
  release: () => void;
}[];

/** The files of a store at `file`. */
function paths(file: string) {
  return {
    snapshot: `${file}.json`,
    tmp: `${file}.json.tmp`,
    journal: `${file}.journal`,
    next: `${file}.journal.next`,
  };
}
