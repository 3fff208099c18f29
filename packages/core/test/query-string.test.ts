import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paramsFromQuery } from '../src/handler/params.js';
import { queryPairs } from '../src/handler/query-string.js';

/** Text rich in what the decoder must get right: escapes (good, bad, partial, non-UTF-8), `+`, separators. */
const piece = fc.oneof(
  fc.constantFrom('%', '%2', '%20', '%2B', '%2b', '%25', '%3D', '%26', '%C3%A9', '%C3', '%E2%82%AC', '%F0%9F%98%80', '%ED%A0%80'),
  fc.constantFrom('%FF', '%80', '%ZZ', '+', '&', '=', '&&', '==', '?', '#', ' ', 'a', 'B', '0', 'f', 'é', '€', '😀'),
  fc.constantFrom('\uD800', '\uDC00', '\u0000', 'filter', 'FILTER', 'count', 'attributes', 'startIndex', 'sortOrder'),
  fc.string({ maxLength: 4, unit: 'binary' }),
);
const query = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));

describe('queryPairs', () => {
  it('reads any query exactly as URLSearchParams does', () => {
    fc.assert(
      fc.property(query, (q) => {
        expect(queryPairs(q)).toEqual([...new URLSearchParams(q)]);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads any text as URLSearchParams does, too', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'binary' }), (q) => {
        expect(queryPairs(q)).toEqual([...new URLSearchParams(q)]);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes what clients send', () => {
    const filter = 'userName eq "bjensen+1@example.com"';
    expect(queryPairs(`filter=${encodeURIComponent(filter)}&count=10`)).toEqual([
      ['filter', filter],
      ['count', '10'],
    ]);
    // `+` is a space, `%2B` a plus; an empty name, a name without `=` and empty pairs as URLSearchParams has them.
    expect(queryPairs('a=b+c%2Bd&&=x&flag&&')).toEqual([
      ['a', 'b c+d'],
      ['', 'x'],
      ['flag', ''],
    ]);
    // A malformed escape stays as it is, a truncated UTF-8 one is U+FFFD (as URLSearchParams reads them), not an error.
    expect(queryPairs('filter=100%&x=%E2%82')).toEqual([
      ['filter', '100%'],
      ['x', '\uFFFD'],
    ]);
  });
});

describe('paramsFromQuery', () => {
  it('gives from the query text what it gives from the URLSearchParams of it', () => {
    const params = fc
      .array(
        fc.tuple(
          fc.constantFrom('filter', 'Filter', 'attributes', 'ATTRIBUTES', 'excludedAttributes', 'sortBy', 'cursor', 'other'),
          fc.string({ maxLength: 12 }),
        ),
        { maxLength: 8 },
      )
      .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));
    fc.assert(
      fc.property(params, (q) => {
        expect(paramsFromQuery(q)).toEqual(paramsFromQuery(new URLSearchParams(q)));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches names without regard to case, takes the first value, and keeps every attributes value', () => {
    const p = paramsFromQuery(
      'FILTER=a%20pr&filter=b%20pr&Attributes=userName&attributes=emails,name&COUNT=5&sortorder=Descending',
    );
    expect(p.filter).toBe('a pr');
    expect(p.attributes).toEqual(['userName', 'emails', 'name']);
    expect(p.count).toBe(5);
    expect(p.sortOrder).toBe('descending');
    expect(() => paramsFromQuery('count=ten')).toThrow('"count" must be an integer');
  });
});
