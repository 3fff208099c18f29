import { formatPretty } from '../sinks/console-pretty.js';
import type { LineSink } from '../sinks/types.js';

/** Options of {@link ErrorMailBatcher}. */
export interface ErrorMailBatcherOptions {
  /** At most one mail per this many milliseconds (`sendInterval` minutes). */
  intervalMs: number;
  /** Wait this long after the first error of a quiet period, so a burst lands in one mail. Default min(5 s, intervalMs). */
  gatherMs?: number;
  /** Errors listed in one mail; the rest are counted. Default 50. */
  maxEntries?: number;
  /** Delivers one batch: readable entries plus how many were left out. Must not throw (the mailer never does). */
  deliver: (entries: string[], omitted: number) => Promise<unknown>;
  /** Lines to ignore, e.g. the mailer's own failure reports (which would otherwise mail about mail failing). */
  ignore?: (line: string) => boolean;
}

/** Longest single entry in a mail; a huge error line is cut rather than making a huge mail. */
const MAX_ENTRY_CHARS = 8000;

/**
 * Collects error lines and mails them in batches, at most once per interval.
 * The first error after a quiet period is mailed after a short gathering
 * delay; errors during the following interval wait for the next mail.
 */
export class ErrorMailBatcher implements LineSink {
  readonly #opts: Required<Omit<ErrorMailBatcherOptions, 'ignore'>> & Pick<ErrorMailBatcherOptions, 'ignore'>;
  #entries: string[] = [];
  #omitted = 0;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inflight = new Set<Promise<unknown>>();
  #closed = false;

  /** @param options - interval, batch size and delivery function */
  constructor(options: ErrorMailBatcherOptions) {
    const intervalMs = Math.max(0, options.intervalMs);
    this.#opts = {
      intervalMs,
      gatherMs: options.gatherMs ?? Math.min(5000, intervalMs),
      maxEntries: options.maxEntries ?? 50,
      deliver: options.deliver,
      ignore: options.ignore,
    };
  }

  /** Errors waiting for the next mail. */
  get pending(): number {
    return this.#entries.length + this.#omitted;
  }

  /** Takes one error line (called by the logger for error-level lines). */
  write(line: string): void {
    if (this.#closed || this.#opts.ignore?.(line)) return;
    if (this.#entries.length < this.#opts.maxEntries) {
      const text = formatPretty(line, false);
      this.#entries.push(text.length > MAX_ENTRY_CHARS ? `${text.slice(0, MAX_ENTRY_CHARS)}…\n` : text);
    } else {
      this.#omitted++;
    }
    if (!this.#timer) {
      const now = Date.now();
      const delay = Math.max(this.#opts.gatherMs, this.#lastSentAt + this.#opts.intervalMs - now);
      this.#timer = setTimeout(() => this.#fire(), delay);
      // A pending error mail must not keep a stopping process alive; close() sends it.
      this.#timer.unref();
    }
  }

  /** Waits for mails in flight (does not force the pending batch out). */
  async flush(): Promise<void> {
    await Promise.all([...this.#inflight]);
  }

  /** Sends the pending batch now, whatever the interval, and waits for all sends. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#fire();
    await this.flush();
  }

  #fire(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#entries.length === 0 && this.#omitted === 0) return;
    const entries = this.#entries;
    const omitted = this.#omitted;
    this.#entries = [];
    this.#omitted = 0;
    this.#lastSentAt = Date.now();
    const p = this.#opts.deliver(entries, omitted).catch(() => undefined);
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }
}
