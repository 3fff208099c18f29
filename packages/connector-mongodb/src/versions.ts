/**
 * Resource versions (ETags). Every write stores a new `meta.version`, made here without reading the
 * document: an ObjectId (time, a per-process random value, a counter), so versions are unique across
 * all gateway processes sharing the database.
 *
 * `If-Match` becomes a condition of the update. The core checks `If-Match` by calling `get` and then
 * calls `modify`/`replace`/`delete` with the same request context; {@link ObservedVersions} remembers,
 * per request context, the version `get` returned, and the write that follows in that request only
 * matches the document if it still carries that version. A write that lost a race matches nothing
 * and answers 412; it never overwrites.
 */
import type { RequestContext } from '@scimgw/core';
import { ObjectId } from 'mongodb';

/** A fresh weak ETag. */
export function newVersion(): string {
  return `W/"${new ObjectId().toHexString()}"`;
}

/** The ETag of a stored version (the older product stored a counter). */
export function formatVersion(stored: unknown): string | undefined {
  if (typeof stored === 'string') return stored;
  if (typeof stored === 'number' && Number.isFinite(stored)) return `W/"${stored}"`;
  return undefined;
}

/** Versions read by `get` in a request, kept until the request context is garbage. */
export class ObservedVersions {
  private readonly seen = new WeakMap<RequestContext, Map<string, unknown>>();

  /** Notes that `ctx` read resource `key` at stored version `version`. */
  note(ctx: RequestContext, key: string, version: unknown): void {
    if (version === undefined) return;
    let m = this.seen.get(ctx);
    if (!m) this.seen.set(ctx, (m = new Map()));
    m.set(key, version);
  }

  /** The stored version `ctx` read for `key`, if it read one. */
  of(ctx: RequestContext, key: string): unknown {
    return this.seen.get(ctx)?.get(key);
  }

  /** After a write in `ctx`: later writes of the same request are conditioned on the new version. */
  replace(ctx: RequestContext, key: string, version: unknown): void {
    const m = this.seen.get(ctx);
    if (m?.has(key)) {
      if (version === undefined) m.delete(key);
      else m.set(key, version);
    }
  }
}
