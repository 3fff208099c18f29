/**
 * Append-only journal with group commit: every record written by one tick of
 * the event loop goes out in one `write` (and one `fdatasync` when enabled),
 * and each writer's promise resolves only once its record is on disk.
 */
import { closeSync, existsSync, fdatasync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

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
}

export class Journal {
  private fd: number;
  private pending: Pending[] = [];
  private flushing = false;
  private closed = false;
  private bytes: number;

  constructor(
    readonly path: string,
    private readonly opts: JournalOptions = {},
  ) {
    this.fd = openSync(path, 'a');
    this.bytes = fstatSync(this.fd).size;
  }

  /** Size of the journal in bytes (for compaction decisions). */
  get size(): number {
    return this.bytes;
  }

  /** Reads every complete record; a torn last line (crash mid-write) is ignored. */
  static read(path: string): JournalRecord[] {
    if (!existsSync(path)) return [];
    const text = readFileSync(path, 'utf8');
    const out: JournalRecord[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line === '') continue;
      try {
        out.push(JSON.parse(line) as JournalRecord);
      } catch (e) {
        if (i === lines.length - 1) break; // torn tail from a crash: never acknowledged
        throw new Error(`Corrupt journal ${path} at line ${i + 1}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  /**
   * Appends records; resolves when they are durable. When they cannot be written or synced,
   * `undo` runs before the promise rejects (see {@link flush}).
   */
  append(records: JournalRecord[], undo?: () => void): Promise<void> {
    if (this.closed) {
      undo?.();
      return Promise.reject(new Error('Journal is closed'));
    }
    const line = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
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
    const buf = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
    const done = (err: Error | null) => {
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
        for (const p of failed) p.reject(err);
      } else for (const p of batch) p.resolve();
      this.flush();
    };
    // The write goes to the page cache and takes microseconds, so it is done
    // here; only the sync, which waits for the disk, goes to the thread pool.
    try {
      let offset = 0;
      while (offset < buf.length) offset += writeSync(this.fd, buf, offset, buf.length - offset);
    } catch (e) {
      // Drop a torn tail (disk full mid-batch) so later records don't follow half a line.
      this.cutTo(this.bytes);
      done(e as Error);
      return;
    }
    const before = this.bytes;
    this.bytes += buf.length;
    if (this.opts.fsync === false) done(null);
    else
      fdatasync(this.fd, (e) => {
        if (e) {
          // The batch is in the file but not known to be on disk, and it is about to be undone and
          // refused: cut it off, so the page cache cannot write it later and a restart cannot replay
          // a change its client was told had failed. (Only this batch was written since the last
          // good sync: the next batch is written only after this callback.)
          this.cutTo(before);
        }
        done(e);
      });
  }

  /** Truncates the file back to `length` bytes: what a failed batch left behind goes. */
  private cutTo(length: number): void {
    try {
      ftruncateSync(this.fd, length);
      this.bytes = length;
    } catch {}
  }

  /** Waits until nothing is queued or being written. */
  async drain(): Promise<void> {
    while (this.flushing || this.pending.length) await new Promise((r) => setImmediate(r));
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
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    closeSync(this.fd);
  }
}
