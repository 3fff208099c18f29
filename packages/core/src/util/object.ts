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
 * Parses client JSON, dropping `__proto__`/`constructor`/`prototype` keys so
 * that no later merge can pollute prototypes.
 */
export function parseJsonSafe(text: string): unknown {
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
