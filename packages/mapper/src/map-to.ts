/** The `mapTo` grammar: comma-separated SCIM targets `[urn:…:]attr[.typeKey].sub`. */
import { MapperConfigError } from './errors.js';
import type { RawTarget } from './types.js';

const NAME = /^(\$ref|[A-Za-z_][\w-]*)$/;
const TYPE_KEY = /^[^\s.,[\]"':]+$/;
const URN = /^urn:[A-Za-z0-9][^\s,[\]"]*$/i;
/** Names that would reach an object's prototype when used as keys. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function element(text: string, where: string): RawTarget {
  let uri: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const cut = text.lastIndexOf(':');
    uri = text.slice(0, cut);
    rest = text.slice(cut + 1);
    if (!URN.test(uri) || rest === '') {
      throw new MapperConfigError(where, `"${text}" is not a valid URN-qualified target (expected urn:…:attribute)`);
    }
  }
  const segs = rest.split('.');
  if (segs.length > 3) {
    throw new MapperConfigError(where, `"${text}" has too many parts (use attr, attr.sub or attr.type.sub)`);
  }
  const [attr, second, third] = segs as [string, string | undefined, string | undefined];
  if (!NAME.test(attr)) throw new MapperConfigError(where, `"${text}": "${attr}" is not a valid attribute name`);
  for (const s of segs)
    if (FORBIDDEN_KEYS.has(s)) throw new MapperConfigError(where, `"${text}": "${s}" is not allowed as a name`);
  const out: RawTarget = { text, attr };
  if (uri !== undefined) out.uri = uri;
  if (third !== undefined) {
    if (second === undefined || !TYPE_KEY.test(second)) {
      throw new MapperConfigError(where, `"${text}": "${second ?? ''}" is not a valid type key`);
    }
    if (!NAME.test(third)) throw new MapperConfigError(where, `"${text}": "${third}" is not a valid sub-attribute name`);
    out.typeKey = second;
    out.sub = third;
  } else if (second !== undefined) {
    if (!NAME.test(second)) throw new MapperConfigError(where, `"${text}": "${second}" is not a valid sub-attribute name`);
    out.sub = second;
  }
  return out;
}

/**
 * Parses a `mapTo` value. Throws only {@link MapperConfigError}, naming `where`.
 *
 * @param text - e.g. `"emails.work.value,userName"`
 * @param where - JSON path for error messages, e.g. `map.user.mail.mapTo`
 *
 * @example
 * parseMapTo('name.givenName') // [{ text: 'name.givenName', attr: 'name', sub: 'givenName' }]
 * parseMapTo('phoneNumbers.mobile.value') // [{ …, attr: 'phoneNumbers', typeKey: 'mobile', sub: 'value' }]
 */
export function parseMapTo(text: unknown, where = 'mapTo'): RawTarget[] {
  if (typeof text !== 'string') throw new MapperConfigError(where, 'must be a string of comma-separated SCIM attribute paths');
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 1 && parts[0] === '') throw new MapperConfigError(where, 'must name at least one SCIM attribute');
  const seen = new Set<string>();
  const out: RawTarget[] = [];
  for (const p of parts) {
    if (p === '') throw new MapperConfigError(where, `"${text}" has an empty element`);
    const key = p.toLowerCase();
    if (seen.has(key)) throw new MapperConfigError(where, `"${p}" is listed twice`);
    seen.add(key);
    out.push(element(p, where));
  }
  return out;
}
