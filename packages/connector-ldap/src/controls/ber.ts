/**
 * A small, strict BER/DER codec for LDAP control values (X.690): definite
 * lengths only, minimal integers, every length checked against the bytes
 * that are really there. Control values come from the network, so a
 * malformed one is a {@link BerError}, never an out-of-range read or a hang.
 *
 * @see ITU-T X.690 §8 (basic encoding rules), RFC 4511 §5.1 (LDAP's restrictions)
 */

/** Raised for bytes that are not the BER this codec expects. */
export class BerError extends Error {
  override name = 'BerError';
  readonly code = 'ERR_LDAP_BER';
  /** Byte offset at fault. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.offset = offset;
  }
}

/** Universal tags used by the controls. */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  octetString: 0x04,
  enumerated: 0x0a,
  sequence: 0x30,
} as const;

/** One element: its tag and the bounds of its contents within the buffer. */
export interface Tlv {
  tag: number;
  /** First byte of the contents. */
  start: number;
  /** One past the last byte of the contents. */
  end: number;
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return [0x80 | out.length, ...out];
}

/** Encodes one element with a single-byte tag. */
export function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const len = lengthBytes(contents.length);
  const out = new Uint8Array(1 + len.length + contents.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(contents, 1 + len.length);
  return out;
}

/** Concatenates encoded elements. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A constructed element (SEQUENCE by default) holding `parts`. */
export function sequence(parts: Uint8Array[], tag: number = TAG.sequence): Uint8Array {
  return tlv(tag, concat(parts));
}

/** A two's-complement INTEGER (or ENUMERATED, with its tag) in the fewest bytes. */
export function integer(n: number, tag: number = TAG.integer): Uint8Array {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${n} is not a safe integer`);
  const bytes: number[] = [];
  let v = BigInt(n);
  for (;;) {
    const byte = Number(v & 0xffn);
    bytes.unshift(byte);
    v >>= 8n;
    // Stop once the remaining value is only the sign extension of the byte just written.
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return tlv(tag, Uint8Array.from(bytes));
}

/** An OCTET STRING (or an implicitly tagged one) from text (UTF-8) or bytes. */
export function octets(value: string | Uint8Array, tag: number = TAG.octetString): Uint8Array {
  return tlv(tag, typeof value === 'string' ? new TextEncoder().encode(value) : value);
}

/** A BOOLEAN (DER: TRUE is 0xFF). */
export function boolean(b: boolean, tag: number = TAG.boolean): Uint8Array {
  return tlv(tag, Uint8Array.of(b ? 0xff : 0x00));
}

/**
 * Reads the elements inside one region of a buffer, in order. Each read
 * checks the tag it expects, so a value of the wrong shape fails where it
 * goes wrong.
 */
export class BerReader {
  private at: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    if (start < 0 || end > buf.length || start > end) throw new BerError('region outside the buffer', start);
    this.at = start;
  }

  /** True when every element of the region has been read. */
  get done(): boolean {
    return this.at >= this.end;
  }

  /** The tag of the next element, without reading it; `undefined` at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.buf[this.at];
  }

  /** Reads the next element's tag and length. */
  next(): Tlv {
    const begin = this.at;
    if (this.done) throw new BerError('unexpected end of data', begin);
    const tag = this.buf[this.at++] as number;
    // Multi-byte tags (low five bits all set) never occur in the LDAP controls read here.
    if ((tag & 0x1f) === 0x1f) throw new BerError('multi-byte tag not supported', begin);
    if (this.at >= this.end) throw new BerError('missing length', this.at);
    const first = this.buf[this.at++] as number;
    let length: number;
    if (first < 0x80) length = first;
    else {
      const count = first & 0x7f;
      // 0x80 is the indefinite form, which LDAP forbids; four bytes are far beyond any control value.
      if (count === 0) throw new BerError('indefinite length', this.at - 1);
      if (count > 4) throw new BerError('length too long', this.at - 1);
      if (this.at + count > this.end) throw new BerError('truncated length', this.at);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (this.buf[this.at++] as number);
    }
    if (length > this.end - this.at) throw new BerError('element longer than its container', begin);
    const t = { tag, start: this.at, end: this.at + length };
    this.at = t.end;
    return t;
  }

  /** Reads the next element and checks its tag. */
  expect(tag: number, what: string): Tlv {
    const at = this.at;
    const t = this.next();
    if (t.tag !== tag) throw new BerError(`expected ${what} (tag 0x${tag.toString(16)}), found tag 0x${t.tag.toString(16)}`, at);
    return t;
  }

  /** A reader over the contents of a constructed element. */
  enter(t: Tlv): BerReader {
    return new BerReader(this.buf, t.start, t.end);
  }

  /** Reads a constructed element and returns a reader over its contents. */
  sequence(tag: number = TAG.sequence, what = 'SEQUENCE'): BerReader {
    return this.enter(this.expect(tag, what));
  }

  /** Reads an INTEGER (or ENUMERATED) that fits a safe integer. */
  integer(tag: number = TAG.integer, what = 'INTEGER'): number {
    const t = this.expect(tag, what);
    const len = t.end - t.start;
    if (len === 0) throw new BerError(`empty ${what}`, t.start);
    if (len > 8) throw new BerError(`${what} too large`, t.start);
    let v = (this.buf[t.start] as number) & 0x80 ? -1n : 0n;
    for (let i = t.start; i < t.end; i++) v = (v << 8n) | BigInt(this.buf[i] as number);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
      throw new BerError(`${what} too large`, t.start);
    return Number(v);
  }

  /** Reads an OCTET STRING (or an implicitly tagged one) as bytes. */
  octets(tag: number = TAG.octetString, what = 'OCTET STRING'): Uint8Array {
    const t = this.expect(tag, what);
    return this.buf.slice(t.start, t.end);
  }

  /** Reads a BOOLEAN. */
  boolean(tag: number = TAG.boolean, what = 'BOOLEAN'): boolean {
    const t = this.expect(tag, what);
    if (t.end - t.start !== 1) throw new BerError(`${what} must be one byte`, t.start);
    return this.buf[t.start] !== 0;
  }

  /** Fails unless every element of the region has been read. */
  finish(what: string): void {
    if (!this.done) throw new BerError(`unexpected data after ${what}`, this.at);
  }
}
