import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FilterNode, matchesFilter, parseFilter, serializeFilter } from '../src/filter/index.js';
import { isScimError } from '../src/errors.js';

const name = fc.constantFrom('userName', 'title', 'emails', 'name', 'active', 'x-custom', 'meta');
const sub = fc.option(fc.constantFrom('value', 'type', 'givenName', 'lastModified'), { nil: undefined });
const uri = fc.option(
  fc.constantFrom('urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
  {
    nil: undefined,
  },
);
const op = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const path = fc.record({ uri, attr: name, sub }).map((p) => {
  const out: { uri?: string; attr: string; sub?: string } = { attr: p.attr };
  if (p.uri) out.uri = p.uri;
  if (p.sub) out.sub = p.sub;
  return out;
});

const leaf: fc.Arbitrary<FilterNode> = fc.oneof(
  fc.record({ type: fc.constant('compare' as const), path, op, value }),
  fc.record({ type: fc.constant('present' as const), path }),
);

const ast: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ type: fc.constant('and' as const), filters: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ type: fc.constant('or' as const), filters: fc.array(tie('node'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ type: fc.constant('not' as const), filter: tie('node') }),
    fc.record({
      type: fc.constant('valuePath' as const),
      path: fc.record({ attr: name }),
      filter: fc.record({
        type: fc.constant('compare' as const),
        path: fc.record({ attr: fc.constantFrom('value', 'type') }),
        op,
        value,
      }),
    }),
  ),
})).node;

/** Normalizes an AST the way the parser builds it: nested and/or of the same kind flattened, -0 folded. */
function normalize(n: FilterNode): FilterNode {
  switch (n.type) {
    case 'and':
    case 'or': {
      const out: FilterNode[] = [];
      for (const f of n.filters.map(normalize)) {
        if (f.type === n.type) out.push(...f.filters);
        else out.push(f);
      }
      return { type: n.type, filters: out };
    }
    case 'not':
      return { type: 'not', filter: normalize(n.filter) };
    case 'valuePath':
      return { ...n, filter: normalize(n.filter) };
    case 'compare':
      return typeof n.value === 'number' ? { ...n, value: n.value + 0 } : n;
    default:
      return n;
  }
}

describe('filter parser properties', () => {
  it('never throws anything but a ScimError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseFilter(s);
        } catch (e) {
          if (!isScimError(e)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws anything but a ScimError on filter-like token soup', () => {
    const tok = fc.constantFrom(
      'userName',
      'eq',
      'and',
      'or',
      'not',
      '(',
      ')',
      '[',
      ']',
      '"x"',
      'pr',
      '.value',
      'emails',
      'true',
      '12',
      ' ',
      'urn:a:b',
    );
    fc.assert(
      fc.property(fc.array(tok, { maxLength: 30 }), (toks) => {
        try {
          parseFilter(toks.join(' '));
        } catch (e) {
          if (!isScimError(e)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('parse ∘ serialize is the identity on ASTs (up to and/or flattening)', () => {
    fc.assert(
      fc.property(ast, (a) => {
        expect(parseFilter(serializeFilter(a))).toEqual(normalize(a));
      }),
      { numRuns: 2000 },
    );
  });

  it('evaluating never throws on arbitrary resources', () => {
    const resource = fc.dictionary(fc.constantFrom('userName', 'title', 'emails', 'name', 'active', 'meta'), fc.jsonValue());
    fc.assert(
      fc.property(ast, resource, (a, r) => {
        expect(typeof matchesFilter(a, r)).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
