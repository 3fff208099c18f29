/**
 * Messages as Security Event Tokens (RFC 8417) carrying the SCIM provisioning events of RFC 9967,
 * signed by the publishing gateway: `prov:create:full`, `prov:put:full` (replace), `prov:patch:full`
 * (modify, as a PatchOp request) and `prov:delete`. What RFC 9967 has no claim for (the tenant, the
 * normalized key, the resource after a PATCH) travels in the private claim `scimgw`.
 *
 * @see RFC 8417 (Security Event Token), RFC 9967 (SCIM Profile for SETs)
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { SchemaRegistry, ScimResource } from '@scimgw/core';
import { patchToChanges } from '@scimgw/core/patch';
// `jose` is imported where a SET is signed or verified, not here: this module shares a chunk with
// `@scimgw/stream/config`, which every gateway loads to validate its configuration, and a gateway
// without a stream never needs jose.
import {
  checkMessage,
  MAX_MESSAGE_BYTES,
  MESSAGE_FORMAT,
  type NaturalKey,
  PoisonMessageError,
  type StreamMessage,
  type StreamOperation,
} from './message.js';
import { toPatchOp } from './patch-op.js';

/** The `typ` header of a SET (RFC 8417 §2.3). */
export const SET_TYP = 'secevent+jwt';

/** RFC 9967 event URIs, by message operation. */
export const SCIM_EVENTS: Readonly<Record<StreamOperation, string>> = {
  create: 'urn:ietf:params:scim:event:prov:create:full',
  replace: 'urn:ietf:params:scim:event:prov:put:full',
  modify: 'urn:ietf:params:scim:event:prov:patch:full',
  delete: 'urn:ietf:params:scim:event:prov:delete',
};

const OPERATION_OF_EVENT = new Map(Object.entries(SCIM_EVENTS).map(([op, uri]) => [uri.toLowerCase(), op as StreamOperation]));

/** How the publisher signs. */
export interface SetSigner {
  key: KeyObject;
  algorithm: string;
  keyId?: string | undefined;
  issuer: string;
  audience?: string | string[] | undefined;
}

/** How the subscriber checks. */
export interface SetVerifier {
  key: KeyObject;
  algorithms?: string[] | undefined;
  issuer?: string | string[] | undefined;
  audience?: string | string[] | undefined;
}

/** A private key from PEM text (PKCS#8, SEC1 or PKCS#1). */
export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** A public key from PEM text: a public key (SPKI, PKCS#1) or a certificate. */
export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

/** What the `scimgw` claim holds. */
interface ScimgwClaim {
  format: typeof MESSAGE_FORMAT;
  tenant: string | null;
  resourceType: string;
  resourceId: string;
  source: string;
  time: string;
  key?: NaturalKey;
  resource?: ScimResource;
}

function endpointOf(resourceType: string): string {
  return resourceType === 'User' || resourceType === 'Group' ? `/${resourceType}s` : `/${resourceType}`;
}

/**
 * Signs a message as a SET.
 *
 * @example
 * const token = await encodeSet(message, { key: privateKeyFromPem(pem), algorithm: 'ES256', issuer: 'gw-a' });
 */
export async function encodeSet(message: StreamMessage, signer: SetSigner): Promise<Uint8Array> {
  const { data } = message;
  let event: Record<string, unknown> = {};
  if (message.operation === 'create' || message.operation === 'replace') event = { data: data.resource };
  else if (message.operation === 'modify') event = { data: toPatchOp(data.changes ?? []) };
  const claim: ScimgwClaim = {
    format: MESSAGE_FORMAT,
    tenant: message.tenant,
    resourceType: message.resourceType,
    resourceId: message.resourceId,
    source: message.source,
    time: message.time,
    ...(data.key ? { key: data.key } : {}),
    ...(message.operation === 'modify' && data.resource ? { resource: data.resource } : {}),
  };
  const { SignJWT } = await import('jose');
  const jwt = new SignJWT({
    txn: message.id,
    toe: Math.floor(Date.parse(message.time) / 1000),
    sub_id: {
      format: 'scim',
      uri: `${endpointOf(message.resourceType)}/${message.resourceId}`,
      ...(data.key?.externalId ? { externalId: data.key.externalId } : {}),
    },
    events: { [SCIM_EVENTS[message.operation]]: event },
    scimgw: claim,
  })
    .setProtectedHeader({ alg: signer.algorithm, typ: SET_TYP, ...(signer.keyId ? { kid: signer.keyId } : {}) })
    .setJti(message.id)
    .setIssuer(signer.issuer)
    .setIssuedAt();
  if (signer.audience !== undefined) jwt.setAudience(signer.audience);
  return new TextEncoder().encode(await jwt.sign(signer.key));
}

/** True when a message body looks like a compact JWS rather than JSON. */
export function looksLikeJws(body: Uint8Array): boolean {
  // '{' (or whitespace before it) starts JSON; a JWS starts with base64url of '{"' = "eyJ".
  return body.length > 3 && body[0] === 0x65 && body[1] === 0x79 && body[2] === 0x4a;
}

/**
 * Verifies a SET and turns it back into a message. A bad signature, a wrong issuer or audience,
 * an unknown event or a PATCH the registry cannot read throws a {@link PoisonMessageError}.
 */
export async function decodeSet(body: Uint8Array, verifier: SetVerifier, registry: SchemaRegistry): Promise<StreamMessage> {
  if (body.byteLength > MAX_MESSAGE_BYTES) throw new PoisonMessageError(`message is larger than ${MAX_MESSAGE_BYTES} bytes`);
  let payload: Record<string, unknown>;
  const { jwtVerify } = await import('jose');
  try {
    const verified = await jwtVerify(new TextDecoder().decode(body), verifier.key, {
      typ: SET_TYP,
      ...(verifier.algorithms ? { algorithms: verifier.algorithms } : {}),
      ...(verifier.issuer !== undefined ? { issuer: verifier.issuer } : {}),
      ...(verifier.audience !== undefined ? { audience: verifier.audience } : {}),
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (e) {
    throw new PoisonMessageError(`security event token refused: ${(e as Error).message}`);
  }
  const events = payload.events;
  if (typeof events !== 'object' || events === null || Array.isArray(events))
    throw new PoisonMessageError('security event token has no events claim');
  const known = Object.entries(events).filter(([uri]) => OPERATION_OF_EVENT.has(uri.toLowerCase()));
  if (known.length !== 1) throw new PoisonMessageError('security event token must carry exactly one SCIM provisioning event');
  const [uri, event] = known[0] as [string, unknown];
  const operation = OPERATION_OF_EVENT.get(uri.toLowerCase()) as StreamOperation;
  const claim = payload.scimgw as Partial<ScimgwClaim> | undefined;
  if (!claim || typeof claim !== 'object') throw new PoisonMessageError('security event token has no scimgw claim');
  const eventData = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).data : undefined;
  const data: Record<string, unknown> = {};
  if (operation === 'create' || operation === 'replace') data.resource = eventData;
  if (operation === 'modify') {
    const rt = typeof claim.resourceType === 'string' ? registry.resourceType(claim.resourceType) : undefined;
    if (!rt) throw new PoisonMessageError(`resource type "${String(claim.resourceType)}" is not served here`);
    try {
      data.changes = patchToChanges(registry, rt, eventData);
    } catch (e) {
      throw new PoisonMessageError(`patch event not applicable: ${(e as Error).message}`);
    }
    if (claim.resource !== undefined) data.resource = claim.resource;
  }
  if (claim.key !== undefined) data.key = claim.key;
  return checkMessage({
    format: claim.format,
    id: payload.jti,
    time: claim.time,
    source: claim.source,
    tenant: claim.tenant ?? null,
    resourceType: claim.resourceType,
    resourceId: claim.resourceId,
    operation,
    data,
  });
}
