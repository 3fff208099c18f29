import { errors } from '@scimgw/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cursorSignature, decodeCursor, encodeCursor } from '../src/cursor.js';

describe('keyset cursors', () => {
  const sig = cursorSignature(['userName eq "x"', { path: { attr: 'userName' }, order: 'ascending' }]);

  it('round-trips positions of every sort value type', () => {
    for (const sortValue of ['ann', '', 0, -1.5, true, false, null, new Date('2024-05-01T10:00:00.123Z')]) {
      const c = encodeCursor({ kind: 'keyset', position: { sorted: true, sortValue, order: '42' } }, sig);
      expect(decodeCursor(c, sig, true)).toEqual({ kind: 'keyset', position: { sorted: true, sortValue, order: '42' } });
    }
    expect(decodeCursor(encodeCursor({ kind: 'offset', offset: 30 }, sig), sig, false)).toEqual({ kind: 'offset', offset: 30 });
  });

  it('refuses a cursor made for another filter or sort', () => {
    const c = encodeCursor({ kind: 'keyset', position: { sorted: false, sortValue: null, order: 7 } }, sig);
    expect(() => decodeCursor(c, cursorSignature(['other']), false)).toThrow(errors.InvalidCursorError);
  });

  it('any text is a cursor or a 400 invalidCursor, never a crash', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 3000 }),
          fc.base64String({ maxLength: 200 }),
          fc.json().map((j) => Buffer.from(j).toString('base64url')),
        ),
        (text) => {
          try {
            decodeCursor(text, sig, true);
          } catch (e) {
            expect(e).toBeInstanceOf(errors.InvalidCursorError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
