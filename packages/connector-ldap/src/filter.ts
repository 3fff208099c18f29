/**
 * LDAP search filters (RFC 4515) as a typed AST: a parser for the filters an
 * operator writes in configuration (`userFilter`, `groupFilter`), a
 * serializer that escapes every value, and the conversion to ldapts filter
 * objects that go on the wire. Filters built from SCIM input are assembled
 * as ASTs, never by string concatenation.
 */
import {
  AndFilter,
  ApproximateFilter,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
} from 'ldapts';
import { escapeFilterValue } from './escape.js';

/** An assertion value: text, or raw bytes (binary attributes such as `objectGUID`). */
export type FilterValue = string | Uint8Array;

/** A parsed or constructed LDAP filter. */
export type LdapFilter =
  | { type: 'and'; filters: LdapFilter[] }
  | { type: 'or'; filters: LdapFilter[] }
  | { type: 'not'; filter: LdapFilter }
  | { type: 'eq' | 'ge' | 'le' | 'approx'; attribute: string; value: FilterValue }
  | { type: 'present'; attribute: string }
  | { type: 'substring'; attribute: string; initial?: string; any: string[]; final?: string }
  | { type: 'ext'; attribute?: string; rule?: string; dnAttributes: boolean; value: FilterValue };

/** Raised for a filter string that does not follow RFC 4515. */
export class LdapFilterSyntaxError extends Error {
  override name = 'LdapFilterSyntaxError';
  readonly code = 'ERR_LDAP_FILTER_SYNTAX';
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

const ATTR_RE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9-]+)*$/;
const RULE_RE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks an attribute description before it is placed into a filter. */
export function assertAttribute(attribute: string): string {
  if (!ATTR_RE.test(attribute)) throw new LdapFilterSyntaxError(`Invalid attribute description "${attribute}"`, 0);
  return attribute;
}

/** Builds `(attribute=value)`. */
export const eq = (attribute: string, value: FilterValue): LdapFilter => ({
  type: 'eq',
  attribute: assertAttribute(attribute),
  value,
});
/** Builds `(attribute=*)`. */
export const present = (attribute: string): LdapFilter => ({ type: 'present', attribute: assertAttribute(attribute) });
/** Builds `(&…)`, flattening nested `and`s; one operand is returned as is. */
export function and(...filters: LdapFilter[]): LdapFilter {
  const flat = filters.flatMap((f) => (f.type === 'and' ? f.filters : [f]));
  return flat.length === 1 ? (flat[0] as LdapFilter) : { type: 'and', filters: flat };
}
/** Builds `(|…)`, flattening nested `or`s; one operand is returned as is. */
export function or(...filters: LdapFilter[]): LdapFilter {
  const flat = filters.flatMap((f) => (f.type === 'or' ? f.filters : [f]));
  return flat.length === 1 ? (flat[0] as LdapFilter) : { type: 'or', filters: flat };
}
/** The attributes a filter tests (lower-cased); `'*'` when an extensible match may test any. */
export function filterAttributes(f: LdapFilter): ReadonlySet<string> | '*' {
  const out = new Set<string>();
  const walk = (x: LdapFilter): boolean => {
    switch (x.type) {
      case 'and':
      case 'or':
        return x.filters.every(walk);
      case 'not':
        return walk(x.filter);
      case 'ext':
        if (x.attribute === undefined || x.dnAttributes) return false;
        out.add(x.attribute.toLowerCase());
        return true;
      default:
        out.add(x.attribute.toLowerCase());
        return true;
    }
  };
  return walk(f) ? out : '*';
}

/** Builds `(!…)`. */
export const not = (filter: LdapFilter): LdapFilter => ({ type: 'not', filter });

/**
 * Serializes a filter to its RFC 4515 string, escaping every value.
 *
 * @example
 * serializeLdapFilter(eq('uid', '*)(uid=*')) // '(uid=\\2a\\29\\28uid=\\2a)'
 */
export function serializeLdapFilter(f: LdapFilter): string {
  switch (f.type) {
    case 'and':
      return `(&${f.filters.map(serializeLdapFilter).join('')})`;
    case 'or':
      return `(|${f.filters.map(serializeLdapFilter).join('')})`;
    case 'not':
      return `(!${serializeLdapFilter(f.filter)})`;
    case 'eq':
      return `(${f.attribute}=${escapeFilterValue(f.value)})`;
    case 'ge':
      return `(${f.attribute}>=${escapeFilterValue(f.value)})`;
    case 'le':
      return `(${f.attribute}<=${escapeFilterValue(f.value)})`;
    case 'approx':
      return `(${f.attribute}~=${escapeFilterValue(f.value)})`;
    case 'present':
      return `(${f.attribute}=*)`;
    case 'substring':
      return `(${f.attribute}=${escapeFilterValue(f.initial ?? '')}*${f.any.map((a) => `${escapeFilterValue(a)}*`).join('')}${escapeFilterValue(f.final ?? '')})`;
    case 'ext':
      return `(${f.attribute ?? ''}${f.dnAttributes ? ':dn' : ''}${f.rule ? `:${f.rule}` : ''}:=${escapeFilterValue(f.value)})`;
  }
}

class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.pos];
  }
  fail(msg: string): never {
    throw new LdapFilterSyntaxError(`${msg} at offset ${this.pos} in LDAP filter`, this.pos);
  }
  expect(c: string): void {
    if (this.s[this.pos] !== c) this.fail(`Expected "${c}"`);
    this.pos++;
  }
}

/** Reads an assertion value up to `)` (or `*` when `stopAtStar`), resolving `\xx` escapes into bytes. */
function readValueBytes(r: Reader, stopAtStar: boolean): Uint8Array {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (;;) {
    const c = r.peek();
    if (c === undefined) r.fail('Unterminated filter');
    if (c === ')' || (stopAtStar && c === '*')) break;
    if (c === '(' || c === '\0' || (!stopAtStar && c === '*')) r.fail(`Unescaped "${c === '\0' ? '\\0' : c}" in value`);
    if (c === '\\') {
      const h = r.s.slice(r.pos + 1, r.pos + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) r.fail('Invalid escape');
      bytes.push(Number.parseInt(h, 16));
      r.pos += 3;
      continue;
    }
    const cp = r.s.codePointAt(r.pos) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) r.fail('Invalid character in value');
    const ch = String.fromCodePoint(cp);
    bytes.push(...enc.encode(ch));
    r.pos += ch.length;
  }
  return Uint8Array.from(bytes);
}

/** Text when the bytes are UTF-8, else the bytes themselves. */
function asValue(bytes: Uint8Array): FilterValue {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes;
  }
}

function asText(r: Reader, bytes: Uint8Array): string {
  const v = asValue(bytes);
  if (typeof v !== 'string') r.fail('Substring values must be UTF-8');
  return v;
}

function readItem(r: Reader): LdapFilter {
  const start = r.pos;
  while (r.pos < r.s.length && !'=~<>:()'.includes(r.s[r.pos] as string)) r.pos++;
  const desc = r.s.slice(start, r.pos);
  const op = r.peek();
  if (op === ':') {
    // extensible: [attr][:dn][:rule]:=value
    const assign = r.s.indexOf(':=', start);
    if (assign < 0) r.fail('Expected ":="');
    const parts = r.s.slice(start, assign).split(':');
    const attribute = parts.shift() ?? '';
    let dnAttributes = false;
    let rule: string | undefined;
    for (const p of parts) {
      if (p.toLowerCase() === 'dn' && !dnAttributes && rule === undefined) dnAttributes = true;
      else if (rule === undefined && RULE_RE.test(p)) rule = p;
      else r.fail(`Invalid extensible match component "${p}"`);
    }
    if (attribute !== '' && !ATTR_RE.test(attribute)) r.fail(`Invalid attribute description "${attribute}"`);
    if (attribute === '' && rule === undefined) r.fail('Extensible match needs an attribute or a rule');
    r.pos = assign + 2;
    const value = asValue(readValueBytes(r, false));
    return { type: 'ext', ...(attribute ? { attribute } : {}), ...(rule ? { rule } : {}), dnAttributes, value };
  }
  if (!ATTR_RE.test(desc)) r.fail(`Invalid attribute description "${desc}"`);
  if (op === '~' || op === '>' || op === '<') {
    r.pos++;
    r.expect('=');
    const value = asValue(readValueBytes(r, false));
    return { type: op === '~' ? 'approx' : op === '>' ? 'ge' : 'le', attribute: desc, value };
  }
  r.expect('=');
  const parts: Uint8Array[] = [readValueBytes(r, true)];
  while (r.peek() === '*') {
    r.pos++;
    parts.push(readValueBytes(r, true));
  }
  if (parts.length === 1) return { type: 'eq', attribute: desc, value: asValue(parts[0] as Uint8Array) };
  if (parts.length === 2 && parts[0]?.length === 0 && parts[1]?.length === 0) return { type: 'present', attribute: desc };
  const texts = parts.map((p) => asText(r, p));
  const initial = texts.shift() as string;
  const final = texts.pop() as string;
  if (texts.some((t) => t === '')) r.fail('Empty substring component');
  return {
    type: 'substring',
    attribute: desc,
    ...(initial ? { initial } : {}),
    any: texts,
    ...(final ? { final } : {}),
  };
}

function readFilter(r: Reader, depth: number): LdapFilter {
  if (depth > 64) r.fail('Filter nested too deeply');
  r.expect('(');
  const c = r.peek();
  let out: LdapFilter;
  if (c === '&' || c === '|') {
    r.pos++;
    const filters: LdapFilter[] = [];
    while (r.peek() === '(') filters.push(readFilter(r, depth + 1));
    out = { type: c === '&' ? 'and' : 'or', filters };
  } else if (c === '!') {
    r.pos++;
    out = { type: 'not', filter: readFilter(r, depth + 1) };
  } else {
    out = readItem(r);
  }
  r.expect(')');
  return out;
}

/**
 * Parses an RFC 4515 filter string. A filter without the outer parentheses
 * (`objectClass=person`) is accepted, as many tools do.
 *
 * @throws LdapFilterSyntaxError for anything else that is not a filter
 * @example
 * parseLdapFilter('(&(objectClass=person)(cn=J*))')
 */
export function parseLdapFilter(input: string): LdapFilter {
  if (typeof input !== 'string') throw new LdapFilterSyntaxError('Filter must be a string', 0);
  const text = input.trim();
  const r = new Reader(text.startsWith('(') ? text : `(${text})`);
  const f = readFilter(r, 0);
  if (r.pos !== r.s.length) r.fail('Trailing characters after filter');
  return f;
}

const buf = (v: FilterValue) => (typeof v === 'string' ? v : Buffer.from(v));
/** ldapts takes only text for these filter types; binary assertions are only meaningful for equality. */
const text = (v: FilterValue) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'));

/** Converts the AST into ldapts filter objects (values go on the wire as bytes, not re-parsed). */
export function toLdapts(f: LdapFilter): Filter {
  switch (f.type) {
    case 'and':
      return new AndFilter({ filters: f.filters.map(toLdapts) });
    case 'or':
      return new OrFilter({ filters: f.filters.map(toLdapts) });
    case 'not':
      return new NotFilter({ filter: toLdapts(f.filter) });
    case 'eq':
      return new EqualityFilter({ attribute: f.attribute, value: buf(f.value) });
    case 'ge':
      return new GreaterThanEqualsFilter({ attribute: f.attribute, value: text(f.value) });
    case 'le':
      return new LessThanEqualsFilter({ attribute: f.attribute, value: text(f.value) });
    case 'approx':
      return new ApproximateFilter({ attribute: f.attribute, value: text(f.value) });
    case 'present':
      return new PresenceFilter({ attribute: f.attribute });
    case 'substring':
      return new SubstringFilter({
        attribute: f.attribute,
        ...(f.initial ? { initial: f.initial } : {}),
        any: f.any,
        ...(f.final ? { final: f.final } : {}),
      });
    case 'ext':
      return new ExtensibleFilter({
        ...(f.attribute ? { matchType: f.attribute } : {}),
        ...(f.rule ? { rule: f.rule } : {}),
        dnAttributes: f.dnAttributes,
        value: text(f.value),
      });
  }
}
