/**
 * Append-only journal with group commit: every record written by one tick of
 * the event loop goes out in one `write` (and one `fdatasync` when enabled),
 * and each writer's promise resolves only once its record is on disk.
 *
 * The file is kept a little ahead of its records, filled with zeros (see
 * {@link JournalOptions.preallocate}): overwriting blocks the file already has
 * lets `fdatasync` flush the data alone, where an append also has to commit the
 * file's new size and blocks to the file system's own journal. Records end at
 * the first NUL byte (JSON text never holds a raw one).
 */
import {
  closeSync,
  constants,
  existsSync,
  fdatasync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One journal record. `c` is the collection, `k` the record kind. */
export type JournalRecord =
  | { k: 'put'; c: string; doc: Record<string, unknown> }
  | { k: 'del'; c: string; id: string }
  | { k: 'madd'; g: string; m: Record<string, unknown>[] }
  | { k: 'mdel'; g: string; v: string[] }
  | { k: 'mset'; g: string; m: Record<string, unknown>[] };

interface Pending {
  line: string;
  resolve: () => void;
  reject: (e: Error) => void;
  /** Reverts the in-memory change these records describe, if they cannot be made durable. */
  undo: (() => void) | undefined;
}

/** Options of {@link Journal}. */
export interface JournalOptions {
  /** `fdatasync` after each batch (survives power loss, not only process crashes). Default true. */
  fsync?: boolean;
  /**
   * Bytes of zeros the file is extended by whenever the records reach its end, so that most batches
   * overwrite blocks the file already has. Default 1 MiB; 0 appends instead. A batch larger than
   * this is appended.
   */
  preallocate?: number;
  /** Told about each batch made durable: seconds from its write to the end of its sync, and its bytes. */
  onSync?: ((seconds: number, bytes: number) => void) | undefined;
}

/** The records in a journal file, and the byte offset where the next record goes. */
export interface JournalContents {
  records: JournalRecord[];
  /** End of the last whole record: a torn tail and the zero-filled space start here. */
  end: number;
}

/**
 * The journal text of a batch of records: one JSON line each. `jsonOf` gives the JSON text of a
 * `put` record's document when it is known already (the store's own, written as it stored it), so
 * the document is not serialized a second time; otherwise the record is serialized whole. Throws (a `TypeError`/`RangeError`
 * from `JSON.stringify`) when a value cannot be serialized; the caller decides before anything is
 * queued.
 */
export function serializeRecords(
  records: readonly JournalRecord[],
  jsonOf?: (doc: Record<string, unknown>) => string | undefined,
): string {
  let text = '';
  for (const r of records) {
    const json = r.k === 'put' && jsonOf ? jsonOf(r.doc) : undefined;
    text += json === undefined ? `${JSON.stringify(r)}\n` : `${putPrefix((r as { c: string }).c)}${json}}\n`;
  }
  return text;
}

/** `{"k":"put","c":<collection>,"doc":` by collection: a put record around a document's JSON text. */
const PUT_PREFIX = new Map<string, string>();
function putPrefix(c: string): string {
  let p = PUT_PREFIX.get(c);
  if (p === undefined) PUT_PREFIX.set(c, (p = `{"k":"put","c":${JSON.stringify(c)},"doc":`));
  return p;
}

/** Default of {@link JournalOptions.preallocate}. */
const DEFAULT_PREALLOCATE = 1024 * 1024;

let ZEROS: Buffer | undefined;

/** UTF-8 encoder of batches, and the buffer it encodes into (grown up to {@link SCRATCH_MAX}). */
const encoder = new TextEncoder();
let scratch = new Uint8Array(4096);
const SCRATCH_MAX = 64 * 1024;

/**
 * The UTF-8 bytes of a batch. A batch of up to a third of {@link SCRATCH_MAX} UTF-16 units (at most
 * 3 bytes each) is encoded into the shared scratch buffer, which is written out before anything
 * else can use it: no buffer per batch, and the byte count comes with the encoding. The view is
 * valid until the next call.
 */
function encodeBatch(text: string): Uint8Array {
  const worst = text.length * 3;
  if (worst > SCRATCH_MAX) return Buffer.from(text, 'utf8');
  if (worst > scratch.length) scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(worst, scratch.length * 2)));
  const { written } = encoder.encodeInto(text, scratch);
  return scratch.subarray(0, written);
}

export class Journal {
  /** The file written now (see {@link rotate}). */
  private fd: number;
  /** A file {@link rotate} left whose last batch is still being synced: closed once it is. */
  private retiredFd: number | undefined;
  private pending: Pending[] = [];
  private flushing = false;
  /** A batch is being written or synced (to the file it was written to). */
  private writing = false;
  private closed = false;
  /** Appends so far, and how many of them are settled (durable or refused), in order. */
  private appended = 0;
  private settledCount = 0;
  /** Batches that failed so far (see {@link failures}). */
  private failedBatches = 0;
  private waiters: { upTo: number; resolve: (failures: number) => void }[] = [];
  /** End of the records: where the next batch is written. */
  private bytes: number;
  /** Size of the file: records, then zeros. */
  private fileSize: number;
  private readonly chunk: number;
  /** After a failed extension (disk full), batches are appended until the records pass this offset. */
  private extendAfter = 0;

  /**
   * Opens `path` for writing after the first `end` bytes (what {@link Journal.read} found). Anything
   * past them is a torn batch or stale bytes from a crash, never acknowledged, and is cut off:
   * the next batch must not run into it.
   */
  constructor(
    public path: string,
    end: number,
    private readonly opts: JournalOptions = {},
  ) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o666);
    if (fstatSync(this.fd).size > end) ftruncateSync(this.fd, end);
    this.bytes = end;
    this.fileSize = end;
    this.chunk = Math.max(0, Math.floor(opts.preallocate ?? DEFAULT_PREALLOCATE));
  }

  /** Appends made so far: {@link settled} with it waits for every one of them. */
  get appendCount(): number {
    return this.appended;
  }

  /** Batches that could not be made durable so far (their writes were undone and refused). */
  get failures(): number {
    return this.failedBatches;
  }

  /** Size of the journal in bytes (for compaction decisions). */
  get size(): number {
    return this.bytes;
  }

  /**
   * Reads every whole record. The records end at the first NUL byte (zero-filled space) or at the
   * end of the file; a last line without its newline is a batch torn by a crash, never
   * acknowledged, and is left out.
   */
  static read(path: string): JournalContents {
    if (!existsSync(path)) return { records: [], end: 0 };
    const buf = readFileSync(path);
    const nul = buf.indexOf(0);
    const stop = nul < 0 ? buf.length : nul;
    // (Buffer#lastIndexOf counts a negative offset from the end: hence the guard.)
    const end = stop === 0 ? 0 : buf.lastIndexOf(0x0a, stop - 1) + 1;
    const records: JournalRecord[] = [];
    const lines = buf.toString('utf8', 0, end).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line === '') continue;
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch (e) {
        throw new Error(`Corrupt journal ${path} at line ${i + 1}: ${(e as Error).message}`);
      }
    }
    return { records, end };
  }

  /**
   * Appends records serialized by {@link serializeRecords}; resolves when they are durable. When
   * they cannot be written or synced, `undo` runs before the promise rejects (see {@link flush}).
   */
  append(line: string, undo?: () => void): Promise<void> {
    if (this.closed) {
      undo?.();
      return Promise.reject(new Error('Journal is closed'));
    }
    this.appended++;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject, undo });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) {
      this.flushing = false;
      return;
    }
    let text = '';
    for (let i = 0; i < batch.length; i++) text += (batch[i] as Pending).line;
    const bytes = encodeBatch(text);
    const length = bytes.length;
    const started = this.opts.onSync ? performance.now() : 0;
    // The file this batch goes to: a rotation while it syncs switches later batches only.
    const fd = this.fd;
    const done = (err: Error | null) => {
      this.writing = false;
      if (this.retiredFd === fd) {
        this.retiredFd = undefined;
        try {
          closeSync(fd);
        } catch {}
      }
      if (!err && this.opts.onSync) {
        try {
          this.opts.onSync((performance.now() - started) / 1000, length);
        } catch {
          // Metrics must never fail a write.
        }
      }
      if (err) {
        // Records queued after this batch were applied in memory on top of it, so they fail with
        // it. Undone newest first, memory returns to what the journal holds: every acknowledged
        // write, and nothing a client was told had failed.
        const failed = batch.concat(this.pending);
        this.pending = [];
        for (let i = failed.length - 1; i >= 0; i--) {
          try {
            failed[i]?.undo?.();
          } catch {}
        }
        this.failedBatches++;
        for (const p of failed) p.reject(err);
        this.settle(failed.length);
      } else {
        for (const p of batch) p.resolve();
        this.settle(batch.length);
      }
      this.flush();
    };
    // The write goes to the page cache and takes microseconds, so it is done
    // here; only the sync, which waits for the disk, goes to the thread pool.
    const before = this.bytes;
    this.writing = true;
    try {
      this.extendFor(length);
      let offset = 0;
      while (offset < length) offset += writeSync(fd, bytes, offset, length - offset, before + offset);
    } catch (e) {
      // Drop a torn tail (disk full mid-batch) so later records don't follow half a line.
      this.cutTo(fd, before);
      done(e as Error);
      return;
    }
    this.bytes += length;
    if (this.bytes > this.fileSize) this.fileSize = this.bytes;
    if (this.opts.fsync === false) done(null);
    else
      fdatasync(fd, (e) => {
        if (e) {
          // The batch is in the file but not known to be on disk, and it is about to be undone and
          // refused: cut it off, so the page cache cannot write it later and a restart cannot replay
          // a change its client was told had failed. (Only this batch was written since the last
          // good sync: the next batch is written only after this callback.)
          this.cutTo(fd, before);
        }
        done(e);
      });
  }

  /**
   * Makes room for a batch of `n` bytes: when it would pass the end of the file, the file grows by
   * {@link chunk} bytes of zeros first (a millisecond per MiB, written to the page cache; the
   * batch's own sync takes them to disk). A batch larger than a chunk is simply appended. When the
   * disk is full, the zeros are cut off again and batches are appended, so what reaches the client
   * is the batch's own error, not the extension's.
   */
  private extendFor(n: number): void {
    if (this.bytes + n <= this.fileSize || n > this.chunk || this.bytes < this.extendAfter) return;
    const from = this.fileSize;
    const to = from + this.chunk;
    // One small block of zeros, written again and again: a chunk-sized buffer per extension would
    // be garbage the allocator keeps around.
    ZEROS ??= Buffer.alloc(64 * 1024);
    try {
      for (let at = from; at < to; ) at += writeSync(this.fd, ZEROS, 0, Math.min(ZEROS.length, to - at), at);
      this.fileSize = to;
    } catch {
      ftruncateSync(this.fd, from);
      this.extendAfter = this.bytes + this.chunk;
    }
  }

  /**
   * Truncates `fd` back to `length` bytes: what a failed batch left behind goes. (A batch that
   * failed in a file {@link rotate} retired leaves the current file's offsets alone.)
   */
  private cutTo(fd: number, length: number): void {
    try {
      ftruncateSync(fd, length);
      if (fd !== this.fd) return;
      this.bytes = length;
      this.fileSize = length;
    } catch {}
  }

  /** Counts `n` appends settled and wakes the waiters whose appends all are. */
  private settle(n: number): void {
    this.settledCount += n;
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.upTo <= this.settledCount) w.resolve(this.failedBatches);
      else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * Resolves once the first `upTo` appends are settled (durable, or refused and undone), with the
   * number of {@link failures} at that moment: a caller that noted `failures` when it counted the
   * appends learns whether any of them was refused. Appends made after them are not waited for:
   * under a steady stream of writes this still ends.
   */
  settled(upTo: number): Promise<number> {
    if (upTo <= this.settledCount) return Promise.resolve(this.failedBatches);
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  /**
   * Waits until every record appended before the call is durable or refused. Records appended
   * meanwhile are not waited for, so this ends under continuous writes too.
   */
  async drain(): Promise<void> {
    await this.settled(this.appended);
  }

  /**
   * Sends every batch written from now on to a new, empty file at `path` (created, or emptied if a
   * stale one is there); the current file is left as it is, complete up to this point (a batch
   * being synced still completes in it). The new file's directory entry is synced before this
   * returns, so the batches made durable in it are found after a crash. Throws, leaving the
   * journal as it was, when the file cannot be made.
   */
  rotate(path: string): void {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o666);
    try {
      syncDirectory(dirname(path));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    const old = this.fd;
    this.fd = fd;
    this.path = path;
    this.bytes = 0;
    this.fileSize = 0;
    this.extendAfter = 0;
    if (this.writing) this.retiredFd = old;
    else closeSync(old);
  }

  /**
   * Renames the file written now to `path` (replacing what is there, atomically) in the thread pool
   * (freeing a large file replaced takes a while); writing goes on in the same file meanwhile. The
   * caller syncs the directory.
   */
  async rename(path: string): Promise<void> {
    await rename(this.path, path);
    this.path = path;
  }

  /**
   * Empties the journal after its contents went into a snapshot. Call right
   * after {@link drain} without yielding to the event loop, so no write is in
   * flight; records queued meanwhile are written after the truncation, and
   * replaying them over the snapshot is harmless (every record is idempotent).
   */
  truncateSync(): void {
    ftruncateSync(this.fd, 0);
    this.bytes = 0;
    this.fileSize = 0;
    this.extendAfter = 0;
  }

  /** Refuses new appends, waits for those made before, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    closeSync(this.fd);
  }
}

/** fsync of a directory: renames and new entries in it survive a power loss once this returns. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
