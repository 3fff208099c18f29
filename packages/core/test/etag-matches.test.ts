import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { etagMatches } from '../src/index.js';

describe('etagMatches', () => {
  it('`*` matches a resource that exists, with or without a version', () => {
    expect(etagMatches('*', 'W/"a"')).toBe(true);
    expect(etagMatches(' * ', undefined)).toBe(true);
  });
  it('a listed tag matches by weak comparison; a resource without a version matches no tag', () => {
    expect(etagMatches('W/"a", W/"b"', 'W/"b"')).toBe(true);
    expect(etagMatches('"b"', 'W/"b"')).toBe(true);
    expect(etagMatches('W/"a"', 'W/"b"')).toBe(false);
    expect(etagMatches('W/"a"', undefined)).toBe(false);
  });
  it('property: a version is matched by any list that holds it, and by no list that does not', () => {
    const tag = fc.stringMatching(/^[a-z0-9]{1,8}$/).map((t) => `W/"${t}"`);
    fc.assert(
      fc.property(fc.array(tag, { minLength: 1, maxLength: 5 }), tag, (list, version) => {
        expect(etagMatches(list.join(', '), version)).toBe(list.includes(version));
      }),
    );
  });
});
