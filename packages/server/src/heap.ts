/**
 * One full garbage collection after startup. Loading a large store leaves the parsed snapshot
 * (its text and the first copy of every document) as garbage in the old generation, where the
 * collector would leave it until the heap grows further. Until then every young-generation
 * collection works over a heap up to twice its live size, which shows as latency spikes on large
 * directories. Collecting once, before the first request, starts the gateway with a compact heap.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Below this many bytes of heap in use, a collection is not worth its pause. */
export const COMPACT_HEAP_THRESHOLD = 256 * 1024 * 1024;

/**
 * Heap in use and committed, in bytes. `process.memoryUsage()` rather than `v8.getHeapStatistics()`:
 * on Bun the latter walks every object on the heap (25 ms at 300,000 objects, seconds at a million
 * users), while both runtimes answer `memoryUsage()` from counters.
 */
function heapBytes(): { used: number; total: number } {
  const m = process.memoryUsage();
  return { used: m.heapUsed, total: m.heapTotal };
}

/** Resident memory in bytes: `process.memoryUsage.rss()` where the runtime has it (no heap walk). */
function rssBytes(): number {
  const m = process.memoryUsage as { rss?: () => number };
  return typeof m.rss === 'function' ? m.rss() : process.memoryUsage().rss;
}

let exposedGc: (() => void) | undefined;

/** Node's `gc`, looked up once: `--expose-gc` set at run time shows it only in contexts created afterwards. */
function nodeGc(): (() => void) | undefined {
  if (!exposedGc) {
    setFlagsFromString('--expose-gc');
    exposedGc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
  }
  return exposedGc;
}

/**
 * Runs one full collection when the heap holds more than `threshold` bytes, or resident memory is
 * at least `rssThreshold` bytes. Bun counts the heap in use as of its last collection and keeps
 * string contents outside it, so after loading a large store its heap can look small while the
 * process holds hundreds of MiB of garbage: resident memory is the measure that shows it there.
 * Node: through `gc`, exposed for this call only; Bun: `Bun.gc(true)`, and with `releaseCode`
 * also `Bun.shrink()` (Node has no equivalent: V8 drops unused code and pages on its own).
 *
 * @returns bytes in use before and after, or undefined when nothing was done
 */
export function compactHeap(
  threshold = COMPACT_HEAP_THRESHOLD,
  opts: { releaseCode?: boolean; rssThreshold?: number } = {},
): { before: number; after: number } | undefined {
  const before = heapBytes().used;
  if (before < threshold && !(opts.rssThreshold !== undefined && rssBytes() >= opts.rssThreshold)) return undefined;
  const bun = (globalThis as { Bun?: { gc(force: boolean): void; shrink?: () => void } }).Bun;
  if (bun) {
    bun.gc(true);
    // Bun.shrink asks JavaScriptCore to shrink its footprint once the VM is idle (right after
    // this tick): it drops compiled code, collects again and hands free allocator pages back to
    // the system. After an IdP's initial sync that is 1–7 MiB of resident memory at 10,000 users;
    // the code is compiled again within seconds of the next requests.
    if (opts.releaseCode && typeof bun.shrink === 'function') bun.shrink();
  } else {
    const gc = nodeGc();
    if (!gc) return undefined;
    gc();
  }
  return { before, after: heapBytes().used };
}

/** Options of {@link IdleCompactor}. */
export interface IdleCompactionOptions {
  /**
   * Quiet time after a burst of requests before collecting, in ms. Default 1,000 on Node, 10,000 on
   * Bun ({@link IDLE_MS}).
   */
  idleMs?: number;
  /** Collect only when the committed heap grew at least this much since the last collection. Default 8 MiB. */
  minGrowthBytes?: number;
  /** Never collect a heap using more than this (a full collection's pause grows with the heap). Default 256 MiB. */
  maxHeapBytes?: number;
  /**
   * During a burst, collect once resident memory grew this much since the last collection (or since
   * the compactor started). Default 16 MiB; `Infinity` turns it off.
   */
  burstGrowthBytes?: number;
  /** How often resident memory is looked at during a burst, in ms. Default 250. */
  burstCheckMs?: number;
  /**
   * On Bun: quiet time after a burst before the compiled code is dropped and free pages are handed
   * back (`Bun.shrink()`), in ms, once per quiet period that followed an idle collection. Default
   * 60,000; `Infinity` turns it off. The code is compiled again by the next requests, which costs
   * them about as much CPU as they use themselves for a second or two: a pause between bursts
   * shorter than this keeps it.
   */
  releaseCodeAfterMs?: number;
  /**
   * A request whose body declared at least this many bytes is followed by one collection once its
   * response is sent ({@link IdleCompactor.requestEnded}). Default 128 KiB on Bun, `Infinity`
   * (off) on Node.
   */
  largeBodyBytes?: number;
}

/**
 * Default of {@link IdleCompactionOptions.idleMs}: one quiet second on Node, ten on Bun. On Bun the
 * requests right after a full collection cost more for a second or two (measured: a PATCH after a
 * 4-second pause 0.216 CPU ms with the collection, 0.177 without, 0.155 without a pause), so a
 * pause within a burst should not start one; on Node no cost was measured.
 */
export const IDLE_MS = 'Bun' in globalThis ? 10_000 : 1000;

/** Default of {@link IdleCompactionOptions.largeBodyBytes}: on Bun only (see IdleCompactor). */
export const LARGE_BODY_BYTES = 128 * 1024;

/**
 * Gives memory back after bursts. A burst of requests (an IdP's initial sync, a Bulk load) grows
 * the heap, and V8 keeps what it grew until memory pressure or its own slow memory reducer; the
 * gateway usually sits idle between bursts. When requests stop for `idleMs` after the heap grew,
 * one full collection runs — never while requests arrive, and never on a heap so large that its
 * pause would matter (large directories keep V8's incremental collector alone).
 *
 * During the burst itself the request bodies and their parsed operations (a Bulk request of 1,000
 * users is about 300 KB of text and ten times that in objects) survive young-generation
 * collections and pile up until the runtime's own full collection, which both runtimes start late
 * on a small heap. So while requests arrive, every `burstCheckMs` the compactor reads resident
 * memory, and when it grew `burstGrowthBytes` since the last collection it collects once (without
 * dropping compiled code): the memory freed is reused by the rest of the burst instead of new pages.
 *
 * On Bun, once the quiet after a burst lasted `releaseCodeAfterMs` (a minute by default) as well,
 * the compiled code is dropped and free pages go back to the system (`Bun.shrink()`). Not at the
 * first quiet second: JavaScriptCore then compiles the request path again when the next requests
 * come, and a client that pauses a few seconds between batches (or a benchmark between its
 * readings) paid for that every time: write requests right after such a pause cost up to twice the
 * CPU of the same requests without one.
 *
 * On Bun, a request with a large body (at least `largeBodyBytes`: a Bulk load of a few hundred
 * users, a PATCH of thousands of members) is followed by one collection right after its response
 * is sent. Its body, parsed operations and per-operation results die together when it ends, after
 * living long enough that JavaScriptCore's young-generation collections no longer free them, and
 * on Bun that garbage holds allocator pages until the next full collection. Node keeps the pages
 * V8 committed either way, so there this is off.
 */
export class IdleCompactor {
  #count = 0;
  #seen = 0;
  #busy = false;
  #lastActive = 0;
  #baseline = heapBytes().total;
  #rssBaseline = rssBytes();
  #largePending = false;
  /** An idle collection ran and no request came since: the code may be released after the longer quiet. */
  #releasePending = false;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #opts: Required<IdleCompactionOptions>;
  /** Collections run so far, after bursts and during them (for tests and metrics). */
  collections = 0;
  /** Of {@link collections}, those run during a burst. */
  burstCollections = 0;
  /** Of {@link collections}, those that also released compiled code (Bun, after `releaseCodeAfterMs`). */
  codeReleases = 0;
  /** Of {@link collections}, those run after a request with a large body. */
  largeRequestCollections = 0;
  /** Bytes of a request's body from which {@link requestEnded} collects. */
  readonly largeBodyBytes: number;

  constructor(opts: IdleCompactionOptions = {}) {
    this.#opts = {
      idleMs: IDLE_MS,
      minGrowthBytes: 8 * 1048576,
      maxHeapBytes: COMPACT_HEAP_THRESHOLD,
      burstGrowthBytes: 16 * 1048576,
      burstCheckMs: 250,
      releaseCodeAfterMs: 60_000,
      largeBodyBytes: 'Bun' in globalThis ? LARGE_BODY_BYTES : Number.POSITIVE_INFINITY,
      ...opts,
    };
    this.largeBodyBytes = this.#opts.largeBodyBytes;
    this.#timer = setInterval(() => this.#tick(), Math.min(this.#opts.idleMs, this.#opts.burstCheckMs));
    this.#timer.unref();
  }

  /** Call on every request: one increment, nothing else. */
  activity(): void {
    this.#count++;
  }

  /**
   * Call at the start of every node:http request instead of {@link activity}: counts it, and when
   * its body declares (`content-length`) at least {@link largeBodyBytes}, calls
   * {@link requestEnded} once its response is sent. A body without a declared length is not watched.
   */
  request(req: IncomingMessage, res: ServerResponse): void {
    this.#count++;
    if (this.largeBodyBytes === Number.POSITIVE_INFINITY) return;
    const declared = Number(req.headers['content-length']);
    if (declared >= this.largeBodyBytes) res.once('finish', () => this.requestEnded(declared));
  }

  /**
   * Call when a request's response has been sent, with the size its body declared
   * (`content-length`; 0 when unknown). From {@link largeBodyBytes} on, one collection runs once
   * the current I/O callbacks are done (several such requests ending together share it), without
   * dropping compiled code, on a heap under `maxHeapBytes`.
   */
  requestEnded(bodyBytes: number): void {
    if (!(bodyBytes >= this.largeBodyBytes) || this.#largePending) return;
    this.#largePending = true;
    setImmediate(() => {
      this.#largePending = false;
      if (heapBytes().used > this.#opts.maxHeapBytes || !compactHeap(0)) return;
      this.collections++;
      this.largeRequestCollections++;
      this.#rssBaseline = rssBytes();
    }).unref();
  }

  #tick(): void {
    const now = performance.now();
    if (this.#count !== this.#seen) {
      this.#seen = this.#count;
      this.#busy = true;
      this.#releasePending = false;
      this.#lastActive = now;
      this.#duringBurst();
      return;
    }
    if (this.#releasePending && now - this.#lastActive >= this.#opts.releaseCodeAfterMs) {
      this.#releasePending = false;
      if (heapBytes().used <= this.#opts.maxHeapBytes && compactHeap(0, { releaseCode: true })) {
        this.collections++;
        this.codeReleases++;
      }
      this.#rssBaseline = rssBytes();
      return;
    }
    if (!this.#busy || now - this.#lastActive < this.#opts.idleMs) return;
    this.#busy = false;
    const heap = heapBytes();
    if (heap.total - this.#baseline < this.#opts.minGrowthBytes) return;
    if (heap.used > this.#opts.maxHeapBytes) return;
    if (compactHeap(0)) {
      this.collections++;
      // Only Bun has code to release (Node's collector drops unused code on its own).
      this.#releasePending = 'Bun' in globalThis && this.#opts.releaseCodeAfterMs !== Number.POSITIVE_INFINITY;
    }
    this.#baseline = heapBytes().total;
    this.#rssBaseline = rssBytes();
  }

  #duringBurst(): void {
    if (this.#opts.burstGrowthBytes === Number.POSITIVE_INFINITY) return;
    const rss = rssBytes();
    if (rss - this.#rssBaseline < this.#opts.burstGrowthBytes) {
      // Memory given back (by the runtime or an idle collection) lowers the mark.
      if (rss < this.#rssBaseline) this.#rssBaseline = rss;
      return;
    }
    if (heapBytes().used <= this.#opts.maxHeapBytes && compactHeap(0)) {
      this.collections++;
      this.burstCollections++;
    }
    this.#rssBaseline = rssBytes();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
