/**
 * `userAccountControl` ↔ SCIM `active`. Only bit 0x2 (ACCOUNTDISABLE) is
 * SCIM's business; every other bit (password never expires, smart card
 * required, …) is kept exactly as the directory has it.
 *
 * @see MS-ADTS §2.2.16 (userAccountControl bits)
 */

/** ACCOUNTDISABLE. */
export const UAC_ACCOUNTDISABLE = 0x2;
/** NORMAL_ACCOUNT: the flag every ordinary user account carries. */
export const UAC_NORMAL_ACCOUNT = 0x200;

/** Reads a `userAccountControl` value as sent by the directory (a decimal string). */
export function parseUac(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number.parseInt(String(value).trim(), 10);
  return Number.isSafeInteger(n) ? n >>> 0 : undefined;
}

/**
 * `active` from a `userAccountControl` value: true unless ACCOUNTDISABLE is set.
 *
 * @example
 * uacToActive('514') // false (NORMAL_ACCOUNT | ACCOUNTDISABLE)
 */
export function uacToActive(value: string | number): boolean {
  const n = parseUac(value);
  return n === undefined ? true : (n & UAC_ACCOUNTDISABLE) === 0;
}

/**
 * The new `userAccountControl` for `active`, keeping every other bit of
 * `current` (or NORMAL_ACCOUNT for a new account).
 *
 * @param active - the SCIM value
 * @param current - the entry's present value; undefined for a new entry
 * @returns the value as the decimal string LDAP expects
 * @example
 * activeToUac(false, '66048') // '66050' (DONT_EXPIRE_PASSWORD kept)
 */
export function activeToUac(active: boolean, current?: string | number): string {
  const base = parseUac(current) ?? UAC_NORMAL_ACCOUNT;
  const next = active ? base & ~UAC_ACCOUNTDISABLE : base | UAC_ACCOUNTDISABLE;
  return String(next >>> 0);
}
