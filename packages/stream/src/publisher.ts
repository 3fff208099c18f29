/**
 * The publisher: turns a change into a message on its tenant's subject and waits until JetStream
 * has stored it. A publish that does not get its acknowledgement is sent again with the same
 * message id until the deadline, so JetStream keeps one copy; after the deadline the caller gets a
 * 503 with `Retry-After`.
 */
import { randomUUID } from 'node:crypto';
import { errors, type Logger } from '@scimgw/core';
import { type NatsConnection, headers as natsHeaders } from '@nats-io/nats-core';
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
  published: number;
  failed: number;
  lastError?: string | undefined;
}

const tenantKey = (tenant: string | undefined) => tenant ?? 'undefined';

/** Publishes changes to JetStream. */
export class StreamPublisher {
  private readonly counters = new Map<string, { published: number; failed: number; lastError?: string | undefined }>();
  private readonly warnedTenants = new Set<string>();
  private readonly clients = new WeakMap<NatsConnection, JetStreamClient>();

  constructor(private readonly options: PublisherOptions) {
    for (const [tenant, target] of options.targets) {
      this.counters.set(tenant, { published: 0, failed: 0 });
      target.connection.onConnect(async (nc) => {
        await ensureStream(await jetstreamManager(nc), target.stream, target.subject, options.settings);
      });
    }
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
   * target are not published (resolves `undefined`; warned about once).
   *
   * @throws errors.ServiceUnavailableError when JetStream did not acknowledge within the timeout
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
    const counters = this.counters.get(key) as { published: number; failed: number; lastError?: string | undefined };
    try {
      const ack = await this.send(target, subject, body, message.id, signer !== undefined);
      counters.published++;
      counters.lastError = undefined;
      return ack;
    } catch (e) {
      counters.failed++;
      counters.lastError = (e as Error).message;
      this.options.log.error('stream: change applied but not published', {
        tenant: key,
        resourceType: req.resourceType,
        resourceId: req.resourceId,
        operation: req.operation,
        messageId: message.id,
        error: (e as Error).message,
      });
      throw new errors.ServiceUnavailableError(`The change was not published to the stream: ${(e as Error).message}`, 5);
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
        last = e as Error;
        // Same message id on every attempt: JetStream stores it once.
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
      }
    }
    throw last ?? new Error('timed out');
  }

  status(): PublisherTargetStatus[] {
    return [...this.options.targets].map(([tenant, t]) => {
      const c = this.counters.get(tenant);
      return {
        tenant,
        stream: t.stream,
        subject: t.subject,
        connected: t.connection.connected,
        published: c?.published ?? 0,
        failed: c?.failed ?? 0,
        ...(c?.lastError ? { lastError: c.lastError } : {}),
      };
    });
  }
}
