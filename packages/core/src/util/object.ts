/** Small object helpers shared by the core. Internal. */

/** Own-property lookup, exact name first, then case-insensitively (SCIM names are case-insensitive). */
export function getCI(obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const o = obj as Record<string, unknown>;
  if (Object.hasOwn(o, key)) return o[key];
  const k = findKeyCI(o, key);
  return k === undefined ? undefined : o[k];
}

/** The actual key of `obj` that equals `key` case-insensitively. */
export function findKeyCI(obj: Record<string, unknown>, key: string): string | undefined {
  if (Object.hasOwn(obj, key)) return key;
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return k;
  return undefined;
}

/** True for plain JSON objects (not arrays, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** True for keys that must never be copied from client JSON (prototype pollution). */
export function isForbiddenKey(k: string): boolean {
  return FORBIDDEN_KEYS.has(k);
}

/**
 * `table[key]` when `table` has `key` as its own property, else `undefined`. For lookups in object
 * literals by a name that came from data: `table['constructor']` is `Object` and
 * `table['__proto__']` is `Object.prototype`, both inherited.
 */
export function ownValue<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * `value` without `__proto__`, `constructor` and `prototype` keys at any depth (up to
 * {@link MAX_JSON_DEPTH}, as deep as client JSON may nest). `value` itself when it has none, which
 * is the usual case: nothing is copied then. Otherwise a copy of each object and array on the way
 * to such a key; the rest is shared, and `value` is not changed (it may be frozen).
 *
 * For what connectors return: client JSON loses these keys when it is parsed
 * ({@link parseJsonSafe}), but a connector's resources come from a target (a REST service's JSON,
 * a document database, a JSON column) and may hold them as own properties. Copied by assignment
 * (`out[k] = v`, `Object.assign`), an own `__proto__` sets the copy's prototype instead, and a
 * lookup of `constructor` in a plain object finds `Object`.
 */
export function withoutForbiddenKeys<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  allFrozen = true;
  return clean(value, 0) as T;
}

/**
 * Lists at least this long that were found clean and deeply frozen are remembered and not walked
 * again: a big group's members, handed out as the same frozen array while the membership is
 * unchanged, would otherwise be walked on every read of the group (5,000 members: about as much
 * CPU as the rest of the read).
 */
const MIN_KNOWN_CLEAN = 32;
const knownClean = new WeakSet<object>();
/** While a walk is under way: false once it has met an object or array that is not frozen. */
let allFrozen = true;

function clean(v: object, depth: number): object {
  if (depth >= MAX_JSON_DEPTH) {
    // Not looked into: no list holding it is remembered as clean.
    allFrozen = false;
    return v;
  }
  if (Array.isArray(v)) {
    const long = v.length >= MIN_KNOWN_CLEAN;
    if (long && knownClean.has(v)) return v;
    // The list's own part of the walk decides whether it can be remembered.
    const outer = allFrozen;
    allFrozen = true;
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const el: unknown = v[i];
      if (typeof el !== 'object' || el === null) continue;
      const c = clean(el, depth + 1);
      if (c !== el) (out ??= v.slice())[i] = c;
    }
    // Asked last, and only of a list whose elements are all frozen (on Bun it walks the list).
    const frozen = allFrozen && Object.isFrozen(v);
    if (long && frozen && out === undefined) knownClean.add(v);
    allFrozen = outer && frozen;
    return out ?? v;
  }
  const o = v as Record<string, unknown>;
  if (allFrozen && !Object.isFrozen(o)) allFrozen = false;
  const keys = Object.keys(o);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const c0 = k.charCodeAt(0);
    // "_", "c", "p": the first letters of the three keys; most keys are let through on it.
    if ((c0 === 95 || c0 === 99 || c0 === 112) && FORBIDDEN_KEYS.has(k)) {
      out ??= copyOf(o, keys, i);
      continue;
    }
    const el = o[k];
    const c = typeof el === 'object' && el !== null ? clean(el, depth + 1) : el;
    if (out !== undefined) out[k] = c;
    else if (c !== el) {
      out = copyOf(o, keys, i);
      out[k] = c;
    }
  }
  return out ?? o;
}

/** A new object with `o`'s first `n` keys (none of them forbidden: they were let through). */
function copyOf(o: Record<string, unknown>, keys: string[], n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let j = 0; j < n; j++) out[keys[j] as string] = o[keys[j] as string];
  return out;
}

/**
 * How deeply client JSON may nest (objects and arrays, each one level). SCIM resources need about
 * five; the bound keeps every later recursive step (copying, projecting, serializing, journaling)
 * far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 64;

/** True when `text` nests objects/arrays deeper than `max` (strings are skipped, escapes honoured). */
export function jsonNestsDeeper(text: string, max: number): boolean {
  // A text cannot nest deeper than it has characters, nor than it has opening brackets: most
  // bodies have a handful, found by indexOf (native) rather than by looking at every character.
  if (text.length <= max || !opensMoreThan(text, max)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character (which may be a quote).
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** True when `text` holds more than `max` opening brackets (`{` or `[`, in strings too). */
function opensMoreThan(text: string, max: number): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++n > max) return true;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++n > max) return true;
  return false;
}

/**
 * Parses client JSON, dropping `__proto__`/`constructor`/`prototype` keys so that no later merge can
 * pollute prototypes, and refusing nesting deeper than {@link MAX_JSON_DEPTH} (a `SyntaxError`).
 */
export function parseJsonSafe(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonNestsDeeper(text, maxDepth)) throw new SyntaxError(`JSON nested deeper than ${maxDepth} levels`);
  // A reviver makes JSON.parse several times slower, and almost no body needs one: a forbidden key
  // can only be spelled out (it contains "proto" or "constructor") or hidden behind a \u escape.
  if (!text.includes('proto') && !text.includes('constructor') && !text.includes('\\u')) return JSON.parse(text);
  return JSON.parse(text, dropForbidden);
}

function dropForbidden(k: string, v: unknown): unknown {
  return isForbiddenKey(k) ? undefined : v;
}

/** Deep clone of JSON data. */
export function cloneJson<T>(v: T): T {
  // Most PATCH values are strings or booleans: structuredClone would serialize and deserialize them.
  return typeof v !== 'object' || v === null ? v : (structuredClone(v) as T);
}
