/**
 * Range retrieval, unit level: the range option parser (properties), and `completeRanges` against
 * a directory function that answers ranges as Active Directory does (see helpers/range-proxy.ts
 * for the same on the wire, against slapd: slapd-ranges.test.ts).
 */
import fc from 'fast-check';
import { OperationsError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import type { LdapValue } from '../src/codec.js';
import type { LdapEntry } from '../src/entry.js';
import { completeRanges, parseRangeOption, RangeRetrievalError } from '../src/ranges.js';

const attrName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);

describe('parseRangeOption', () => {
  it('reads any well-formed range, whatever the case of its words', () => {
    fc.assert(
      fc.property(attrName, fc.nat(1e9 - 1001), fc.option(fc.nat(999)), fc.boolean(), (name, low, span, upper) => {
        const high = span === null ? undefined : low + span;
        const range = upper ? ';RANGE=' : ';range=';
        const r = parseRangeOption(`${name}${range}${low}-${high ?? '*'}`);
        expect(r).toEqual({ attribute: name, low, high });
      }),
    );
  });

  it('keeps other options and takes the range from anywhere after the name', () => {
    expect(parseRangeOption('member;range=0-1499')).toEqual({ attribute: 'member', low: 0, high: 1499 });
    expect(parseRangeOption('x;binary;range=3-*')).toEqual({ attribute: 'x;binary', low: 3, high: undefined });
    expect(parseRangeOption('x;range=3-*;binary')).toEqual({ attribute: 'x;binary', low: 3, high: undefined });
  });

  it('refuses everything that is not a range', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const r = parseRangeOption(s);
        if (r === undefined) return;
        // Whatever it accepted has the shape, and a high not below its low.
        expect(s.toLowerCase()).toMatch(/;range=\d+-(\d+|\*)/);
        if (r.high !== undefined) expect(r.high).toBeGreaterThanOrEqual(r.low);
      }),
    );
    for (const s of ['member', 'member;range=', 'member;range=5-3', 'member;range=a-*', ';range=0-*', 'member;range=-1-*']) {
      expect(parseRangeOption(s), s).toBeUndefined();
    }
  });
});

/** A directory that holds `values` for `attr` and answers ranges of at most `max` values, as AD does. */
function adLike(values: () => string[], max: number) {
  const asked: string[] = [];
  const answer = (low: number, high: number | undefined): [string, LdapValue[]] | 'refused' => {
    const all = values();
    if (all.length && low >= all.length) return 'refused';
    const last = Math.min(all.length - 1, low + max - 1, high ?? Number.POSITIVE_INFINITY);
    return [`member;range=${low}-${last === all.length - 1 ? '*' : last}`, all.slice(low, last + 1)];
  };
  const first = (dn: string): LdapEntry => {
    const all = values();
    const attrs = new Map<string, LdapValue[]>([['cn', ['g']]]);
    if (all.length > max) {
      const [k, v] = answer(0, undefined) as [string, LdapValue[]];
      attrs.set(k, v);
    } else if (all.length) attrs.set('member', all);
    return { dn, attrs };
  };
  const fetch = async (dn: string, attribute: string) => {
    asked.push(attribute);
    const r = parseRangeOption(attribute);
    if (!r) throw new Error(`not a range: ${attribute}`);
    const a = answer(r.low, r.high);
    if (a === 'refused') throw new OperationsError('operationsError');
    const attrs = new Map<string, LdapValue[]>();
    if (a[1].length) attrs.set(a[0], a[1]);
    return { dn, attrs };
  };
  return { first, fetch, asked };
}

describe('completeRanges', () => {
  it('reads any number of values in ranges of any size, in order, and leaves no range behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(60), fc.integer({ min: 1, max: 15 }), async (n, max) => {
        const all = Array.from({ length: n }, (_, i) => `cn=u${i},dc=x`);
        const d = adLike(() => all, max);
        const [e] = await completeRanges([d.first('cn=g')], d.fetch);
        expect(e?.attrs.get('member') ?? []).toEqual(all);
        expect([...(e?.attrs.keys() ?? [])].some((k) => k.includes(';'))).toBe(false);
        // One search per range after the first.
        expect(d.asked.length).toBe(n > max ? Math.ceil(n / max) - 1 : 0);
      }),
    );
  });

  it('reads the attribute again from its start when a later range is refused (it shrank meanwhile)', async () => {
    let all = Array.from({ length: 25 }, (_, i) => `v${i}`);
    const d = adLike(() => all, 10);
    const entry = d.first('cn=g');
    all = all.slice(0, 8); // the group lost 17 members after the first range was read
    const [e] = await completeRanges([entry], d.fetch);
    expect(e?.attrs.get('member')).toEqual(all);
    expect(d.asked).toEqual(['member;range=10-*', 'member;range=0-*']);
  });

  it('throws a second refusal, and an answer that does not start where the last ended', async () => {
    const d = adLike(() => Array.from({ length: 25 }, (_, i) => `v${i}`), 10);
    const refusing = async () => {
      throw new OperationsError('operationsError');
    };
    await expect(completeRanges([d.first('cn=g')], refusing)).rejects.toThrow('operationsError');
    const skipping = async (dn: string) => ({ dn, attrs: new Map<string, LdapValue[]>([['member;range=12-*', ['x']]]) });
    await expect(completeRanges([d.first('cn=g')], skipping)).rejects.toBeInstanceOf(RangeRetrievalError);
  });

  it('keeps a value once when it moved between two ranges', async () => {
    const all = Array.from({ length: 12 }, (_, i) => `v${i}`);
    const d = adLike(() => all, 6);
    const entry = d.first('cn=g');
    all.unshift('new'); // v5 moves to index 6, into the next range
    const [e] = await completeRanges([entry], d.fetch);
    const got = e?.attrs.get('member') as string[];
    expect(got.filter((v) => v === 'v5')).toHaveLength(1);
    expect(new Set(got)).toEqual(new Set(all.filter((v) => v !== 'new')));
  });
});
