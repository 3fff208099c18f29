/**
 * Answers of a target as text, for the properties of the known path (known.ts): records drawn
 * from a small pool, so that pages repeat records byte for byte, change them, and carry hostile
 * ones (ids with escapes or of other types, `"id"` keys in nested objects or after them, `"id"` as
 * a string value or escaped inside one, keys written with escapes, twice, records that lack an id,
 * records whose text another one starts with).
 */
import fc from 'fast-check';

/** White space put between the tokens of one record. */
const space = fc.constantFrom('', ' ', '\n  ', '\t');

const idText = fc.constantFrom('"a"', '"b"', '"ab"', '"a\\"b"', '"x\\\\y"', '"\\u0061"', '"é"', '""', '"}]{["', '7', 'null');
const valueText = fc.oneof(
  idText,
  fc.constantFrom(
    '"id"',
    '"\\"id\\":\\"a\\""',
    '{"id":"a"}',
    '{"x":{"id":"b","y":"}"}}',
    '[{"id":"b"}]',
    '{}',
    '[]',
    'true',
    '1.5e3',
  ),
);
// `userName` and `displayName` survive the default mapping: records that differ there map differently.
const keyText = fc.constantFrom('"id"', '"id"', '"userName"', '"displayName"', '"name"', '"x"', '"i\\u0064"', '"ids"');

/** Most records a target sends start with a plain id (or have one after `schemas`). */
const plainId = fc.constantFrom('"a"', '"b"', '"ab"').map((v): [string, string] => ['"id"', v]);
const entry = fc.tuple(keyText, fc.oneof(idText, valueText));

/** One record's JSON text: keys in any order, possibly repeated. */
export const recordText = fc
  .tuple(fc.option(plainId, { freq: 4 }), fc.array(entry, { maxLength: 5 }), space)
  .map(([first, rest, w]) => {
    const entries = first ? [first, ...rest] : rest;
    return `{${w}${entries.map(([k, v]) => `${k}${w}:${w}${v}`).join(`,${w}`)}${w}}`;
  });

/** A record's text and the same with one more key (last, so it wins), which starts with all of it but its brace. */
const withLonger = (t: string): [string, string] => {
  const open = t.slice(0, -1);
  return [t, `${open}${/^\{\s*$/.test(open) ? '' : ','}"displayName":"z"}`];
};

/** Record texts a target may send: a pool of records, each also in a longer form. */
export const recordPool = fc.array(recordText, { minLength: 1, maxLength: 6 }).map((ts) => ts.flatMap(withLonger));

/** A list answer with `records` as its Resources. */
export function pageText(records: string[], w = ''): string {
  return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],${w}"totalResults":${records.length},"Resources":[${w}${records.join(`,${w}`)}${w}],"startIndex":1}`;
}

/** Pages over one pool: each an array of indexes into it (repeats and all), with its white space. */
export const pagesOver = (poolSize: number) =>
  fc.array(fc.tuple(fc.array(fc.nat(poolSize - 1), { maxLength: 8 }), space), { minLength: 2, maxLength: 6 });
