/**
 * What a subscriber remembers per resource, in a JetStream key-value bucket of its own: the id the
 * resource has here (ids differ between publisher and subscriber), and the stream sequence of the
 * last message settled for it. The sequence makes redelivery harmless: a message at or below it
 * was applied (or parked) already and changes nothing.
 *
 * The same bucket says, per resource made or adopted here, which publisher resource it belongs to
 * (its owner), so that another publisher resource with the same natural key does not take it over.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { type KV, Kvm } from '@nats-io/kv';
import { StorageType } from '@nats-io/jetstream';

/** One resource's record. */
export interface ResourceRecord {
  /** The resource's id here; `null` once deleted here (or never created, with `modifyOnly`). */
  id: string | null;
  /** Stream sequence of the last message settled for this resource. */
  seq: number;
  /** That message's id. */
  msg: string;
  /** Roles this subscriber turned into group memberships (group display names). */
  roles?: string[];
}

/** Records kept in memory at most (the bucket holds all of them). */
const CACHE_LIMIT = 100_000;

/**
 * Key of the owner entry of a resource here: `here=<record key of its type and local id>`. `=` is
 * in no record key, so the two never meet.
 */
export function ownerKey(recordKeyOfLocal: string): string {
  return `here=${recordKeyOfLocal}`;
}

function parse(bytes: Uint8Array): ResourceRecord | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as Partial<ResourceRecord>;
    if (typeof v.seq !== 'number' || (v.id !== null && typeof v.id !== 'string')) return undefined;
    return {
      id: v.id ?? null,
      seq: v.seq,
      msg: typeof v.msg === 'string' ? v.msg : '',
      ...(Array.isArray(v.roles) ? { roles: v.roles.filter((r): r is string => typeof r === 'string') } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The records of one subscription. */
export class RecordStore {
  private kv: KV | undefined;
  private readonly cache = new Map<string, ResourceRecord | null>();
  private readonly owners = new Map<string, string | null>();

  constructor(
    /** Bucket name. */
    readonly bucket: string,
    private readonly replicas: number,
  ) {}

  /** Opens (creating when missing) the bucket on a connection. */
  async open(nc: NatsConnection): Promise<void> {
    this.kv = await new Kvm(nc).create(this.bucket, { history: 1, replicas: this.replicas, storage: StorageType.File });
  }

  private store(): KV {
    if (!this.kv) throw new Error(`record bucket ${this.bucket} is not open`);
    return this.kv;
  }

  private remember<T>(cache: Map<string, T>, key: string, value: T): void {
    cache.delete(key);
    cache.set(key, value);
    if (cache.size > CACHE_LIMIT) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  }

  /** The record of `key`, if any. */
  async get(key: string): Promise<ResourceRecord | undefined> {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const entry = await this.store().get(key);
    const rec = entry && entry.operation === 'PUT' ? parse(entry.value) : undefined;
    this.remember(this.cache, key, rec ?? null);
    return rec;
  }

  /** Stores the record of `key` (durably, before the message is acknowledged). */
  async put(key: string, rec: ResourceRecord): Promise<void> {
    await this.store().put(key, JSON.stringify(rec));
    this.remember(this.cache, key, rec);
  }

  /**
   * The record key of the publisher resource that made or adopted the resource here whose record
   * key (of its type and local id) is `local`. Whether it still owns it is for its record to say.
   */
  async owner(local: string): Promise<string | undefined> {
    const key = ownerKey(local);
    const cached = this.owners.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const entry = await this.store().get(key);
    let owner: string | null = null;
    if (entry && entry.operation === 'PUT') {
      try {
        const v = JSON.parse(new TextDecoder().decode(entry.value)) as { owner?: unknown };
        if (typeof v.owner === 'string') owner = v.owner;
      } catch {}
    }
    this.remember(this.owners, key, owner);
    return owner ?? undefined;
  }

  /** Stores that the resource here whose record key is `local` belongs to publisher resource `owner`. */
  async setOwner(local: string, owner: string): Promise<void> {
    const key = ownerKey(local);
    await this.store().put(key, JSON.stringify({ owner }));
    this.remember(this.owners, key, owner);
  }

  /** Forgets what is cached (after the bucket may have changed behind this process). */
  clearCache(): void {
    this.cache.clear();
    this.owners.clear();
  }

  /** Deletes the bucket (tests, and a subscriber that is retired for good). */
  async destroy(): Promise<void> {
    await this.store().destroy();
    this.clearCache();
  }
}
