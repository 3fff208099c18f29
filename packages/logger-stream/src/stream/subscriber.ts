import type { ServerResponse } from 'node:http';

/** Limits applied to one subscriber's backlog. */
export interface BacklogLimits {
  /** Most bytes (UTF-16 units, a close proxy) queued while the socket is full. */
  maxQueueBytes: number;
  /** Most messages queued while the socket is full. */
  maxQueueLines: number;
  /** A subscriber whose socket stays full this long is disconnected. */
  stallTimeoutMs: number;
}

/**
 * One live-stream client. Writes go straight to the socket while it accepts
 * them; once `res.write` reports a full buffer, messages wait in a bounded
 * queue (oldest dropped first) until `drain`. Dropped messages are counted and
 * announced to the client with an `event: dropped` message when it catches up.
 */
export class Subscriber {
  /** Tenant scope; `undefined` receives every tenant's lines. */
  readonly tenant: string | undefined;
  /** Lowest numeric level this subscriber receives. */
  readonly level: number;
  readonly #res: ServerResponse;
  readonly #limits: BacklogLimits;
  readonly #onGone: (sub: Subscriber) => void;
  readonly #onDrop: (n: number) => void;
  #queue: string[] = [];
  #head = 0;
  #queueBytes = 0;
  #blockedSince = 0;
  #droppedPending = 0;
  #droppedTotal = 0;
  #gone = false;
  #corked = false;

  /**
   * @param res - the open SSE response
   * @param filter - tenant scope and minimum level
   * @param limits - backlog limits
   * @param onGone - called once when the client disconnects or is cut off
   * @param onDrop - called with the number of messages dropped
   */
  constructor(
    res: ServerResponse,
    filter: { tenant: string | undefined; level: number },
    limits: BacklogLimits,
    onGone: (sub: Subscriber) => void,
    onDrop: (n: number) => void,
  ) {
    this.#res = res;
    this.tenant = filter.tenant;
    this.level = filter.level;
    this.#limits = limits;
    this.#onGone = onGone;
    this.#onDrop = onDrop;
    res.on('drain', () => this.#drain());
    res.on('close', () => this.#gone || this.#finish());
    res.on('error', () => this.#gone || this.#finish());
  }

  /** True while the socket buffer is full and messages are queued. */
  get blocked(): boolean {
    return this.#blockedSince > 0;
  }

  /** Bytes waiting in this subscriber's queue. */
  get queuedBytes(): number {
    return this.#queueBytes;
  }

  /** Messages waiting in this subscriber's queue. */
  get queuedLines(): number {
    return this.#queue.length - this.#head;
  }

  /** Bytes buffered inside the response/socket (beyond our queue). */
  get socketBuffered(): number {
    return this.#res.writableLength;
  }

  /** Messages this subscriber lost since it connected. */
  get droppedTotal(): number {
    return this.#droppedTotal;
  }

  /** Sends one complete SSE message (or queues it while the socket is full). Never blocks. */
  send(frame: string, now = Date.now()): void {
    if (this.#gone) return;
    if (this.blocked) {
      this.#enqueue(frame);
      this.checkStall(now);
      return;
    }
    this.#write(frame, now);
  }

  /** Heartbeat comment; skipped while blocked, because a full socket needs no keep-alive. */
  heartbeat(now = Date.now()): void {
    if (this.#gone) return;
    if (this.blocked) this.checkStall(now);
    else this.#write(': heartbeat\n\n', now);
  }

  /** Cuts off a subscriber that has been blocked for longer than the stall timeout. */
  checkStall(now = Date.now()): void {
    if (this.blocked && now - this.#blockedSince > this.#limits.stallTimeoutMs) this.disconnect();
  }

  /** Ends the stream politely when possible, abruptly when the socket is stuck. */
  disconnect(): void {
    if (this.#gone) return;
    if (this.blocked) this.#res.destroy();
    else this.#res.end();
    this.#finish();
  }

  #write(frame: string, now: number): void {
    if (!this.#corked) {
      // Batch every message of this tick into one socket write (writev) instead of
      // one syscall per log line, so a log call costs no I/O of its own.
      this.#corked = true;
      this.#res.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#res.uncork();
      });
    }
    if (!this.#res.write(frame)) this.#blockedSince = now || 1;
  }

  #enqueue(frame: string): void {
    this.#queue.push(frame);
    this.#queueBytes += frame.length;
    let dropped = 0;
    while (this.queuedLines > this.#limits.maxQueueLines || this.#queueBytes > this.#limits.maxQueueBytes) {
      const old = this.#queue[this.#head]!;
      this.#queue[this.#head++] = '';
      this.#queueBytes -= old.length;
      dropped++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      // Compact now and then so the array does not grow while the head advances.
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (dropped > 0) {
      this.#droppedPending += dropped;
      this.#droppedTotal += dropped;
      this.#onDrop(dropped);
    }
  }

  #drain(): void {
    if (this.#gone) return;
    this.#blockedSince = 0;
    const now = Date.now();
    if (this.#droppedPending > 0) {
      const note = JSON.stringify({ dropped: this.#droppedPending, droppedTotal: this.#droppedTotal });
      this.#droppedPending = 0;
      this.#write(`event: dropped\ndata: ${note}\n\n`, now);
    }
    while (!this.blocked && this.queuedLines > 0) {
      const frame = this.#queue[this.#head]!;
      this.#queue[this.#head++] = '';
      this.#queueBytes -= frame.length;
      this.#write(frame, now);
    }
    if (this.queuedLines === 0) {
      this.#queue = [];
      this.#head = 0;
    }
  }

  #finish(): void {
    this.#gone = true;
    this.#queue = [];
    this.#head = 0;
    this.#queueBytes = 0;
    this.#onGone(this);
  }
}
