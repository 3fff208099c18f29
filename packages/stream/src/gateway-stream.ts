/**
 * The stream of one gateway instance, built from its `scimgateway.stream` section: the NATS
 * connections (one per distinct server list and credentials), the publisher and the connector
 * decorator that feeds it, and a subscription per subscribed tenant. This is what a host wires in.
 */
import type { Connector, Logger } from '@scimgw/core';
import type { ScimHandler } from '@scimgw/core/handler';
import type { NatsEntityConfig, StreamConfig } from './config-schema.js';
import { StreamConnection } from './connection.js';
import { withStreamPublisher } from './publish-connector.js';
import { type PublisherTarget, type PublisherTargetStatus, StreamPublisher } from './publisher.js';
import type { StreamFiles } from './files.js';
import type { StreamSettings } from './streams.js';
import { RecordStore } from './subscriber/records.js';
import { Subscription, type SubscriptionStatus } from './subscriber/subscription.js';
import { ScimTarget } from './subscriber/target.js';

export { readStreamFiles, StreamFileError } from './files.js';
export type { StreamFiles } from './files.js';

/** Options of {@link GatewayStream}. */
export interface GatewayStreamOptions {
  /** The `stream` section, validated. */
  config: StreamConfig;
  /** Name of the gateway instance (its configuration's name). */
  name: string;
  files: StreamFiles;
  log: Logger;
}

/** What the stream reports for `/readyz`. */
export interface GatewayStreamStatus {
  /** False while the publisher cannot take changes (writes would answer 503, changing nothing). */
  ready: boolean;
  publisher?: PublisherTargetStatus[];
  subscriber?: SubscriptionStatus[];
}

/** A name for NATS: letters, digits, `-` and `_`. */
export function natsName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

/** The consumer of one subscribed tenant: `<durable>-<tenant>` (`default` for the default tenant). */
export function consumerName(durable: string, tenantKey: string): string {
  return `${durable}-${tenantKey === 'undefined' ? 'default' : natsName(tenantKey)}`;
}

/** The stream of one gateway instance. */
export class GatewayStream {
  readonly publisher: StreamPublisher | undefined;
  private readonly connections = new Map<string, StreamConnection>();
  private readonly subscriptions: Subscription[] = [];
  private readonly settings: StreamSettings;
  private started = false;

  constructor(private readonly o: GatewayStreamOptions) {
    const c = o.config;
    this.settings = { retentionDays: c.retentionDays, replicas: c.replicas };
    const pub = c.publisher;
    if (pub?.enabled) {
      const targets = new Map<string, PublisherTarget>();
      for (const [tenant, entity] of Object.entries(pub.entity ?? {})) {
        targets.set(tenant, {
          stream: entity.nats.tenant as string,
          subject: entity.nats.subject as string,
          connection: this.connection(entity.nats),
        });
      }
      const set = pub.set;
      this.publisher = new StreamPublisher({
        targets,
        source: o.name,
        timeoutMs: pub.timeout,
        settings: this.settings,
        log: o.log,
        ...(set && o.files.signingKey
          ? {
              signer: {
                key: o.files.signingKey,
                algorithm: set.algorithm,
                keyId: set.keyId ?? undefined,
                issuer: set.issuer ?? o.name,
                audience: set.audience ?? undefined,
              },
            }
          : {}),
      });
    }
  }

  private connection(nats: NatsEntityConfig): StreamConnection {
    const servers = this.o.config.baseUrls ?? [];
    const credentials = { jwt: nats.jwt, secret: nats.secret, user: nats.user, password: nats.password, token: nats.token };
    const id = JSON.stringify([servers, credentials]);
    let conn = this.connections.get(id);
    if (!conn) {
      conn = new StreamConnection(
        {
          servers,
          credentials,
          tls: this.o.files.tls,
          name: `scimgw ${this.o.name}${this.connections.size ? ` #${this.connections.size + 1}` : ''}`,
        },
        this.o.log,
      );
      this.connections.set(id, conn);
    }
    return conn;
  }

  /** True when this gateway publishes. */
  get publishes(): boolean {
    return this.publisher !== undefined;
  }

  /** True when this gateway subscribes. */
  get subscribes(): boolean {
    return this.o.config.subscriber?.enabled === true;
  }

  /** Tenants the publisher has a subject for (`undefined` is the default tenant). */
  publisherTenants(): string[] {
    return this.publisher ? Object.keys(this.o.config.publisher?.entity ?? {}) : [];
  }

  /** The connector with the publisher in front of its writes (as is without a publisher). */
  wrap(connector: Connector): Connector {
    return this.publisher ? withStreamPublisher(connector, this.publisher) : connector;
  }

  /**
   * Connects, and starts the subscriptions. `scim` is the handler messages are applied through:
   * build it on the connector **without** the publisher, so what a gateway applies from the stream
   * is not published again.
   */
  start(scim?: ScimHandler): void {
    if (this.started) return;
    this.started = true;
    const sub = this.o.config.subscriber;
    if (sub?.enabled) {
      if (!scim) throw new Error('GatewayStream.start: a subscriber needs the SCIM handler to apply messages to');
      const durable = sub.durable ?? natsName(this.o.name);
      for (const [tenantKey, entity] of Object.entries(sub.entity ?? {})) {
        const stream = entity.nats.tenant as string;
        const consumer = consumerName(durable, tenantKey);
        const tenant = tenantKey === 'undefined' ? undefined : tenantKey;
        const subscription = new Subscription({
          tenantKey,
          stream,
          subject: entity.nats.subject as string,
          consumer,
          connection: this.connection(entity.nats),
          records: new RecordStore(natsName(`scimgw-${stream}-${consumer}`), this.settings.replicas),
          target: new ScimTarget(scim, tenant, this.o.log),
          apply: {
            deleteUserOnLastGroupRoleRemoval: entity.deleteUserOnLastGroupRoleRemoval,
            skipConvertRolesToGroups: entity.skipConvertRolesToGroups,
            generateUserPassword: entity.generateUserPassword,
            modifyOnly: entity.modifyOnly,
            replaceDomains: entity.replaceDomains ?? [],
          },
          verifier: this.o.files.verifyKey
            ? {
                key: this.o.files.verifyKey,
                algorithms: sub.set?.algorithms ?? undefined,
                issuer: sub.set?.issuer ?? undefined,
                audience: sub.set?.audience ?? undefined,
              }
            : undefined,
          settings: this.settings,
          tuning: {
            deliverPolicy: sub.deliverPolicy,
            maxAttempts: sub.maxAttempts,
            retryDelay: sub.retryDelay,
            maxRetryDelay: sub.maxRetryDelay,
            concurrency: sub.concurrency,
            maxAckPending: sub.maxAckPending,
            ackWait: sub.ackWait,
            lagLogInterval: sub.lagLogInterval,
          },
          log: this.o.log,
        });
        this.subscriptions.push(subscription);
        subscription.start();
      }
    }
    for (const conn of this.connections.values()) conn.start();
  }

  /** False while the publisher cannot take changes (a connection is down, or changes it kept are stuck): writes get 503. */
  ready(): boolean {
    return this.publisher === undefined || this.publisher.takesChanges();
  }

  status(): GatewayStreamStatus {
    return {
      ready: this.ready(),
      ...(this.publisher ? { publisher: this.publisher.status() } : {}),
      ...(this.subscriptions.length ? { subscriber: this.subscriptions.map((s) => s.status()) } : {}),
    };
  }

  /** Status with the subscribers' counts fetched from the server now. */
  async refreshedStatus(): Promise<GatewayStreamStatus> {
    await Promise.all(this.subscriptions.map((s) => s.refresh()));
    return this.status();
  }

  /**
   * Stops the subscriptions (in-flight messages finish their attempt) and the publisher (changes it
   * kept get up to `timeoutMs` to be published; what is left is logged), then closes the connections.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    await Promise.all([...this.subscriptions.map((s) => s.stop(timeoutMs)), this.publisher?.close(timeoutMs)]);
    await Promise.all([...this.connections.values()].map((c) => c.close()));
  }
}
