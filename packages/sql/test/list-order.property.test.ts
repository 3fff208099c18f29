import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareValues, sortRows } from '../src/list-order.js';

const sign = (n: number) => Math.sign(n);

describe('list rows ordered in the gateway (as ORDER BY with NULLs first and a binary collation)', () => {
  it('orders integers as integers, whether the driver gave a number or text', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (a, b) => {
          const asDriver = (v: bigint) =>
            v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v);
          expect(sign(compareValues(asDriver(a), asDriver(b)))).toBe(a === b ? 0 : a < b ? -1 : 1);
        },
      ),
    );
  });

  it('orders text by code point (the UTF-8 byte order a binary collation uses)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 }), (a, b) => {
        expect(sign(compareValues(a, b))).toBe(sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }),
    );
    expect(compareValues('\u{1D538}', '\uFB01')).toBeGreaterThan(0); // UTF-16 `<` says the opposite
  });

  it('puts NULLs first and sorts rows column by column', () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3 }), fc.constantFrom('a', 'B', 'b'));
    const row = fc.record({ k: fc.integer({ min: 0, max: 2 }), s: value, f: value });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const sorted = sortRows([...rows], ['k', 's', 'f']);
        expect(sorted).toHaveLength(rows.length);
        for (let i = 1; i < sorted.length; i++) {
          const [x, y] = [sorted[i - 1], sorted[i]] as [(typeof rows)[number], (typeof rows)[number]];
          const cmp = [x.k - y.k, compareValues(x.s, y.s), compareValues(x.f, y.f)].find((d) => d !== 0) ?? 0;
          expect(cmp).toBeLessThanOrEqual(0);
          if (x.s === null && y.s !== null && x.k === y.k) expect(compareValues(x.s, y.s)).toBeLessThan(0);
        }
        // The same multiset of rows.
        expect([...sorted].map((r) => JSON.stringify(r)).sort()).toEqual([...rows].map((r) => JSON.stringify(r)).sort());
      }),
    );
  });
});
