/**
 * How far behind a consumer is, as the server counts it: messages not yet delivered
 * (`num_pending`) and delivered but not acknowledged (`num_ack_pending`). Each delivery updates the
 * first for free; the server is asked every few seconds, and soon after the subscriber runs dry.
 */
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';

/** The server's counts of one consumer. */
export class ConsumerLag {
  /** Not yet delivered to the consumer. */
  pending = 0;
  /** Delivered, not acknowledged (as of the last look). */
  ackPending = 0;
  private manager: { nc: NatsConnection; jsm: Promise<JetStreamManager> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly stream: string,
    private readonly consumer: string,
    /** The connection to ask on, when there is one up. */
    private readonly connection: () => NatsConnection | undefined,
  ) {}

  /** What a delivery says: the messages after it not yet delivered. */
  delivered(pendingAfter: number): void {
    this.pending = pendingAfter;
  }

  /** Asks the server now. */
  async refresh(): Promise<void> {
    const nc = this.connection();
    if (!nc || this.stopped) return;
    try {
      if (this.manager?.nc !== nc) this.manager = { nc, jsm: jetstreamManager(nc) };
      const info = await (await this.manager.jsm).consumers.info(this.stream, this.consumer);
      this.pending = info.num_pending;
      this.ackPending = info.num_ack_pending;
    } catch {
      // Asked again next time, on a fresh manager.
      this.manager = undefined;
    }
  }

  /** Asks the server shortly (once, however often this is called meanwhile). */
  soon(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, 100);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
