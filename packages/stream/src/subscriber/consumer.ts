/**
 * The durable consumer of a subscription: declared (or brought to the configured `ackWait` and
 * `maxAckPending`), and the messages it delivered that were never acknowledged, read back from the
 * stream in order after a restart.
 */
import { AckPolicy, DeliverPolicy, type JetStreamManager, type MsgRequest, type StoredMsg } from '@nats-io/jetstream';
import { isNotFound } from '../streams.js';

/** How a consumer is declared. */
export interface ConsumerSpec {
  stream: string;
  name: string;
  /** Subject prefix; the consumer takes `<prefix>.>`. */
  subject: string;
  deliverPolicy: 'all' | 'new';
  /** Seconds. */
  ackWait: number;
  maxAckPending: number;
}

/** Declares the consumer; returns true when it had to be created. */
export async function ensureConsumer(jsm: JetStreamManager, spec: ConsumerSpec): Promise<boolean> {
  const config = { ack_wait: spec.ackWait * 1e9, max_ack_pending: spec.maxAckPending };
  try {
    const info = await jsm.consumers.info(spec.stream, spec.name);
    if (info.config.ack_wait !== config.ack_wait || info.config.max_ack_pending !== config.max_ack_pending)
      await jsm.consumers.update(spec.stream, spec.name, config);
    return false;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await jsm.consumers.add(spec.stream, {
    ...config,
    durable_name: spec.name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: spec.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    filter_subject: `${spec.subject}.>`,
    // Retries are the subscriber's (with backoff, then the dead-letter subject).
    max_deliver: -1,
  });
  return true;
}

/** The range of stream sequences the consumer delivered and has not seen acknowledged. */
export interface Unacknowledged {
  from: number;
  to: number;
}

/** `(ack floor, last delivered]` of the consumer now. */
export async function unacknowledged(
  jsm: JetStreamManager,
  spec: Pick<ConsumerSpec, 'stream' | 'name'>,
): Promise<Unacknowledged> {
  const info = await jsm.consumers.info(spec.stream, spec.name);
  return { from: info.ack_floor.stream_seq + 1, to: info.delivered.stream_seq };
}

/** The stream's messages of `<subject>.>` in `range`, in order. */
export async function* messagesIn(
  jsm: JetStreamManager,
  spec: Pick<ConsumerSpec, 'stream' | 'subject'>,
  range: Unacknowledged,
): AsyncGenerator<StoredMsg> {
  let seq = range.from;
  while (seq <= range.to) {
    // The server answers `next_by_subj` (the first match at or after `seq`); the client's type lacks it.
    const query = { seq, next_by_subj: `${spec.subject}.>` } as unknown as MsgRequest;
    const m = await jsm.streams.getMessage(spec.stream, query).catch((e) => {
      if (isNotFound(e) || /no message found/i.test((e as Error).message)) return null;
      throw e;
    });
    if (!m || m.seq > range.to) return;
    yield m;
    seq = m.seq + 1;
  }
}
