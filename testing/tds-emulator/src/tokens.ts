/**
 * Token stream of tabular results ([MS-TDS] 2.2.7): LOGINACK, ENVCHANGE, ERROR/INFO,
 * COLMETADATA, ROW, RETURNSTATUS and the three DONE tokens.
 */
import { COLLATION, type ColumnType, writeTypeInfo, writeValue } from './types.js';
import { Writer } from './wire.js';

export const DONE = { Final: 0x0, More: 0x1, Error: 0x2, Count: 0x10, Attention: 0x20 } as const;
const TDS74 = 0x74000004;
const SERVER = 'tds-emulator';

/** LOGINACK: interface SQL, TDS 7.4, program name and version. */
export function loginAck(w: Writer): void {
  const body = new Writer()
    .u8(1)
    .u32be(TDS74)
    .bVarchar('Microsoft SQL Server')
    .raw(Buffer.from([15, 0, 0x07, 0xd0]));
  w.u8(0xad).u16(body.length).raw(body.build());
}

function envChange(w: Writer, type: number, body: Writer): void {
  w.u8(0xe3)
    .u16(body.length + 1)
    .u8(type)
    .raw(body.build());
}

/** ENVCHANGE of the database (type 1). */
export function envDatabase(w: Writer, name: string, old: string): void {
  envChange(w, 1, new Writer().bVarchar(name).bVarchar(old));
}

/** ENVCHANGE of the packet size (type 4). */
export function envPacketSize(w: Writer, size: number, old: number): void {
  envChange(w, 4, new Writer().bVarchar(String(size)).bVarchar(String(old)));
}

/** ENVCHANGE of the SQL collation (type 7). */
export function envCollation(w: Writer): void {
  envChange(w, 7, new Writer().u8(COLLATION.length).raw(COLLATION).u8(0));
}

/** ENVCHANGE begin (8), commit (9) or rollback (10) of a transaction, with its 8-byte descriptor. */
export function envTransaction(w: Writer, type: 8 | 9 | 10, descriptor: Buffer): void {
  const body = new Writer();
  if (type === 8) body.u8(8).raw(descriptor).u8(0);
  else body.u8(0).u8(8).raw(descriptor);
  envChange(w, type, body);
}

/** An ERROR (0xAA) or INFO (0xAB) token. */
export function message(
  w: Writer,
  kind: 'error' | 'info',
  m: { number: number; state?: number; severity: number; text: string },
): void {
  const body = new Writer()
    .i32(m.number)
    .u8(m.state ?? 1)
    .u8(m.severity)
    .usVarchar(m.text)
    .bVarchar(SERVER)
    .bVarchar('')
    .i32(1);
  w.u8(kind === 'error' ? 0xaa : 0xab)
    .u16(body.length)
    .raw(body.build());
}

/** DONE (0xFD), DONEPROC (0xFE) or DONEINPROC (0xFF). */
export function done(w: Writer, token: 'done' | 'proc' | 'inproc', status: number, rowCount: number, curCmd = 0xc1): void {
  w.u8(token === 'done' ? 0xfd : token === 'proc' ? 0xfe : 0xff)
    .u16(status)
    .u16(curCmd)
    .u64(BigInt(rowCount));
}

/** RETURNSTATUS (0x79) of a procedure. */
export function returnStatus(w: Writer, value: number): void {
  w.u8(0x79).i32(value);
}

/** One result column. */
export interface Column {
  name: string;
  type: ColumnType;
}

/** COLMETADATA (0x81). */
export function columnMetadata(w: Writer, columns: Column[]): void {
  w.u8(0x81).u16(columns.length);
  for (const c of columns) {
    w.u32(0); // UserType
    w.u16(0x0001 | 0x0008); // Flags: Nullable, Updateable unknown
    writeTypeInfo(w, c.type);
    w.bVarchar(c.name);
  }
}

/** ROW (0xD1). */
export function row(w: Writer, columns: Column[], values: (string | null)[]): void {
  w.u8(0xd1);
  for (const [i, c] of columns.entries()) writeValue(w, c.type, values[i] ?? null);
}
