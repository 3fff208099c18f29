import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Digester } from '../src/digest.js';

const key = Buffer.alloc(32, 7);
const parts = fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 3 });
/** Labels are the code's own constants (domain separation), never input. */
const label = fc.constantFrom('id', 'pair', 'cred', 'token', 'hashed-entry');

describe('Digester', () => {
  it('is SHA-256 of the key and the length-prefixed parts', () => {
    const expected = createHash('sha256')
      .update(`${key.toString('base64')}pair\u00001:u\u00002:pw`, 'utf8')
      .digest();
    expect(new Digester(key).digest('pair', 'u', 'pw').equals(expected)).toBe(true);
  });

  it('is the SHA-256 bytes for any parts (every byte value survives the way out of hash())', () => {
    const d = new Digester(key);
    fc.assert(
      fc.property(label, parts, (l, p) => {
        let text = `${key.toString('base64')}${l}`;
        for (const part of p) text += `\u0000${part.length}:${part}`;
        expect(d.digest(l, ...p).equals(createHash('sha256').update(text, 'utf8').digest())).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives equal inputs equal 32-byte digests and distinct inputs distinct ones', () => {
    const d = new Digester(key);
    fc.assert(
      fc.property(label, parts, label, parts, (la, a, lb, b) => {
        const x = d.digest(la, ...a);
        expect(x.length).toBe(32);
        const same = la === lb && a.length === b.length && a.every((p, i) => p === b[i]);
        expect(x.equals(d.digest(lb, ...b))).toBe(same);
      }),
    );
  });

  it('splits parts unambiguously', () => {
    const d = new Digester(key);
    expect(d.digest('pair', 'ab', 'c').equals(d.digest('pair', 'a', 'bc'))).toBe(false);
    expect(d.digest('pair', 'a:1', 'b').equals(d.digest('pair', 'a', '1:b'))).toBe(false);
  });

  it('depends on the key', () => {
    expect(new Digester(key).digest('id', 'u').equals(new Digester(Buffer.alloc(32, 8)).digest('id', 'u'))).toBe(false);
    expect(new Digester().digest('id', 'u').equals(new Digester().digest('id', 'u'))).toBe(false);
  });
});
