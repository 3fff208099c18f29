/**
 * The JetStream stream of a tenant: created by whichever side connects first, and widened when a
 * tenant gains a subject. It holds the tenant's messages (`<subject>.>`) and the messages its
 * subscribers parked (`<subject>_dlq.>`).
 */
import { DiscardPolicy, type JetStreamManager, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';

/** How a gateway creates a stream it does not find. */
export interface StreamSettings {
  /** Days a message is kept. */
  retentionDays: number;
  replicas: number;
}

/** Subject of the messages parked by subscriber `durable` of a subject prefix. */
export function deadLetterSubject(prefix: string, durable: string): string {
  return `${prefix}_dlq.${durable}`;
}

/** The subjects a stream must hold for one subject prefix. */
export function subjectsFor(prefix: string): string[] {
  return [`${prefix}.>`, `${prefix}_dlq.>`];
}

const NANOS_PER_DAY = 86_400 * 1e9;

/** True when JetStream answered "stream not found". */
export function isNotFound(e: unknown): boolean {
  return e instanceof JetStreamApiError && (e.code === 10059 || e.code === 10014 || /not found/i.test(e.message));
}

/**
 * Makes sure stream `name` exists and holds the subjects of `prefix`: creates it with `settings`,
 * or adds the subjects to an existing stream (its other settings are left as the operator set them).
 */
export async function ensureStream(jsm: JetStreamManager, name: string, prefix: string, settings: StreamSettings): Promise<void> {
  const wanted = subjectsFor(prefix);
  try {
    const info = await jsm.streams.info(name);
    const have = new Set(info.config.subjects ?? []);
    const missing = wanted.filter((s) => !have.has(s));
    if (missing.length > 0) await jsm.streams.update(name, { ...info.config, subjects: [...have, ...missing] });
    return;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: wanted,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: Math.round(settings.retentionDays * NANOS_PER_DAY),
      num_replicas: settings.replicas,
      duplicate_window: 120 * 1e9,
      allow_direct: true,
    });
  } catch (e) {
    // Another gateway created it in the meantime: check its subjects again.
    if (/already in use|already exists/i.test((e as Error).message)) return ensureStream(jsm, name, prefix, settings);
    throw e;
  }
}
