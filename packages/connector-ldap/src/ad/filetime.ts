/**
 * Windows FILETIME (`accountExpires`, `pwdLastSet`, `lastLogonTimestamp`):
 * 100-nanosecond intervals since 1601-01-01 UTC, as a decimal string of up to
 * 19 digits — beyond `Number`'s exact range, so BigInt is used throughout.
 * `0` and `0x7FFFFFFFFFFFFFFF` both mean "never".
 */

/** The largest FILETIME; AD uses it (and 0) for "never expires". */
export const FILETIME_NEVER = 0x7fffffffffffffffn;
/** 100 ns ticks between 1601-01-01 and 1970-01-01. */
const EPOCH_DELTA = 116444736000000000n;

/** Raised for a value that is neither a FILETIME nor an ISO date-time. */
export class FiletimeError extends Error {
  override name = 'FiletimeError';
  readonly code = 'ERR_LDAP_FILETIME';
}

/**
 * FILETIME → ISO 8601 (millisecond precision), or `undefined` for "never".
 *
 * @example
 * filetimeToIso('133485408000000000') // '2024-01-01T00:00:00.000Z'
 * filetimeToIso('0') // undefined
 */
export function filetimeToIso(value: string | bigint | number): string | undefined {
  let ticks: bigint;
  try {
    ticks = BigInt(typeof value === 'string' ? value.trim() : value);
  } catch {
    throw new FiletimeError(`Not a FILETIME: ${JSON.stringify(String(value).slice(0, 40))}`);
  }
  if (ticks === 0n || ticks === FILETIME_NEVER || ticks === -1n) return undefined;
  if (ticks < 0n || ticks > FILETIME_NEVER) throw new FiletimeError(`FILETIME out of range: ${ticks}`);
  const ms = (ticks - EPOCH_DELTA) / 10000n;
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return undefined; // beyond JS dates (year > 275760): effectively never
  return d.toISOString();
}

/**
 * ISO 8601 → FILETIME decimal string. `null`/`undefined`/`''` give `never`
 * (`"9223372036854775807"`, or `"0"` when `neverAs` says so).
 *
 * @example
 * isoToFiletime('2024-01-01T00:00:00Z') // '133485408000000000'
 */
export function isoToFiletime(value: string | Date | null | undefined, neverAs: '0' | 'max' = 'max'): string {
  if (value === null || value === undefined || value === '') return neverAs === '0' ? '0' : FILETIME_NEVER.toString();
  const d = value instanceof Date ? value : new Date(value);
  const ms = d.getTime();
  if (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new FiletimeError(`Not an ISO date-time: ${value}`);
  if (Number.isNaN(ms)) throw new FiletimeError(`Not an ISO date-time: ${String(value)}`);
  const ticks = BigInt(ms) * 10000n + EPOCH_DELTA;
  if (ticks < 0n) throw new FiletimeError(`Date before 1601: ${String(value)}`);
  return ticks.toString();
}
