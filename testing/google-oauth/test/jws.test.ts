import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, decodeJws, parseJsonObject } from '../src/jws.js';

describe('decodeBase64url: strict, as RFC 7515 §2 defines it', () => {
  it('decodes what Buffer encodes, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(decodeBase64url(Buffer.from(bytes).toString('base64url'))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('refuses padding, the base64 alphabet, other characters, a length of 4n+1 and non-zero unused bits', () => {
    for (const text of ['QQ==', 'a+b/', 'ab c', 'ab!c', 'abcde', 'A', 'QR', 'QUF', 'QUG']) {
      expect(decodeBase64url(text), text).toBeUndefined();
    }
    expect(decodeBase64url('QQ')?.toString()).toBe('A');
    expect(decodeBase64url('QUE')?.toString()).toBe('AA');
    expect(decodeBase64url('')?.length).toBe(0);
  });
});

describe('parseJsonObject and decodeJws', () => {
  it('takes only JSON objects in UTF-8', () => {
    expect(parseJsonObject(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    for (const text of ['[]', 'null', '1', '"x"', '{', '']) expect(parseJsonObject(Buffer.from(text)), text).toBeUndefined();
    expect(parseJsonObject(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toBeUndefined();
  });

  it('keeps "__proto__" a member and pollutes nothing', () => {
    const parsed = parseJsonObject(Buffer.from('{"__proto__":{"polluted":true}}'));
    expect(Object.hasOwn(parsed!, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives back the parts it could decode of a broken token', () => {
    const h = Buffer.from('{"alg":"RS256"}').toString('base64url');
    const p = Buffer.from('{"iss":"a"}').toString('base64url');
    expect(decodeJws(`${h}.${p}.%`)).toEqual({ ok: false, header: { alg: 'RS256' }, claims: { iss: 'a' } });
    expect(decodeJws(`${h}.${h}.${h}.${h}`)).toEqual({ ok: false });
    const good = decodeJws(`${h}.${p}.AQID`);
    expect(good.ok && [...good.jws.signature]).toEqual([1, 2, 3]);
    expect(good.ok && good.jws.signingInput.toString()).toBe(`${h}.${p}`);
  });
});
