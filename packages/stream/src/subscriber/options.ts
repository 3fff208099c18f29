/**
 * The subscriber options that rewrite a message before it is applied: `replaceDomains`,
 * `generateUserPassword`, and the roles that become group memberships (unless
 * `skipConvertRolesToGroups`).
 */
import { randomInt } from 'node:crypto';
import type { Change } from '@scimgw/core';

/** One `replaceDomains` entry. */
export interface DomainReplacement {
  from: string;
  to: string;
}

/**
 * Every string in `value` that ends in `@<from>` (case-insensitively) ends in `@<to>` instead;
 * returns a copy. Strings elsewhere (`example.com` inside a word) are left alone.
 *
 * @example replaceDomains({ emails: [{ value: 'bjensen@example.com' }] }, [{ from: 'example.com', to: 'example.org' }])
 * // { emails: [{ value: 'bjensen@example.org' }] }
 */
export function replaceDomains<T>(value: T, replacements: readonly DomainReplacement[]): T {
  if (replacements.length === 0) return value;
  const rules = replacements.map((r) => ({ suffix: `@${r.from.toLowerCase()}`, to: `@${r.to}` }));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const lower = v.toLowerCase();
      for (const r of rules) if (lower.endsWith(r.suffix)) return v.slice(0, v.length - r.suffix.length) + r.to;
      return v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      // A `__proto__` key (JSON.parse makes it an own property of a message) is dropped, as the
      // core drops it from client JSON: assigned here it would not copy the value but set the new
      // object's prototype to it, so the message's data would show up as inherited properties.
      for (const [k, x] of Object.entries(v)) if (k !== '__proto__') out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!#%+-.:=?@_';

/**
 * A random password of `length` characters with lower case, upper case, digits and symbols
 * (what directory password policies usually ask for), from the system's CSPRNG.
 */
export function generatePassword(length = 24): string {
  const pick = (set: string) => set[randomInt(set.length)] as string;
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** The name a role stands for: its `value`, else its `display` (or the role itself when it is a string). */
function roleName(role: unknown): string | undefined {
  if (typeof role === 'string') return role;
  if (typeof role !== 'object' || role === null) return undefined;
  const r = role as Record<string, unknown>;
  const name = typeof r.value === 'string' && r.value !== '' ? r.value : r.display;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** The role names of a `roles` value (a list of roles, or one). */
export function roleNames(roles: unknown): string[] {
  const list = Array.isArray(roles) ? roles : roles === undefined || roles === null ? [] : [roles];
  const out: string[] = [];
  for (const r of list) {
    const n = roleName(r);
    if (n !== undefined && !out.includes(n)) out.push(n);
  }
  return out;
}

/** True for a change of the core `roles` attribute. */
export function isRolesChange(c: Change): boolean {
  return c.path.extension === undefined && c.path.attr === 'roles';
}

/**
 * The role set after `changes` (changes of `roles` only), starting from `before`. Changes of a
 * role's sub-attributes (`roles[value eq "x"].primary`) do not change the set.
 */
export function rolesAfter(before: readonly string[], changes: readonly Change[]): string[] {
  let set = [...before];
  for (const c of changes) {
    if (c.path.sub !== undefined) continue;
    if (c.op === 'add') {
      for (const n of roleNames(c.value)) if (!set.includes(n)) set.push(n);
    } else if (c.op === 'replace') {
      set = c.path.where ? set : roleNames(c.value);
    } else if (c.value === undefined && !c.path.where) {
      set = [];
    } else {
      const gone = roleNames(c.value);
      set = set.filter((n) => !gone.includes(n));
    }
  }
  return set;
}
