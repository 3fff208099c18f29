/**
 * Helpers shared by user and group writes: the RDN of an entry from its
 * resource, whether a change renames it, and the attribute modifications
 * of a full replace.
 */
import { errors, type ScimResource } from '@scimgw/core';
import { FILETIME_NEVER } from './ad/filetime.js';
import type { NamingRule } from './config.js';
import { type LdapValue, sameValue } from './codec.js';
import { type Dn, parseDn, type Rdn } from './dn.js';
import type { Modification } from './directory.js';
import { type LdapEntry, values } from './entry.js';
import type { LdapMapping } from './mapping.js';

/** Reads a SCIM value by a `mapTo`-style path (`userName`, `name.formatted`, `urn:…:User:employeeNumber`). */
export function getScimPath(resource: ScimResource, mapTo: string): unknown {
  let holder: unknown = resource;
  let rest = mapTo;
  if (/^urn:/i.test(mapTo)) {
    const i = mapTo.lastIndexOf(':');
    const urn = mapTo.slice(0, i).toLowerCase();
    const key = Object.keys(resource).find((k) => k.toLowerCase() === urn);
    holder = key ? resource[key] : undefined;
    rest = mapTo.slice(i + 1);
  }
  for (const part of rest.split('.')) {
    if (typeof holder !== 'object' || holder === null || Array.isArray(holder)) return undefined;
    const key = Object.keys(holder).find((k) => k.toLowerCase() === part.toLowerCase());
    holder = key === undefined ? undefined : (holder as Record<string, unknown>)[key];
  }
  return holder;
}

/**
 * Puts the RDN's values into the attributes of an entry to add, under the spelling the attribute
 * already has there. `cn` from the map and `CN` from the naming rule are one attribute: sent as
 * two, Active Directory refuses the add (its `cn` is single-valued: 19 "SINGLE-VALUE attribute cn
 * specified more than once"). A value already there (compared case-insensitively) is not added.
 */
export function addRdnValues(attrs: Map<string, LdapValue[]>, rdn: Rdn): void {
  for (const ava of rdn) {
    const type = ava.type.toLowerCase();
    const key = [...attrs.keys()].find((k) => k.toLowerCase() === type) ?? ava.type;
    const cur = attrs.get(key) ?? [];
    const value = String(ava.value);
    if (!cur.some((v) => String(v).toLowerCase() === value.toLowerCase())) attrs.set(key, [...cur, value]);
  }
}

/**
 * The RDN for a resource: each naming attribute takes the LDAP value the
 * mapping produces for it (so value maps apply), else the SCIM value its
 * rule names.
 *
 * @throws errors.InvalidValueError when a naming value is missing
 */
export function rdnFor(
  rules: NamingRule[],
  resource: ScimResource,
  ldap: Map<string, { attr: string; values: LdapValue[] }>,
): Rdn {
  return rules.map((r) => {
    const mapped = ldap.get(r.attribute.toLowerCase())?.values[0];
    const v = mapped !== undefined ? mapped : getScimPath(resource, r.mapTo);
    if (v === undefined || v === null || v === '') throw new errors.InvalidValueError(`${r.mapTo} is required`);
    if (Buffer.isBuffer(v)) throw new errors.InvalidValueError(`${r.mapTo} cannot name an entry`);
    return { type: r.attribute, value: String(v) };
  });
}

/** The leaf RDN of an entry. */
export function currentRdn(entry: LdapEntry): Rdn {
  return parseDn(entry.dn)[0] ?? [];
}

/** The parent DN of an entry. */
export function parentOf(entry: LdapEntry): Dn {
  return parseDn(entry.dn).slice(1);
}

function sameSet(a: LdapValue[], b: LdapValue[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => sameValue(x, y)));
}

/**
 * Modifications that bring `entry` to `next` (a full replace), leaving out
 * `skip` (RDN attributes, which change by rename). Flag words
 * (`userAccountControl`, `groupType`) and FILETIME attributes are never
 * deleted because SCIM left them out; `accountExpires` goes back to "never".
 */
export function attributeMods(
  mapping: LdapMapping,
  entry: LdapEntry,
  next: Map<string, { attr: string; values: LdapValue[] }>,
  skip: Set<string>,
): Modification[] {
  const mods: Modification[] = [];
  for (const [key, { attr, values: want }] of next) {
    if (skip.has(key)) continue;
    const have = values(entry, attr);
    if (!want.length) {
      const c = mapping.codec(attr);
      if (!have.length || !c || c.kind === 'userAccountControl' || c.kind === 'groupType') continue;
      if (c.filetime) {
        if (key === 'accountexpires') mods.push({ operation: 'replace', type: attr, values: [FILETIME_NEVER.toString()] });
        continue;
      }
      mods.push({ operation: 'delete', type: attr, values: [] });
      continue;
    }
    if (!sameSet(have, want)) mods.push({ operation: 'replace', type: attr, values: want });
  }
  return mods;
}

/** The naming value a resource gives one RDN rule (through the mapping, so value maps apply). */
function namingValue(mapping: LdapMapping, rule: NamingRule, resource: ScimResource): string {
  let v: unknown;
  try {
    v = mapping.toLdap(resource).get(rule.attribute.toLowerCase())?.values[0];
  } catch {
    v = undefined;
  }
  if (v === undefined) v = getScimPath(resource, rule.mapTo);
  return v === undefined || v === null ? '' : String(v);
}

/** Whether going from `cur` to `next` changes the entry's name (and so needs a rename). */
export function nameChanges(mapping: LdapMapping, rules: NamingRule[], cur: ScimResource, next: ScimResource): boolean {
  return rules.some((r) => namingValue(mapping, r, cur) !== namingValue(mapping, r, next));
}

/** Refuses a rename the configuration does not allow. */
export function assertRenameAllowed(allowed: boolean, what: string): void {
  if (!allowed) {
    throw new errors.MutabilityError(
      `Changing ${what} renames the directory entry, which this gateway is configured not to do (allowModifyDN)`,
    );
  }
}
