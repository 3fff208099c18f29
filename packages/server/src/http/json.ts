/**
 * JSON of response bodies, with the JSON of large frozen arrays serialized once and reused.
 *
 * A connector that hands out the same frozen array for a value while it is unchanged (the
 * embedded store does for a group's members) gets that value serialized once: its JSON text is
 * kept in a WeakMap keyed by the array, so they live exactly as long as the array does, and a
 * changed group, being a new array, is serialized anew. Everything else is `JSON.stringify`.
 */

/** Arrays shorter than this are serialized every time: caching them would cost more than it saves. */
const MIN_CACHED_LENGTH = 64;

/**
 * Node only. On Bun the cached path measured 3× slower than serializing the array every time (348
 * against 1,025 req/s for a 5,000-member group, the same build side by side), so Bun serializes.
 */
const CACHING = (globalThis as { Bun?: unknown }).Bun === undefined;

const jsonOf = new WeakMap<readonly unknown[], string>();
/** Frozen arrays found to hold something mutable: never cached, and not checked again. */
const notCacheable = new WeakSet<readonly unknown[]>();

/**
 * True when a value's JSON can never change: a primitive, or a frozen object or array whose values
 * are such values too (one level of nesting is checked; members are flat).
 */
function immutable(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'function';
  if (!Object.isFrozen(v) || depth > 2) return false;
  if ((v as { toJSON?: unknown }).toJSON !== undefined) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (!immutable(x, depth + 1)) return false;
  return true;
}

/** The cached JSON of `v` when it is a large frozen array of immutable values. */
function cachedJson(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length < MIN_CACHED_LENGTH || !Object.isFrozen(v)) return undefined;
  const hit = jsonOf.get(v);
  if (hit !== undefined) return hit;
  if (notCacheable.has(v) || !immutable(v, 0)) {
    notCacheable.add(v);
    return undefined;
  }
  const json = JSON.stringify(v);
  jsonOf.set(v, json);
  return json;
}

/** True when some value at the top of `o` has cached (or cacheable) JSON. */
function hasCacheable(o: Record<string, unknown>): boolean {
  for (const k in o) {
    const v = o[k];
    if (Array.isArray(v) && v.length >= MIN_CACHED_LENGTH && Object.isFrozen(v)) return true;
  }
  return false;
}

/** Appends the JSON of a plain object to `parts`, cached arrays at its top level as their cached JSON. */
function objectParts(o: Record<string, unknown>, parts: string[]): void {
  let text = '{';
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
  parts.push(`${text}}`);
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && (v as { toJSON?: unknown }).toJSON === undefined;

/**
 * The JSON of a response body, with the cached JSON of large frozen arrays at the top of a resource
 * (or of each resource of a list response) put in as it is. The pieces are joined as one string
 * (on Node, `sendJson` then encodes a large one to bytes once).
 */
export function responseJson(body: unknown): string {
  if (!CACHING || !isPlain(body)) return JSON.stringify(body);
  const resources = body.Resources;
  const listed = Array.isArray(resources) && resources.some((r) => isPlain(r) && hasCacheable(r));
  if (!listed && !hasCacheable(body)) return JSON.stringify(body);
  const parts: string[] = [];
  if (!listed) objectParts(body, parts);
  else {
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
      parts.push(`${text}${first ? '' : ','}"Resources":[`);
      text = '';
      first = false;
      (v as unknown[]).forEach((r, i) => {
        if (i > 0) parts.push(',');
        if (isPlain(r) && hasCacheable(r)) objectParts(r, parts);
        else parts.push(JSON.stringify(r) ?? 'null');
      });
      parts.push(']');
    }
    parts.push(`${text}}`);
  }
  return parts.join('');
}
