/**
 * @scimgw/stream: SCIM Stream on NATS JetStream. A publishing gateway writes every successful
 * change to its tenant's subject and answers the client once JetStream has stored it; subscribing
 * gateways apply the messages to their own connectors, in order per resource, effectively once,
 * with retries and a dead-letter subject.
 *
 * @packageDocumentation
 */
export { streamConfigSchema, streamSection } from './config-schema.js';
export type {
  NatsEntityConfig,
  PublisherEntityConfig,
  StreamConfig,
  StreamConfigInput,
  SubscriberEntityConfig,
} from './config-schema.js';
export {
  checkMessage,
  decodeMessage,
  encodeMessage,
  idToken,
  MAX_MESSAGE_BYTES,
  MESSAGE_FORMAT,
  messageSubject,
  NATURAL_KEYS,
  naturalKeyOf,
  PoisonMessageError,
  tokenToId,
} from './message.js';
export type { NaturalKey, StreamMessage, StreamMessageData, StreamOperation } from './message.js';
export { changePathToString, PATCH_OP_URN, toPatchOp } from './patch-op.js';
export type { PatchOpBody, PatchOperation } from './patch-op.js';
export { decodeSet, encodeSet, looksLikeJws, privateKeyFromPem, publicKeyFromPem, SCIM_EVENTS, SET_TYP } from './set.js';
export type { SetSigner, SetVerifier } from './set.js';
export { connectOptions, redactServer, StreamConnection } from './connection.js';
export type { ConnectionSettings, ConnectionStatus, NatsCredentials, NatsTls } from './connection.js';
export { deadLetterSubject, ensureStream, subjectsFor } from './streams.js';
export type { StreamSettings } from './streams.js';
export { ChangeKeptError } from './kept.js';
export { StreamPublisher } from './publisher.js';
export type { PublisherOptions, PublisherTarget, PublisherTargetStatus, PublishRequest } from './publisher.js';
export { messageResource, publishableChanges, withStreamPublisher } from './publish-connector.js';
export type { ChangePublisher } from './publish-connector.js';
export { createPublishOnlyConnector } from './publish-only.js';
export { applyMessage } from './subscriber/apply.js';
export type { ApplyAction, ApplyContext, ApplyOptions, ApplyOutcome } from './subscriber/apply.js';
export type { OwnerIndex } from './subscriber/holders.js';
export { generatePassword, replaceDomains, roleNames, rolesAfter } from './subscriber/options.js';
export type { DomainReplacement } from './subscriber/options.js';
export { RecordStore } from './subscriber/records.js';
export type { ResourceRecord } from './subscriber/records.js';
export { recordKey } from './subscriber/references.js';
export { Subscription } from './subscriber/subscription.js';
export type { SubscriptionOptions, SubscriptionStatus, SubscriptionTuning } from './subscriber/subscription.js';
export { KeyConflictError, RetryableError, ScimTarget } from './subscriber/target.js';
export { consumerName, GatewayStream, natsName, readStreamFiles, StreamFileError } from './gateway-stream.js';
export type { GatewayStreamOptions, GatewayStreamStatus, StreamFiles } from './gateway-stream.js';
