/** Directory entries as the connector handles them: DN plus attributes by lower-cased name. */
import type { Entry } from 'ldapts';
import type { LdapValue } from './codec.js';

/** One search result. Attribute names are lower-cased (LDAP names are case-insensitive). */
export interface LdapEntry {
  dn: string;
  attrs: Map<string, LdapValue[]>;
}

/** Converts an ldapts search entry. */
export function fromLdapts(e: Entry): LdapEntry {
  const attrs = new Map<string, LdapValue[]>();
  for (const [k, v] of Object.entries(e)) {
    if (k === 'dn') continue;
    const list = (Array.isArray(v) ? v : [v]) as LdapValue[];
    const key = k.toLowerCase();
    attrs.set(key, [...(attrs.get(key) ?? []), ...list]);
  }
  return { dn: e.dn, attrs };
}

/** Values of an attribute (empty when absent). */
export function values(e: LdapEntry, name: string): LdapValue[] {
  return e.attrs.get(name.toLowerCase()) ?? [];
}

/** First value as text. */
export function first(e: LdapEntry, name: string): string | undefined {
  const v = values(e, name)[0];
  return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8');
}

/**
 * Spellings to pass as ldapts `explicitBufferAttributes`: it matches the
 * name the server returns case-sensitively, so the configured, lower-case
 * and well-known spellings are all listed.
 */
export function bufferSpellings(names: Iterable<string>): string[] {
  const known: Record<string, string> = {
    objectguid: 'objectGUID',
    'ms-ds-consistencyguid': 'mS-DS-ConsistencyGuid',
    objectsid: 'objectSid',
  };
  const out = new Set<string>();
  for (const n of names) {
    out.add(n);
    out.add(n.toLowerCase());
    const k = known[n.toLowerCase()];
    if (k) out.add(k);
  }
  return [...out];
}
