/**
 * LDAP value codecs: the step between an attribute's wire values (strings or
 * bytes) and the endpoint record `@scimgw/mapper` works on. Most attributes
 * pass through; the LDAP-specific ones are recognised by name — binary GUIDs,
 * the `userAccountControl` flag word behind a boolean, AD group types — and
 * by mapping type (`boolean` as `TRUE`/`FALSE`, numbers as decimal strings).
 */
import { errors } from '@scimgw/core';
import { formatGroupType, GroupTypeError, groupTypeValue, parseGroupType, parseGroupTypeName } from './ad/grouptype.js';
import { GuidFormatError, guidToBytes, guidToString } from './ad/guid.js';
import { activeToUac, uacToActive } from './ad/uac.js';

/** An LDAP attribute value as ldapts delivers it. */
export type LdapValue = string | Buffer;

/** Codec kinds. */
export type CodecKind = 'string' | 'boolean' | 'number' | 'datetime' | 'guid' | 'userAccountControl' | 'groupType';

/** How one LDAP attribute's values become record values and back. */
export interface AttrCodec {
  /** The attribute as configured (the map key). */
  attr: string;
  kind: CodecKind;
  /** The record holds a list (mapping type `array`). */
  list: boolean;
  /** Values are bytes on the wire. */
  binary: boolean;
  /** FILETIME attribute (0 and the maximum both mean "never"). */
  filetime: boolean;
  /** Wire value → record value; `undefined` drops it. */
  decode(v: LdapValue): unknown;
  /**
   * Record value → wire value. `current` is the entry's present value, for
   * flag words that keep bits SCIM does not cover.
   * @throws errors.InvalidValueError for a value that has no wire form
   */
  encode(v: unknown, current?: LdapValue): LdapValue;
  /** The directory orders these values as SCIM would (`>=`, `<=`). */
  ordering: boolean;
  /** SCIM `sw`/`ew`/`co` can become an LDAP substring match. */
  substrings: boolean;
}

const text = (v: LdapValue) => (typeof v === 'string' ? v : v.toString('utf8'));
const bad = (what: string, v: unknown) => new errors.InvalidValueError(`${what}: ${String(JSON.stringify(v)).slice(0, 80)}`);

/** AD attributes holding FILETIME values. */
export const FILETIME_ATTRIBUTES = new Set([
  'accountexpires',
  'pwdlastset',
  'lastlogon',
  'lastlogontimestamp',
  'lockouttime',
  'badpasswordtime',
]);
/** Attributes holding GeneralizedTime values the mapper should read and write as such. */
export const GENERALIZED_TIME_ATTRIBUTES = new Set(['createtimestamp', 'modifytimestamp', 'whencreated', 'whenchanged']);
const GUID_ATTRIBUTES = new Set(['objectguid', 'ms-ds-consistencyguid']);

function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw bad('Not a boolean', v);
}

function plain(attr: string, kind: CodecKind, list: boolean): AttrCodec {
  return {
    attr,
    kind,
    list,
    binary: false,
    filetime: false,
    decode: text,
    encode: (v) => {
      if (kind === 'boolean') return toBool(v) ? 'TRUE' : 'FALSE';
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      if (typeof v === 'boolean') return String(v);
      if (Buffer.isBuffer(v)) return v;
      throw bad('Not a text value', v);
    },
    ordering: kind === 'number' || kind === 'datetime',
    substrings: kind === 'string',
  };
}

/**
 * Picks the codec for a mapped attribute.
 *
 * @param attr - the LDAP attribute (map key)
 * @param type - the mapping's `type` (mapper vocabulary), element type for arrays
 * @param list - whether the mapping keeps a list
 */
export function codecFor(attr: string, type: string, list: boolean, activeDirectory = false): AttrCodec {
  const lc = attr.toLowerCase();
  const t = type.toLowerCase();
  if (activeDirectory && lc === 'samaccountname' && t === 'string') {
    const base = plain(attr, 'string', list);
    return { ...base, encode: (v, current) => adAccountName(base.encode(v, current)) };
  }
  if (GUID_ATTRIBUTES.has(lc)) {
    return {
      ...plain(attr, 'guid', list),
      binary: true,
      decode: (v) => {
        try {
          return guidToString(typeof v === 'string' ? Buffer.from(v, 'latin1') : v);
        } catch {
          return undefined;
        }
      },
      encode: (v) => {
        try {
          return guidToBytes(String(v));
        } catch (e) {
          throw e instanceof GuidFormatError ? bad('Not a GUID', v) : e;
        }
      },
      substrings: false,
    };
  }
  if (lc === 'useraccountcontrol' && t === 'boolean') {
    return {
      ...plain(attr, 'userAccountControl', list),
      decode: (v) => uacToActive(text(v)),
      encode: (v, current) => activeToUac(toBool(v), current === undefined ? undefined : text(current)),
    };
  }
  if (lc === 'grouptype' && t === 'string') {
    return {
      ...plain(attr, 'groupType', list),
      decode: (v) => {
        try {
          return formatGroupType(parseGroupType(text(v)));
        } catch {
          return undefined;
        }
      },
      encode: (v) => {
        try {
          return groupTypeValue(parseGroupTypeName(String(v)));
        } catch (e) {
          throw e instanceof GroupTypeError ? bad('Not a group type', v) : e;
        }
      },
      substrings: false,
    };
  }
  const kind: CodecKind =
    t === 'boolean' ? 'boolean' : t === 'integer' || t === 'number' ? 'number' : t === 'datetime' ? 'datetime' : 'string';
  return { ...plain(attr, kind, list), filetime: kind === 'datetime' && FILETIME_ATTRIBUTES.has(lc) };
}

/** Characters Active Directory refuses in `sAMAccountName` (19 constraintViolation). */
const AD_ACCOUNT_NAME_FORBIDDEN = /["/\\[\]:;|=,+*?<>]/g;

/**
 * A `sAMAccountName` Active Directory accepts: each character it refuses becomes `_`, so a group
 * named `Sales "EU"` gets `Sales _EU_` (its `cn`, and so its SCIM `displayName`, keep the name).
 */
export function adAccountName(v: LdapValue): LdapValue {
  return typeof v === 'string' ? v.replace(AD_ACCOUNT_NAME_FORBIDDEN, '_') : v;
}

/** Whether two wire values are the same bytes. */
export function sameValue(a: LdapValue, b: LdapValue): boolean {
  return typeof a === 'string' && typeof b === 'string' ? a === b : Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** The stored value that `v` names, comparing text case-insensitively as most LDAP matching rules do. */
export function findStored(stored: LdapValue[], v: LdapValue): LdapValue | undefined {
  return (
    stored.find((s) => sameValue(s, v)) ??
    (typeof v === 'string' ? stored.find((s) => typeof s === 'string' && s.toLowerCase() === v.toLowerCase()) : undefined)
  );
}
