import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { versionGuard } from '../src/resource.js';

describe('versionGuard (If-Match → the UPDATE condition)', () => {
  it('has no condition without a version column, a header or with *', () => {
    expect(versionGuard('W/"3"', false)).toBeUndefined();
    expect(versionGuard(undefined, true)).toBeUndefined();
    expect(versionGuard(' * ', true)).toBeUndefined();
  });

  it('reads weak and strong tags and lists', () => {
    expect(versionGuard('W/"3"', true)).toEqual([3]);
    expect(versionGuard('"12"', true)).toEqual([12]);
    expect(versionGuard('W/"1", "x", W/"7"', true)).toEqual([1, 7]);
  });

  it('turns tags that are not versions into a condition that matches nothing', () => {
    expect(versionGuard('"abc"', true)).toEqual([]);
    expect(versionGuard('W/"1 OR 1=1"', true)).toEqual([]);
    expect(versionGuard('W/"-1"', true)).toEqual([]);
  });

  it('yields only the integers written in the header (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.nat().map((n) => `W/"${n}"`),
            fc.string(),
          ),
        ),
        (tags) => {
          const header = tags.join(',');
          const guard = versionGuard(header, true);
          if (header.trim() === '*') return guard === undefined;
          for (const v of guard ?? []) {
            expect(Number.isSafeInteger(v)).toBe(true);
            expect(header).toMatch(new RegExp(`"0*${v}"`));
          }
          return true;
        },
      ),
    );
  });
});
