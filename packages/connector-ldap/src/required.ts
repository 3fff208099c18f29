/**
 * Attributes the directory's object classes require but SCIM may leave out.
 * `inetOrgPerson` (through `person`) must have `cn` and `sn`, while a SCIM
 * user needs only `userName`: without a value the add fails with 65
 * objectClassViolation. Each required attribute therefore has a list of SCIM
 * paths; the first one with a value fills it when the mapping gives none, on
 * create and whenever a change would leave it empty.
 */
import type { ScimResource } from '@scimgw/core';
import type { LdapValue } from './codec.js';
import type { Modification } from './directory.js';
import { type LdapEntry, values } from './entry.js';
import { getScimPath } from './write.js';

/** Required LDAP attribute (lower-cased) → SCIM paths tried in order. */
export type RequiredRules = Map<string, { attr: string; from: string[] }>;

/** Object classes that (through `person`) require `cn` and `sn`. */
const PERSON_CLASSES = new Set(['person', 'organizationalperson', 'inetorgperson', 'residentialperson']);

/** The defaults for person-derived classes outside AD (AD's `user` requires only `cn`, which names it). */
export const PERSON_DEFAULTS: Readonly<Record<string, string[]>> = Object.freeze({
  cn: ['displayName', 'name.formatted', 'userName'],
  sn: ['name.familyName', 'displayName', 'userName'],
});

/**
 * The rules for a tenant: the configured `requiredAttributes`, else the
 * person defaults when the user object classes need them.
 */
export function requiredRules(
  configured: Record<string, string[]> | undefined,
  objectClasses: string[],
  activeDirectory: boolean,
): RequiredRules {
  const source =
    configured ?? (!activeDirectory && objectClasses.some((c) => PERSON_CLASSES.has(c.toLowerCase())) ? PERSON_DEFAULTS : {});
  return new Map(Object.entries(source).map(([attr, from]) => [attr.toLowerCase(), { attr, from: [...from] }]));
}

/** The value a resource gives a required attribute: the first non-empty path. */
export function derive(resource: ScimResource, from: string[]): string | undefined {
  for (const path of from) {
    const v = getScimPath(resource, path);
    if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number') return String(v);
  }
  return undefined;
}

/** Fills the required attributes a new entry lacks (`attrs` keyed by attribute as written). */
export function fillRequiredForAdd(rules: RequiredRules, attrs: Map<string, LdapValue[]>, resource: ScimResource): void {
  for (const [lc, rule] of rules) {
    const present = [...attrs].some(([k, v]) => k.toLowerCase() === lc && v.length > 0);
    if (present) continue;
    const v = derive(resource, rule.from);
    if (v !== undefined) attrs.set(rule.attr, [v]);
  }
}

/**
 * Rewrites modifications that would leave a required attribute without a
 * value into a replace with the value `next` (the resource after the
 * change) gives it.
 */
export function keepRequired(rules: RequiredRules, mods: Modification[], entry: LdapEntry, next: ScimResource): Modification[] {
  if (!rules.size) return mods;
  const out = [...mods];
  for (const [lc, rule] of rules) {
    const mine = out.filter((m) => m.type.toLowerCase() === lc);
    if (!mine.length) continue;
    let left: LdapValue[] = values(entry, rule.attr);
    for (const m of mine) {
      if (m.operation === 'replace') left = m.values;
      else if (m.operation === 'add') left = [...left, ...m.values];
      else if (!m.values.length) left = [];
      else left = left.filter((v) => !m.values.some((d) => String(d).toLowerCase() === String(v).toLowerCase()));
    }
    if (left.length) continue;
    const v = derive(next, rule.from);
    if (v === undefined) continue;
    const at = out.indexOf(mine[0] as Modification);
    const rest = out.filter((m) => m.type.toLowerCase() !== lc);
    rest.splice(Math.min(at, rest.length), 0, { operation: 'replace', type: rule.attr, values: [v] });
    out.length = 0;
    out.push(...rest);
  }
  return out;
}

/** Attributes Active Directory will not let go of ("'samAccountName' can't be deleted/empty", 53). */
const AD_UNDELETABLE = new Set(['samaccountname']);

/**
 * Leaves out, on Active Directory, modifications that would empty `sAMAccountName`: a PUT without
 * the SCIM attribute mapped to it (Okta's and OneLogin's PUTs carry no `externalId`) keeps the
 * value the account has, instead of failing the whole write.
 */
export function keepUndeletable(activeDirectory: boolean, mods: Modification[]): Modification[] {
  if (!activeDirectory) return mods;
  const empties = (m: Modification) => m.operation === 'delete' || (m.operation === 'replace' && m.values.length === 0);
  return mods.filter((m) => !(AD_UNDELETABLE.has(m.type.toLowerCase()) && empties(m)));
}
