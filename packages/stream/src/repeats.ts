/**
 * Creates and deletes whose client got a 503 because their message was kept (applied here, not yet
 * published: kept.ts), remembered so that the client's retry gets the answer of the write it
 * repeats — once its message is published — rather than what the retry would get from the
 * connector: 409 (the first attempt made the resource) or 404 (the first attempt deleted it), or,
 * from a publish-only connector, a second resource under a new id.
 *
 * A POST repeats a kept create when its body is the same (compared by a SHA-256 digest: no body,
 * and no password, is kept); a DELETE repeats a kept delete of the same resource. Kept in memory,
 * for a day and at most {@link REPEATS_LIMIT} writes.
 */
import { createHash } from 'node:crypto';
import type { ScimResource } from '@scimgw/core';
import { canonical } from './canonical.js';
import type { ChangeKeptError } from './kept.js';

/** Writes remembered at most. */
export const REPEATS_LIMIT = 10_000;
const TTL_MS = 24 * 60 * 60 * 1000;

/** A remembered write. */
export interface KeptWrite {
  /** The kept message: `published()` waits for it. */
  kept: ChangeKeptError;
  /** The created resource (creates). */
  created?: ScimResource;
  /** The resource's id. */
  id: string;
  at: number;
}

const digest = (v: unknown) => createHash('sha256').update(canonical(v)).digest('base64url');

/** The kept creates and deletes of one decorated connector. */
export class KeptWrites {
  private readonly entries = new Map<string, KeptWrite>();

  private static createKey(tenant: string | undefined, type: string, body: ScimResource): string {
    return `${tenant ?? ''}\u0000${type}\u0000create\u0000${digest(body)}`;
  }

  private static deleteKey(tenant: string | undefined, type: string, id: string): string {
    return `${tenant ?? ''}\u0000${type}\u0000delete\u0000${id}`;
  }

  private remember(key: string, write: KeptWrite): void {
    this.entries.delete(key);
    this.entries.set(key, write);
    if (this.entries.size > REPEATS_LIMIT) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  private find(key: string): KeptWrite | undefined {
    const w = this.entries.get(key);
    if (w && Date.now() - w.at > TTL_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return w;
  }

  /** Remembers a create (its request body, as the connector got it) whose message was kept. */
  created(tenant: string | undefined, type: string, body: ScimResource, created: ScimResource, kept: ChangeKeptError): void {
    this.remember(KeptWrites.createKey(tenant, type, body), { kept, created, id: created.id as string, at: Date.now() });
  }

  /** Remembers a delete whose message was kept. */
  deleted(tenant: string | undefined, type: string, id: string, kept: ChangeKeptError): void {
    this.remember(KeptWrites.deleteKey(tenant, type, id), { kept, id, at: Date.now() });
  }

  /** The kept create this POST body repeats. */
  repeatedCreate(tenant: string | undefined, type: string, body: ScimResource): KeptWrite | undefined {
    return this.find(KeptWrites.createKey(tenant, type, body));
  }

  /** The kept delete this DELETE repeats. */
  repeatedDelete(tenant: string | undefined, type: string, id: string): KeptWrite | undefined {
    return this.find(KeptWrites.deleteKey(tenant, type, id));
  }

  /** Forgets the creates of a resource that was deleted since: a POST of the same body makes a new one. */
  forgetCreates(tenant: string | undefined, type: string, id: string): void {
    const prefix = `${tenant ?? ''}\u0000${type}\u0000create\u0000`;
    for (const [key, w] of this.entries) if (w.id === id && key.startsWith(prefix)) this.entries.delete(key);
  }
}
