/** The $filter parser: a table of sources and trees, and fast-check properties (any input → tree or Graph 400, never a crash). */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GraphError, parseFilter } from '../src/index.js';
import { checkDirectoryFilter, USER_FILTERS } from '../src/odata/capabilities.js';
import { compileFilter } from '../src/odata/evaluate.js';
import { compileSearch } from '../src/odata/search.js';
import { decodeSkipToken } from '../src/odata/skiptoken.js';
import { USER_TARGET } from '../src/routes/shape.js';

const path = (...segments: string[]) => ({ kind: 'path', segments });
const str = (value: string) => ({ kind: 'literal', type: 'string', value });

describe('parse table', () => {
  test.each([
    ["displayName eq 'a'", { kind: 'compare', op: 'eq', left: path('displayName'), right: str('a') }],
    ["displayName eq 'it''s'", { kind: 'compare', op: 'eq', left: path('displayName'), right: str("it's") }],
    ["startswith(displayName,'A')", { kind: 'function', name: 'startswith', left: path('displayName'), right: str('A') }],
    [
      "NOT startsWith(displayName,'A')",
      { kind: 'not', operand: { kind: 'function', name: 'startswith', left: path('displayName'), right: str('A') } },
    ],
    [
      "startsWith(displayName,'A') eq false",
      { kind: 'not', operand: { kind: 'function', name: 'startswith', left: path('displayName'), right: str('A') } },
    ],
    [
      "a eq 'x' or b eq 'y' and c eq 'z'",
      {
        kind: 'or',
        left: { kind: 'compare', op: 'eq', left: path('a'), right: str('x') },
        right: {
          kind: 'and',
          left: { kind: 'compare', op: 'eq', left: path('b'), right: str('y') },
          right: { kind: 'compare', op: 'eq', left: path('c'), right: str('z') },
        },
      },
    ],
    ["id in ('1','2')", { kind: 'in', left: path('id'), values: [str('1'), str('2')] }],
    [
      'assignedLicenses/$count ne 0',
      {
        kind: 'compare',
        op: 'ne',
        left: { kind: 'count', segments: ['assignedLicenses'] },
        right: { kind: 'literal', type: 'number', value: 0 },
      },
    ],
    [
      'assignedLicenses/any(x:x/skuId eq 6FD2C87F-B296-42F0-B197-1E91E994B900)',
      {
        kind: 'lambda',
        op: 'any',
        collection: ['assignedLicenses'],
        variable: 'x',
        body: {
          kind: 'compare',
          op: 'eq',
          left: path('x', 'skuId'),
          right: { kind: 'literal', type: 'guid', value: '6fd2c87f-b296-42f0-b197-1e91e994b900' },
        },
      },
    ],
    [
      'createdDateTime ge 2024-01-01T00:00:00Z',
      {
        kind: 'compare',
        op: 'ge',
        left: path('createdDateTime'),
        right: { kind: 'literal', type: 'datetime', value: '2024-01-01T00:00:00Z' },
      },
    ],
    ['mail eq null', { kind: 'compare', op: 'eq', left: path('mail'), right: { kind: 'literal', type: 'null', value: null } }],
    [
      "employeeOrgData/division eq 'R&D'",
      { kind: 'compare', op: 'eq', left: path('employeeOrgData', 'division'), right: str('R&D') },
    ],
  ])('%s', (source, tree) => {
    expect(parseFilter(source)).toEqual(tree);
  });

  test.each([
    "displayName eq 'a",
    'displayName eq',
    '(a eq 1',
    "a eq 'x' )",
    "eq 'x'",
    'a eq b',
    "startsWith(a 'x')",
    '',
    "a/any(x:x/b/any(y:y eq 'c'))",
  ])('%j is a Graph 400', (source) => {
    let caught: unknown;
    try {
      parseFilter(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GraphError);
    expect((caught as GraphError).status).toBe(400);
  });

  test('deep nesting is refused, not a stack overflow', () => {
    const deep = `${'('.repeat(5000)}a eq 'x'${')'.repeat(5000)}`;
    expect(() => parseFilter(deep)).toThrow(GraphError);
    expect(() => parseFilter(`${'not '.repeat(3000)}a eq 'x'`)).toThrow(GraphError);
  });
});

function graphFailureOrValue(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof GraphError) || error.status !== 400) throw error;
  }
}

const tokens = fc.constantFrom(
  'displayName',
  'mail',
  'proxyAddresses',
  'assignedLicenses',
  'accountEnabled',
  'x',
  'p',
  'eq',
  'ne',
  'ge',
  'le',
  'gt',
  'in',
  'and',
  'or',
  'not',
  'NOT',
  'startsWith',
  'endswith',
  'contains',
  'any',
  'all',
  '$count',
  '(',
  ')',
  ',',
  ':',
  '/',
  "'a'",
  "''",
  "'it''s'",
  'null',
  'true',
  'false',
  '42',
  '-1.5e3',
  '6fd2c87f-b296-42f0-b197-1e91e994b900',
  '2024-01-01T00:00:00Z',
  ' ',
  "'",
  '\u0000',
  'ü',
  '%',
);

describe('properties', () => {
  test('any string: a tree or a Graph 400', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (source) => graphFailureOrValue(() => parseFilter(source))),
      { numRuns: 3000 },
    );
  });

  test('token soup through parse, compile and the advanced-query check: a result or a Graph 400', () => {
    fc.assert(
      fc.property(fc.array(tokens, { maxLength: 40 }), fc.boolean(), (parts, advanced) => {
        graphFailureOrValue(() => {
          const compiled = compileFilter(parseFilter(parts.join(' ')), USER_TARGET);
          checkDirectoryFilter(compiled.clauses, compiled.usesNot, USER_FILTERS, 'User', advanced);
          compiled.test({ displayName: 'a', proxyAddresses: ['SMTP:a'], assignedLicenses: [], accountEnabled: true });
        });
      }),
      { numRuns: 3000 },
    );
  });

  test('well-formed comparisons always parse', () => {
    const value = fc.string({ maxLength: 20 }).map((s) => `'${s.replace(/'/g, "''")}'`);
    fc.assert(
      fc.property(
        fc.constantFrom('displayName', 'mail', 'givenName'),
        fc.constantFrom('eq', 'ne', 'ge', 'le'),
        value,
        (property, op, literal) => {
          const tree = parseFilter(`${property} ${op} ${literal}`);
          expect(tree.kind).toBe('compare');
        },
      ),
    );
  });

  test('$search and $skiptoken: any string gives a result or a Graph 400', () => {
    const searchable = new Map([['displayname', 'displayName']]);
    const secret = Buffer.alloc(32, 7);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (source) => {
        graphFailureOrValue(() => compileSearch(source, searchable, 'User').test(() => 'Some Name'));
        graphFailureOrValue(() => decodeSkipToken(source, secret));
        graphFailureOrValue(() => decodeSkipToken(`X2VtdQ${source}`, secret));
      }),
      { numRuns: 2000 },
    );
  });
});
