/**
 * Active Directory `groupType`: a signed 32-bit flag word. Scope is one of
 * global (0x2), domain local (0x4) or universal (0x8); the sign bit
 * (0x80000000) makes it a security group, without it a distribution group.
 *
 * @see MS-ADTS §2.2.12 (groupType bits)
 */

/** Scope of an AD group. */
export type GroupScope = 'global' | 'domainLocal' | 'universal' | 'builtinLocal';

/** A decoded `groupType`. */
export interface AdGroupType {
  scope: GroupScope;
  security: boolean;
}

const BUILTIN_LOCAL = 0x1;
const GLOBAL = 0x2;
const DOMAIN_LOCAL = 0x4;
const UNIVERSAL = 0x8;
const SECURITY = 0x80000000;

/** Raised for a group type that cannot be read or written. */
export class GroupTypeError extends Error {
  override name = 'GroupTypeError';
  readonly code = 'ERR_LDAP_GROUP_TYPE';
}

/**
 * Decodes a `groupType` value (the directory sends it as a signed decimal).
 *
 * @example
 * parseGroupType('-2147483646') // { scope: 'global', security: true }
 */
export function parseGroupType(value: string | number): AdGroupType {
  const raw = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(raw)) throw new GroupTypeError(`Not a groupType: ${String(value)}`);
  const n = raw >>> 0;
  const security = (n & SECURITY) !== 0;
  if (n & UNIVERSAL) return { scope: 'universal', security };
  if (n & DOMAIN_LOCAL) return { scope: 'domainLocal', security };
  if (n & GLOBAL) return { scope: 'global', security };
  if (n & BUILTIN_LOCAL) return { scope: 'builtinLocal', security };
  throw new GroupTypeError(`groupType ${String(value)} has no scope bit`);
}

/**
 * Encodes a group type as the signed decimal string AD stores.
 *
 * @example
 * groupTypeValue({ scope: 'universal', security: false }) // '8'
 */
export function groupTypeValue(t: AdGroupType): string {
  const scope = { global: GLOBAL, domainLocal: DOMAIN_LOCAL, universal: UNIVERSAL, builtinLocal: BUILTIN_LOCAL }[t.scope];
  if (scope === undefined) throw new GroupTypeError(`Unknown group scope ${String(t.scope)}`);
  return String(scope | (t.security ? SECURITY : 0) | 0);
}

/** Names used in configuration and in SCIM values: `global-security`, `universal-distribution` … */
export function formatGroupType(t: AdGroupType): string {
  return `${t.scope}-${t.security ? 'security' : 'distribution'}`;
}

/**
 * Reads the configuration/SCIM name form (`global-security`, `universal`, …;
 * security is the default).
 */
export function parseGroupTypeName(name: string): AdGroupType {
  const m = /^(global|domainLocal|universal|builtinLocal)(?:-(security|distribution))?$/i.exec(name.trim());
  if (!m) throw new GroupTypeError(`Unknown group type "${name}" (expected e.g. global-security, universal-distribution)`);
  const scope = (['global', 'domainLocal', 'universal', 'builtinLocal'] as const).find(
    (s) => s.toLowerCase() === (m[1] as string).toLowerCase(),
  ) as GroupScope;
  return { scope, security: (m[2] ?? 'security').toLowerCase() === 'security' };
}
