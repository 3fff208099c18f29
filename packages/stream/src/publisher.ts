/**
 * The publisher: turns a change into a message on its tenant's subject and waits until JetStream
 * has stored it. A publish that does not get its acknowledgement is sent again with the same
 * message id until the deadline, so JetStream keeps one copy.
 *
 * No change is applied and then lost: a write is let through only while NATS is connected
 * ({@link StreamPublisher.ready}, before the connector is called: refused, it changes nothing); a
 * change whose message JetStream did not acknowledge by the deadline is kept (kept.ts) and
 * published, in order, as soon as NATS takes it, and its client gets a 503 that says so.
 */
import { randomUUID } from 'node:crypto';
import { errors, type Logger } from '@scimgw/core';
import { InvalidArgumentError, type NatsConnection, headers as natsHeaders } from '@nats-io/nats-core';
import { type JetStreamClient, jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import type { StreamConnection } from './connection.js';
import {
  encodeMessage,
  messageSubject,
  MESSAGE_FORMAT,
  type StreamMessage,
  type StreamMessageData,
  type StreamOperation,
} from './message.js';
import { encodeSet, type SetSigner } from './set.js';
import { ChangeKeptError, type KeptChange, KeptQueue } from './kept.js';
import { ensureStream, type StreamSettings } from './streams.js';

/** Where one tenant's changes go. */
export interface PublisherTarget {
  /** JetStream stream (`nats.tenant`). */
  stream: string;
  /** Subject prefix (`nats.subject`). */
  subject: string;
  connection: StreamConnection;
}

/** Options of {@link StreamPublisher}. */
export interface PublisherOptions {
  /** Targets by tenant; the key `undefined` is the default tenant. */
  targets: ReadonlyMap<string, PublisherTarget>;
  /** Name of this gateway (the messages' `source`). */
  source: string;
  /** Milliseconds to get JetStream's acknowledgement, retries included. */
  timeoutMs: number;
  /** Sign messages as Security Event Tokens. */
  signer?: SetSigner | undefined;
  settings: StreamSettings;
  log: Logger;
}

/** A change to publish. */
export interface PublishRequest {
  tenant: string | undefined;
  resourceType: string;
  resourceId: string;
  operation: StreamOperation;
  data: StreamMessageData;
}

/** What {@link StreamPublisher.status} reports per tenant. */
export interface PublisherTargetStatus {
  tenant: string;
  stream: string;
  subject: string;
  connected: boolean;
  /** Messages JetStream stored. */
  published: number;
  /** Changes applied whose message JetStream did not acknowledge in time (their clients got 503; they were kept). */
  failed: number;
  /** Writes refused before they were applied, because NATS was not reachable (503; nothing changed). */
  refused: number;
  /** Changes kept now, waiting for NATS to take them. */
  pending: number;
  lastError?: string | undefined;
}

const tenantKey = (tenant: string | undefined) => tenant ?? 'undefined';

/** A failure no second attempt fixes: a message larger than the server's `max_payload`. */
function isPermanent(e: unknown): boolean {
  return e instanceof InvalidArgumentError;
}

interface Counters {
  published: number;
  failed: number;
  refused: number;
  lastError?: string | undefined;
}

interface TargetState extends Counters {
  kept: KeptQueue;
}

/** Publishes changes to JetStream. */
export class StreamPublisher {
  private readonly states = new Map<string, TargetState>();
  private readonly warnedTenants = new Set<string>();
  private readonly clients = new WeakMap<NatsConnection, JetStreamClient>();

  constructor(private readonly options: PublisherOptions) {
    for (const [tenant, target] of options.targets) {
      const counters: Counters = { published: 0, failed: 0, refused: 0 };
      const state: TargetState = Object.assign(counters, { kept: this.keptQueue(target, counters) });
      this.states.set(tenant, state);
      target.connection.onConnect(async (nc) => {
        await ensureStream(await jetstreamManager(nc), target.stream, target.subject, options.settings);
        state.kept.kick();
      });
    }
  }

  /** The queue of one tenant's kept changes, publishing through `send` and counting in `counters`. */
  private keptQueue(target: PublisherTarget, counters: Counters): KeptQueue {
    const log = this.options.log;
    return new KeptQueue((c) => this.send(target, c.subject, c.body, c.id, c.signed).then(() => {}), isPermanent, {
      published: (c) => {
        counters.published++;
        counters.lastError = undefined;
        log.info('stream: kept change published', logFields(c));
      },
      failed: (_c, e) => {
        counters.lastError = e.message;
      },
      dropped: (c, e) => {
        counters.lastError = e.message;
        log.error('stream: kept change cannot be published; given up', { ...logFields(c), error: e.message });
      },
      // After a failed attempt: a moment, then as soon as NATS is connected (or a while).
      pause: async () => {
        await new Promise((r) => setTimeout(r, 200));
        await target.connection.whenConnected(5000).catch(() => {});
      },
    });
  }

  /**
   * Resolves once a change of `tenant` can be published: its NATS connection is up (waiting for it
   * up to the publish timeout) and changes kept before are getting through. The publisher's
   * decorator asks before it lets a write reach the connector, so a refused write changes nothing.
   *
   * @throws errors.ServiceUnavailableError (`Retry-After: 5`) when not
   */
  async ready(tenant: string | undefined): Promise<void> {
    const key = tenantKey(tenant);
    const target = this.options.targets.get(key);
    const state = this.states.get(key);
    if (!target || !state) return;
    let reason: string | undefined;
    try {
      await target.connection.whenConnected(this.options.timeoutMs);
      if (state.kept.stuck) reason = `${state.kept.size} changes applied before are still waiting for JetStream`;
    } catch (e) {
      reason = (e as Error).message;
    }
    if (reason === undefined) return;
    state.refused++;
    this.options.log.warn('stream: write refused before it was applied: the stream cannot take it now', { tenant: key, reason });
    throw new errors.ServiceUnavailableError(
      `The stream cannot take changes now (${reason}): the request was refused and nothing was changed. Try again later`,
      5,
    );
  }

  /** True while every tenant's changes can be published now (connected, and no kept change stuck). */
  takesChanges(): boolean {
    return [...this.options.targets].every(([tenant, t]) => t.connection.connected && !this.states.get(tenant)?.kept.stuck);
  }

  /** True when changes of `tenant` are published. */
  publishes(tenant: string | undefined): boolean {
    return this.options.targets.has(tenantKey(tenant));
  }

  /** The message a change becomes. */
  message(req: PublishRequest): StreamMessage {
    return {
      format: MESSAGE_FORMAT,
      id: randomUUID(),
      time: new Date().toISOString(),
      source: this.options.source,
      tenant: req.tenant ?? null,
      resourceType: req.resourceType,
      resourceId: req.resourceId,
      operation: req.operation,
      data: req.data,
    };
  }

  /**
   * Publishes a change and resolves once JetStream stored it. Changes of a tenant without a
   * target are not published (resolves `undefined`; warned about once). A change that is not
   * acknowledged within the timeout is kept and published later, in order; changes kept before
   * go first.
   *
   * @throws ChangeKeptError (503) when JetStream did not acknowledge within the timeout: the
   *   change is kept, and published as soon as NATS takes it
   * @throws ScimError (500) when the message can never be published (larger than the server takes)
   */
  async publish(req: PublishRequest): Promise<PubAck | undefined> {
    const key = tenantKey(req.tenant);
    const target = this.options.targets.get(key);
    if (!target) {
      if (!this.warnedTenants.has(key)) {
        this.warnedTenants.add(key);
        this.options.log.warn('stream: changes of this tenant are not published (no publisher.entity for it)', { tenant: key });
      }
      return undefined;
    }
    const message = this.message(req);
    const signer = this.options.signer;
    const body = signer ? await encodeSet(message, signer) : encodeMessage(message);
    const subject = messageSubject(target.subject, req.resourceType, req.resourceId);
    const state = this.states.get(key) as TargetState;
    const change: KeptChange = {
      id: message.id,
      subject,
      body,
      signed: signer !== undefined,
      tenant: key,
      resourceType: req.resourceType,
      resourceId: req.resourceId,
      operation: req.operation,
    };
    if (state.kept.size > 0) {
      // Changes kept before go first: this one waits behind them.
      const outcome = state.kept.keep(change);
      const published = await Promise.race([outcome, delay(this.options.timeoutMs)]);
      if (published === true) return undefined;
      return this.failed(state, change, outcome, new Error(state.lastError ?? 'changes kept before are not published yet'));
    }
    try {
      const ack = await this.send(target, subject, body, message.id, change.signed);
      state.published++;
      state.lastError = undefined;
      state.kept.stalled = false;
      return ack;
    } catch (e) {
      if (isPermanent(e)) {
        state.lastError = (e as Error).message;
        this.options.log.error('stream: change applied but it cannot be published', {
          ...logFields(change),
          error: state.lastError,
        });
        throw new errors.ScimError(
          500,
          `The change was applied here but cannot be published to the stream (${state.lastError}): subscribers will not get it`,
        );
      }
      state.kept.stalled = true;
      return this.failed(state, change, state.kept.keep(change), e as Error);
    }
  }

  /** A change not acknowledged in time, kept: counted, logged, and its client told so. */
  private failed(state: TargetState, change: KeptChange, outcome: Promise<boolean>, e: Error): never {
    state.failed++;
    state.lastError = e.message;
    this.options.log.error('stream: change applied but not published yet; kept, to be published when NATS takes it', {
      ...logFields(change),
      error: e.message,
    });
    throw new ChangeKeptError(
      `The change was applied here, but the stream did not take it within ${this.options.timeoutMs} ms (${e.message}). It is kept and published as soon as NATS takes it, before the changes that come after it; a retry of this request is answered once it is published`,
      change.id,
      outcome,
      this.options.timeoutMs,
    );
  }

  /**
   * Stops publishing kept changes after giving them up to `timeoutMs` (at most the publish
   * timeout) to get through; what is still kept then is logged, one error line per change, and
   * lost to the stream.
   */
  async close(timeoutMs = this.options.timeoutMs): Promise<void> {
    const wait = Math.min(timeoutMs, this.options.timeoutMs);
    await Promise.all([...this.states.values()].map((s) => s.kept.flush(wait)));
    for (const state of this.states.values()) {
      for (const c of state.kept.close())
        this.options.log.error('stream: gateway stopping: a change applied here was never published to the stream', logFields(c));
    }
  }

  private async send(target: PublisherTarget, subject: string, body: Uint8Array, id: string, signed: boolean): Promise<PubAck> {
    const deadline = Date.now() + this.options.timeoutMs;
    const h = natsHeaders();
    h.set('Content-Type', signed ? 'application/secevent+jwt' : 'application/json');
    let last: Error | undefined;
    while (Date.now() < deadline) {
      const left = deadline - Date.now();
      try {
        const nc = await target.connection.connection(left);
        let js = this.clients.get(nc);
        if (!js) {
          js = jetstream(nc);
          this.clients.set(nc, js);
        }
        return await js.publish(subject, body, {
          msgID: id,
          headers: h,
          expect: { streamName: target.stream },
          timeout: Math.max(100, Math.min(left, 2000)),
        });
      } catch (e) {
        if (isPermanent(e)) throw e;
        last = e as Error;
        // Same message id on every attempt: JetStream stores it once.
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
      }
    }
    throw last ?? new Error('timed out');
  }

  status(): PublisherTargetStatus[] {
    return [...this.options.targets].map(([tenant, t]) => {
      const c = this.states.get(tenant);
      return {
        tenant,
        stream: t.stream,
        subject: t.subject,
        connected: t.connection.connected,
        published: c?.published ?? 0,
        failed: c?.failed ?? 0,
        refused: c?.refused ?? 0,
        pending: c?.kept.size ?? 0,
        ...(c?.lastError ? { lastError: c.lastError } : {}),
      };
    });
  }
}

function logFields(c: KeptChange): Record<string, unknown> {
  return {
    tenant: c.tenant,
    resourceType: c.resourceType,
    resourceId: c.resourceId,
    operation: c.operation,
    messageId: c.id,
  };
}

function delay(ms: number): Promise<'late'> {
  return new Promise((resolve) => setTimeout(() => resolve('late'), ms).unref());
}
