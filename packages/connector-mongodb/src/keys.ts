/**
 * Field names as stored. MongoDB reads a dot in a field name as a path separator and a leading `$`
 * as an operator, so neither may reach a query, an update or a stored document unchanged; keys are
 * escaped on the way in and restored on the way out, at every level of a document:
 *
 * - `.` becomes `·` (U+00B7), as the older product stored extension URNs
 *   (`urn:…:enterprise:2·0:User`), so its documents keep their keys;
 * - a leading `$` becomes `%24` (the members' `$ref` is stored as `%24ref`);
 * - `%` and `·` themselves become `%25` and `%C2%B7`, so decoding is exact; the empty key is `%`.
 *
 * Keys without any of `. $ % ·` are stored as they are: every built-in SCIM attribute name.
 */

const NEEDS_ENCODING = /[.%\u00b7]|^\$|^$/;
const NEEDS_DECODING = /[%\u00b7]/;
const ENCODED_PART = /%25|%24|%C2%B7|\u00b7/g;
const DECODED: Record<string, string> = { '%25': '%', '%24': '$', '%C2%B7': '\u00b7', '\u00b7': '.' };

/** The stored form of one key. */
export function encodeKey(key: string): string {
  if (!NEEDS_ENCODING.test(key)) return key;
  if (key === '') return '%';
  const escaped = key
    .replace(/%/g, '%25')
    .replace(/\u00b7/g, '%C2%B7')
    .replace(/\./g, '\u00b7');
  return escaped.startsWith('$') ? `%24${escaped.slice(1)}` : escaped;
}

/** The key a stored key stands for (inverse of {@link encodeKey}). */
export function decodeKey(stored: string): string {
  if (!NEEDS_DECODING.test(stored)) return stored;
  if (stored === '%') return '';
  return stored.replace(ENCODED_PART, (part) => DECODED[part] as string);
}

/** Sets `obj[key]` as an own property, even for `__proto__` (never a prototype change). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Rewrites every key of a JSON value with `rename`; values are copied, never shared. */
function mapKeys(value: unknown, rename: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, rename));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (v !== undefined) setOwn(out, rename(k), mapKeys(v, rename));
  }
  return out;
}

/** A JSON value with every key in stored form (BSON values such as ObjectId pass through). */
export function encodeValue(value: unknown): unknown {
  return mapKeys(value, encodeKey);
}

/** A stored value with every key restored. */
export function decodeValue(value: unknown): unknown {
  return mapKeys(value, decodeKey);
}
