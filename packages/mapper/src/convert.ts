/**
 * Scalar conversions between endpoint and SCIM representations. Every
 * function returns `undefined` for a value it cannot convert, so callers
 * decide: drop it (reading from the endpoint) or reject it (a client write).
 */
import type { DatetimeFormat, MapScalar, ScalarType } from './types.js';

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?:\d{2})?)?$/;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/i;

function fromGeneralized(s: string): Date | undefined {
  const m = GENERALIZED.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi = '00', se = '00', frac = '', tz = 'Z'] = m;
  // Date.UTC rolls over out-of-range fields; a 13th month is not a date.
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(se) > 60) return undefined;
  const ms = Number(`0.${frac || '0'}`) * 1000;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se), Math.round(ms));
  if (tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const hh = Number(tz.slice(1, 3));
    const mm = tz.length > 3 ? Number(tz.slice(3, 5)) : 0;
    t -= sign * (hh * 60 + mm) * 60_000;
  }
  return Number.isFinite(t) ? new Date(t) : undefined;
}

function fromFileTime(v: string | number): Date | undefined {
  try {
    const ticks = BigInt(typeof v === 'number' ? Math.trunc(v) : v.trim());
    // AD uses 0 and 0x7FFFFFFFFFFFFFFF for "never"; neither is a date.
    if (ticks <= 0n || ticks >= 0x7fffffffffffffffn) return undefined;
    const ms = ticks / 10_000n - FILETIME_EPOCH_OFFSET_MS;
    const d = new Date(Number(ms));
    return Number.isFinite(d.getTime()) ? d : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a date from any supported representation; `format` disambiguates numbers. */
export function parseDate(v: unknown, format: DatetimeFormat = 'iso'): Date | undefined {
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v : undefined;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    if (format === 'fileTime') return fromFileTime(v);
    const d = new Date(format === 'epochSeconds' ? v * 1000 : v);
    return Number.isFinite(d.getTime()) ? d : undefined;
  }
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s === '') return undefined;
  if (/^-?\d+$/.test(s) && (format === 'fileTime' || format === 'epochMillis' || format === 'epochSeconds')) {
    return format === 'fileTime' ? fromFileTime(s) : parseDate(Number(s), format);
  }
  if (/^\d{10,14}([.,]\d+)?(Z|[+-]\d{2,4})?$/.test(s)) return fromGeneralized(s);
  if (!ISO_LIKE.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Date(t) : undefined;
}

const CANONICAL_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * True for a string `Date#toISOString` would write back unchanged: reading it as a date and
 * formatting it again is skipped (datetimes of every record of every page go through here).
 * Days 29-31 take the slow path, which knows month lengths.
 */
function isCanonicalIso(s: string): boolean {
  return s.length === 24 && CANONICAL_ISO.test(s);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Writes a date in an endpoint format. */
export function formatDate(d: Date, format: DatetimeFormat = 'iso'): string | number {
  switch (format) {
    case 'epochMillis':
      return d.getTime();
    case 'epochSeconds':
      return Math.floor(d.getTime() / 1000);
    case 'fileTime':
      return String((BigInt(d.getTime()) + FILETIME_EPOCH_OFFSET_MS) * 10_000n);
    case 'generalizedTime': {
      const ms = d.getUTCMilliseconds();
      return (
        `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
        `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ''}Z`
      );
    }
    default:
      return d.toISOString();
  }
}

function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== 'string') return undefined;
  switch (v.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      return undefined;
  }
}

function toNumber(v: unknown, integer: boolean): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.trim() !== '') n = Number(v.trim());
  else return undefined;
  if (!Number.isFinite(n)) return undefined;
  if (integer && !Number.isInteger(n)) return undefined;
  return n;
}

function toText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : undefined;
  // Binary values (LDAP attributes such as jpegPhoto) travel as base64, as SCIM `binary` does.
  if (v instanceof Uint8Array) return base64(v);
  return undefined;
}

function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * Converts `v` to `to`. Dates become ISO strings unless a `format` is given
 * for the output (endpoint side).
 *
 * @returns the converted value, or `undefined` when `v` cannot be read as `to`
 * @example
 * convertScalar('TRUE', 'boolean') // true
 * convertScalar('2024-05-01T10:00:00Z', 'datetime', 'generalizedTime') // '20240501100000Z'
 */
export function convertScalar(
  v: unknown,
  to: ScalarType,
  outFormat: DatetimeFormat = 'iso',
  inFormat: DatetimeFormat = 'iso',
): MapScalar | undefined {
  switch (to) {
    case 'boolean':
      return toBoolean(v);
    case 'integer':
      return toNumber(v, true);
    case 'number':
      return toNumber(v, false);
    case 'datetime': {
      if (outFormat === 'iso' && inFormat === 'iso' && typeof v === 'string' && isCanonicalIso(v)) return v;
      const d = parseDate(v, inFormat);
      return d ? formatDate(d, outFormat) : undefined;
    }
    default:
      return toText(v);
  }
}
