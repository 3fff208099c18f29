/**
 * Distinguished names (RFC 4514): a real parser and serializer, so DNs are
 * handled as structures and never assembled or split with string functions.
 * Values come out decoded (escapes resolved, `\xx` byte runs read as UTF-8);
 * `#hex` values stay binary.
 *
 * Parsing is lenient where real servers are (spaces around `,`, `+` and `=`
 * as in RFC 2253/1779 output, `;` as an RDN separator) and strict where it
 * matters (an unescaped special inside a value, bad hex, bytes that are not
 * UTF-8): anything it cannot read raises {@link DnSyntaxError}, nothing else.
 */
import { escapeDnValue } from './escape.js';

/** One `type=value` pair. `value` is a string, or bytes for the `#hex` form. */
export interface Ava {
  type: string;
  value: string | Uint8Array;
}

/** A relative DN: one or more AVAs joined by `+`. */
export type Rdn = Ava[];

/** A DN as a list of RDNs, leaf first (`uid=a,ou=people,dc=x` → `[uid=a], [ou=people], [dc=x]`). */
export type Dn = Rdn[];

/** Raised for any DN that does not follow RFC 4514. */
export class DnSyntaxError extends Error {
  override name = 'DnSyntaxError';
  /** Stable code for callers that branch on errors. */
  readonly code = 'ERR_LDAP_DN_SYNTAX';
  /** Offset in the input where parsing stopped. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isSpace = (c: string | undefined) => c === ' ';
const TYPE_RE = /^(?:[A-Za-z][A-Za-z0-9-]*|(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+)$/;
/** Characters that may follow `\` as themselves (RFC 4514 `special` / `escaped`, and `\` itself). */
const PAIR_CHARS = new Set(['\\', '"', '+', ',', ';', '<', '>', ' ', '#', '=']);

class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.pos];
  }
  done(): boolean {
    return this.pos >= this.s.length;
  }
  fail(msg: string): never {
    throw new DnSyntaxError(`${msg} at offset ${this.pos} in DN`, this.pos);
  }
  skipSpaces(): void {
    while (isSpace(this.peek())) this.pos++;
  }
}

function readType(r: Reader): string {
  r.skipSpaces();
  const start = r.pos;
  while (!r.done() && /[A-Za-z0-9.-]/.test(r.peek() as string)) r.pos++;
  let type = r.s.slice(start, r.pos);
  // RFC 1779 allowed an "OID." prefix; accept it on input only.
  if (/^oid\./i.test(type)) type = type.slice(4);
  if (!TYPE_RE.test(type)) r.fail(type === '' ? 'Missing attribute type' : `Invalid attribute type "${type}"`);
  r.skipSpaces();
  if (r.peek() !== '=') r.fail('Expected "="');
  r.pos++;
  return type;
}

function readHexValue(r: Reader): Uint8Array {
  r.pos++; // '#'
  const start = r.pos;
  while (isHex(r.peek())) r.pos++;
  const hex = r.s.slice(start, r.pos);
  if (hex.length === 0 || hex.length % 2 !== 0) r.fail('Invalid #hex value');
  r.skipSpaces();
  const next = r.peek();
  if (next !== undefined && next !== ',' && next !== '+' && next !== ';') r.fail('Unexpected character after #hex value');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function readStringValue(r: Reader): string {
  r.skipSpaces();
  let out = '';
  /** Length of `out` that must be kept even if it ends in spaces (escaped). */
  let keep = 0;
  let bytes: number[] = [];
  const flush = () => {
    if (!bytes.length) return;
    try {
      out += utf8.decode(Uint8Array.from(bytes));
    } catch {
      r.fail('Escaped bytes are not valid UTF-8');
    }
    bytes = [];
    keep = out.length;
  };
  for (;;) {
    const c = r.peek();
    if (c === undefined || c === ',' || c === '+' || c === ';') break;
    if (c === '\\') {
      const a = r.s[r.pos + 1];
      const b = r.s[r.pos + 2];
      if (isHex(a) && isHex(b)) {
        bytes.push(Number.parseInt(`${a}${b}`, 16));
        r.pos += 3;
        continue;
      }
      flush();
      if (a !== undefined && PAIR_CHARS.has(a)) {
        out += a;
        keep = out.length;
        r.pos += 2;
        continue;
      }
      r.fail('Invalid escape');
    }
    flush();
    if (c === '"' || c === '<' || c === '>' || c === '\0') r.fail(`Unescaped "${c === '\0' ? '\\0' : c}" in value`);
    // Not a character at all: a lone surrogate cannot be encoded as UTF-8.
    const cp = r.s.codePointAt(r.pos) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) r.fail('Invalid character in value');
    const ch = String.fromCodePoint(cp);
    out += ch;
    r.pos += ch.length;
  }
  flush();
  // Unescaped trailing spaces are not part of the value.
  let end = out.length;
  while (end > keep && out[end - 1] === ' ') end--;
  return out.slice(0, end);
}

/**
 * Parses an RFC 4514 DN string. The empty string is the root DN (`[]`).
 *
 * @param input - a DN such as `cn=Smith\, John,ou=people,dc=example,dc=org`
 * @returns the RDNs, leaf first
 * @throws DnSyntaxError for anything that is not a DN
 * @example
 * parseDn('cn=a+sn=b,dc=x') // [[{type:'cn',value:'a'},{type:'sn',value:'b'}],[{type:'dc',value:'x'}]]
 */
export function parseDn(input: string): Dn {
  if (typeof input !== 'string') throw new DnSyntaxError('DN must be a string', 0);
  const r = new Reader(input);
  r.skipSpaces();
  if (r.done()) return [];
  const dn: Dn = [];
  let rdn: Rdn = [];
  for (;;) {
    const type = readType(r);
    r.skipSpaces();
    const value = r.peek() === '#' ? readHexValue(r) : readStringValue(r);
    rdn.push({ type, value });
    const sep = r.peek();
    if (sep === undefined) break;
    r.pos++;
    if (sep !== '+') {
      dn.push(rdn);
      rdn = [];
    }
    if (r.done()) r.fail('DN ends with a separator');
  }
  dn.push(rdn);
  return dn;
}

/** Serializes one AVA value (string escaped per RFC 4514, bytes as `#hex`). */
function serializeValue(value: string | Uint8Array): string {
  return typeof value === 'string' ? escapeDnValue(value) : `#${Buffer.from(value).toString('hex')}`;
}

/**
 * Serializes a DN to its RFC 4514 string (no spaces around separators,
 * types as given, values escaped). `parseDn(serializeDn(dn))` equals `dn`.
 *
 * @param dn - the RDNs, leaf first
 * @returns the DN string
 * @example
 * serializeDn([[{ type: 'cn', value: 'Smith, John' }], [{ type: 'dc', value: 'x' }]]) // 'cn=Smith\\, John,dc=x'
 */
export function serializeDn(dn: Dn): string {
  return dn.map((rdn) => rdn.map((a) => `${a.type}=${serializeValue(a.value)}`).join('+')).join(',');
}

/** Parses and re-serializes a DN, giving one spelling for every way of writing it. */
export function canonicalDn(input: string): string {
  return serializeDn(parseDn(input));
}

function normValue(v: string | Uint8Array): string {
  // A string never serializes with a bare leading '#', so the two forms cannot collide.
  return typeof v === 'string' ? escapeDnValue(v.trim().replace(/ +/g, ' ').toLowerCase()) : `#${Buffer.from(v).toString('hex')}`;
}

/**
 * A comparison key for DNs: attribute types and values lower-cased, inner
 * spaces collapsed, AVAs of a multi-valued RDN sorted. Two DNs a directory
 * treats as equal (for the usual case-ignoring naming attributes) get the
 * same key.
 *
 * @param dn - a DN string or parsed DN
 */
export function dnKey(dn: string | Dn): string {
  return typeof dn === 'string' ? keyed(dn).key : rdnKeys(dn).join(',');
}

const rdnKeys = (dn: Dn): string[] =>
  dn.map((rdn) =>
    rdn
      .map((a) => `${a.type.toLowerCase()}=${normValue(a.value)}`)
      .sort()
      .join('+'),
  );

/**
 * The plain form most directories write their DNs in: ASCII `type=value` pairs joined by `,`,
 * types that are names (not OIDs), values of letters, digits and `_ . @ -` only — no escapes,
 * spaces, quotes or multi-valued RDNs. Linear: no class overlaps the separators.
 */
const PLAIN_DN = /^[A-Za-z][A-Za-z0-9-]*=[\w.@-]+(?:,[A-Za-z][A-Za-z0-9-]*=[\w.@-]+)*$/;

/**
 * The {@link dnKey} of a DN in the plain form (`uid=jdoe,ou=people,dc=example,dc=org`)
 * without parsing it: nothing in such a DN is escaped, trimmed or reordered, so its key is the
 * DN lower-cased. `undefined` for every other DN, which then takes the full parse.
 *
 * @example
 * plainDnKey('uid=JDoe,ou=People,dc=x') // 'uid=jdoe,ou=people,dc=x'
 * plainDnKey('cn=Smith\\, John,dc=x') // undefined
 */
export function plainDnKey(dn: string): string | undefined {
  return PLAIN_DN.test(dn) ? dn.toLowerCase() : undefined;
}

/** Keys of DN strings seen lately: a group's member DNs are keyed several times per request. */
const KEY_CACHE_MAX = 16_384;
const keyCache = new Map<string, { key: string; rdns: readonly string[] }>();

function keyed(dn: string): { key: string; rdns: readonly string[] } {
  let k = keyCache.get(dn);
  if (k === undefined) {
    const plain = plainDnKey(dn);
    const rdns = plain === undefined ? rdnKeys(parseDn(dn)) : plain.split(',');
    k = { key: plain ?? rdns.join(','), rdns };
    // Cleared when full: bounded memory, and a working set of one request always fits.
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(dn, k);
  }
  return k;
}

/** {@link dnKey}, or `undefined` for text that is not a DN (a stray member value, say). */
export function tryDnKey(dn: string): string | undefined {
  try {
    return dnKey(dn);
  } catch (e) {
    if (e instanceof DnSyntaxError) return undefined;
    throw e;
  }
}

/**
 * A DN's {@link dnKey} and the keys of its RDNs, cached like {@link dnKey}; `undefined` for
 * text that is not a DN. With {@link endsWithRdns}, tests one DN against several bases without
 * looking it up again for each.
 */
export function tryKeyed(dn: string): { key: string; rdns: readonly string[] } | undefined {
  try {
    return keyed(dn);
  } catch (e) {
    if (e instanceof DnSyntaxError) return undefined;
    throw e;
  }
}

/** The keys of a parsed DN's RDNs (for {@link endsWithRdns}). */
export const rdnKeysOf = (dn: Dn): readonly string[] => rdnKeys(dn);

/** True when the DN with RDN keys `d` is the one with keys `base` or lies below it. */
export function endsWithRdns(d: readonly string[], base: readonly string[]): boolean {
  if (base.length > d.length) return false;
  const offset = d.length - base.length;
  for (let i = 0; i < base.length; i++) if (d[offset + i] !== base[i]) return false;
  return true;
}

/** True when `dn` is `base` or lies below it. */
export function isWithin(dn: string | Dn, base: string | Dn): boolean {
  const d = typeof dn === 'string' ? keyed(dn).rdns : rdnKeys(dn);
  const b = typeof base === 'string' ? keyed(base).rdns : rdnKeys(base);
  if (b.length > d.length) return false;
  const offset = d.length - b.length;
  return b.every((r, i) => d[offset + i] === r);
}

/**
 * The resolved ids of DNs (`ids` keyed by {@link tryDnKey}), in order; DNs that are unparseable
 * or unresolved are left out, as by {@link dnRefs}.
 */
export function dnIds(dns: readonly string[], ids: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const dn of dns) {
    const key = tryDnKey(dn);
    const id = key === undefined ? undefined : ids.get(key);
    if (id !== undefined) out.push(id);
  }
  return out;
}

/**
 * SCIM references for DNs whose ids were resolved (`ids` keyed by {@link tryDnKey}); DNs that
 * are unparseable or unresolved (outside the bases, placeholders) are left out.
 */
export function dnRefs<E extends object>(
  dns: readonly string[],
  ids: ReadonlyMap<string, string>,
  extra?: E,
): ({ value: string } & E)[] {
  return dns.flatMap((dn) => {
    const key = tryDnKey(dn);
    const id = key === undefined ? undefined : ids.get(key);
    return id === undefined ? [] : [{ value: id, ...(extra as E) }];
  });
}
