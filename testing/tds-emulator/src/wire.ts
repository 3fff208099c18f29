/**
 * TDS packets and byte helpers ([MS-TDS] 2.2.3): every message travels in packets with an 8-byte
 * header (type, status, big-endian length, SPID, packet id, window); the last packet of a message
 * has the EOM bit. Data inside messages is little-endian unless the spec says otherwise.
 */

/** Packet types ([MS-TDS] 2.2.3.1.1). */
export const PacketType = {
  SqlBatch: 0x01,
  Rpc: 0x03,
  TabularResult: 0x04,
  Attention: 0x06,
  BulkLoad: 0x07,
  FedAuthToken: 0x08,
  TransactionManager: 0x0e,
  Login7: 0x10,
  Sspi: 0x11,
  PreLogin: 0x12,
} as const;

const HEADER = 8;
const EOM = 0x01;

/** One reassembled message: its type and payload (the packets' data, concatenated). */
export interface Message {
  type: number;
  payload: Buffer;
}

/** Collects packets from a byte stream and yields whole messages. */
export class MessageReader {
  private buffered: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private partType = -1;

  /** Feeds bytes; returns the messages they completed. Throws on a malformed header. */
  push(chunk: Buffer): Message[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const out: Message[] = [];
    while (this.buffered.length >= HEADER) {
      const length = this.buffered.readUInt16BE(2);
      if (length < HEADER) throw new Error(`TDS packet length ${length} is shorter than its header`);
      if (this.buffered.length < length) break;
      const type = this.buffered[0] as number;
      const status = this.buffered[1] as number;
      if (this.partType !== -1 && type !== this.partType && type !== PacketType.Attention) {
        throw new Error(`TDS packet of type ${type} inside a message of type ${this.partType}`);
      }
      if (type === PacketType.Attention) {
        out.push({ type, payload: Buffer.alloc(0) });
      } else {
        this.partType = type;
        this.parts.push(this.buffered.subarray(HEADER, length));
        if (status & EOM) {
          out.push({ type, payload: Buffer.concat(this.parts) });
          this.parts = [];
          this.partType = -1;
        }
      }
      this.buffered = this.buffered.subarray(length);
    }
    return out;
  }
}

/** Splits a message into packets of at most `packetSize` bytes (header included). */
export function packets(type: number, payload: Buffer, packetSize: number, spid = 51): Buffer[] {
  const room = packetSize - HEADER;
  const out: Buffer[] = [];
  let id = 1;
  let offset = 0;
  do {
    const data = payload.subarray(offset, offset + room);
    offset += data.length;
    const header = Buffer.alloc(HEADER);
    header[0] = type;
    header[1] = offset >= payload.length ? EOM : 0;
    header.writeUInt16BE(HEADER + data.length, 2);
    header.writeUInt16BE(spid, 4);
    header[6] = id++ & 0xff;
    out.push(Buffer.concat([header, data]));
  } while (offset < payload.length);
  return out;
}

/** A cursor over a payload; every read checks bounds and throws `RangeError` past the end. */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}
  private need(n: number): number {
    if (n < 0 || this.pos + n > this.buf.length) throw new RangeError('TDS message ends early');
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.buf.readUInt8(this.need(1));
  }
  u16(): number {
    return this.buf.readUInt16LE(this.need(2));
  }
  u16be(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }
  i32(): number {
    return this.buf.readInt32LE(this.need(4));
  }
  u64(): bigint {
    return this.buf.readBigUInt64LE(this.need(8));
  }
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  /** UCS-2 text of `chars` characters. */
  ucs2(chars: number): string {
    return this.bytes(chars * 2).toString('utf16le');
  }
  /** B_VARCHAR: a one-byte character count, then UCS-2. */
  bVarchar(): string {
    return this.ucs2(this.u8());
  }
  /** US_VARCHAR: a two-byte character count, then UCS-2. */
  usVarchar(): string {
    return this.ucs2(this.u16());
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

/** Builds a payload from little-endian pieces. */
export class Writer {
  private parts: Buffer[] = [];
  u8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeUInt8(v);
    return this.raw(b);
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return this.raw(b);
  }
  u16be(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return this.raw(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.raw(b);
  }
  u32be(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.raw(b);
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return this.raw(b);
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return this.raw(b);
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  /** B_VARCHAR (at most 255 characters). */
  bVarchar(s: string): this {
    const text = s.slice(0, 255);
    return this.u8(text.length).raw(Buffer.from(text, 'utf16le'));
  }
  /** US_VARCHAR. */
  usVarchar(s: string): this {
    const text = s.slice(0, 65_535);
    return this.u16(text.length).raw(Buffer.from(text, 'utf16le'));
  }
  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}
