/**
 * One tenant's subscription: a durable JetStream consumer whose messages are applied to the
 * gateway's connector and acknowledged once applied.
 *
 * - **Order per resource.** A resource's messages share a subject and run one after another, in
 *   stream order; different resources run in parallel (`concurrency`).
 * - **Order where resources meet.** A message that may give its resource a name (userName,
 *   displayName, externalId) waits for the earlier messages of other resources that may give the
 *   same name (key-lanes.ts), and a resource here is another publisher resource's only if its
 *   owner entry says so (holders.ts): one deleted and another created under its name stay two.
 * - **Effectively once.** Each resource's record holds the stream sequence of its last settled
 *   message; a redelivered message at or below it is acknowledged without being applied again.
 * - **Retries, then the dead-letter subject.** A failing message is retried with exponential
 *   backoff (its resource waits; the others flow), then parked on `<subject>_dlq.<consumer>` with
 *   the reason in its headers, and acknowledged.
 * - **Crashes.** After a restart, the messages the consumer had delivered and not seen acknowledged
 *   are read again from the stream, in order, before anything newer of their resources.
 */
import type { Logger } from '@scimgw/core';
import { type ConsumerMessages, type JetStreamManager, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { StreamConnection } from '../connection.js';
import { PoisonMessageError, type StreamMessage } from '../message.js';
import type { SetVerifier } from '../set.js';
import { deadLetterSubject, ensureStream, type StreamSettings } from '../streams.js';
import { type ApplyOptions, type ApplyOutcome, applyMessage } from './apply.js';
import { type ConsumerSpec, ensureConsumer, messagesIn, unacknowledged } from './consumer.js';
import { type Delivered, decodeDelivery, publishDeadLetter } from './delivery.js';
import { type OwnerIndex, recordOwners } from './holders.js';
import { KeyLanes, type LaneTicket, laneTokens } from './key-lanes.js';
import type { RecordStore, ResourceRecord } from './records.js';
import { ConsumerLag } from './lag.js';
import { ResourceQueue } from './resource-queue.js';
import { recordKey } from './references.js';
import { Semaphore } from './semaphore.js';
import { KeyConflictError, RetryableError, type ScimTarget } from './target.js';

/** How the consumer behaves. */
export interface SubscriptionTuning {
  deliverPolicy: 'all' | 'new';
  maxAttempts: number;
  retryDelay: number;
  maxRetryDelay: number;
  concurrency: number;
  maxAckPending: number;
  /** Seconds. */
  ackWait: number;
  /** Seconds between lag log lines; 0: none. */
  lagLogInterval: number;
}

/** Options of {@link Subscription}. */
export interface SubscriptionOptions {
  /** Tenant key of this gateway (`undefined` is the default tenant). */
  tenantKey: string;
  stream: string;
  subject: string;
  /** Consumer name. */
  consumer: string;
  connection: StreamConnection;
  records: RecordStore;
  target: ScimTarget;
  apply: ApplyOptions;
  verifier?: SetVerifier | undefined;
  settings: StreamSettings;
  tuning: SubscriptionTuning;
  log: Logger;
}

/** What {@link Subscription.status} reports. */
export interface SubscriptionStatus {
  tenant: string;
  stream: string;
  subject: string;
  consumer: string;
  connected: boolean;
  /** Consuming (the consumer exists and messages are being pulled). */
  running: boolean;
  /** Messages in the stream not yet delivered to this consumer (as of the last delivery or look). */
  pending: number;
  /** Messages this gateway holds and has not settled yet. */
  inFlight: number;
  /**
   * Delivered and not acknowledged, as the server counted at its last look (includes deliveries to
   * a stopped predecessor, which come again after `ackWait`).
   */
  ackPending: number;
  /** `pending + inFlight`: messages not yet applied here. */
  lag: number;
  applied: number;
  skipped: number;
  duplicates: number;
  parked: number;
  retries: number;
  /** Deliveries JetStream made again (after `ackWait`, or after a restart). */
  redelivered: number;
  /** When the last message was applied (ISO 8601). */
  lastAppliedAt?: string | undefined;
  lastError?: string | undefined;
}

/** A message on its way through: from the consumer, or read back from the stream after a restart. */
interface Entry extends Delivered {
  /** Deliveries to acknowledge once settled (none for a message read back from the stream). */
  msgs: JsMsg[];
  /** Read back from the stream after a restart: delivered to a predecessor, maybe applied. */
  replayed?: boolean;
  /** The message, decoded when it arrived (rejects with why it cannot be applied). */
  decoded?: Promise<StreamMessage>;
  /** Its place in the lanes of the names it may give its resource. */
  ticket?: LaneTicket;
}

class Stopped extends Error {}

/** One tenant's subscription. */
export class Subscription {
  private readonly sem: Semaphore;
  private readonly lag: ConsumerLag;
  // All caught up, as far as this process knows: ask the server (its counts may be older).
  private readonly queue = new ResourceQueue<Entry>(() => this.lag.soon());
  private readonly lanes = new KeyLanes();
  private readonly owners: OwnerIndex;
  private stopped = false;
  private running = false;
  private attaching: Promise<void> | undefined;
  private messages: ConsumerMessages | undefined;
  private nc: NatsConnection | undefined;
  private readonly wakers = new Set<() => void>();
  private timers: NodeJS.Timeout[] = [];
  private readonly counts = { applied: 0, skipped: 0, duplicates: 0, parked: 0, retries: 0, redelivered: 0 };
  private lastAppliedAt: string | undefined;
  private lastError: string | undefined;
  private readonly prefixLength: number;

  constructor(private readonly o: SubscriptionOptions) {
    this.sem = new Semaphore(o.tuning.concurrency);
    this.lag = new ConsumerLag(o.stream, o.consumer, () => (o.connection.connected ? this.nc : undefined));
    this.prefixLength = o.subject.length + 1;
    this.owners = recordOwners(o.records, (write) => this.persist(write));
  }

  /** Starts consuming as soon as NATS is reachable (returns at once). */
  start(): void {
    this.o.connection.onConnect((nc) => this.attach(nc));
    this.timers.push(setInterval(() => void this.lag.refresh(), 5000));
    if (this.o.tuning.lagLogInterval > 0) this.timers.push(setInterval(() => this.logLag(), this.o.tuning.lagLogInterval * 1000));
    for (const t of this.timers) t.unref();
  }

  private attach(nc: NatsConnection): Promise<void> {
    this.attaching ??= this.setUp(nc).finally(() => {
      this.attaching = undefined;
    });
    return this.attaching;
  }

  /** Declares stream, bucket and consumer; starts the consume loop unless it runs on this connection. */
  private async setUp(nc: NatsConnection): Promise<void> {
    if (this.stopped) return;
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, this.o.stream, this.o.subject, this.o.settings);
    await this.o.records.open(nc);
    await this.ensureConsumer(jsm);
    if (this.running && this.nc === nc) return;
    this.nc = nc;
    await this.recover(jsm);
    void this.consume(nc);
  }

  private spec(): ConsumerSpec {
    const t = this.o.tuning;
    return {
      stream: this.o.stream,
      name: this.o.consumer,
      subject: this.o.subject,
      deliverPolicy: t.deliverPolicy,
      ackWait: t.ackWait,
      maxAckPending: t.maxAckPending,
    };
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    if (await ensureConsumer(jsm, this.spec()))
      this.o.log.info('stream: durable consumer created', {
        stream: this.o.stream,
        consumer: this.o.consumer,
        subject: `${this.o.subject}.>`,
      });
  }

  /**
   * Reads back, in stream order, what the consumer delivered and did not see acknowledged (a
   * crashed predecessor's work), so each resource continues where it stopped before anything
   * newer of it is applied. What was settled already is recognized by its record.
   */
  private async recover(jsm: JetStreamManager): Promise<void> {
    const range = await unacknowledged(jsm, this.spec());
    let count = 0;
    for await (const m of messagesIn(jsm, this.spec(), range)) {
      if (this.stopped) return;
      if (this.queue.get(m.seq)) continue;
      this.dispatch({ seq: m.seq, subject: m.subject, data: m.data, headers: m.header, msgs: [], replayed: true });
      count++;
    }
    if (count > 0)
      this.o.log.info('stream: re-reading messages delivered before a restart and not acknowledged', {
        consumer: this.o.consumer,
        count,
        from: range.from,
        to: range.to,
      });
  }

  private async consume(nc: NatsConnection): Promise<void> {
    this.running = true;
    try {
      const consumer = await jetstream(nc).consumers.get(this.o.stream, this.o.consumer);
      const messages = await consumer.consume({ max_messages: Math.min(this.o.tuning.maxAckPending, 512) });
      this.messages = messages;
      void this.watch(messages);
      for await (const m of messages) {
        this.lag.delivered(m.info.pending);
        if (m.info.redelivered) this.counts.redelivered++;
        this.dispatch({ seq: m.seq, subject: m.subject, data: m.data, headers: m.headers, msgs: [m] });
      }
    } catch (e) {
      this.lastError = (e as Error).message;
      if (!this.stopped)
        this.o.log.warn('stream: consumer stopped; starting again', { consumer: this.o.consumer, error: this.lastError });
    } finally {
      this.running = false;
      this.messages = undefined;
    }
    if (this.stopped) return;
    await this.sleep(1000);
    if (this.stopped) return;
    try {
      await this.attach(await this.o.connection.connection(60_000));
    } catch (e) {
      this.lastError = (e as Error).message;
      // The next (re)connect attaches again.
    }
  }

  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const s of messages.status()) {
      if (s.type === 'consumer_deleted' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') {
        this.lastError = s.type.replace(/_/g, ' ');
        this.o.log.warn('stream: consumer is gone; declaring it again', { consumer: this.o.consumer, notice: s.type });
        if (this.nc) void this.attachExisting(this.nc);
      }
    }
  }

  /** Re-declares stream and consumer for a running loop (it picks the consumer up by name). */
  private async attachExisting(nc: NatsConnection): Promise<void> {
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, this.o.stream, this.o.subject, this.o.settings);
      await this.ensureConsumer(jsm);
    } catch (e) {
      this.lastError = (e as Error).message;
    }
  }

  /** The record key of a message subject: `<type>.<id token>`. */
  private keyOf(subject: string): string {
    return subject.slice(this.prefixLength);
  }

  private dispatch(entry: Entry): void {
    const known = this.queue.get(entry.seq);
    if (known) {
      // Redelivered while still being applied: acknowledge this delivery too when it settles.
      known.msgs.push(...entry.msgs);
      return;
    }
    const key = this.keyOf(entry.subject);
    entry.decoded = decodeDelivery(entry, this.o.verifier, this.o.target.scim.registry);
    entry.decoded.catch(() => {});
    entry.ticket = this.lanes.enter(
      entry.seq,
      entry.decoded.then((m) => laneTokens(m, this.o.apply.replaceDomains)),
    );
    this.queue.push(key, entry, () => this.run(key, entry));
  }

  private async run(key: string, entry: Entry): Promise<void> {
    const ticket = entry.ticket as LaneTicket;
    try {
      // Outside the semaphore: what it waits for needs a place to run.
      await this.lanes.turn(ticket);
      await this.sem.acquire();
      try {
        // A message is settled (applied or parked, recorded, acknowledged) before the next one of
        // its resource starts: an unexpected failure is tried again rather than skipped.
        while (!this.stopped) {
          try {
            await this.settle(key, entry);
            return;
          } catch (e) {
            if (e instanceof Stopped) return;
            this.lastError = (e as Error).message;
            this.o.log.error('stream: settling a message failed; trying again', {
              consumer: this.o.consumer,
              seq: entry.seq,
              error: this.lastError,
            });
            await this.sleep(1000);
          }
        }
      } finally {
        this.sem.release();
      }
    } finally {
      this.lanes.leave(ticket);
    }
  }

  private async settle(key: string, entry: Entry): Promise<void> {
    const rec = await this.persist(() => this.o.records.get(key));
    if (rec && rec.seq >= entry.seq) {
      this.counts.duplicates++;
      this.ack(entry);
      return;
    }
    let message: StreamMessage;
    try {
      message = await (entry.decoded ?? decodeDelivery(entry, this.o.verifier, this.o.target.scim.registry));
      if (recordKey(message.resourceType, message.resourceId) !== key)
        throw new PoisonMessageError(`subject ${entry.subject} does not name ${message.resourceType} ${message.resourceId}`);
    } catch (e) {
      await this.park(entry, (e as Error).message, 1);
      await this.persist(() => this.o.records.put(key, { ...keep(rec), seq: entry.seq, msg: '' }));
      this.ack(entry);
      return;
    }
    const outcome = await this.attempt(key, entry, message, rec);
    const record: ResourceRecord = outcome
      ? { ...outcome.record, seq: entry.seq, msg: message.id }
      : { ...keep(rec), seq: entry.seq, msg: message.id };
    await this.persist(() => this.o.records.put(key, record));
    this.ack(entry);
    if (!outcome) return;
    if (outcome.action === 'skipped') this.counts.skipped++;
    else {
      this.counts.applied++;
      this.lastAppliedAt = new Date().toISOString();
    }
    const line = {
      consumer: this.o.consumer,
      seq: entry.seq,
      messageId: message.id,
      operation: message.operation,
      resourceType: message.resourceType,
      resourceId: message.resourceId,
      action: outcome.action,
      ...(outcome.record.id ? { localId: outcome.record.id } : {}),
      ...(outcome.note ? { note: outcome.note } : {}),
    };
    if (outcome.action === 'skipped') this.o.log.info('stream: message skipped', line);
    else this.o.log.debug('stream: message applied', line);
  }

  /** Applies with retries; parks after the last attempt (returns `undefined` then). */
  private async attempt(
    key: string,
    entry: Entry,
    message: StreamMessage,
    rec: ResourceRecord | undefined,
  ): Promise<ApplyOutcome | undefined> {
    const lookup = {
      record: (k: string) => this.o.records.get(k),
      // Waiting for another resource gives this one's slot to others meanwhile.
      settled: async (k: string) => {
        if (k === key || !this.queue.busy(k)) return;
        this.sem.release();
        try {
          await this.queue.before(k, entry.seq);
        } finally {
          await this.sem.acquire();
        }
      },
    };
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new Stopped();
      try {
        // Only a message delivered before may have been applied before: it is checked before each write.
        const mayBeApplied = entry.replayed === true || attempt > 1 || entry.msgs.some((m) => m.info.redelivered);
        return await applyMessage(
          { ...lookup, owners: this.owners, target: this.o.target, options: this.o.apply, log: this.o.log, mayBeApplied },
          message,
          rec,
        );
      } catch (e) {
        if (this.stopped) throw new Stopped();
        const retryable = e instanceof RetryableError || !(e instanceof PoisonMessageError);
        const reason = (e as Error).message;
        // Waiting for a name another resource holds: the messages behind this one in the name's
        // lane go first, one of them may be what gives it up.
        if (e instanceof KeyConflictError && entry.ticket) this.lanes.leave(entry.ticket);
        if (retryable && attempt < this.o.tuning.maxAttempts) {
          this.counts.retries++;
          const delay = Math.min(this.o.tuning.retryDelay * 2 ** (attempt - 1), this.o.tuning.maxRetryDelay);
          this.o.log.warn('stream: applying a message failed; retrying', {
            consumer: this.o.consumer,
            seq: entry.seq,
            messageId: message.id,
            attempt,
            retryInMs: delay,
            error: reason,
          });
          await this.wait(entry, delay);
          continue;
        }
        await this.park(entry, reason, attempt, message);
        return undefined;
      }
    }
  }

  /** Waits between attempts, telling JetStream the message is still being worked on. */
  private async wait(entry: Entry, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopped && Date.now() < until) {
      for (const m of entry.msgs) {
        try {
          m.working();
        } catch {}
      }
      await this.sleep(Math.min(until - Date.now(), (this.o.tuning.ackWait * 1000) / 2));
    }
    if (this.stopped) throw new Stopped();
  }

  /** Copies the message to the dead-letter subject with the reason, until JetStream has it. */
  private async park(entry: Entry, reason: string, attempts: number, message?: StreamMessage): Promise<void> {
    const to = { subject: deadLetterSubject(this.o.subject, this.o.consumer), stream: this.o.stream, consumer: this.o.consumer };
    await this.persist(async () => publishDeadLetter(await this.o.connection.connection(5000), to, entry, reason, attempts));
    this.counts.parked++;
    this.o.log.error('stream: message parked on the dead-letter subject', {
      consumer: this.o.consumer,
      seq: entry.seq,
      deadLetterSubject: to.subject,
      reason,
      attempts,
      ...(message
        ? {
            messageId: message.id,
            operation: message.operation,
            resourceType: message.resourceType,
            resourceId: message.resourceId,
          }
        : {}),
    });
  }

  private ack(entry: Entry): void {
    for (const m of entry.msgs) {
      try {
        m.ack();
      } catch {
        // The connection is gone: the message comes again and is recognized by its record.
      }
    }
    entry.msgs.length = 0;
  }

  /** Retries a NATS operation until it works; a settled message must be recorded before its ack. */
  private async persist<T>(fn: () => Promise<T>): Promise<T> {
    let delay = 250;
    for (;;) {
      if (this.stopped) throw new Stopped();
      try {
        return await fn();
      } catch (e) {
        this.lastError = (e as Error).message;
        await this.sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.wakers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private logLag(): void {
    const s = this.status();
    this.o.log.info('stream: subscriber status', {
      consumer: s.consumer,
      connected: s.connected,
      lag: s.lag,
      pending: s.pending,
      inFlight: s.inFlight,
      applied: s.applied,
      parked: s.parked,
      retries: s.retries,
    });
  }

  status(): SubscriptionStatus {
    return {
      tenant: this.o.tenantKey,
      stream: this.o.stream,
      subject: this.o.subject,
      consumer: this.o.consumer,
      connected: this.o.connection.connected,
      running: this.running,
      pending: this.lag.pending,
      inFlight: this.queue.size,
      ackPending: this.lag.ackPending,
      lag: this.lag.pending + this.queue.size,
      ...this.counts,
      ...(this.lastAppliedAt ? { lastAppliedAt: this.lastAppliedAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Fresh counts from the server (tests and the bench call it before reading the lag). */
  async refresh(): Promise<SubscriptionStatus> {
    await this.lag.refresh();
    return this.status();
  }

  /**
   * Stops consuming. Messages being applied finish their current attempt (up to `timeoutMs`);
   * what is not settled stays unacknowledged, for the next start.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.lag.stop();
    for (const w of [...this.wakers]) w();
    await this.messages?.close().catch(() => {});
    await Promise.race([this.queue.drained(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}

function keep(rec: ResourceRecord | undefined): Pick<ResourceRecord, 'id' | 'roles'> {
  return { id: rec?.id ?? null, ...(rec?.roles ? { roles: rec.roles } : {}) };
}
