import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonSafe } from '../src/index.js';

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

/** Every own key at every depth. */
function keys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) keys(x, out);
  else if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) {
      out.push(k);
      keys((v as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

/** Writes a key the way a hostile client might: plain, or with some characters \u-escaped. */
function spell(key: string, escapeMask: number): string {
  let s = '';
  for (let i = 0; i < key.length; i++) {
    s += (escapeMask >> i) & 1 ? `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}` : JSON.stringify(key[i]).slice(1, -1);
  }
  return `"${s}"`;
}

const keyArb = fc.oneof(fc.constantFrom(...FORBIDDEN, 'userName', 'proto', 'name'), fc.string({ maxLength: 8 }));
/** JSON text of nested objects whose keys may be forbidden, spelled plainly or escaped. */
const hostile: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)),
    tie('object'),
  ),
  object: fc
    .array(fc.tuple(keyArb, fc.nat(), tie('value') as fc.Arbitrary<string>), { maxLength: 4 })
    .map((entries) => `{${entries.map(([k, mask, v]) => `${spell(k, mask)}:${v}`).join(',')}}`),
})).object;

describe('parseJsonSafe', () => {
  it('never returns a forbidden key, however it is spelled', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const parsed = parseJsonSafe(text);
        for (const k of keys(parsed)) expect(FORBIDDEN).not.toContain(k);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('is JSON.parse for everything else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        const clean = !keys(JSON.parse(text)).some((k) => FORBIDDEN.includes(k));
        if (clean) expect(parseJsonSafe(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('drops an escaped __proto__ (the fast path must not miss it)', () => {
    const parsed = parseJsonSafe('{"\\u005f_proto__":{"polluted":1},"a":1}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['a']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });
});
