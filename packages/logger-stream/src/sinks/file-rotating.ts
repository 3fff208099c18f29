import { appendFileSync, fsyncSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LineSink } from './types.js';

/** Options of {@link RotatingFileSink}. */
export interface RotatingFileOptions {
  /**
   * Base path of the log files, e.g. `/opt/gw/logs/connector-loki.log`. The files are numbered
   * before the extension: `connector-loki.1.log`, `connector-loki.2.log`, …; the highest number is
   * the active one.
   */
  file: string;
  /** Start a new file once the active one has reached this many bytes. */
  maxBytes: number;
  /** Files kept in total, the active one included; older ones are deleted. At least 1. */
  maxFiles: number;
  /** Told about open/write/rotate failures (once per failure streak). Defaults to stderr. */
  onError?: (err: Error) => void;
}

// pino-roll does the rotation (issue 28: no hand-written sink where a library does as well).
// `node bench/log-sinks.mjs` (200,000 request lines of 300 bytes, 4 MiB files; load average 16-19,
// so CPU time is the figure; docs/guide/performance.md, "Log sinks"): this sink 5.4-5.9 µs of CPU
// per line (22-26 µs wall), pino-roll alone with `sync: true` 5.0-6.4, the hand-written sink it
// replaced 5.6 (28.7 wall). rotating-file-stream only buffers (a crash loses lines).
// What this wrapper adds to pino-roll: nothing on disk before the first line (its factory opens the
// file at once, and is async), the lines of the first milliseconds held until the file is open and
// written at close or process exit, I/O errors reported once instead of thrown or emitted
// unhandled, and no flushSync (see flush()).

type PinoRoll = typeof import('pino-roll').default;
type RollStream = import('pino-roll').RollStream;

// Loading pino-roll costs about 200 ms of CPU once (it loads all of date-fns; 1 s of wall time on
// the loaded development machine): started when a file sink is made, in the background, so it
// never runs inside a log call and never for a gateway with file logging off.
let loading: Promise<PinoRoll> | undefined;
function loadPinoRoll(): Promise<PinoRoll> {
  loading ??= import('pino-roll').then((m) => m.default);
  return loading;
}

/** How long to leave the file alone after it failed to open before trying again. */
const RETRY_AFTER_MS = 30_000;
/** Bytes held in memory while the file is not (yet) writable; later lines are dropped. */
const MAX_HELD_BYTES = 4 * 1024 * 1024;

/**
 * A size-rotating file sink on pino-roll. Writes are synchronous appends: once the file is open, a
 * log line is on disk (in the page cache) when the log call returns, so a crash loses nothing.
 *
 * Nothing touches the disk until the first line arrives: a gateway with file logging off never
 * creates a directory or file (read-only images stay happy). Opening takes a few milliseconds;
 * lines logged meanwhile are held and written as soon as it is open, at {@link close}, or when the
 * process exits. I/O errors (disk full, read-only) never reach the log call: they are reported once
 * through `onError`; a failed write is retried with the next line, a failed open after 30 s.
 *
 * @example
 * ```ts
 * const sink = new RotatingFileSink({ file: 'logs/gw.log', maxBytes: 20 * 1024 * 1024, maxFiles: 5 });
 * sink.write('{"level":"info","msg":"hello"}\n'); // logs/gw.1.log
 * await sink.close();
 * ```
 */
export class RotatingFileSink implements LineSink {
  readonly #file: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #onError: (err: Error) => void;
  #stream: RollStream | undefined;
  #opening: Promise<void> | undefined;
  #held: string[] = [];
  #heldBytes = 0;
  #closed = false;
  #failedUntil = 0;
  #reported = false;
  readonly #onExit = (): void => this.#writeHeldAtExit();

  /** @param options - base path, size limit and number of files to keep */
  constructor(options: RotatingFileOptions) {
    this.#file = options.file;
    this.#maxBytes = Math.max(1, Math.floor(options.maxBytes));
    this.#maxFiles = Math.max(1, Math.floor(options.maxFiles));
    this.#onError = options.onError ?? ((err) => process.stderr.write(`scimgw: log file ${this.#file}: ${err.message}\n`));
    loadPinoRoll().catch(() => {
      // Reported when the first line tries to open the file.
    });
  }

  /** Base path as configured (the files are `<name>.<n><ext>` beside it). */
  get file(): string {
    return this.#file;
  }

  /** Appends one line (synchronously once the file is open). */
  write(line: string): void {
    if (this.#closed) return;
    const stream = this.#stream;
    if (stream) {
      try {
        stream.write(line);
      } catch (err) {
        this.#fail(err);
      }
      return;
    }
    this.#hold(line);
    if (this.#opening === undefined && Date.now() >= this.#failedUntil) this.#open();
  }

  /** Waits until the file is open, then writes out anything held and forces it to the device. */
  async flush(): Promise<void> {
    await this.#opening;
    const stream = this.#stream;
    if (!stream || stream.destroyed || stream.fd < 0) return;
    // Not the stream's flushSync(): in sonic-boom 4.2.1 it retries a failed write (ENOSPC, EIO)
    // every 100 ms for ever. Written lines are already in the file; fsync makes them durable.
    try {
      fsyncSync(stream.fd);
    } catch {
      // fsync is best effort (some filesystems refuse it).
    }
  }

  /** Writes what is held, closes the file; later writes are ignored. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#opening;
    const stream = this.#stream;
    this.#stream = undefined;
    if (!stream) {
      this.#writeHeldAtExit();
      return;
    }
    await new Promise<void>((resolve) => {
      if (stream.destroyed) return resolve();
      stream.once('close', resolve);
      // end() writes what a failed write left behind first; if that fails again it would never
      // close (sonic-boom emits 'error' instead), so give the lines up (reported already) and close.
      stream.once('error', () => stream.destroy());
      try {
        stream.end();
      } catch {
        resolve();
      }
    });
  }

  #hold(line: string): void {
    if (this.#heldBytes + line.length > MAX_HELD_BYTES) return;
    this.#held.push(line);
    this.#heldBytes += line.length;
  }

  #open(): void {
    // Once, however many times a failed open is retried.
    process.off('exit', this.#onExit);
    process.on('exit', this.#onExit);
    this.#opening = loadPinoRoll()
      .then((pinoRoll) =>
        pinoRoll({
          file: this.#file,
          size: `${this.#maxBytes}b`,
          // removeOtherLogFiles: count the files on disk, not only those this process made, so the
          // bound holds across restarts.
          limit: { count: this.#maxFiles, removeOtherLogFiles: true },
          mkdir: true,
          sync: true,
          // A failed write stays buffered in the stream and is retried with the next line; bounded.
          maxLength: MAX_HELD_BYTES,
        }),
      )
      .then(
        (stream) => {
          stream.on('error', (err) => this.#fail(err));
          this.#stream = stream;
          this.#opening = undefined;
          process.off('exit', this.#onExit);
          this.#reported = false;
          const held = this.#held;
          this.#held = [];
          this.#heldBytes = 0;
          try {
            for (const line of held) stream.write(line);
          } catch (err) {
            this.#fail(err);
          }
        },
        (err: unknown) => {
          this.#opening = undefined;
          this.#failedUntil = Date.now() + RETRY_AFTER_MS;
          this.#fail(err);
        },
      );
  }

  /**
   * At process exit (or close) with the file still not open: append what is held synchronously to
   * the file pino-roll would continue, so `process.exit()` right after a log call loses nothing.
   */
  #writeHeldAtExit(): void {
    process.off('exit', this.#onExit);
    if (this.#held.length === 0) return;
    const lines = this.#held.join('');
    this.#held = [];
    this.#heldBytes = 0;
    try {
      mkdirSync(dirname(this.#file), { recursive: true });
      appendFileSync(this.#currentFile(), lines);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** `<dir>/<name>.<highest n><ext>` among this name's files: where pino-roll would go on writing. */
  #currentFile(): string {
    const dir = dirname(this.#file);
    const base = basename(this.#file);
    const dot = base.lastIndexOf('.');
    const [name, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, '.log'];
    let highest = 1;
    for (const f of readdirSync(dir)) {
      if (!f.startsWith(`${name}.`) || !f.endsWith(ext)) continue;
      const n = Number(f.slice(name.length + 1, f.length - ext.length));
      if (Number.isInteger(n) && n > highest) highest = n;
    }
    return join(dir, `${name}.${highest}${ext}`);
  }

  #fail(err: unknown): void {
    if (this.#reported) return;
    this.#reported = true;
    // The next successful write ends the streak: a later failure is reported again.
    this.#stream?.once('write', () => {
      this.#reported = false;
    });
    try {
      this.#onError(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // A broken error reporter must not break logging either.
    }
  }
}
