/**
 * The BER codec and the sort / VLV control values: exact bytes for known
 * values (worked out by hand from X.690), round trips, and property tests
 * that any bytes give a value or a BerError — never another exception,
 * never an out-of-range read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BerError, BerReader, integer, octets, sequence, TAG, tlv } from '../src/controls/ber.js';
import {
  decodeSortRequest,
  decodeSortResponse,
  encodeSortRequest,
  encodeSortResponse,
  type SortKey,
} from '../src/controls/sort.js';
import {
  decodeVlvRequest,
  decodeVlvResponse,
  encodeVlvRequest,
  encodeVlvResponse,
  type VlvRequest,
  type VlvResponse,
} from '../src/controls/vlv.js';
import { ResponseCatcher, vlvControls } from '../src/controls/wire.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

/** Only BerError may escape a decoder. */
function decodesOrRefuses(decode: (b: Uint8Array) => unknown, b: Uint8Array): void {
  try {
    decode(b);
  } catch (e) {
    if (!(e instanceof BerError)) throw e;
  }
}

describe('BER', () => {
  it.each([
    [0, '020100'],
    [99, '020163'],
    [127, '02017f'],
    [128, '02020080'],
    [255, '020200ff'],
    [256, '02020100'],
    [9001, '02022329'],
    [-1, '0201ff'],
    [-128, '020180'],
    [-129, '0202ff7f'],
    [2_147_483_647, '02047fffffff'],
  ])('encodes INTEGER %i minimally as %s', (n, want) => {
    expect(hex(integer(n))).toBe(want);
    expect(new BerReader(integer(n)).integer()).toBe(n);
  });

  it('uses the long length form from 128 bytes on', () => {
    expect(hex(octets(new Uint8Array(127))).slice(0, 4)).toBe('047f');
    expect(hex(octets(new Uint8Array(128))).slice(0, 6)).toBe('048180');
    expect(hex(octets(new Uint8Array(300))).slice(0, 8)).toBe('0482012c');
  });

  it('round-trips any safe integer and any octets', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(new BerReader(integer(n)).integer()).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        expect(hex(new BerReader(octets(b)).octets())).toBe(hex(b));
      }),
    );
  });

  it.each([
    ['empty input', ''],
    ['missing length', '30'],
    ['indefinite length', '3080'],
    ['length past the end', '3005020100'],
    ['length of five bytes', '308500000000010000'],
    ['truncated long length', '3082ff'],
    ['multi-byte tag', '1f8101020100'],
  ])('refuses %s', (_, h) => {
    expect(() => new BerReader(bytes(h)).next()).toThrow(BerError);
  });

  it('refuses integers that are empty or beyond a safe integer', () => {
    expect(() => new BerReader(bytes('0200')).integer()).toThrow(BerError);
    expect(() => new BerReader(bytes('020900ffffffffffffffff')).integer()).toThrow(BerError);
    expect(() => new BerReader(bytes('02080020000000000000')).integer()).toThrow(BerError);
    expect(new BerReader(bytes('0207 1fffffffffffff')).integer()).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses the wrong tag where a type is expected', () => {
    expect(() => new BerReader(bytes('040100')).integer()).toThrow(/expected INTEGER/);
  });

  it('never reads past an element into its neighbour', () => {
    // SEQUENCE { INTEGER 1 } followed by INTEGER 2: the inner reader stops at the sequence's end.
    const r = new BerReader(concat(sequence([integer(1)]), integer(2)));
    const inner = r.sequence();
    expect(inner.integer()).toBe(1);
    expect(inner.done).toBe(true);
    expect(() => inner.integer()).toThrow(BerError);
    expect(r.integer()).toBe(2);
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

describe('VLV request (draft-ietf-ldapext-ldapv3-vlv-09 §6.1)', () => {
  it('encodes a window by offset', () => {
    const r: VlvRequest = { beforeCount: 0, afterCount: 99, target: { offset: 9001, contentCount: 0 } };
    // SEQUENCE { 0, 99, [0] { 9001, 0 } }
    expect(hex(encodeVlvRequest(r))).toBe('300f020100020163a00702022329020100');
    expect(decodeVlvRequest(encodeVlvRequest(r))).toEqual(r);
  });

  it('encodes a context id and a greaterThanOrEqual target', () => {
    const ctx = bytes('c05510882d7f0000');
    const byOffset = encodeVlvRequest({ beforeCount: 1, afterCount: 2, target: { offset: 3, contentCount: 4 }, contextId: ctx });
    expect(hex(byOffset)).toBe(`3018020101020102a006020103020104 0408${hex(ctx)}`.replace(/\s/g, ''));
    const byValue = encodeVlvRequest({ beforeCount: 0, afterCount: 0, target: { greaterThanOrEqual: 'smith' } });
    expect(hex(byValue)).toBe(`300d0201000201008105${Buffer.from('smith').toString('hex')}`);
  });

  it('refuses counts outside 0..maxInt', () => {
    expect(() => encodeVlvRequest({ beforeCount: -1, afterCount: 0, target: { offset: 1, contentCount: 0 } })).toThrow(
      RangeError,
    );
    expect(() => encodeVlvRequest({ beforeCount: 0, afterCount: 2 ** 31, target: { offset: 1, contentCount: 0 } })).toThrow(
      RangeError,
    );
  });

  it('round-trips any request', () => {
    const count = fc.integer({ min: 0, max: 2_147_483_647 });
    const request = fc.record({
      beforeCount: count,
      afterCount: count,
      target: fc.oneof(
        fc.record({ offset: count, contentCount: count }),
        fc.record({ greaterThanOrEqual: fc.uint8Array({ maxLength: 40 }) }),
      ),
      contextId: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(request, (r) => {
        const back = decodeVlvRequest(encodeVlvRequest(r));
        const want = r.contextId === undefined ? { ...r, contextId: undefined } : r;
        expect({ ...back, contextId: back.contextId }).toEqual(want);
      }),
    );
  });
});

describe('VLV response (draft-ietf-ldapext-ldapv3-vlv-09 §6.2)', () => {
  it('decodes what OpenLDAP sends', () => {
    // targetPosition 9001, contentCount 10000, success, an 8-byte context.
    const v = bytes('3015 02022329 02022710 0a0100 0408 d03c107c2d7f0000');
    expect(decodeVlvResponse(v)).toEqual({
      targetPosition: 9001,
      contentCount: 10000,
      result: 0,
      contextId: bytes('d03c107c2d7f0000'),
    });
  });

  it('decodes an offset range error without a context', () => {
    expect(decodeVlvResponse(bytes('300b 0202138b 02021388 0a014d'))).toEqual({
      targetPosition: 5003,
      contentCount: 5000,
      result: 77,
    });
  });

  it('skips elements a later revision may add', () => {
    const v = sequence([integer(1), integer(2), integer(0, TAG.enumerated), octets('ctx'), tlv(0x85, Uint8Array.of(1))]);
    expect(decodeVlvResponse(v).contentCount).toBe(2);
  });

  it('refuses a response that is not one', () => {
    expect(() => decodeVlvResponse(bytes('3003020101'))).toThrow(BerError);
    expect(() => decodeVlvResponse(bytes('3009020101020101020100'))).toThrow(/ENUMERATED/);
    expect(() => decodeVlvResponse(bytes('3009020101020101 0a0100 00'))).toThrow(BerError);
    expect(() => decodeVlvResponse(bytes('30090201ff0201010a0100'))).toThrow(/negative/);
  });

  it('round-trips any response', () => {
    const n = fc.integer({ min: 0, max: 2_147_483_647 });
    const response = fc.record({
      targetPosition: n,
      contentCount: n,
      result: fc.integer({ min: 0, max: 200 }),
      contextId: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(response, (r: VlvResponse) => {
        const back = decodeVlvResponse(encodeVlvResponse(r));
        expect({ ...back, contextId: back.contextId }).toEqual({ ...r, contextId: r.contextId });
      }),
    );
  });

  it('gives a response or a BerError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => decodesOrRefuses(decodeVlvResponse, b)),
      { numRuns: 5000 },
    );
  });

  it('gives a response or a BerError for any corruption of a valid response', () => {
    const valid = encodeVlvResponse({ targetPosition: 5, contentCount: 300, result: 0, contextId: bytes('0102030405060708') });
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length), (at, byte, cut) => {
        const b = Uint8Array.from(valid);
        b[at] = byte;
        decodesOrRefuses(decodeVlvResponse, b.slice(0, cut));
        decodesOrRefuses(decodeVlvResponse, b);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives a request or a BerError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => decodesOrRefuses(decodeVlvRequest, b)),
      { numRuns: 5000 },
    );
  });
});

describe('server-side sorting (RFC 2891)', () => {
  it('encodes one key with an ordering rule, leaving reverseOrder out when false', () => {
    const keys: SortKey[] = [{ attributeType: 'uid', orderingRule: 'caseIgnoreOrderingMatch', reverseOrder: false }];
    const name = Buffer.from('caseIgnoreOrderingMatch').toString('hex');
    expect(hex(encodeSortRequest(keys))).toBe(`3020301e0403756964 8017${name}`.replace(/\s/g, ''));
    expect(decodeSortRequest(encodeSortRequest(keys))).toEqual([
      { attributeType: 'uid', orderingRule: 'caseIgnoreOrderingMatch' },
    ]);
  });

  it('encodes reverse order as [1] TRUE', () => {
    expect(hex(encodeSortRequest([{ attributeType: 'cn', reverseOrder: true }]))).toBe('300930070402636e8101ff');
  });

  it('refuses an empty key list', () => {
    expect(() => encodeSortRequest([])).toThrow(RangeError);
    expect(() => decodeSortRequest(bytes('3000'))).toThrow(BerError);
  });

  it('decodes results with and without the attribute at fault', () => {
    expect(decodeSortResponse(bytes('30030a0100'))).toEqual({ result: 0 });
    expect(decodeSortResponse(bytes('30080a0112 8003756964'))).toEqual({ result: 18, attributeType: 'uid' });
    expect(() => decodeSortResponse(bytes('30080a0112 8003ff6964'))).toThrow(/UTF-8/);
  });

  it('round-trips keys and responses', () => {
    const attr = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
    const keys = fc.array(
      fc.record({
        attributeType: attr,
        orderingRule: fc.option(attr, { nil: undefined }),
        reverseOrder: fc.option(fc.constant(true), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(keys, (k) => {
        const strip = (x: SortKey[]) =>
          x.map((s) => ({
            attributeType: s.attributeType,
            ...(s.orderingRule ? { orderingRule: s.orderingRule } : {}),
            ...(s.reverseOrder ? { reverseOrder: true } : {}),
          }));
        expect(strip(decodeSortRequest(encodeSortRequest(k)))).toEqual(strip(k));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 127 }), fc.option(attr, { nil: undefined }), (result, attributeType) => {
        expect(decodeSortResponse(encodeSortResponse({ result, attributeType }))).toEqual(
          attributeType === undefined ? { result } : { result, attributeType },
        );
      }),
    );
  });

  it('gives a value or a BerError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        decodesOrRefuses(decodeSortResponse, b);
        decodesOrRefuses(decodeSortRequest, b);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('ldapts wiring', () => {
  it('sends the sort and VLV requests critical, and never writes the response catchers', async () => {
    const { BerWriter } = await import('ldapts');
    const wire = vlvControls([{ attributeType: 'uid' }], {
      beforeCount: 0,
      afterCount: 9,
      target: { offset: 1, contentCount: 0 },
    });
    const w = new BerWriter();
    for (const c of wire.controls) c.write(w);
    const out = new BerReader(Uint8Array.from(w.buffer));
    const sent: { oid: string; critical: boolean; value: string }[] = [];
    while (!out.done) {
      const c = out.sequence();
      const oid = Buffer.from(c.octets()).toString();
      const critical = c.boolean();
      sent.push({ oid, critical, value: hex(c.octets()) });
    }
    expect(sent).toEqual([
      { oid: '1.2.840.113556.1.4.473', critical: true, value: hex(encodeSortRequest([{ attributeType: 'uid' }])) },
      {
        oid: '2.16.840.1.113730.3.4.9',
        critical: true,
        value: hex(encodeVlvRequest({ beforeCount: 0, afterCount: 9, target: { offset: 1, contentCount: 0 } })),
      },
    ]);
  });

  it('keeps the value of a response control ldapts hands over', async () => {
    const { BerReader: LdaptsReader } = await import('ldapts');
    const catcher = new ResponseCatcher('2.16.840.1.113730.3.4.10');
    const value = encodeVlvResponse({ targetPosition: 1, contentCount: 2, result: 0 });
    catcher.parse(new LdaptsReader(Buffer.from(value)));
    expect(catcher.value && decodeVlvResponse(catcher.value)).toEqual({ targetPosition: 1, contentCount: 2, result: 0 });
  });
});
