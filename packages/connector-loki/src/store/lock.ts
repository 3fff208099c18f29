/**
 * One process at a time per store: `<file>.lock` beside the snapshot and the journal, taken before
 * either is read and removed on close. A second process that opened the files would compact them
 * and rename new ones over them, and the first would go on acknowledging writes into a journal no
 * longer in the directory.
 *
 * The lock file is one line of JSON ({@link LockRecord}): who holds it. A lock whose holder is gone
 * (kill -9, a crash, a reboot) is stale and taken over:
 * - a holder on this kernel in this pid namespace (see process-info.ts) is gone when its pid runs
 *   no process, runs a process started at another time (a reused pid), or is this process's own
 *   (the pid came round to it);
 * - any other holder (another host on a shared volume, another container) cannot be looked up: it
 *   refreshes the lock's mtime every {@link HEARTBEAT_MS}, and a lock not refreshed for
 *   {@link STALE_MS} is stale (clocks of the hosts must agree to within a few seconds).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  futimesSync,
  linkSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ProcessMark, processState, samePidSpace, thisProcess } from './process-info.js';

/** The `format` of a lock file. */
export const LOCK_FORMAT = 'scimgw-loki-lock/1';
/** How often the holder refreshes the lock's mtime. */
export const HEARTBEAT_MS = 5_000;
/**
 * A lock judged by its mtime is stale once not refreshed for this long: six heartbeats, room for an
 * event loop held up by a large snapshot's load (the heartbeat is also refreshed between the steps
 * of an open) or a slow shared file system.
 */
export const STALE_MS = 30_000;
/** A takeover marker (see {@link takeOver}) judged by its mtime is stale after this long: a takeover takes microseconds. */
export const TAKEOVER_STALE_MS = 10_000;
/** Takeovers of one stale lock, each interrupted by a crash, after which a person must look. */
const MAX_TAKEOVERS = 8;

/** The contents of a lock file. */
export interface LockRecord extends ProcessMark {
  format: typeof LOCK_FORMAT;
  /** Unique per lock taken: tells this lock from a copy of it, or from a later one of the same process. */
  token: string;
  /** When it was taken (ISO 8601). */
  since: string;
}

/** Timings (tests shorten them) and where a lost lock is reported. */
export interface StoreLockOptions {
  heartbeatMs?: number | undefined;
  staleMs?: number | undefined;
  takeoverStaleMs?: number | undefined;
  /** The clock mtimes are compared with. */
  now?: (() => number) | undefined;
  /** Told when the lock turns out not to be this process's any more (see {@link StoreLock.lost}). */
  onLost?: ((error: StoreLockLostError) => void) | undefined;
}

/** A lock file as read: its text, what it says, and its file's identity and mtime. */
interface Found {
  raw: string;
  record: LockRecord | undefined;
  ino: string;
  mtimeMs: number;
}

/** Thrown by {@link StoreLock.acquire} when another live process holds the store; nothing was changed. */
export class StoreLockedError extends Error {
  readonly code = 'ESTORELOCKED';
  constructor(
    readonly lockFile: string,
    readonly holder: LockRecord | undefined,
    reason: string,
    /** True when the holder is judged by its heartbeat: a lock of a gone holder lapses by itself. */
    lapses: boolean,
    staleMs: number,
  ) {
    const dir = dirname(lockFile);
    const who = holder ? `process ${holder.pid} on host ${holder.host} (since ${holder.since})` : 'an unknown process';
    super(
      `The embedded store in ${dir} is in use: its lock ${lockFile} is held by ${who}; ${reason}. ` +
        'Only one process may open the store at a time: stop that process first, or reach the data through it ' +
        "(the running gateway's SCIM endpoint, or its /mcp for agents). " +
        (lapses
          ? `If that process is gone, the lock is taken over once it has not been refreshed for ${staleMs / 1000} s; ` +
            'delete the lock file yourself only when no process on any host uses the store. '
          : '') +
        `Nothing in ${dir} was changed.`,
    );
    this.name = 'StoreLockedError';
  }
}

/** The lock is no longer this process's: another process may be using the store's files. */
export class StoreLockLostError extends Error {
  readonly code = 'ESTORELOCKLOST';
  constructor(
    readonly lockFile: string,
    why: string,
  ) {
    super(
      `The embedded store's lock ${lockFile} is no longer this process's (${why}): another process may be using the store's files. ` +
        'This process writes nothing more to them; restart it.',
    );
    this.name = 'StoreLockLostError';
  }
}

/**
 * Locks held by this process, token → inode of the lock file: a lock whose file is one of these is
 * held here (refused), a copy of one (a copied directory) is not. Shared by every copy of this
 * module loaded in the process.
 */
const HELD: Map<string, string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('@scimgw/connector-loki/held-locks')] ??=
  new Map<string, string>()) as Map<string, string>;

/** An exclusive lock on one store's files, held until {@link release}. */
export class StoreLock {
  private timer: ReturnType<typeof setInterval> | undefined;
  private lostError: StoreLockLostError | undefined;
  private released = false;
  private readonly now: () => number;

  private constructor(
    readonly path: string,
    readonly record: LockRecord,
    private readonly ino: string,
    private readonly opts: StoreLockOptions,
  ) {
    this.now = opts.now ?? Date.now;
    HELD.set(record.token, ino);
    // unref'd: a held lock does not keep the process alive.
    this.timer = setInterval(() => void this.beat(), opts.heartbeatMs ?? HEARTBEAT_MS);
    this.timer.unref();
  }

  /**
   * Takes the lock at `path`, or throws {@link StoreLockedError} (another process holds it; nothing
   * was changed). A stale lock is taken over (see {@link takeOver}).
   */
  static acquire(path: string, opts: StoreLockOptions = {}): StoreLock {
    const now = opts.now ?? Date.now;
    const me = thisProcess();
    const record: LockRecord = { format: LOCK_FORMAT, ...me, token: randomUUID(), since: new Date(now()).toISOString() };
    const text = `${JSON.stringify(record)}\n`;
    // This process's lock, written whole and synced before it is put in place (linked or renamed):
    // a lock never appears without its text. Made only once the lock is known free or stale, so a
    // refused opener writes nothing at all.
    const tmp = `${path}.${record.token}.tmp`;
    let tmpIno: string | undefined;
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const found = readLock(path);
        if (found) {
          const verdict = judge(found, now(), opts.staleMs ?? STALE_MS);
          if (!verdict.stale) throw lockedError(path, found, verdict, opts);
        }
        tmpIno ??= createExclusive(tmp, text) as string;
        if (!found) {
          const placed = placeNew(tmp, tmpIno, path, text);
          if (placed !== undefined) return new StoreLock(path, record, placed, opts);
        } else if (takeOver(tmp, path, found, text, opts)) return new StoreLock(path, record, tmpIno, opts);
        // Another process got there first: judge what it put there.
      }
      throw new StoreLockedError(path, undefined, 'other processes took it over and over while this one tried', false, 0);
    } finally {
      if (tmpIno !== undefined) rmSync(tmp, { force: true });
    }
  }

  /** Set once the lock turned out not to be this process's (taken over, removed): nothing may be written. */
  get lost(): StoreLockLostError | undefined {
    return this.lostError;
  }

  /**
   * Checks that the lock is still this process's, and refreshes it. Synchronous: run between the
   * steps of an open (which holds the event loop) and right before files are renamed. Throws
   * {@link StoreLockLostError} when it is not.
   */
  refreshSync(): void {
    if (this.lostError) throw this.lostError;
    if (this.released) return;
    let fd: number;
    try {
      fd = openSync(this.path, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw this.markLost('the lock file was removed');
      return; // a passing error of the file system: the heartbeat tries again
    }
    try {
      if (fstatSync(fd, { bigint: true }).ino.toString() !== this.ino) throw this.markLost('another process took it over');
      const t = this.now() / 1000;
      futimesSync(fd, t, t);
    } catch (e) {
      if (e === this.lostError) throw e;
      // a passing error of the file system: the heartbeat tries again
    } finally {
      closeSync(fd);
    }
  }

  /** The heartbeat: refreshSync in the thread pool (a shared file system may take its time). */
  private async beat(): Promise<void> {
    if (this.released || this.lostError) return;
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      // Opened, not stat'ed by name: NFS revalidates a file's attributes on open.
      fh = await open(this.path, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !this.released) this.markLost('the lock file was removed');
      return;
    }
    try {
      const st = await fh.stat({ bigint: true });
      if (this.released) return;
      if (st.ino.toString() !== this.ino) this.markLost('another process took it over');
      else {
        const t = this.now() / 1000;
        await fh.utimes(t, t);
      }
    } catch {
      // a passing error of the file system: the next beat tries again
    } finally {
      await fh.close().catch(() => {});
    }
  }

  private markLost(why: string): StoreLockLostError {
    if (!this.lostError) {
      this.lostError = new StoreLockLostError(this.path, why);
      this.stop();
      this.opts.onLost?.(this.lostError);
    }
    return this.lostError;
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    HELD.delete(this.record.token);
  }

  /** Removes the lock file if it is still this one. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.stop();
    if (this.lostError) return;
    try {
      // Between this read and the unlink only a process that wrongly judged this lock stale could
      // replace it, and it is being given up anyway.
      if (readLock(this.path)?.ino === this.ino) rmSync(this.path, { force: true });
    } catch {
      // Left behind, it is stale: its process is gone or is this one.
    }
  }
}

/** Whether a found lock is stale, and why (for the refusal's message). */
type Verdict = { stale: boolean; why: string; byHeartbeat: boolean };

function judge(found: Found, now: number, staleMs: number): Verdict {
  const holder = found.record;
  if (holder && HELD.get(holder.token) === found.ino) {
    return { stale: false, why: 'this process itself holds it (the store is open already)', byHeartbeat: false };
  }
  if (holder && samePidSpace(holder, thisProcess())) {
    const byPid = (stale: boolean, why: string): Verdict => ({ stale, why, byHeartbeat: false });
    if (holder.pid === process.pid) return byPid(true, `its process id ${holder.pid} is now this process's`);
    const state = processState(holder.pid);
    if (!state.alive) return byPid(true, `process ${holder.pid} is not running`);
    if (holder.processStart && state.start && holder.processStart !== state.start) {
      return byPid(true, `process ${holder.pid} is another process than the one that took it`);
    }
    return byPid(false, `process ${holder.pid} is running`);
  }
  const age = Math.max(0, now - found.mtimeMs);
  const where = holder ? 'it cannot be looked up from here' : 'its file says nothing this release reads';
  return {
    stale: age > staleMs,
    why: `${where}, and the lock was last refreshed ${Math.round(age / 1000)} s ago`,
    byHeartbeat: true,
  };
}

function lockedError(path: string, found: Found, verdict: Verdict, opts: StoreLockOptions): StoreLockedError {
  return new StoreLockedError(path, found.record, verdict.why, verdict.byHeartbeat, opts.staleMs ?? STALE_MS);
}

/**
 * Replaces the stale lock `stale` with this process's (`tmp`, holding `text`); false when the lock
 * changed meanwhile (the caller starts over), throws when another process is taking it over.
 *
 * Two processes may both find the same lock stale. Removing it and then creating one's own is not
 * safe: the slower one's removal could remove the faster one's new lock. So the right to replace
 * it is claimed first, with a marker file named after that very lock (its inode and text) created
 * exclusively: of the processes that found it, one creates the marker, and the others find the
 * marker live and are refused. The winner checks that the lock is still the one it judged, and
 * renames its own file over it (atomic: the lock file never goes missing). Between that check and
 * the rename nothing else can change the lock: while it is there no process can link a new one in
 * its place, and replacing it takes this marker. A process that found the lock after the rename
 * finds the winner's, alive.
 *
 * A marker left by a process that died within its takeover is judged as a lock is (its pid, or its
 * age against {@link TAKEOVER_STALE_MS}); a stale one is passed over to the marker of the next
 * level, so a crash there delays the next takeover by at most that long.
 */
function takeOver(tmp: string, path: string, stale: Found, text: string, opts: StoreLockOptions): boolean {
  const markers: string[] = [];
  try {
    for (let level = 1; ; level++) {
      if (level > MAX_TAKEOVERS) {
        throw new StoreLockedError(
          path,
          stale.record,
          `it is stale, but ${MAX_TAKEOVERS} takeovers of it were interrupted (${path}.takeover-*): delete those files and the lock once no process uses the store`,
          false,
          0,
        );
      }
      const marker = takeoverMarker(path, stale.ino, stale.raw, level);
      if (createExclusive(marker, text) !== undefined) {
        markers.push(marker);
        break;
      }
      const other = readLock(marker);
      if (!other) return false; // that takeover just ended
      const verdict = judge(other, (opts.now ?? Date.now)(), opts.takeoverStaleMs ?? TAKEOVER_STALE_MS);
      if (!verdict.stale) {
        const who = other.record ? `process ${other.record.pid} on host ${other.record.host}` : 'another process';
        throw new StoreLockedError(path, stale.record, `it is stale, and ${who} is taking it over right now`, false, 0);
      }
      markers.push(marker);
    }
    const now = readLock(path);
    if (!now || now.ino !== stale.ino || now.raw !== stale.raw) return false;
    renameSync(tmp, path);
    return true;
  } finally {
    for (const m of markers) rmSync(m, { force: true });
  }
}

/**
 * The marker of the `level`th takeover of the lock file at `path` with inode `ino` and text `raw`:
 * the same name in every process that found that lock (inode numbers are the server's on NFS).
 */
export function takeoverMarker(path: string, ino: string, raw: string, level: number): string {
  return `${path}.takeover-${createHash('sha256').update(`${ino}\n${raw}`).digest('hex').slice(0, 16)}.${level}`;
}

/** Puts `tmp` in place as the lock if there is none; its inode, or undefined when a lock is there. */
function placeNew(tmp: string, tmpIno: string, path: string, text: string): string | undefined {
  try {
    linkSync(tmp, path);
    return tmpIno;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      // NFS: a link whose answer was lost is sent again and answered EEXIST, though it was made.
      return readLock(path)?.ino === tmpIno ? tmpIno : undefined;
    }
    // No hard links on this file system: created exclusively instead. A reader between its creation
    // and its text finds a lock it cannot read, fresh by its mtime: refused, as it should be.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createExclusive(path, text);
    throw e;
  }
}

/** Creates `path` holding `text`, synced; its inode, or undefined when it exists. */
function createExclusive(path: string, text: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
    return fstatSync(fd, { bigint: true }).ino.toString();
  } finally {
    closeSync(fd);
  }
}

/** The lock file at `path` (read through one descriptor: text and identity of the same file), or undefined. */
function readLock(path: string): Found | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    const buf = Buffer.alloc(4096);
    const raw = buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
    return { raw, record: parseRecord(raw), ino: st.ino.toString(), mtimeMs: Number(st.mtimeMs) };
  } finally {
    closeSync(fd);
  }
}

function parseRecord(raw: string): LockRecord | undefined {
  try {
    const r = JSON.parse(raw) as Partial<LockRecord> | null;
    if (
      r?.format === LOCK_FORMAT &&
      Number.isSafeInteger(r.pid) &&
      (r.pid as number) > 0 &&
      typeof r.host === 'string' &&
      typeof r.token === 'string' &&
      r.token !== ''
    ) {
      return {
        ...r,
        since: typeof r.since === 'string' ? r.since : '?',
        bootId: typeof r.bootId === 'string' ? r.bootId : undefined,
        pidNamespace: typeof r.pidNamespace === 'string' ? r.pidNamespace : undefined,
        processStart: typeof r.processStart === 'string' ? r.processStart : undefined,
      } as LockRecord;
    }
  } catch {
    // not a lock this release wrote
  }
  return undefined;
}
