/**
 * Changes a publisher applied and could not publish in time (NATS went away between the write and
 * its acknowledgement): kept in the order they were applied, and published in that order as soon
 * as NATS takes them — before any change of the same tenant that comes after they were kept, so a
 * resource's messages never overtake each other. Kept in memory: a gateway that stops before they
 * are published logs each.
 */
import { errors } from '@scimgw/core';

/** One kept change: its message, ready to send again with the same message id. */
export interface KeptChange {
  id: string;
  subject: string;
  body: Uint8Array;
  signed: boolean;
  tenant: string;
  resourceType: string;
  resourceId: string;
  operation: string;
}

/** How the queue sends a change (resolves once JetStream stored it). */
export type SendKept = (change: KeptChange) => Promise<void>;

/** True for a failure no second attempt can fix (a message larger than the server takes). */
export type IsPermanent = (e: unknown) => boolean;

interface Item {
  change: KeptChange;
  /** True once published; false when it was given up (too large, or the gateway stopped). */
  outcome: Promise<boolean>;
  settle: (published: boolean) => void;
}

/** What the queue reports to its owner. */
export interface KeptEvents {
  published(change: KeptChange): void;
  failed(change: KeptChange, error: Error): void;
  /** A change no attempt can publish, given up. */
  dropped(change: KeptChange, error: Error): void;
  /** Waits between two attempts (resolves early when NATS is back). */
  pause(): Promise<void>;
}

/**
 * 503 for a change the connector applied and JetStream did not acknowledge in time. The change is
 * kept and published as soon as NATS takes it; {@link ChangeKeptError.published} waits for that.
 */
export class ChangeKeptError extends errors.ServiceUnavailableError {
  constructor(
    detail: string,
    /** The kept message's id. */
    readonly messageId: string,
    private readonly outcome: Promise<boolean>,
    private readonly waitMs: number,
  ) {
    super(detail, 5);
  }

  /**
   * Resolves once the kept change is published, waiting up to the publish timeout.
   *
   * @throws errors.ServiceUnavailableError while it is still kept, or when it was given up
   */
  async published(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.waitMs);
    });
    const result = await Promise.race([this.outcome, late]).finally(() => clearTimeout(timer));
    if (result === true) return;
    if (result === false)
      throw new errors.ServiceUnavailableError(
        `The change this request repeats (message ${this.messageId}) was applied here and could not be published to the stream; see the gateway's log`,
      );
    throw new errors.ServiceUnavailableError(
      `The change this request repeats (message ${this.messageId}) was applied here and is kept until NATS takes it; it is not published yet`,
      5,
    );
  }
}

/** One tenant's kept changes, in the order they were applied. */
export class KeptQueue {
  private readonly items: Item[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  /** The last attempt to publish (from here, or a change sent directly) failed. */
  stalled = false;

  constructor(
    private readonly send: SendKept,
    private readonly permanent: IsPermanent,
    private readonly events: KeptEvents,
  ) {}

  /** Changes are kept and the last attempt to publish failed: a new change would only join them. */
  get stuck(): boolean {
    return this.stalled && this.items.length > 0;
  }

  /** Changes kept now. */
  get size(): number {
    return this.items.length;
  }

  /** The kept changes, oldest first. */
  list(): KeptChange[] {
    return this.items.map((i) => i.change);
  }

  /** Keeps a change behind the others; the promise says whether it got published. */
  keep(change: KeptChange): Promise<boolean> {
    let settle: (published: boolean) => void = () => {};
    const outcome = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    if (this.closed) {
      settle(false);
      return outcome;
    }
    this.items.push({ change, outcome, settle });
    this.kick();
    return outcome;
  }

  /** Starts publishing the kept changes, unless that is under way. */
  kick(): void {
    if (this.draining || this.closed || this.items.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // Kept while the loop was ending.
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (!this.closed) {
      const item = this.items[0];
      if (!item) return;
      try {
        await this.send(item.change);
      } catch (e) {
        if (this.closed) return;
        if (this.permanent(e)) {
          this.items.shift();
          item.settle(false);
          this.events.dropped(item.change, e as Error);
          continue;
        }
        this.stalled = true;
        this.events.failed(item.change, e as Error);
        await this.events.pause();
        continue;
      }
      this.stalled = false;
      this.items.shift();
      item.settle(true);
      this.events.published(item.change);
    }
  }

  /** Waits up to `ms` for the kept changes to be published. */
  async flush(ms: number): Promise<void> {
    const last = this.items.at(-1);
    if (!last) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([last.outcome, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
  }

  /** Stops publishing; returns what is still kept (given up: its waiters hear `false`). */
  close(): KeptChange[] {
    this.closed = true;
    const left = this.items.splice(0);
    for (const i of left) i.settle(false);
    return left.map((i) => i.change);
  }
}
