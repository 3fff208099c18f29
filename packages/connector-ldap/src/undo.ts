/**
 * What a failed write puts back (see `UndoLog` in @scimgw/core): a client write that takes several
 * LDAP operations (a rename and a modify, an add and a password, a user's attributes and its
 * groups) is answered as one, its done steps undone when a later one fails.
 */
import type { Modification } from './directory.js';
import { type LdapEntry, values } from './entry.js';

/**
 * The modifications that put back what `mods` changed on `entry`: each attribute they touched,
 * replaced with the values `entry` had (none: removed). Only attributes `entry` was read with can
 * be put back; `readWith` lists them (lower case; `*` for all), and an attribute outside it is
 * left out (its old values are unknown). Attributes in `never` (passwords) are left out too.
 */
export function restoringMods(entry: LdapEntry, mods: Modification[], readWith: Set<string>, never: Set<string>): Modification[] {
  const out: Modification[] = [];
  const seen = new Set<string>();
  for (const m of mods) {
    const key = m.type.toLowerCase();
    if (seen.has(key) || never.has(key) || !(readWith.has(key) || readWith.has('*'))) continue;
    seen.add(key);
    out.push({ operation: 'replace', type: m.type, values: values(entry, key) });
  }
  return out;
}
