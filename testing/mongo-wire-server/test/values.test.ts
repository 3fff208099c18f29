import { Decimal128, Long, MaxKey, MinKey, ObjectId } from 'bson';
import { describe, expect, test } from 'vitest';
import { upsertSeed } from '../src/query/upsert-seed.js';
import { parseSort, sortDocuments } from '../src/query/sort.js';
import { parseCollation } from '../src/store/collation.js';
import { compareValues, valueKey } from '../src/store/values.js';

describe('BSON comparison order', () => {
  // MongoDB's documented order: MinKey, null, numbers, strings, objects, arrays, binData, ObjectId, bool, date, timestamp, regex, MaxKey.
  const ordered = [
    new MinKey(),
    null,
    -1,
    Long.fromNumber(2),
    Decimal128.fromString('2.5'),
    'a',
    'b',
    { a: 1 },
    [1],
    new ObjectId('000000000000000000000001'),
    false,
    true,
    new Date(0),
    /x/,
    new MaxKey(),
  ];
  test.each(ordered.slice(1).map((v, i) => [ordered[i], v]))('%o < %o', (a, b) => {
    expect(compareValues(a, b)).toBe(-1);
    expect(compareValues(b, a)).toBe(1);
  });

  test('numbers compare across types; equal numbers share an index key', () => {
    expect(compareValues(1, Long.fromNumber(1))).toBe(0);
    expect(compareValues(Decimal128.fromString('1.0'), 1)).toBe(0);
    expect(valueKey(1)).toBe(valueKey(Long.fromNumber(1)));
    expect(valueKey(-0)).toBe(valueKey(0));
    expect(valueKey('1')).not.toBe(valueKey(1));
    expect(valueKey({ a: 1, b: 2 })).not.toBe(valueKey({ b: 2, a: 1 }));
    expect(valueKey(null)).toBe(valueKey(undefined));
  });
});

describe('collation', () => {
  const table: Array<[object, string, string, boolean]> = [
    [{ locale: 'en', strength: 2 }, 'Alice', 'aLICE', true],
    [{ locale: 'en', strength: 2 }, 'Alice', 'Älice', false],
    [{ locale: 'en', strength: 1 }, 'Alice', 'älice', true],
    [{ locale: 'en', strength: 3 }, 'Alice', 'alice', false],
    [{ locale: 'en', strength: 2 }, 'straße', 'STRASSE', true],
    [{ locale: 'en', strength: 2, caseLevel: true }, 'Alice', 'alice', false],
    [{ locale: 'en', numericOrdering: true }, 'file007', 'file7', true],
    [{ locale: 'en', strength: 3 }, 'e\u0301', '\u00e9', true],
  ];
  test.each(table)('%o: %s = %s is %s', (spec, a, b, equal) => {
    const collation = parseCollation(spec)!;
    expect(collation.key(a) === collation.key(b)).toBe(equal);
  });

  test('simple is no collation; bad specs are refused', () => {
    expect(parseCollation({ locale: 'simple' })).toBeUndefined();
    expect(() => parseCollation({ locale: 'en', strength: 0 })).toThrow(/strength/);
    expect(() => parseCollation({ locale: 'xx_not_a_locale' })).toThrow(/locale/);
    expect(() => parseCollation({ locale: 'en', bogus: 1 })).toThrow(/unknown field/);
    expect(() => parseCollation({ strength: 2 })).toThrow(/locale/);
  });

  test('ordering under a collation', () => {
    const collation = parseCollation({ locale: 'en' });
    const docs = ['b', 'B', 'a', 'ä', 'A'].map((s) => ({ s }));
    expect(sortDocuments(docs, parseSort({ s: 1 }), collation).map((d) => d.s)).toEqual(['a', 'A', 'ä', 'b', 'B']);
    expect(sortDocuments(docs, parseSort({ s: 1 })).map((d) => d.s)).toEqual(['A', 'B', 'a', 'b', 'ä']);
  });
});

describe('sort specification', () => {
  test('only 1 and -1', () => {
    expect(parseSort({ a: 1, b: -1 })).toEqual([
      ['a', 1],
      ['b', -1],
    ]);
    expect(() => parseSort({ a: 0 })).toThrow(/must be 1/);
    expect(() => parseSort({ a: 'asc' })).toThrow(/must be 1/);
  });
});

describe('upsert seed', () => {
  test.each([
    [{ a: 1, b: { $gt: 2 } }, { a: 1 }],
    [{ 'a.b': 1, 'a.c': 2 }, { a: { b: 1, c: 2 } }],
    [{ $and: [{ a: 1 }, { b: { $eq: 2 } }] }, { a: 1, b: 2 }],
    [{ $or: [{ a: 1 }] }, { a: 1 }],
    [{ $or: [{ a: 1 }, { b: 1 }] }, {}],
    [{ a: { $in: [5] } }, { a: 5 }],
    [{ a: /x/ }, {}],
    [{ a: { x: 1 } }, { a: { x: 1 } }],
  ])('%o → %o', (filter, seed) => {
    expect(upsertSeed(filter)).toEqual(seed);
  });

  test('a __proto__ path creates an own field, never touches prototypes', () => {
    const seed = upsertSeed(JSON.parse('{"__proto__.polluted": 1, "__proto__": {"x": 1}}'));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(seed)).toBe(Object.prototype);
  });
});
