/**
 * The `stream` section of a gateway configuration (`scimgateway.stream`), declared once: the
 * validator the gateway's configuration loader runs and the JSON Schema editors use. The shape is
 * the older scimgateway product's (`baseUrls`, `certificate`, `publisher`, `subscriber`, per-tenant
 * `entity.<baseEntity>.nats.{tenant, subject, jwt, secret}` and the subscriber options), so its
 * files keep working; the keys it did not have are optional and have defaults.
 */
import { configSection, z } from '@scimgw/config';

const text = (doc: string) => z.string().nullish().describe(doc);

/** A JetStream stream name: one NATS subject token. */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,200}$/;
/** A subject prefix of plain tokens: no wildcards, no spaces, nothing a message subject could collide with. */
const SUBJECT = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
/** A consumer (durable) name. */
const DURABLE = /^[A-Za-z0-9_-]{1,100}$/;

const natsEntity = z
  .strictObject({
    tenant: z
      .string()
      .regex(STREAM_NAME, 'letters, digits, "-" and "_" only')
      .nullish()
      .describe('JetStream stream that holds this tenant’s messages (created when missing)'),
    subject: z
      .string()
      .regex(SUBJECT, 'dot-separated tokens of letters, digits, "-" and "_"')
      .max(200)
      .nullish()
      .describe('Subject prefix: messages go to <subject>.<resourceType>.<id>'),
    jwt: text('NATS user JWT (decentralized authentication); `secret` is its nkey seed'),
    secret: text('nkey seed (SU…): with `jwt` the user’s seed, alone nkey authentication'),
    user: text('User name (user/password authentication)'),
    password: text('Password of `user`'),
    token: text('Token authentication'),
  })
  .describe('NATS settings of this tenant');

const replaceDomain = z.strictObject({
  from: z.string().min(3).describe('Mail domain as the publisher writes it, e.g. "example.com"'),
  to: z.string().min(3).describe('Mail domain this subscriber writes instead, e.g. "example.org"'),
});

const publisherEntity = z.strictObject({ nats: natsEntity.prefault({}) });

const subscriberEntity = z.strictObject({
  nats: natsEntity.prefault({}),
  deleteUserOnLastGroupRoleRemoval: z
    .boolean()
    .default(false)
    .describe('Delete a user when a message removes its last group membership and it has no roles left'),
  skipConvertRolesToGroups: z
    .boolean()
    .default(false)
    .describe('Keep `roles` as the user’s roles; by default each role becomes membership of the group of that name'),
  generateUserPassword: z
    .boolean()
    .default(false)
    .describe('Give every user this subscriber creates a random password (messages never carry passwords)'),
  modifyOnly: z.boolean().default(false).describe('Only change resources that exist here: never create, never delete'),
  replaceDomains: z
    .array(replaceDomain)
    .nullish()
    .describe('Rewrite mail domains: every string value ending in @from ends in @to instead'),
});

const setPublisher = z
  .strictObject({
    keyFile: z.string().min(1).describe('PEM private key (PKCS#8) that signs the tokens (certs folder or absolute)'),
    algorithm: z
      .enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'])
      .default('ES256')
      .describe('JWS algorithm of the key'),
    keyId: text('`kid` header, so receivers can pick the key'),
    issuer: text('`iss` claim; default the gateway’s name'),
    audience: z
      .union([z.string(), z.array(z.string())])
      .nullish()
      .describe('`aud` claim'),
  })
  .nullish()
  .describe('Publish Security Event Tokens (RFC 8417, SCIM events of RFC 9967) signed by this gateway');

const setSubscriber = z
  .strictObject({
    keyFile: z.string().min(1).describe('PEM public key or certificate of the publisher (certs folder or absolute)'),
    algorithms: z.array(z.string()).nullish().describe('Algorithms accepted; default the key’s'),
    issuer: z
      .union([z.string(), z.array(z.string())])
      .nullish()
      .describe('Expected `iss`'),
    audience: z
      .union([z.string(), z.array(z.string())])
      .nullish()
      .describe('Expected `aud`'),
  })
  .nullish()
  .describe('Accept only Security Event Tokens signed with this key (anything else is parked)');

/** Zod schema of the `stream` section. */
export const streamConfigSchema = z
  .strictObject({
    baseUrls: z
      .array(z.string().min(1))
      .nullish()
      .describe('NATS servers: nats://host:port, tls://host:port or host:port; several for failover'),
    certificate: z
      .strictObject({
        ca: z
          .union([z.string(), z.array(z.string())])
          .nullish()
          .describe('CA file(s) the NATS server certificate is checked against (certs folder or absolute): TLS when set'),
        cert: text('Client certificate file (mutual TLS)'),
        key: text('Client key file (mutual TLS)'),
      })
      .nullish()
      .describe('TLS towards NATS'),
    retentionDays: z
      .number()
      .positive()
      .default(14)
      .describe('Days a message stays in a stream this gateway creates (an offline subscriber has that long to catch up)'),
    replicas: z.number().int().min(1).max(5).default(1).describe('Replicas of a stream this gateway creates (clustered NATS)'),
    publisher: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Publish every successful change'),
        entity: z
          .record(z.string(), publisherEntity)
          .nullish()
          .describe('Per tenant (`undefined` is the default tenant): where its changes are published'),
        timeout: z
          .number()
          .int()
          .min(100)
          .default(5000)
          .describe('Milliseconds to wait for JetStream’s acknowledgement (with retries) before the client gets 503'),
        set: setPublisher,
      })
      .nullish()
      .describe('Publisher'),
    subscriber: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Apply the messages of the subscribed subjects to this gateway’s connector'),
        entity: z
          .record(z.string(), subscriberEntity)
          .nullish()
          .describe(
            'Per tenant of this gateway (`undefined` is the default tenant): what it subscribes to, and how it applies it',
          ),
        durable: z
          .string()
          .regex(DURABLE, 'letters, digits, "-" and "_" only')
          .nullish()
          .describe('Name of this gateway’s durable consumer; default the configuration’s name'),
        deliverPolicy: z
          .enum(['all', 'new'])
          .default('all')
          .describe('Where a new durable consumer starts: all messages the stream holds, or only new ones'),
        maxAttempts: z.number().int().min(1).default(8).describe('Attempts of a failing message before it is parked'),
        retryDelay: z.number().int().min(10).default(500).describe('Milliseconds before the first retry; doubled each time'),
        maxRetryDelay: z.number().int().min(10).default(30_000).describe('Longest wait between two attempts, in milliseconds'),
        concurrency: z
          .number()
          .int()
          .min(1)
          .max(256)
          .default(16)
          .describe('Resources applied in parallel (one message at a time per resource)'),
        maxAckPending: z.number().int().min(1).default(1000).describe('Messages delivered and not yet acknowledged at most'),
        ackWait: z
          .number()
          .int()
          .min(1)
          .default(30)
          .describe('Seconds JetStream waits for an acknowledgement before it redelivers'),
        lagLogInterval: z.number().int().min(0).default(60).describe('Seconds between two lag log lines; 0 logs none'),
        set: setSubscriber,
      })
      .nullish()
      .describe('Subscriber'),
  })
  .superRefine((cfg, ctx) => {
    const sides = [
      ['publisher', cfg.publisher],
      ['subscriber', cfg.subscriber],
    ] as const;
    for (const [side, section] of sides) {
      if (!section?.enabled) continue;
      if (!cfg.baseUrls || cfg.baseUrls.length === 0)
        ctx.addIssue({ code: 'custom', path: ['baseUrls'], message: `is required when ${side}.enabled is true` });
      const entries = Object.entries(section.entity ?? {});
      if (entries.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: [side, 'entity'],
          message: `needs at least one tenant when ${side}.enabled is true (\`undefined\` is the default tenant)`,
        });
      for (const [key, entity] of entries) {
        for (const field of ['tenant', 'subject'] as const) {
          if (!entity.nats[field])
            ctx.addIssue({
              code: 'custom',
              path: [side, 'entity', key, 'nats', field],
              message: `is required when ${side}.enabled is true`,
            });
        }
        if (entity.nats.jwt && !entity.nats.secret)
          ctx.addIssue({
            code: 'custom',
            path: [side, 'entity', key, 'nats', 'secret'],
            message: 'is required with jwt (the nkey seed)',
          });
        if (entity.nats.password && !entity.nats.user)
          ctx.addIssue({ code: 'custom', path: [side, 'entity', key, 'nats', 'user'], message: 'is required with password' });
      }
    }
  })
  .describe('SCIM Stream: publish changes to NATS JetStream, or apply them from it');

/** The `stream` section as a configuration section (`validate` and `jsonSchema`). */
export const streamSection = configSection(streamConfigSchema, { title: 'scimgw stream section' });

/** The `stream` section as written in a configuration file. */
export type StreamConfigInput = z.input<typeof streamConfigSchema>;
/** The `stream` section with defaults applied. */
export type StreamConfig = z.output<typeof streamConfigSchema>;
/** NATS settings of one tenant. */
export type NatsEntityConfig = z.output<typeof natsEntity>;
/** One tenant of the publisher. */
export type PublisherEntityConfig = z.output<typeof publisherEntity>;
/** One tenant of the subscriber, with its options. */
export type SubscriberEntityConfig = z.output<typeof subscriberEntity>;
