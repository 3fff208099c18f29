import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, verifyPassword } from '../src/index.js';
import { parseScryptHash } from '../src/password.js';
import { LruMap } from '../src/digest.js';

const FAST = { N: 1024, r: 8, p: 1 };

describe('hashPassword / verifyPassword', () => {
  it('produces $scrypt$N$r$p$salt$hash that verifies', async () => {
    const h = await hashPassword('correct horse', FAST);
    expect(h).toMatch(/^\$scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(isPasswordHash(h)).toBe(true);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('correct horsf', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    const [a, b] = await Promise.all([hashPassword('pw', FAST), hashPassword('pw', FAST)]);
    expect(a).not.toBe(b);
  });

  it('uses a slow default cost', async () => {
    const h = await hashPassword('pw');
    expect(parseScryptHash(h)).toMatchObject({ N: 32768, r: 8, p: 1 });
  });

  it('refuses unsafe parameters', async () => {
    await expect(hashPassword('pw', { N: 1000 })).rejects.toThrow(/power of two/);
    await expect(hashPassword('pw', { N: 2 ** 21 })).rejects.toThrow(RangeError);
    await expect(hashPassword('pw', { r: 0 })).rejects.toThrow(/r must/);
    await expect(hashPassword('pw', { p: 99 })).rejects.toThrow(/p must/);
  });

  it.each([
    ['$scrypt$1024$8$1$c2FsdHNhbHQ', 'expected'],
    ['$scrypt$1000$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', 'power of two'],
    ['$scrypt$1024$8$1$c2Fs$aGFzaGhhc2hoYXNoaGFzaA', 'salt must be at least'],
    ['$scrypt$1024$8$1$c2FsdHNhbHQ$aGFzaA', 'hash must be'],
    ['$scrypt$1024$8$1$c2Fsd!NhbHQ$aGFzaGhhc2hoYXNoaGFzaA', 'base64url'],
    ['$scrypt$x$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', 'integers'],
    ['$argon2id$…', 'not a $scrypt$'],
  ])('parseScryptHash(%j) explains: %s', (text, why) => {
    const r = parseScryptHash(text);
    expect(typeof r).toBe('string');
    expect(r).toContain(why);
    expect(r).not.toContain(text);
  });

  it('verifyPassword is false for malformed hashes', async () => {
    expect(await verifyPassword('pw', '$scrypt$oops')).toBe(false);
  });

  it('parseScryptHash never throws (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        const r = parseScryptHash(`$scrypt$${s}`);
        expect(typeof r === 'string' || typeof r === 'object').toBe(true);
      }),
    );
  });
});

describe('LruMap', () => {
  it('stays bounded and evicts the least recently used', () => {
    const m = new LruMap<string, number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    expect(m.get('a')).toBe(1); // a is now most recent
    m.set('d', 4);
    expect(m.size).toBe(3);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    for (let i = 0; i < 100; i++) m.set(`k${i}`, i);
    expect(m.size).toBe(3);
  });
});
