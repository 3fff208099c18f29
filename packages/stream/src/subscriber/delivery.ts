/**
 * A delivered message's body and what happens to it when it cannot be applied: decoding (JSON, or
 * a Security Event Token when the subscriber has a key), and parking on the dead-letter subject
 * with the reason in its headers.
 */
import type { SchemaRegistry } from '@scimgw/core';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { decodeMessage, PoisonMessageError, type StreamMessage } from '../message.js';
import { decodeSet, looksLikeJws, type SetVerifier } from '../set.js';

/** What a delivery carries. */
export interface Delivered {
  seq: number;
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs | undefined;
}

/**
 * The message of a delivery. A subscriber with a key accepts signed tokens only; one without
 * accepts JSON only. Anything else is a {@link PoisonMessageError}.
 */
export async function decodeDelivery(
  d: Delivered,
  verifier: SetVerifier | undefined,
  registry: SchemaRegistry,
): Promise<StreamMessage> {
  const type = d.headers?.get('Content-Type') ?? '';
  const signed = type.startsWith('application/secevent+jwt') || (type === '' && looksLikeJws(d.data));
  if (verifier) {
    if (!signed)
      throw new PoisonMessageError('unsigned message refused: this subscriber accepts signed security event tokens only');
    return decodeSet(d.data, verifier, registry);
  }
  if (signed) throw new PoisonMessageError('signed message, but this subscriber has no key to check it (subscriber.set.keyFile)');
  return decodeMessage(d.data);
}

const HEADER_BREAKS = /[\r\n]+/g;

/** Where a parked message goes and who parks it. */
export interface DeadLetter {
  /** `<subject>_dlq.<consumer>`. */
  subject: string;
  stream: string;
  consumer: string;
}

/**
 * Publishes a copy of the delivery to the dead-letter subject, with `Scimgw-Dead-Reason`,
 * `Scimgw-Original-Subject`, `Scimgw-Original-Sequence`, `Scimgw-Attempts` and `Scimgw-Consumer`
 * headers. The message id `<consumer>:<sequence>` makes a repeat (after a crash) one copy.
 */
export async function publishDeadLetter(
  nc: NatsConnection,
  to: DeadLetter,
  d: Delivered,
  reason: string,
  attempts: number,
): Promise<void> {
  const h = natsHeaders();
  const type = d.headers?.get('Content-Type');
  if (type) h.set('Content-Type', type);
  h.set('Scimgw-Dead-Reason', reason.replace(HEADER_BREAKS, ' ').slice(0, 1000));
  h.set('Scimgw-Original-Subject', d.subject);
  h.set('Scimgw-Original-Sequence', String(d.seq));
  h.set('Scimgw-Attempts', String(attempts));
  h.set('Scimgw-Consumer', to.consumer);
  await jetstream(nc).publish(to.subject, d.data, {
    msgID: `${to.consumer}:${d.seq}`,
    headers: h,
    expect: { streamName: to.stream },
  });
}
