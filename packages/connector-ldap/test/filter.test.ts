import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeFilterValue, type LdapFilter, LdapFilterSyntaxError, parseLdapFilter, serializeLdapFilter } from '../src/index.js';
import { toLdapts } from '../src/filter.js';

describe('escapeFilterValue (RFC 4515)', () => {
  const table: [string | Uint8Array, string][] = [
    ['plain', 'plain'],
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['a\\b', 'a\\5cb'],
    ['nul\0', 'nul\\00'],
    ['(admin)', '\\28admin\\29'],
    ['Jürgen 日本', 'Jürgen 日本'],
    [Uint8Array.from([0x00, 0x2a, 0x41, 0xff, 0x5c]), '\\00\\2aA\\ff\\5c'],
  ];
  for (const [input, want] of table) {
    it(`escapes ${JSON.stringify(typeof input === 'string' ? input : [...input])}`, () => {
      expect(escapeFilterValue(input)).toBe(want);
    });
  }
});

describe('parseLdapFilter / serializeLdapFilter', () => {
  const table: [string, LdapFilter][] = [
    ['(uid=bob)', { type: 'eq', attribute: 'uid', value: 'bob' }],
    ['uid=bob', { type: 'eq', attribute: 'uid', value: 'bob' }],
    ['(cn=*)', { type: 'present', attribute: 'cn' }],
    ['(cn=J*)', { type: 'substring', attribute: 'cn', initial: 'J', any: [] }],
    ['(cn=*a*b*)', { type: 'substring', attribute: 'cn', any: ['a', 'b'] }],
    ['(cn=*son)', { type: 'substring', attribute: 'cn', any: [], final: 'son' }],
    ['(uidNumber>=10)', { type: 'ge', attribute: 'uidNumber', value: '10' }],
    ['(uidNumber<=10)', { type: 'le', attribute: 'uidNumber', value: '10' }],
    ['(cn~=jon)', { type: 'approx', attribute: 'cn', value: 'jon' }],
    ['(cn=\\2a\\28x\\29)', { type: 'eq', attribute: 'cn', value: '*(x)' }],
    ['(cn=J\\c3\\bcrgen)', { type: 'eq', attribute: 'cn', value: 'Jürgen' }],
    ['(objectGUID=\\ff\\fe\\00)', { type: 'eq', attribute: 'objectGUID', value: Uint8Array.from([0xff, 0xfe, 0x00]) }],
    [
      '(&(objectClass=user)(!(objectClass=computer)))',
      {
        type: 'and',
        filters: [
          { type: 'eq', attribute: 'objectClass', value: 'user' },
          { type: 'not', filter: { type: 'eq', attribute: 'objectClass', value: 'computer' } },
        ],
      },
    ],
    [
      '(|(a=1)(b=2))',
      {
        type: 'or',
        filters: [
          { type: 'eq', attribute: 'a', value: '1' },
          { type: 'eq', attribute: 'b', value: '2' },
        ],
      },
    ],
    ['(&)', { type: 'and', filters: [] }],
    [
      '(userAccountControl:1.2.840.113556.1.4.803:=2)',
      { type: 'ext', attribute: 'userAccountControl', rule: '1.2.840.113556.1.4.803', dnAttributes: false, value: '2' },
    ],
    ['(ou:dn:=people)', { type: 'ext', attribute: 'ou', dnAttributes: true, value: 'people' }],
    ['(:caseExactMatch:=Bob)', { type: 'ext', rule: 'caseExactMatch', dnAttributes: false, value: 'Bob' }],
    ['(cn;lang-de=x)', { type: 'eq', attribute: 'cn;lang-de', value: 'x' }],
  ];
  for (const [input, want] of table) {
    it(`parses ${input}`, () => {
      const f = parseLdapFilter(input);
      expect(f).toEqual(want);
      expect(parseLdapFilter(serializeLdapFilter(f))).toEqual(f);
    });
  }

  const bad = [
    '(',
    '()',
    '(uid=bob',
    '(uid=bob))',
    '(uid=a(b)',
    '(=x)',
    '(uid=\\zz)',
    '(cn=a**b)',
    '(!(a=1)(b=2))',
    '(:=x)',
    '(a:b c:=x)',
    '(uid~x)',
  ];
  for (const input of bad) {
    it(`rejects ${input}`, () => {
      expect(() => parseLdapFilter(input)).toThrow(LdapFilterSyntaxError);
    });
  }

  it('keeps injection attempts inside the value', () => {
    const f: LdapFilter = {
      type: 'and',
      filters: [
        { type: 'eq', attribute: 'objectClass', value: 'person' },
        { type: 'eq', attribute: 'uid', value: '*)(uid=*))(|(uid=*' },
      ],
    };
    const s = serializeLdapFilter(f);
    expect(s).toBe('(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a))');
    expect(parseLdapFilter(s)).toEqual(f);
  });

  it('sends binary values to ldapts as bytes', () => {
    const wire = toLdapts({ type: 'eq', attribute: 'objectGUID', value: Uint8Array.from([1, 2, 255]) }) as unknown as {
      value: unknown;
    };
    expect(Buffer.isBuffer(wire.value)).toBe(true);
    expect([...(wire.value as Buffer)]).toEqual([1, 2, 255]);
  });
});

const attr = fc.constantFrom('cn', 'uid', 'objectClass', 'mail', '2.5.4.3', 'cn;binary');
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('*', '(', ')', '\\', '\0', 'a', ' ', 'é', '😀'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 10,
});
const nonEmpty = text.filter((s) => s !== '');
/** Bytes that are not valid UTF-8 (valid ones come back as text, by design). */
const binary = fc.uint8Array({ minLength: 1, maxLength: 8 }).filter((b) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return false;
  } catch {
    return true;
  }
});
const filterArb: fc.Arbitrary<LdapFilter> = fc.letrec<{ f: LdapFilter }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constant('eq' as const), attribute: attr, value: fc.oneof(text, binary) }),
    fc.record({ type: fc.constantFrom('ge' as const, 'le' as const, 'approx' as const), attribute: attr, value: text }),
    fc.record({ type: fc.constant('present' as const), attribute: attr }),
    fc.record({
      type: fc.constant('substring' as const),
      attribute: attr,
      initial: nonEmpty,
      any: fc.array(nonEmpty, { maxLength: 2 }),
      final: nonEmpty,
    }),
    fc.record({
      type: fc.constant('substring' as const),
      attribute: attr,
      any: fc.array(nonEmpty, { minLength: 1, maxLength: 2 }),
    }),
    fc.record({
      type: fc.constant('ext' as const),
      attribute: attr,
      rule: fc.constantFrom('1.2.840.113556.1.4.803', 'caseExactMatch'),
      dnAttributes: fc.boolean(),
      value: text,
    }),
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), filters: fc.array(tie('f'), { maxLength: 3 }) }),
    fc.record({ type: fc.constant('not' as const), filter: tie('f') }),
  ),
})).f;

describe('LDAP filter properties (fast-check)', () => {
  it('parse ∘ serialize is the identity', () => {
    fc.assert(
      fc.property(filterArb, (f) => {
        expect(parseLdapFilter(serializeLdapFilter(f))).toEqual(f);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but LdapFilterSyntaxError', () => {
    const noise = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({
        unit: fc.constantFrom('(', ')', '&', '|', '!', '=', '*', '\\', 'a', '~', '<', '>', ':', '2', 'f'),
        maxLength: 30,
      }),
    );
    fc.assert(
      fc.property(noise, (s) => {
        try {
          parseLdapFilter(s);
        } catch (e) {
          expect(e).toBeInstanceOf(LdapFilterSyntaxError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
