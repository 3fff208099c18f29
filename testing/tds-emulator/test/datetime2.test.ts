/**
 * DATETIME2 parameters as tedious encodes them (whole units of 10^-scale s since midnight, days
 * since 0001-01-01), decoded by the emulator: the same instant, to the unit the scale keeps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader } from '../src/wire.js';
import { readTypedValue } from '../src/types.js';

const DAYS_TO_1970 = 719_162;

/** The TYPE_INFO and value bytes of a DATETIME2N parameter, computed in integers as tedious does. */
function datetime2(ms: number, scale: number): Buffer {
  const day = Math.floor(ms / 86_400_000);
  const inDay = ms - day * 86_400_000;
  const ticks = scale >= 3 ? inDay * 10 ** (scale - 3) : Math.round(inDay / 10 ** (3 - scale));
  const timeBytes = scale <= 2 ? 3 : scale <= 4 ? 4 : 5;
  const b = Buffer.alloc(3 + timeBytes + 3);
  b.writeUInt8(0x2a, 0);
  b.writeUInt8(scale, 1);
  b.writeUInt8(timeBytes + 3, 2);
  b.writeUIntLE(ticks, 3, timeBytes);
  b.writeUIntLE(day + DAYS_TO_1970, 3 + timeBytes, 3);
  return b;
}

describe('DATETIME2 parameters', () => {
  it('decode to the instant tedious encoded, for every millisecond and scale (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 - 1 }), // 1970 … 2100
        fc.integer({ min: 3, max: 7 }),
        (ms, scale) => {
          const v = readTypedValue(new Reader(datetime2(ms, scale)));
          expect(v.value).toBe(new Date(ms).toISOString().replace('T', ' ').replace('Z', ''));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('keeps .317 (once read as .316: floating point in the decoder)', () => {
    const ms = Date.parse('2026-12-07T02:19:15.317Z');
    expect(readTypedValue(new Reader(datetime2(ms, 3))).value).toBe('2026-12-07 02:19:15.317');
  });

  it('scales below 3 keep what they carry', () => {
    const ms = Date.parse('2026-12-07T02:19:15.310Z');
    expect(readTypedValue(new Reader(datetime2(ms, 2))).value).toBe('2026-12-07 02:19:15.310');
    expect(readTypedValue(new Reader(datetime2(Date.parse('2026-12-07T02:19:15.000Z'), 0))).value).toBe(
      '2026-12-07 02:19:15.000',
    );
  });
});
