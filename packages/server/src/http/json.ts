/**
 * JSON of response bodies, with the JSON of large frozen arrays serialized once and reused.
 *
 * A connector that hands out the same frozen array for a value while it is unchanged (the
 * embedded store does for a group's members) gets that value serialized once: its JSON is kept
 * for the array object, so a changed group, being a new array, is serialized anew. The JSON is
 * kept as UTF-8 bytes, and the body goes to the socket as pieces (the resource's own keys as text,
 * the cached bytes as they are), so a read neither serializes nor encodes the members. Everything
 * else is `JSON.stringify`.
 *
 * The cache holds at most {@link MAX_CACHED_BYTES} of JSON, least recently read first out, and
 * lets go of an entry as soon as its array is collected (a group that changed), so it cannot grow
 * with the directory.
 */

/** Arrays shorter than this are serialized every time: caching them would cost more than it saves. */
const MIN_CACHED_LENGTH = 64;

/** Upper bound of the JSON kept, in bytes. */
export const MAX_CACHED_BYTES = 32 * 1024 * 1024;

/** One piece of a body: text, or bytes already encoded. */
export type BodyPiece = string | Buffer;

interface Entry {
  /** The JSON, as UTF-8 bytes. */
  readonly json: Buffer;
  readonly size: number;
  readonly array: WeakRef<readonly unknown[]>;
}

/**
 * The cache, keyed by the array object. Nothing here ever reads Object.isFrozen on a hit: on Bun
 * (JavaScriptCore) it walks every element (a millisecond for 5,000 members, per call), which is
 * what made the cached path slower than serializing there.
 */
const byArray = new WeakMap<readonly unknown[], Entry>();
/** Entries from least to most recently read. */
const recency = new Set<Entry>();
let cachedBytes = 0;
/** Arrays found to be mutable or to hold something mutable: never cached, and not checked again. */
const notCacheable = new WeakSet<readonly unknown[]>();

const forget = (e: Entry) => {
  if (recency.delete(e)) cachedBytes -= e.size;
};
/** An array that was collected (a group whose membership changed) takes its JSON with it. */
const collected = new FinalizationRegistry<Entry>(forget);

/**
 * True when a value's JSON can never change: a primitive, or a frozen object or array whose values
 * are such values too (one level of nesting is checked; members are flat).
 */
function immutable(v: unknown, depth: number, maxDepth = 2): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'function';
  if (!Object.isFrozen(v) || depth > maxDepth) return false;
  if ((v as { toJSON?: unknown }).toJSON !== undefined) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (!immutable(x, depth + 1, maxDepth)) return false;
  return true;
}

/** The cached JSON of `v`, as UTF-8 bytes, when it is a large frozen array of immutable values. */
function cachedJson(v: unknown): Buffer | undefined {
  if (!Array.isArray(v) || v.length < MIN_CACHED_LENGTH) return undefined;
  const hit = byArray.get(v);
  if (hit !== undefined) {
    recency.delete(hit);
    recency.add(hit);
    return hit.json;
  }
  if (notCacheable.has(v)) return undefined;
  if (!Object.isFrozen(v) || !immutable(v, 0)) {
    notCacheable.add(v);
    return undefined;
  }
  const json = Buffer.from(JSON.stringify(v), 'utf8');
  const size = json.length;
  if (size > MAX_CACHED_BYTES / 4) return json; // too big to keep: serialized for this response only
  const e: Entry = { json, size, array: new WeakRef(v) };
  byArray.set(v, e);
  recency.add(e);
  cachedBytes += size;
  collected.register(v, e, e);
  while (cachedBytes > MAX_CACHED_BYTES) {
    const oldest = recency.values().next().value as Entry;
    forget(oldest);
    collected.unregister(oldest);
    const a = oldest.array.deref();
    if (a !== undefined) byArray.delete(a);
  }
  return json;
}

/**
 * The JSON of frozen resources (a connector's resource shaped by core, the same frozen object while
 * the resource is unchanged: the embedded store's users), kept by the object: a page of users in
 * the steady state serializes none of them. Kept as UTF-8 bytes: a page's body is put together
 * from bytes (`sendJson` joins them into one Buffer), with no serializing, encoding or length
 * counting of the resources (on Bun this measured no slower than text, which still needed
 * `Buffer.byteLength` on the joined body). Bounded by {@link MAX_CACHED_RESOURCE_BYTES}; an entry
 * goes with its object.
 */
interface ResourceEntry {
  /** The JSON as UTF-8 bytes: a view of {@link comma} without its first byte. */
  readonly json: Buffer;
  /**
   * `,` and then the JSON: what follows the first resource of a page, in one piece (a page of 100
   * resources goes out in about 100 pieces, not 200).
   */
  readonly comma: Buffer;
  readonly size: number;
  readonly object: WeakRef<object>;
  /** Read since the eviction hand last passed (a second chance: a hit costs no Set writes). */
  used: boolean;
}

/** Upper bound of the resource JSON kept, in bytes. */
export const MAX_CACHED_RESOURCE_BYTES = 16 * 1024 * 1024;
/** Resources whose JSON is longer than this are not kept (their large arrays are, see above). */
const MAX_RESOURCE_CHARS = 64 * 1024;

const byObject = new WeakMap<object, ResourceEntry>();
/** Entries in the order the eviction hand visits them. */
const resourceOrder = new Set<ResourceEntry>();
let cachedResourceBytes = 0;
/** Frozen objects found to hold something mutable (or too large): never kept, not checked again. */
const notKeptObjects = new WeakSet<object>();
/** Frozen objects written once (see {@link resourceJson}). */
const seenOnce = new WeakSet<object>();

const forgetResource = (e: ResourceEntry) => {
  if (resourceOrder.delete(e)) cachedResourceBytes -= e.size;
};
const collectedResource = new FinalizationRegistry<ResourceEntry>(forgetResource);

/**
 * The kept JSON of a frozen resource whose values are all immutable, undefined for anything else
 * (checked once per object: Object.isFrozen is never read on a hit).
 */
function resourceJson(o: Record<string, unknown>): Buffer | string | undefined {
  const kept = resourceEntry(o);
  return kept === undefined || typeof kept === 'string' ? kept : kept.json;
}

/** {@link resourceJson} as its cache entry (or the text, or undefined). */
function resourceEntry(o: Record<string, unknown>): ResourceEntry | string | undefined {
  const hit = byObject.get(o);
  if (hit !== undefined) {
    hit.used = true;
    return hit;
  }
  if (!Object.isFrozen(o) || notKeptObjects.has(o)) return undefined;
  // Kept from the second time an object is written: one read of a resource (a lookup by a
  // userName nobody asks for again) pays no more than serializing it.
  if (!seenOnce.has(o)) {
    seenOnce.add(o);
    return undefined;
  }
  if (!immutable(o, 0, 16) || hasCacheable(o)) {
    notKeptObjects.add(o);
    return undefined;
  }
  const text = JSON.stringify(o);
  if (text.length > MAX_RESOURCE_CHARS) {
    notKeptObjects.add(o);
    return text;
  }
  const comma = Buffer.from(`,${text}`, 'utf8');
  const e: ResourceEntry = { json: comma.subarray(1), comma, size: comma.length, object: new WeakRef(o), used: false };
  byObject.set(o, e);
  resourceOrder.add(e);
  cachedResourceBytes += e.size;
  collectedResource.register(o, e, e);
  // Out go the entries not read since the hand last passed them (CLOCK); read ones go to the back.
  while (cachedResourceBytes > MAX_CACHED_RESOURCE_BYTES) {
    const oldest = resourceOrder.values().next().value as ResourceEntry;
    resourceOrder.delete(oldest);
    if (oldest.used) {
      oldest.used = false;
      resourceOrder.add(oldest);
      continue;
    }
    cachedResourceBytes -= oldest.size;
    collectedResource.unregister(oldest);
    const a = oldest.object.deref();
    if (a !== undefined) byObject.delete(a);
  }
  return e;
}

/** Bytes of resource JSON the cache holds (tests). */
export function cachedResourceJsonBytes(): number {
  return cachedResourceBytes;
}

/** Bytes of JSON the cache holds (tests). */
export function cachedJsonBytes(): number {
  return cachedBytes;
}

/** True when some value at the top of `o` has cached (or cacheable) JSON. */
function hasCacheable(o: Record<string, unknown>): boolean {
  for (const k in o) {
    const v = o[k];
    if (Array.isArray(v) && v.length >= MIN_CACHED_LENGTH && cachedJson(v) !== undefined) return true;
  }
  return false;
}

/** Appends the JSON of a plain object to `parts`, cached arrays at its top level as their cached JSON. */
function objectParts(o: Record<string, unknown>, parts: BodyPiece[], text: string): string {
  text += '{';
  let first = true;
  for (const k of Object.keys(o)) {
    const v = o[k];
    const cached = cachedJson(v);
    if (cached !== undefined) {
      parts.push(`${text}${first ? '' : ','}${JSON.stringify(k)}:`, cached);
      text = '';
      first = false;
      continue;
    }
    const json = JSON.stringify(v);
    // JSON.stringify leaves out keys whose value has no JSON (undefined, functions, symbols).
    if (json === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(k)}:${json}`;
    first = false;
  }
  return `${text}}`;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && (v as { toJSON?: unknown }).toJSON === undefined;

/**
 * The JSON of a response body as pieces: a string when nothing in it was cached, else the text
 * around each cached array and the cached JSON itself (bytes). Cached arrays are looked for
 * at the top of a resource and of each resource of a list response.
 */
export function responsePieces(body: unknown): string | BodyPiece[] {
  if (!isPlain(body)) return JSON.stringify(body);
  const kept = resourceJson(body);
  if (kept !== undefined) return typeof kept === 'string' ? kept : asText([kept]);
  const resources = body.Resources;
  const listed =
    Array.isArray(resources) && resources.some((r) => isPlain(r) && (byObject.has(r) || Object.isFrozen(r) || hasCacheable(r)));
  if (!listed && !hasCacheable(body)) return JSON.stringify(body);
  const parts: BodyPiece[] = [];
  if (!listed) {
    parts.push(objectParts(body, parts, ''));
    return parts;
  }
  // A list response: its own keys as JSON, each resource with its cached arrays' JSON.
  let text = '{';
  let first = true;
  for (const k of Object.keys(body)) {
    const v = body[k];
    if (k !== 'Resources') {
      const json = JSON.stringify(v);
      if (json === undefined) continue;
      text += `${first ? '' : ','}${JSON.stringify(k)}:${json}`;
      first = false;
      continue;
    }
    text += `${first ? '' : ','}"Resources":[`;
    first = false;
    const list = v as unknown[];
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      const plain = isPlain(r);
      const kept = plain ? resourceEntry(r) : undefined;
      if (kept !== undefined && typeof kept !== 'string') {
        // Kept bytes: with their separator in front, so that a page is a piece per resource.
        if (text !== '') parts.push(text);
        parts.push(i > 0 ? kept.comma : kept.json);
        text = '';
        continue;
      }
      if (i > 0) text += ',';
      if (kept !== undefined) text += kept;
      else if (plain && hasCacheable(r)) text = objectParts(r, parts, text);
      else text += JSON.stringify(r) ?? 'null';
    }
    text += ']';
  }
  if (parts.length === 0) return `${text}}`;
  parts.push(`${text}}`);
  return asText(parts);
}

/** Below this many bytes of kept JSON, a body is joined into one string (one write, see send.ts). */
const JOIN_BELOW = 16 * 1024;

/**
 * Pieces as they are, or joined into one string when their kept bytes are few (a page of one user,
 * a read by id): a small string body goes out with the headers in one write, where pieces would
 * take a write each.
 */
function asText(parts: BodyPiece[]): string | BodyPiece[] {
  let bytes = 0;
  for (const p of parts) if (typeof p !== 'string') bytes += p.length;
  if (bytes >= JOIN_BELOW) return parts;
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : p.toString('utf8');
  return out;
}

/** The JSON of a response body as one string (pieces joined). */
export function responseJson(body: unknown): string {
  const pieces = responsePieces(body);
  if (typeof pieces === 'string') return pieces;
  let out = '';
  for (const p of pieces) out += typeof p === 'string' ? p : p.toString('utf8');
  return out;
}
