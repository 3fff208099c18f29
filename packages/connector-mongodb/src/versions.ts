/**
 * Resource versions (ETags). Every write stores a new `meta.version`, made here without reading the
 * document: an ObjectId (time, a per-process random value, a counter), so versions are unique across
 * all gateway processes sharing the database.
 *
 * `If-Match` becomes a condition of the update. The connector declares `capabilities.etag`, so the
 * core hands a client's single tag over as `ctx.ifMatch` without reading first; for a list of tags
 * it also reads through `get` first, and {@link ObservedVersions} remembers, per request context,
 * the version `get` returned. The write that follows only matches the document if it still carries
 * that version. A write that lost a race matches nothing and answers 412; it never overwrites.
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

/** The stored value of an ETag: versions made here are stored as the tag; the older product's counters as numbers. */
function storedForm(tag: string): unknown {
  const counter = /^(?:W\/)?"(\d+)"$/.exec(tag);
  if (counter) return Number(counter[1]);
  return tag.startsWith('W/') ? tag : `W/${tag}`;
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

  /**
   * The stored version the write of `ctx` must find: the one `ctx` read for `key`, else the
   * client's single `If-Match` tag in its stored form; `undefined` for no condition (`*` needs only
   * an existing resource, which every write checks anyway).
   */
  of(ctx: RequestContext, key: string): unknown {
    const seen = this.seen.get(ctx)?.get(key);
    if (seen !== undefined) return seen;
    const tag = ctx.ifMatch?.trim();
    if (tag === undefined || tag === '*' || tag.includes(',')) return undefined;
    return storedForm(tag);
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
