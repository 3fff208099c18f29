import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activeToUac,
  encodeUnicodePwd,
  FILETIME_NEVER,
  filetimeToIso,
  formatGroupType,
  GuidFormatError,
  groupTypeValue,
  guidToBytes,
  guidToString,
  isoToFiletime,
  parseGroupType,
  parseGroupTypeName,
  uacToActive,
  unicodePwdChanges,
} from '../src/index.js';
import { assertPasswordTransport } from '../src/ad/password.js';
import { adAccountName } from '../src/codec.js';

describe('AD GUIDs (mixed-endian string form)', () => {
  it('formats and parses the documented layout', () => {
    const wire = Buffer.from('78563412341278564567abcdef012345', 'hex');
    expect(guidToString(wire)).toBe('12345678-1234-5678-4567-abcdef012345');
    expect(guidToBytes('12345678-1234-5678-4567-ABCDEF012345').equals(wire)).toBe(true);
    expect(guidToBytes('{12345678-1234-5678-4567-abcdef012345}').equals(wire)).toBe(true);
  });
  it('round-trips any 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        expect([...guidToBytes(guidToString(b))]).toEqual([...b]);
      }),
    );
  });
  it('rejects malformed input with GuidFormatError', () => {
    for (const s of ['', 'nope', '12345678-1234-5678-4567-abcdef01234', '12345678123456784567abcdef012345x']) {
      expect(() => guidToBytes(s)).toThrow(GuidFormatError);
    }
    expect(() => guidToString(Buffer.alloc(15))).toThrow(GuidFormatError);
  });
});

describe('userAccountControl ↔ active', () => {
  it('reads ACCOUNTDISABLE', () => {
    expect(uacToActive('512')).toBe(true);
    expect(uacToActive('514')).toBe(false);
    expect(uacToActive(66050)).toBe(false);
  });
  it('sets and clears only bit 0x2', () => {
    expect(activeToUac(false, '66048')).toBe('66050');
    expect(activeToUac(true, '66050')).toBe('66048');
    expect(activeToUac(true, '512')).toBe('512');
    expect(activeToUac(false)).toBe('514');
    expect(activeToUac(true)).toBe('512');
  });
  it('keeps every other bit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.boolean(), (uac, active) => {
        const next = Number(activeToUac(active, String(uac)));
        expect(next & ~2).toBe(uac & ~2);
        expect(uacToActive(String(next))).toBe(active);
      }),
    );
  });
});

describe('FILETIME ↔ ISO dateTime', () => {
  it('converts known instants', () => {
    expect(filetimeToIso('133485408000000000')).toBe('2024-01-01T00:00:00.000Z');
    expect(isoToFiletime('2024-01-01T00:00:00Z')).toBe('133485408000000000');
    expect(filetimeToIso('116444736000000000')).toBe('1970-01-01T00:00:00.000Z');
  });
  it('treats 0 and 0x7FFFFFFFFFFFFFFF as never', () => {
    expect(filetimeToIso('0')).toBeUndefined();
    expect(filetimeToIso(FILETIME_NEVER.toString())).toBeUndefined();
    expect(filetimeToIso('9223372036854775807')).toBeUndefined();
    expect(isoToFiletime(undefined)).toBe('9223372036854775807');
    expect(isoToFiletime(null, '0')).toBe('0');
  });
  it('round-trips millisecond instants (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1601-01-02T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }),
        (d) => {
          expect(filetimeToIso(isoToFiletime(d))).toBe(d.toISOString());
        },
      ),
    );
  });
  it('refuses what is not a date', () => {
    expect(() => isoToFiletime('yesterday')).toThrow();
    expect(() => filetimeToIso('abc')).toThrow();
  });
});

describe('unicodePwd', () => {
  it('is the quoted password in UTF-16LE', () => {
    expect(encodeUnicodePwd('ab').toString('hex')).toBe('2200610062002200');
    expect(encodeUnicodePwd('Pässwörd1!').equals(Buffer.from('"Pässwörd1!"', 'utf16le'))).toBe(true);
  });
  it('resets with one replace; a user change is delete old + add new', () => {
    const reset = unicodePwdChanges('New1!');
    expect(reset.map((c) => c.operation)).toEqual(['replace']);
    expect(reset[0]?.modification.type).toBe('unicodePwd');
    expect(reset[0]?.modification.values[0]).toEqual(encodeUnicodePwd('New1!'));
    const change = unicodePwdChanges('New1!', 'Old1!');
    expect(change.map((c) => c.operation)).toEqual(['delete', 'add']);
    expect(change[0]?.modification.values[0]).toEqual(encodeUnicodePwd('Old1!'));
    expect(change[1]?.modification.values[0]).toEqual(encodeUnicodePwd('New1!'));
  });
  it('is refused over an unencrypted connection', () => {
    expect(() => assertPasswordTransport({ url: 'ldap://dc1:389', startTls: false })).toThrow(/ldaps|startTls/);
    expect(() => assertPasswordTransport({ url: 'ldaps://dc1:636', startTls: false })).not.toThrow();
    expect(() => assertPasswordTransport({ url: 'ldap://dc1:389', startTls: true })).not.toThrow();
  });
});

describe('AD groupType', () => {
  const table: [string, string][] = [
    ['-2147483646', 'global-security'],
    ['-2147483644', 'domainLocal-security'],
    ['-2147483640', 'universal-security'],
    ['2', 'global-distribution'],
    ['4', 'domainLocal-distribution'],
    ['8', 'universal-distribution'],
  ];
  for (const [wire, name] of table) {
    it(`${wire} ↔ ${name}`, () => {
      expect(formatGroupType(parseGroupType(wire))).toBe(name);
      expect(groupTypeValue(parseGroupTypeName(name))).toBe(wire);
    });
  }
  it('defaults to security and rejects unknown names', () => {
    expect(parseGroupTypeName('universal')).toEqual({ scope: 'universal', security: true });
    expect(() => parseGroupTypeName('planetary')).toThrow();
    expect(() => parseGroupType('0')).toThrow();
  });
});

describe('adAccountName (sAMAccountName values AD accepts)', () => {
  it('replaces exactly the characters AD refuses, one for one, and leaves everything else', () => {
    const forbidden = '"/\\[]:;|=,+*?<>';
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const out = adAccountName(s) as string;
        expect(out).toHaveLength(s.length);
        for (let i = 0; i < s.length; i++) expect(out[i]).toBe(forbidden.includes(s[i] as string) ? '_' : s[i]);
      }),
    );
    expect(adAccountName('Sales & Marketing (EU) O\'Neil "A"')).toBe("Sales & Marketing (EU) O'Neil _A_");
    const bytes = Buffer.from([1, 2]);
    expect(adAccountName(bytes)).toBe(bytes);
  });
});
