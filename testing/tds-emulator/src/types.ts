/**
 * TYPE_INFO and values ([MS-TDS] 2.2.5.4–2.2.5.6): reading the typed parameters of an RPC request
 * and writing result columns (COLMETADATA TYPE_INFO and ROW values), including PLP
 * (partially length-prefixed) values for `nvarchar(max)`.
 */
import type { Reader, Writer } from './wire.js';

/** Type bytes this emulator reads or writes. */
export const T = {
  INT1: 0x30,
  BIT: 0x32,
  INT2: 0x34,
  INT4: 0x38,
  FLT8: 0x3e,
  INT8: 0x7f,
  GUID: 0x24,
  INTN: 0x26,
  DATEN: 0x28,
  TIMEN: 0x29,
  DATETIME2N: 0x2a,
  DATETIMEOFFSETN: 0x2b,
  DECIMALN: 0x6a,
  NUMERICN: 0x6c,
  BITN: 0x68,
  FLTN: 0x6d,
  DATETIMN: 0x6f,
  BIGVARBINARY: 0xa5,
  BIGVARCHAR: 0xa7,
  BIGBINARY: 0xad,
  BIGCHAR: 0xaf,
  NVARCHAR: 0xe7,
  NCHAR: 0xef,
} as const;

/** A decoded parameter value: JS value and the family it came as. */
export interface TdsValue {
  kind: 'int' | 'bit' | 'float' | 'decimal' | 'text' | 'binary' | 'datetime' | 'date' | 'guid' | 'time';
  value: string | number | bigint | boolean | Buffer | null;
}

const PLP_NULL = 0xffffffffffffffffn;
const DAYS_TO_1970 = 719_162;

function plp(r: Reader): Buffer | null {
  const total = r.u64();
  if (total === PLP_NULL) return null;
  const chunks: Buffer[] = [];
  for (;;) {
    const n = r.u32();
    if (n === 0) break;
    chunks.push(r.bytes(n));
  }
  return Buffer.concat(chunks);
}

function dateFromParts(days: number, ticks: number, scale: number, offsetMinutes = 0): string {
  // Integer arithmetic only: (ticks / 10 ** scale) * 1000 in floating point made 8355317 at scale 3
  // 8355316.999…, floored to one millisecond less (.317 read as .316, about one value in seven).
  const fraction = scale >= 3 ? Math.floor(ticks / 10 ** (scale - 3)) : ticks * 10 ** (3 - scale);
  const ms = (days - DAYS_TO_1970) * 86_400_000 + fraction - offsetMinutes * 60_000;
  const d = new Date(ms);
  // Text for PostgreSQL `timestamp(3)`: UTC without a zone.
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

function readLE(b: Buffer): number {
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + (b[i] as number);
  return v;
}

/** Reads one TYPE_INFO and the value after it (an RPC parameter). Throws on types it does not know. */
export function readTypedValue(r: Reader): TdsValue {
  const type = r.u8();
  switch (type) {
    case T.INT1:
      return { kind: 'int', value: r.u8() };
    case T.INT2:
      return { kind: 'int', value: r.bytes(2).readInt16LE() };
    case T.INT4:
      return { kind: 'int', value: r.i32() };
    case T.INT8:
      return { kind: 'int', value: r.bytes(8).readBigInt64LE() };
    case T.BIT:
      return { kind: 'bit', value: r.u8() !== 0 };
    case T.FLT8:
      return { kind: 'float', value: r.bytes(8).readDoubleLE() };
    case T.INTN:
    case T.BITN:
    case T.FLTN:
    case T.GUID:
    case T.DATETIMN: {
      r.u8(); // maximal length
      const n = r.u8();
      const kind =
        type === T.INTN ? 'int' : type === T.BITN ? 'bit' : type === T.FLTN ? 'float' : type === T.GUID ? 'guid' : 'datetime';
      if (n === 0) return { kind, value: null };
      const b = r.bytes(n);
      if (type === T.INTN) {
        const v = n === 1 ? b.readUInt8() : n === 2 ? b.readInt16LE() : n === 4 ? b.readInt32LE() : b.readBigInt64LE();
        return { kind, value: v };
      }
      if (type === T.BITN) return { kind, value: b[0] !== 0 };
      if (type === T.FLTN) return { kind, value: n === 4 ? b.readFloatLE() : b.readDoubleLE() };
      if (type === T.GUID) return { kind, value: guidText(b) };
      // DATETIME: days since 1900-01-01 and 1/300 seconds.
      const days = n === 8 ? b.readInt32LE(0) : b.readUInt16LE(0);
      const ticks = n === 8 ? b.readUInt32LE(4) : b.readUInt16LE(2) * 60 * 300;
      const ms = (days - 25_567) * 86_400_000 + Math.round((ticks * 10) / 3);
      return { kind, value: new Date(ms).toISOString().replace('T', ' ').replace('Z', '') };
    }
    case T.DECIMALN:
    case T.NUMERICN: {
      r.u8();
      r.u8(); // precision
      const scale = r.u8();
      const n = r.u8();
      if (n === 0) return { kind: 'decimal', value: null };
      const sign = r.u8() === 1 ? 1n : -1n;
      const b = r.bytes(n - 1);
      let v = 0n;
      for (let i = b.length - 1; i >= 0; i--) v = v * 256n + BigInt(b[i] as number);
      v *= sign;
      const s = (v < 0n ? -v : v).toString().padStart(scale + 1, '0');
      const text = scale ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
      return { kind: 'decimal', value: v < 0n ? `-${text}` : text };
    }
    case T.DATEN: {
      const n = r.u8();
      if (n === 0) return { kind: 'date', value: null };
      return { kind: 'date', value: dateFromParts(readLE(r.bytes(3)), 0, 0).slice(0, 10) };
    }
    case T.TIMEN:
    case T.DATETIME2N:
    case T.DATETIMEOFFSETN: {
      const scale = r.u8();
      const n = r.u8();
      const kind = type === T.TIMEN ? 'time' : 'datetime';
      if (n === 0) return { kind, value: null };
      const timeBytes = scale <= 2 ? 3 : scale <= 4 ? 4 : 5;
      const ticks = readLE(r.bytes(timeBytes));
      if (type === T.TIMEN) return { kind, value: dateFromParts(DAYS_TO_1970, ticks, scale).slice(11) };
      const days = readLE(r.bytes(3));
      const offset = type === T.DATETIMEOFFSETN ? r.bytes(2).readInt16LE() : 0;
      // DATETIMEOFFSET carries UTC time and the offset; DATETIME2 carries local time as given.
      return { kind, value: dateFromParts(days, ticks, scale, type === T.DATETIMEOFFSETN ? 0 : offset) };
    }
    case T.NVARCHAR:
    case T.NCHAR:
    case T.BIGVARCHAR:
    case T.BIGCHAR: {
      const max = r.u16();
      r.bytes(5); // collation
      const data = max === 0xffff ? plp(r) : lengthPrefixed(r);
      if (data === null) return { kind: 'text', value: null };
      const unicode = type === T.NVARCHAR || type === T.NCHAR;
      return { kind: 'text', value: data.toString(unicode ? 'utf16le' : 'latin1') };
    }
    case T.BIGVARBINARY:
    case T.BIGBINARY: {
      const max = r.u16();
      const data = max === 0xffff ? plp(r) : lengthPrefixed(r);
      return { kind: 'binary', value: data === null ? null : Buffer.from(data) };
    }
    default:
      throw new UnsupportedType(type);
  }
}

/** A TYPE_INFO the emulator does not implement. */
export class UnsupportedType extends Error {
  constructor(readonly type: number) {
    super(`the TDS emulator does not implement data type 0x${type.toString(16)}`);
  }
}

function lengthPrefixed(r: Reader): Buffer | null {
  const n = r.u16();
  return n === 0xffff ? null : r.bytes(n);
}

function guidText(b: Buffer): string {
  // The first three groups are little-endian ([MS-DTYP] GUID).
  const h = (i: number, n: number, rev: boolean) => {
    const part = Buffer.from(b.subarray(i, i + n));
    return (rev ? part.reverse() : part).toString('hex');
  };
  return `${h(0, 4, true)}-${h(4, 2, true)}-${h(6, 2, true)}-${h(8, 2, false)}-${h(10, 6, false)}`;
}

/** Result column types the emulator sends. */
export type ColumnType = 'bit' | 'int' | 'bigint' | 'smallint' | 'float' | 'datetime2' | 'nvarchar';

/** Latin1_General_CI_AS: LCID 0x0409 with IgnoreCase, IgnoreKana, IgnoreWidth; sort id 52. */
export const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);

/** TYPE_INFO of a result column. */
export function writeTypeInfo(w: Writer, type: ColumnType): void {
  switch (type) {
    case 'bit':
      w.u8(T.BITN).u8(1);
      return;
    case 'smallint':
      w.u8(T.INTN).u8(2);
      return;
    case 'int':
      w.u8(T.INTN).u8(4);
      return;
    case 'bigint':
      w.u8(T.INTN).u8(8);
      return;
    case 'float':
      w.u8(T.FLTN).u8(8);
      return;
    case 'datetime2':
      w.u8(T.DATETIME2N).u8(3);
      return;
    case 'nvarchar':
      w.u8(T.NVARCHAR).u16(0xffff).raw(COLLATION);
      return;
  }
}

/** One ROW value of a column (`text` is PostgreSQL's text form of the value, or null). */
export function writeValue(w: Writer, type: ColumnType, text: string | null): void {
  if (type === 'nvarchar') {
    if (text === null) {
      w.u64(PLP_NULL);
      return;
    }
    const data = Buffer.from(text, 'utf16le');
    w.u64(BigInt(data.length));
    if (data.length) w.u32(data.length).raw(data);
    w.u32(0);
    return;
  }
  if (text === null) {
    w.u8(0);
    return;
  }
  switch (type) {
    case 'bit':
      w.u8(1).u8(text === 't' || text === 'true' || text === '1' ? 1 : 0);
      return;
    case 'smallint': {
      const b = Buffer.alloc(2);
      b.writeInt16LE(Number(text));
      w.u8(2).raw(b);
      return;
    }
    case 'int':
      w.u8(4).i32(Number(text));
      return;
    case 'bigint': {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(text));
      w.u8(8).raw(b);
      return;
    }
    case 'float': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(text));
      w.u8(8).raw(b);
      return;
    }
    case 'datetime2': {
      // PostgreSQL text "YYYY-MM-DD HH:MM:SS[.fff]" (UTC): 1/1000 s since midnight, days since 0001-01-01.
      const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
      const days = Math.floor(ms / 86_400_000) + DAYS_TO_1970;
      const tick = ms - Math.floor(ms / 86_400_000) * 86_400_000;
      const b = Buffer.alloc(7);
      b.writeUInt32LE(tick, 0);
      b.writeUIntLE(days, 4, 3);
      w.u8(7).raw(b);
      return;
    }
  }
}
