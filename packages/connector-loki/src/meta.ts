/** Helpers shared by the user and group operations: `meta`, stored shape, lookups. */
import { errors, etagMatches, type RequestContext, type ScimResource } from '@scimgw/core';
import type { CollectionName, Doc, TenantStore } from './store/tenant-store.js';

let lastMs = Number.NaN;
let lastIso = '';
let lastMs36 = '';
let lastSecond = Number.NaN;
/** `toISOString()` of the current second without its `mmmZ`. */
let secondPrefix = '';

/**
 * Brings the cached forms of the current millisecond up to date. Writes in the same millisecond (a
 * Bulk request, a busy IdP) share one timestamp string instead of each formatting and keeping its
 * own copy; the date and time of day are formatted once per second, and only the milliseconds are
 * appended per millisecond.
 */
function refreshClock(): void {
  const ms = Date.now();
  if (ms === lastMs) return;
  lastMs = ms;
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    secondPrefix = new Date(second * 1000).toISOString().slice(0, -4);
  }
  const milli = ms - second * 1000;
  lastIso = `${secondPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  lastMs36 = ms.toString(36);
}

/** Current time as an RFC 3339 string. */
export function now(): string {
  refreshClock();
  return lastIso;
}

/** Distinguishes this process's versions from another process's in the same millisecond. */
const VERSION_PREFIX = Math.random().toString(36).slice(2, 6);
let versionCounter = 0;

/**
 * A fresh weak ETag for every write, so the core never has to hash a resource (big groups):
 * time, a per-process prefix and a counter, so no two writes in one process share a version.
 */
export function newVersion(): string {
  refreshClock();
  return `W/"${lastMs36}${VERSION_PREFIX}${(++versionCounter).toString(36)}"`;
}

/**
 * Never stored: `password`. It is write-only (never read back through SCIM), and the store's files
 * are no place for it in clear; a client's password is accepted and dropped, as in the MongoDB
 * connector.
 */
export const NEVER_STORED = 'password';

/**
 * The stored form of a resource: `id` and `meta` set; `schemas`, computed attributes (`computed`),
 * a password and LokiJS's `$loki` left out.
 */
export function storable(resource: ScimResource, id: string, meta: Record<string, unknown>, computed: string): Doc {
  // A key loop, not `const { [computed]: _, meta, schemas, ...rest }`: V8 copies an object rest with
  // excluded keys through a slow runtime call (1.1 µs against 0.2 µs for a user, on every write).
  const out: Record<string, unknown> = { id };
  for (const k in resource) {
    if (
      k !== computed &&
      k !== 'meta' &&
      k !== 'schemas' &&
      k !== 'id' &&
      k !== '$loki' &&
      k !== NEVER_STORED &&
      Object.hasOwn(resource, k)
    ) {
      out[k] = resource[k];
    }
  }
  out.meta = meta;
  return out as Doc;
}

/**
 * The stored document, or 404 naming the resource type; with the client's `If-Match` (`ctx.ifMatch`)
 * a 412 when the stored version differs. Checked and written in one turn of the event loop, so no
 * other write comes between.
 */
export function mustGet(store: TenantStore, coll: CollectionName, id: string, label: string, ctx?: RequestContext): Doc {
  const d = store.get(coll, id);
  if (!d) throw new errors.NotFoundError(`${label} "${id}" not found`);
  if (ctx?.ifMatch !== undefined && !etagMatches(ctx.ifMatch, (d.meta as { version?: string } | undefined)?.version)) {
    throw new errors.PreconditionFailedError();
  }
  return d;
}

/** `meta` of a new resource. */
export function freshMeta(): Record<string, unknown> {
  const t = now();
  return { created: t, lastModified: t, version: newVersion() };
}

/** `meta` of a changed resource: creation time kept, modification time and version renewed. */
export function touchedMeta(cur: Doc): Record<string, unknown> {
  const m = cur.meta as Record<string, unknown> | undefined;
  // The usual meta (created, lastModified, version) is built as one literal: V8 spreads an object
  // into a new one through a slower generic copy. Anything else kept in meta is copied along.
  const out: Record<string, unknown> = { created: m?.created, lastModified: now(), version: newVersion() };
  if (m?.created === undefined) delete out.created;
  if (m) for (const k in m) if (k !== 'created' && k !== 'lastModified' && k !== 'version' && Object.hasOwn(m, k)) out[k] = m[k];
  return out;
}
