/**
 * Values between drivers and the mapper: what a driver returns for a column type (a `Date`, `0`/`1`
 * for a MySQL boolean, a string for a 64-bit integer) becomes the value the mapper expects, and
 * endpoint values become bound parameters (ISO timestamps as `Date`s).
 */
import type { ValueType } from './layout/catalog.js';

/** A value read from a column, as the mapper wants it. */
export function fromColumn(value: unknown, type: ValueType): unknown {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case 'datetime':
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
      return String(value);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
      if (typeof value === 'string') {
        const l = value.toLowerCase();
        if (l === 't' || l === 'true' || l === '1') return true;
        if (l === 'f' || l === 'false' || l === '0') return false;
      }
      return value;
    case 'integer':
    case 'number':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint' || typeof value === 'string') {
        const n = Number(value);
        return Number.isFinite(n) ? n : String(value);
      }
      return value;
    default:
      if (value instanceof Date) return value.toISOString();
      if (typeof value === 'bigint') return String(value);
      if (typeof value === 'number') return String(value);
      if (typeof value === 'object' && value !== null && ArrayBuffer.isView(value)) {
        return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
      }
      return value;
  }
}

/** An endpoint value as a bound parameter for a column of `type`. */
export function toColumn(value: unknown, type: ValueType): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'datetime') {
    if (value instanceof Date) return value;
    const t = Date.parse(String(value));
    return Number.isNaN(t) ? value : new Date(t);
  }
  return value;
}

/** The version column as the ETag value of `meta.version`. */
export function etagOf(version: unknown): string | undefined {
  if (version === null || version === undefined) return undefined;
  return `W/"${String(version)}"`;
}
