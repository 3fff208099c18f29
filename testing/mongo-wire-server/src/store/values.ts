import { type Binary, type BSONRegExp, type Decimal128, EJSON, type Long, type ObjectId, type Timestamp } from 'bson';
import type { Collation } from './collation.js';

/**
 * BSON value semantics the server needs outside mingo: MongoDB's cross-type sort order, equality
 * keys for indexes (numbers compare by value across int/long/double/decimal), and type names.
 */

type Tagged = { _bsontype: string };

/** The `_bsontype` tag of a js-bson value, if it is one. */
export function bsonTag(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const tag = (value as Partial<Tagged>)._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

/** A plain (embedded) document as opposed to an array or a BSON value object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` is numeric in BSON's sense (double, int, long, decimal). */
export function isNumeric(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'bigint') return true;
  const tag = bsonTag(value);
  return tag === 'Long' || tag === 'Decimal128' || tag === 'Int32' || tag === 'Double';
}

/** A numeric value as a JS number (lossy beyond 2^53, as the comparisons here accept). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  switch (bsonTag(value)) {
    case 'Long':
      return (value as Long).toNumber();
    case 'Decimal128':
      return Number((value as Decimal128).toString());
    case 'Int32':
    case 'Double':
      return (value as { value: number }).value;
  }
  return Number.NaN;
}

/** The rank of a value's type in MongoDB's comparison order (MinKey lowest, MaxKey highest). */
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 2;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
  }
  if (Array.isArray(value)) return 6;
  if (value instanceof Date) return 10;
  if (value instanceof RegExp) return 12;
  switch (bsonTag(value)) {
    case 'MinKey':
      return 1;
    case 'Long':
    case 'Decimal128':
    case 'Int32':
    case 'Double':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'Code':
      return 13;
    case 'MaxKey':
      return 15;
    case 'DBRef':
      return 5;
  }
  return 5;
}

/**
 * Compares two values in MongoDB's order: by type class first, then by value; strings through the
 * collation when one is given, otherwise by code point.
 */
export function compareValues(a: unknown, b: unknown, collation?: Collation): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 2:
    case 1:
    case 15:
      return 0;
    case 3:
      return compareNumbers(toNumber(a), toNumber(b));
    case 4: {
      const sa = String(typeof a === 'string' ? a : (a as { value: string }).value);
      const sb = String(typeof b === 'string' ? b : (b as { value: string }).value);
      if (collation) return Math.sign(collation.compare(sa, sb));
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    }
    case 5:
      return compareObjects(toComparableObject(a), toComparableObject(b), collation);
    case 6:
      return compareArrays(a as unknown[], b as unknown[], collation);
    case 7:
      return compareBinary(a as Binary, b as Binary);
    case 8:
      return compareStrings((a as ObjectId).toHexString(), (b as ObjectId).toHexString());
    case 9:
      return a === b ? 0 : a ? 1 : -1;
    case 10:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case 11: {
      const ta = a as Timestamp;
      const tb = b as Timestamp;
      return compareNumbers(ta.t, tb.t) || compareNumbers(ta.i, tb.i);
    }
    case 12: {
      const [pa, fa] = regexParts(a);
      const [pb, fb] = regexParts(b);
      return compareStrings(pa, pb) || compareStrings(fa, fb);
    }
    default:
      return compareStrings(String((a as { code?: unknown }).code ?? a), String((b as { code?: unknown }).code ?? b));
  }
}

function compareNumbers(a: number, b: number): number {
  // NaN sorts below every other number, and equals itself.
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toComparableObject(value: unknown): Record<string, unknown> {
  if (bsonTag(value) === 'DBRef') return (value as { toJSON(): Record<string, unknown> }).toJSON();
  return value as Record<string, unknown>;
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>, collation?: Collation): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]!];
    const vb = b[kb[i]!];
    const rank = typeRank(va) - typeRank(vb);
    if (rank !== 0) return rank < 0 ? -1 : 1;
    const name = compareStrings(ka[i]!, kb[i]!);
    if (name !== 0) return name;
    const value = compareValues(va, vb, collation);
    if (value !== 0) return value;
  }
  return compareNumbers(ka.length, kb.length);
}

function compareArrays(a: unknown[], b: unknown[], collation?: Collation): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i], collation);
    if (c !== 0) return c;
  }
  return compareNumbers(a.length, b.length);
}

function compareBinary(a: Binary, b: Binary): number {
  const len = compareNumbers(a.position, b.position);
  if (len !== 0) return len;
  const sub = compareNumbers(a.sub_type, b.sub_type);
  if (sub !== 0) return sub;
  return Buffer.compare(Buffer.from(a.buffer.subarray(0, a.position)), Buffer.from(b.buffer.subarray(0, b.position)));
}

function regexParts(value: unknown): [string, string] {
  if (value instanceof RegExp) return [value.source, value.flags];
  const re = value as BSONRegExp;
  return [re.pattern, re.options];
}

/** Whether two values are equal under MongoDB's rules (numbers across types, strings by collation). */
export function valuesEqual(a: unknown, b: unknown, collation?: Collation): boolean {
  if (collation && typeof a === 'string' && typeof b === 'string') return collation.key(a) === collation.key(b);
  if (collation && (isPlainObject(a) || Array.isArray(a))) return valueKey(a, collation) === valueKey(b, collation);
  return compareValues(a, b) === 0 && typeRank(a) === typeRank(b);
}

/**
 * A string that is equal for two values exactly when MongoDB treats them as equal index keys:
 * `1`, `1.0`, `Long(1)` and `Decimal128("1")` share one key; strings go through the collation.
 * Missing and null share one key, as in a non-sparse index.
 */
export function valueKey(value: unknown, collation?: Collation): string {
  if (value === undefined || value === null) return 'N';
  switch (typeof value) {
    case 'string':
      return `s${JSON.stringify(collation ? collation.key(value) : value)}`;
    case 'number':
      return `n${numberKey(value)}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'bigint':
      return `n${numberKey(Number(value))}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => valueKey(v, collation)).join(',')}]`;
  if (value instanceof Date) return `D${value.getTime()}`;
  if (value instanceof RegExp) return `r${JSON.stringify(value.source)}/${value.flags}`;
  if (isPlainObject(value)) {
    let out = '{';
    for (const key of Object.keys(value)) out += `${JSON.stringify(key)}:${valueKey(value[key], collation)},`;
    return `${out}}`;
  }
  const tag = bsonTag(value);
  switch (tag) {
    case 'ObjectId':
      return `o${(value as ObjectId).toHexString()}`;
    case 'Long':
    case 'Decimal128':
    case 'Int32':
    case 'Double':
      return `n${numberKey(toNumber(value))}`;
    case 'MinKey':
      return 'm';
    case 'MaxKey':
      return 'M';
    case 'BSONSymbol':
      return valueKey((value as { value: string }).value, collation);
  }
  return `${tag ?? 'x'}${JSON.stringify(EJSON.serialize(value, { relaxed: false }))}`;
}

function numberKey(n: number): string {
  if (Object.is(n, -0)) return '0';
  return String(n);
}

/** MongoDB's `$type` alias of a value, as used in error messages. */
export function typeName(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 ? 'int' : 'double';
    case 'bigint':
      return 'long';
  }
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  switch (bsonTag(value)) {
    case 'ObjectId':
      return 'objectId';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'Code':
      return 'javascript';
    case 'BSONSymbol':
      return 'symbol';
    case 'DBRef':
      return 'object';
  }
  return 'object';
}

/** Renders a value the way MongoDB's error messages print BSON (`"text"`, `ObjectId('…')`, `{ a: 1 }`). */
export function renderValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : String(value);
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}`;
  }
  if (Array.isArray(value)) return `[ ${value.map(renderValue).join(', ')} ]`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value instanceof RegExp) return `/${value.source}/${value.flags}`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value).map((k) => `${k}: ${renderValue(value[k])}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  switch (bsonTag(value)) {
    case 'ObjectId':
      return `ObjectId('${(value as ObjectId).toHexString()}')`;
    case 'Long':
    case 'Decimal128':
      return (value as { toString(): string }).toString();
  }
  return JSON.stringify(EJSON.serialize(value, { relaxed: true }));
}

/**
 * Sets an own, enumerable field, whatever its name: a plain assignment of `__proto__` would call
 * the prototype setter instead (dropping the field, or replacing the object's prototype). Every
 * field name that comes from a client goes through this.
 */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
