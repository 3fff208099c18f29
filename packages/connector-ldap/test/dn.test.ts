import fc from 'fast-check';
import { plainDnKey } from '../src/dn.js';
import { describe, expect, it } from 'vitest';
import { type Dn, DnSyntaxError, canonicalDn, dnKey, escapeDnValue, isWithin, parseDn, serializeDn } from '../src/index.js';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

describe('parseDn (RFC 4514)', () => {
  const table: [string, Dn][] = [
    ['', []],
    ['dc=example,dc=org', [[{ type: 'dc', value: 'example' }], [{ type: 'dc', value: 'org' }]]],
    ['cn=Smith\\, John,ou=people', [[{ type: 'cn', value: 'Smith, John' }], [{ type: 'ou', value: 'people' }]]],
    ['cn=Smith\\2C John', [[{ type: 'cn', value: 'Smith, John' }]]],
    [
      'cn=a+sn=b,dc=x',
      [
        [
          { type: 'cn', value: 'a' },
          { type: 'sn', value: 'b' },
        ],
        [{ type: 'dc', value: 'x' }],
      ],
    ],
    ['cn=a\\+b', [[{ type: 'cn', value: 'a+b' }]]],
    ['cn=a=b', [[{ type: 'cn', value: 'a=b' }]]],
    ['cn=a\\=b', [[{ type: 'cn', value: 'a=b' }]]],
    ['cn=#04024869,dc=x', [[{ type: 'cn', value: bytes('04024869') }], [{ type: 'dc', value: 'x' }]]],
    ['cn=\\#not-hex', [[{ type: 'cn', value: '#not-hex' }]]],
    ['cn=\\ lead', [[{ type: 'cn', value: ' lead' }]]],
    ['cn=trail\\ ', [[{ type: 'cn', value: 'trail ' }]]],
    ['cn=\\20both\\20', [[{ type: 'cn', value: ' both ' }]]],
    ['cn=in  side', [[{ type: 'cn', value: 'in  side' }]]],
    ['cn=Jürgen Müller', [[{ type: 'cn', value: 'Jürgen Müller' }]]],
    ['cn=J\\C3\\BCrgen', [[{ type: 'cn', value: 'Jürgen' }]]],
    ['cn=日本語,dc=x', [[{ type: 'cn', value: '日本語' }], [{ type: 'dc', value: 'x' }]]],
    ['cn=😀', [[{ type: 'cn', value: '😀' }]]],
    ['cn=back\\\\slash', [[{ type: 'cn', value: 'back\\slash' }]]],
    ['cn=end\\\\,dc=x', [[{ type: 'cn', value: 'end\\' }], [{ type: 'dc', value: 'x' }]]],
    ['cn=q\\"uote\\;\\<\\>', [[{ type: 'cn', value: 'q"uote;<>' }]]],
    ['cn=nul\\00byte', [[{ type: 'cn', value: 'nul\0byte' }]]],
    ['cn=', [[{ type: 'cn', value: '' }]]],
    ['2.5.4.3=oid', [[{ type: '2.5.4.3', value: 'oid' }]]],
    ['OID.2.5.4.3=legacy', [[{ type: '2.5.4.3', value: 'legacy' }]]],
    // Lenient input as servers print it (RFC 2253/1779 spacing, ';' separators).
    ['cn = a , dc = x', [[{ type: 'cn', value: 'a' }], [{ type: 'dc', value: 'x' }]]],
    ['cn=a;dc=x', [[{ type: 'cn', value: 'a' }], [{ type: 'dc', value: 'x' }]]],
  ];
  for (const [input, want] of table) {
    it(`parses ${JSON.stringify(input)}`, () => {
      expect(parseDn(input)).toEqual(want);
    });
  }

  const bad = [
    'cn',
    '=a',
    'cn=a,',
    'cn=a+',
    ',dc=x',
    'c n=a',
    'cn=a\\zz',
    'cn=a\\',
    'cn=#abc',
    'cn=#',
    'cn=#0102 x',
    'cn=\\ff\\fe',
    'cn=a"b',
    'cn=a<b',
    'cn=a>b',
    '1cn=a',
    'cn=a\0b',
  ];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input)} with DnSyntaxError`, () => {
      expect(() => parseDn(input)).toThrow(DnSyntaxError);
    });
  }
});

describe('serializeDn / escapeDnValue', () => {
  const table: [string, string][] = [
    ['Smith, John', 'Smith\\, John'],
    [' lead', '\\ lead'],
    ['trail ', 'trail\\ '],
    [' ', '\\ '],
    ['#hash', '\\#hash'],
    ['mid#hash', 'mid#hash'],
    ['a+b=c', 'a\\+b\\=c'],
    ['q"<>;', 'q\\"\\<\\>\\;'],
    ['back\\slash', 'back\\\\slash'],
    ['nul\0', 'nul\\00'],
    ['tab\t', 'tab\\09'],
    ['Jürgen', 'Jürgen'],
  ];
  for (const [value, want] of table) {
    it(`escapes ${JSON.stringify(value)}`, () => {
      expect(escapeDnValue(value)).toBe(want);
      expect(parseDn(`cn=${want}`)).toEqual([[{ type: 'cn', value }]]);
    });
  }

  it('writes binary values as #hex and keeps multi-valued RDNs', () => {
    expect(
      serializeDn([
        [
          { type: 'cn', value: bytes('0a0b') },
          { type: 'sn', value: 'x' },
        ],
        [{ type: 'dc', value: 'y' }],
      ]),
    ).toBe('cn=#0a0b+sn=x,dc=y');
  });

  it('canonicalizes equivalent spellings to one string', () => {
    expect(canonicalDn('CN = Smith\\2C John , DC=x')).toBe('CN=Smith\\, John,DC=x');
  });

  it('compares DNs case-insensitively with dnKey and isWithin', () => {
    expect(dnKey('UID=Bob,OU=People,DC=X')).toBe(dnKey('uid=bob, ou=people, dc=x'));
    expect(dnKey('cn=a+sn=b')).toBe(dnKey('sn=b+cn=a'));
    expect(isWithin('uid=a,ou=people,dc=x', 'ou=People,dc=x')).toBe(true);
    expect(isWithin('uid=a\\,ou=people,ou=admins,dc=x', 'ou=people,dc=x')).toBe(false);
    expect(isWithin('dc=x', 'ou=people,dc=x')).toBe(false);
  });
});

const attrType = fc.oneof(
  fc.constantFrom('cn', 'uid', 'ou', 'dc', 'sn', 'givenName', 'mail', 'x-custom-1'),
  fc.array(fc.nat({ max: 999 }), { minLength: 2, maxLength: 5 }).map((a) => a.join('.')),
);
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom(' ', ',', '+', '=', '#', '\\', '"', ';', '<', '>', '\0', 'a', 'é'), maxLength: 12 }),
  fc.uint8Array({ minLength: 1, maxLength: 12 }),
);
const dnArb: fc.Arbitrary<Dn> = fc.array(fc.array(fc.record({ type: attrType, value }), { minLength: 1, maxLength: 3 }), {
  maxLength: 5,
});

describe('DN parser properties (fast-check)', () => {
  it('parse ∘ serialize is the identity on structured DNs', () => {
    fc.assert(
      fc.property(dnArb, (dn) => {
        expect(parseDn(serializeDn(dn))).toEqual(dn);
      }),
      { numRuns: 2000 },
    );
  });

  it('serialize ∘ parse is stable: a parsed DN re-serializes to a fixed point', () => {
    fc.assert(
      fc.property(dnArb, fc.constantFrom(' ', ''), (dn, sp) => {
        // The same DN written with spaces around separators parses to the same structure.
        const loose = dn
          .map((rdn) => rdn.map((a) => `${a.type}${sp}=${sp}${serializeDnValue(a.value)}`).join(`${sp}+${sp}`))
          .join(`${sp},${sp}`);
        const once = serializeDn(parseDn(loose));
        expect(serializeDn(parseDn(once))).toBe(once);
        expect(parseDn(loose)).toEqual(dn);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but DnSyntaxError, whatever the input', () => {
    const noise = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({
        unit: fc.constantFrom('c', 'n', '=', ',', '+', '\\', '#', '0', 'f', ' ', '"', ';', '.', '1', 'é'),
        maxLength: 40,
      }),
    );
    fc.assert(
      fc.property(noise, (s) => {
        try {
          const dn = parseDn(s);
          expect(parseDn(serializeDn(dn))).toEqual(dn);
        } catch (e) {
          expect(e).toBeInstanceOf(DnSyntaxError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('plainDnKey: the DN key of plain DNs without a parse (fast-check against the parser)', () => {
  /** The key the full parser gives (a parsed DN is keyed without the shortcut). */
  const parsedKey = (s: string) => dnKey(parseDn(s));
  const plainType = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,8}$/);
  const plainValue = fc.stringMatching(/^[\w.@-]{1,12}$/);
  const plainDn = fc
    .array(fc.tuple(plainType, plainValue), { minLength: 1, maxLength: 6 })
    .map((rdns) => rdns.map(([t, v]) => `${t}=${v}`).join(','));
  // Plain DNs with one character somewhere replaced by anything DN syntax gives meaning to.
  const nearlyPlain = fc
    .tuple(plainDn, fc.nat(), fc.constantFrom(' ', '+', '\\', '\\2c', '#', '"', ';', '<', '>', '=', ',', 'é', '\0', '', '.', '1'))
    .map(([dn, at, ch]) => {
      const i = at % (dn.length + 1);
      return dn.slice(0, i) + ch + dn.slice(i + 1);
    });
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({
      unit: fc.constantFrom('c', 'N', '=', ',', '+', '\\', '#', '0', ' ', '"', ';', '.', '-', '_', '@', 'é'),
      maxLength: 40,
    }),
  );

  it('accepts every plain DN and gives the key the parser gives', () => {
    fc.assert(
      fc.property(plainDn, (dn) => {
        expect(plainDnKey(dn)).toBe(parsedKey(dn));
        expect(dnKey(dn)).toBe(parsedKey(dn));
      }),
      { numRuns: 3000 },
    );
  });

  it("gives the parser's key for whatever it accepts, and refuses the rest", () => {
    fc.assert(
      fc.property(fc.oneof(nearlyPlain, anyText, dnArb.map(serializeDn)), (s) => {
        const fast = plainDnKey(s);
        if (fast !== undefined) expect(fast).toBe(parsedKey(s));
        else if (/[^A-Za-z0-9,=_.@-]/.test(s) || s === '') expect(fast).toBeUndefined();
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses escapes, spaces, multi-valued RDNs, OIDs, empty values and national characters', () => {
    for (const dn of [
      'cn=Smith\\, John,dc=x',
      'cn=a\\2cb,dc=x',
      'uid=a, ou=people,dc=x',
      'uid=a,ou=people,dc=x ',
      'cn=a+sn=b,dc=x',
      '2.5.4.3=a,dc=x',
      'OID.2.5.4.3=a,dc=x',
      'cn=,dc=x',
      'cn=#04024869,dc=x',
      'cn=Jürgen,dc=x',
      'cn=a;dc=x',
      'cn=a,,dc=x',
      'cn=a,dc=x,',
      '',
    ]) {
      expect(plainDnKey(dn)).toBeUndefined();
    }
  });
});

function serializeDnValue(v: string | Uint8Array): string {
  return serializeDn([[{ type: 'x', value: v }]]).slice(2);
}
