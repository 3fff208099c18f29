/**
 * The SCIM Stream message, format version 1: what a publisher writes to JetStream for every
 * successful change and what a subscriber applies. JSON, one message per change; the NATS header
 * `Nats-Msg-Id` carries the message `id` (JetStream drops a second publish of the same id).
 *
 * @see docs/guide/stream.md, "Message format"
 */
import type { Change, ScimResource } from '@scimgw/core';
import { parseJsonBody } from '@scimgw/core/handler';

/** The value of `format` in every version-1 message. */
export const MESSAGE_FORMAT = 'scimgw.stream.v1';

/** Largest message body a subscriber decodes (bytes). NATS' own default limit is 1 MiB. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** What happened to the resource. Membership changes are `modify` (or `create`/`replace`) of a group. */
export type StreamOperation = 'create' | 'replace' | 'modify' | 'delete';

/** Attributes that identify a resource on both sides when ids differ (`userName`, `displayName`, `externalId`). */
export type NaturalKey = Record<string, string>;

/** The payload of a message; which members are present depends on the operation. */
export interface StreamMessageData {
  /** `create` and `replace`: the resource as stored by the publisher (no `meta`, never `password`). `modify`: the resource after the change, when the publisher's connector returned it. */
  resource?: ScimResource;
  /** `modify`: the normalized change list (the Connector contract's `Change`). */
  changes?: Change[];
  /** Natural key of the resource, when the publisher knew it. */
  key?: NaturalKey;
}

/** One SCIM Stream message (format version 1). */
export interface StreamMessage {
  format: typeof MESSAGE_FORMAT;
  /** Unique message id (a UUID); also the `Nats-Msg-Id` header. */
  id: string;
  /** When the publisher's connector finished the change (ISO 8601). */
  time: string;
  /** Name of the publishing gateway instance. */
  source: string;
  /** The publisher's tenant (`baseEntity`), `null` for the default tenant. */
  tenant: string | null;
  /** `User`, `Group`, or a custom resource type. */
  resourceType: string;
  /** The resource's id at the publisher. */
  resourceId: string;
  operation: StreamOperation;
  data: StreamMessageData;
}

const OPERATIONS: ReadonlySet<string> = new Set(['create', 'replace', 'modify', 'delete']);
const CHANGE_OPS: ReadonlySet<string> = new Set(['add', 'replace', 'remove']);

/** A message that cannot be applied, whatever is retried: it is parked at once. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

/** Attributes tried, in order, to find a resource by something other than its id. */
export const NATURAL_KEYS: Readonly<Record<string, readonly string[]>> = {
  User: ['userName', 'externalId'],
  Group: ['displayName', 'externalId'],
};

/**
 * The attributes {@link NATURAL_KEYS} names for a resource type; `externalId` for any other type,
 * including one named like an `Object.prototype` member (a message's `resourceType` is data).
 */
export function naturalKeysOf(resourceType: string): readonly string[] {
  return (Object.hasOwn(NATURAL_KEYS, resourceType) ? NATURAL_KEYS[resourceType] : undefined) ?? ['externalId'];
}

/** The natural key of a resource: its identifying attributes that are strings. */
export function naturalKeyOf(resourceType: string, resource: ScimResource | undefined): NaturalKey | undefined {
  if (!resource) return undefined;
  const out: NaturalKey = {};
  for (const attr of naturalKeysOf(resourceType)) {
    const v = resource[attr];
    if (typeof v === 'string' && v !== '') out[attr] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The natural key values a change list sets (`replace userName`, say): what a modify message's
 * resource is called after it, when the message does not carry its key.
 */
export function naturalKeyOfChanges(resourceType: string, changes: readonly Change[] | undefined): NaturalKey | undefined {
  const attrs = naturalKeysOf(resourceType);
  const out: NaturalKey = {};
  for (const c of changes ?? []) {
    if (c.op === 'remove' || c.path.extension !== undefined || c.path.sub !== undefined || c.path.where !== undefined) continue;
    if (attrs.includes(c.path.attr) && typeof c.value === 'string' && c.value !== '') out[c.path.attr] = c.value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Encodes a message as its JSON body. */
export function encodeMessage(message: StreamMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown, field: string, max = 4096): string {
  if (typeof v !== 'string' || v === '' || v.length > max) throw new PoisonMessageError(`${field} must be a non-empty string`);
  return v;
}

function checkChanges(v: unknown): Change[] {
  if (!Array.isArray(v)) throw new PoisonMessageError('data.changes must be an array');
  for (const [i, c] of v.entries()) {
    if (!isRecord(c) || typeof c.op !== 'string' || !CHANGE_OPS.has(c.op))
      throw new PoisonMessageError(`data.changes[${i}].op must be add, replace or remove`);
    const path = c.path;
    if (!isRecord(path) || typeof path.attr !== 'string' || path.attr === '')
      throw new PoisonMessageError(`data.changes[${i}].path.attr must be a non-empty string`);
    if (path.sub !== undefined && typeof path.sub !== 'string')
      throw new PoisonMessageError(`data.changes[${i}].path.sub must be a string`);
    if (path.extension !== undefined && typeof path.extension !== 'string')
      throw new PoisonMessageError(`data.changes[${i}].path.extension must be a string`);
    if (path.where !== undefined && !isRecord(path.where))
      throw new PoisonMessageError(`data.changes[${i}].path.where must be a filter`);
    if (c.op === 'remove' && c.value !== undefined && !Array.isArray(c.value))
      throw new PoisonMessageError(`data.changes[${i}].value of a remove must be an array`);
  }
  return v as Change[];
}

/**
 * Checks a decoded value against format version 1 and returns it typed. Anything else throws a
 * {@link PoisonMessageError} naming the first problem.
 */
export function checkMessage(value: unknown): StreamMessage {
  if (!isRecord(value)) throw new PoisonMessageError('message must be a JSON object');
  if (value.format !== MESSAGE_FORMAT) throw new PoisonMessageError(`format must be "${MESSAGE_FORMAT}"`);
  nonEmptyString(value.id, 'id', 200);
  nonEmptyString(value.time, 'time', 100);
  nonEmptyString(value.source, 'source', 500);
  if (value.tenant !== null && typeof value.tenant !== 'string') throw new PoisonMessageError('tenant must be a string or null');
  nonEmptyString(value.resourceType, 'resourceType', 200);
  nonEmptyString(value.resourceId, 'resourceId');
  if (typeof value.operation !== 'string' || !OPERATIONS.has(value.operation))
    throw new PoisonMessageError('operation must be create, replace, modify or delete');
  const data = value.data ?? {};
  if (!isRecord(data)) throw new PoisonMessageError('data must be an object');
  if (data.resource !== undefined && !isRecord(data.resource)) throw new PoisonMessageError('data.resource must be an object');
  if ((value.operation === 'create' || value.operation === 'replace') && data.resource === undefined)
    throw new PoisonMessageError(`data.resource is required for ${value.operation}`);
  if (value.operation === 'modify') checkChanges(data.changes);
  if (data.key !== undefined) {
    if (!isRecord(data.key) || Object.values(data.key).some((k) => typeof k !== 'string'))
      throw new PoisonMessageError('data.key must map attribute names to strings');
  }
  return { ...(value as unknown as StreamMessage), data: data as StreamMessageData };
}

/** Decodes and checks a JSON message body. Throws {@link PoisonMessageError}. */
export function decodeMessage(body: Uint8Array): StreamMessage {
  if (body.byteLength > MAX_MESSAGE_BYTES) throw new PoisonMessageError(`message is larger than ${MAX_MESSAGE_BYTES} bytes`);
  let value: unknown;
  try {
    value = parseJsonBody(body);
  } catch (e) {
    throw new PoisonMessageError(`not JSON: ${(e as Error).message}`);
  }
  return checkMessage(value);
}

/**
 * A resource id as one subject token: base64url of its UTF-8 bytes, so any id (a DN with dots
 * and spaces, say) fits, and two ids never share a token.
 */
export function idToken(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url') || '_';
}

/** The id a subject token stands for. */
export function tokenToId(token: string): string {
  return token === '_' ? '' : Buffer.from(token, 'base64url').toString('utf8');
}

/** Subject of a message: `<subject>.<resourceType>.<id token>`; a resource's messages share it. */
export function messageSubject(prefix: string, resourceType: string, resourceId: string): string {
  return `${prefix}.${resourceType.replace(/[^A-Za-z0-9_-]/g, '_')}.${idToken(resourceId)}`;
}
