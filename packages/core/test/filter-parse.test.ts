import { describe, expect, it } from 'vitest';
import { type FilterNode, parseFilter, serializeFilter } from '../src/filter/index.js';
import { InvalidFilterError } from '../src/errors.js';

const cmp = (attr: string, op: string, value: unknown, extra: Record<string, string> = {}): FilterNode =>
  ({ type: 'compare', path: { attr, ...extra }, op, value }) as FilterNode;

/** Source → AST table (RFC 7644 §3.4.2.2 examples and real client forms). */
const PARSE_TABLE: [string, FilterNode][] = [
  ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
  ['userName Eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
  ['name.familyName co "O\'Malley"', cmp('name', 'co', "O'Malley", { sub: 'familyName' })],
  ['userName sw "J"', cmp('userName', 'sw', 'J')],
  [
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    cmp('userName', 'sw', 'J', { uri: 'urn:ietf:params:scim:schemas:core:2.0:User' }),
  ],
  ['title pr', { type: 'present', path: { attr: 'title' } }],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp('meta', 'gt', '2011-05-13T04:42:34Z', { sub: 'lastModified' })],
  ['meta.lastModified ge "2011-05-13T04:42:34Z"', cmp('meta', 'ge', '2011-05-13T04:42:34Z', { sub: 'lastModified' })],
  ['meta.lastModified lt "2011-05-13T04:42:34Z"', cmp('meta', 'lt', '2011-05-13T04:42:34Z', { sub: 'lastModified' })],
  ['meta.lastModified le "2011-05-13T04:42:34Z"', cmp('meta', 'le', '2011-05-13T04:42:34Z', { sub: 'lastModified' })],
  [
    'title pr and userType eq "Employee"',
    { type: 'and', filters: [{ type: 'present', path: { attr: 'title' } }, cmp('userType', 'eq', 'Employee')] },
  ],
  [
    'title pr or userType eq "Intern"',
    { type: 'or', filters: [{ type: 'present', path: { attr: 'title' } }, cmp('userType', 'eq', 'Intern')] },
  ],
  [
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    cmp('schemas', 'eq', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
  ],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    {
      type: 'and',
      filters: [
        cmp('userType', 'eq', 'Employee'),
        { type: 'or', filters: [cmp('emails', 'co', 'example.com'), cmp('emails', 'co', 'example.org', { sub: 'value' })] },
      ],
    },
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    {
      type: 'and',
      filters: [
        cmp('userType', 'ne', 'Employee'),
        {
          type: 'not',
          filter: {
            type: 'or',
            filters: [cmp('emails', 'co', 'example.com'), cmp('emails', 'co', 'example.org', { sub: 'value' })],
          },
        },
      ],
    },
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    {
      type: 'or',
      filters: [
        {
          type: 'valuePath',
          path: { attr: 'emails' },
          filter: { type: 'and', filters: [cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')] },
        },
        {
          type: 'valuePath',
          path: { attr: 'ims' },
          filter: { type: 'and', filters: [cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com')] },
        },
      ],
    },
  ],
  // precedence: and binds tighter than or
  [
    'a eq 1 or b eq 2 and c eq 3',
    { type: 'or', filters: [cmp('a', 'eq', 1), { type: 'and', filters: [cmp('b', 'eq', 2), cmp('c', 'eq', 3)] }] },
  ],
  [
    '(a eq 1 or b eq 2) and c eq 3',
    { type: 'and', filters: [{ type: 'or', filters: [cmp('a', 'eq', 1), cmp('b', 'eq', 2)] }, cmp('c', 'eq', 3)] },
  ],
  // literal types
  ['active eq true', cmp('active', 'eq', true)],
  ['active eq False', cmp('active', 'eq', false)],
  ['manager eq null', cmp('manager', 'eq', null)],
  ['age gt 42.5', cmp('age', 'gt', 42.5)],
  ['age gt -7', cmp('age', 'gt', -7)],
  ['employeeNumber eq "7"', cmp('employeeNumber', 'eq', '7')],
  ['displayName eq "a \\"quoted\\" \\u00e9"', cmp('displayName', 'eq', 'a "quoted" é')],
  // Entra ID: unquoted values
  ['externalId eq jyoung', cmp('externalId', 'eq', 'jyoung')],
  [
    'userName eq AzureAD_Test-5b1f3c3e-0000-4000-8000-000000000000',
    cmp('userName', 'eq', 'AzureAD_Test-5b1f3c3e-0000-4000-8000-000000000000'),
  ],
  // Enterprise extension path
  [
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"',
    cmp('employeeNumber', 'eq', '7', { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' }),
  ],
  [
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "bjensen"',
    cmp('manager', 'eq', 'bjensen', { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', sub: 'value' }),
  ],
  // Entra uniqueness lookup: value path followed by a sub-attribute comparison
  [
    'emails[type eq "work"].value eq "x@example.com"',
    {
      type: 'valuePath',
      path: { attr: 'emails' },
      filter: { type: 'and', filters: [cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x@example.com')] },
    },
  ],
  ['members[value eq "u1"]', { type: 'valuePath', path: { attr: 'members' }, filter: cmp('value', 'eq', 'u1') }],
  ['a eq 1 and b eq 2 and c eq 3', { type: 'and', filters: [cmp('a', 'eq', 1), cmp('b', 'eq', 2), cmp('c', 'eq', 3)] }],
  ['  userName   eq   "x"  ', cmp('userName', 'eq', 'x')],
];

const INVALID: string[] = [
  '',
  '   ',
  'userName',
  'userName eq',
  'userName xx "a"',
  'userName eq "unterminated',
  '(userName eq "a"',
  'userName eq "a")',
  'userName eq "a" and',
  'and userName eq "a"',
  'emails[type eq "work"',
  'emails[type eq "work"]]',
  'emails[type[x eq 1] eq "a"]',
  'name.givenName.other eq "a"',
  '1abc eq "a"',
  'not userName eq "a"',
  'userName eq "a" "b"',
  'emails[type eq "work"].value',
];

describe('filter parser: source → AST', () => {
  it.each(PARSE_TABLE)('%s', (src, ast) => {
    expect(parseFilter(src)).toEqual(ast);
  });

  it.each(INVALID)('rejects %j with invalidFilter', (src) => {
    let err: unknown;
    try {
      parseFilter(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidFilterError);
    expect((err as InvalidFilterError).status).toBe(400);
    expect((err as InvalidFilterError).scimType).toBe('invalidFilter');
  });

  it('round-trips every table entry through the serializer', () => {
    for (const [src] of PARSE_TABLE) {
      const ast = parseFilter(src);
      expect(parseFilter(serializeFilter(ast))).toEqual(ast);
    }
  });

  it('parses a long or of 500 eq terms without deep recursion', () => {
    const src = Array.from({ length: 500 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    const ast = parseFilter(src);
    expect(ast.type).toBe('or');
    expect(ast.type === 'or' && ast.filters.length).toBe(500);
  });

  it('limits nesting depth, length and term count with invalidFilter', () => {
    const deep = `${'('.repeat(5000)}a eq 1${')'.repeat(5000)}`;
    expect(() => parseFilter(deep)).toThrow(InvalidFilterError);
    expect(() => parseFilter('a eq 1', { maxLength: 3 })).toThrow(/longer than 3/);
    expect(() => parseFilter('a eq 1 or b eq 2 or c eq 3', { maxTerms: 2 })).toThrow(/more than 2 terms/);
    const nots = `${'not ('.repeat(40)}a eq 1${')'.repeat(40)}`;
    expect(() => parseFilter(nots)).toThrow(/nested deeper/);
    expect(parseFilter(`${'not ('.repeat(10)}a eq 1${')'.repeat(10)}`).type).toBe('not');
  });

  it('reports the position of the problem', () => {
    expect(() => parseFilter('userName eq "a" xor b')).toThrow(/position 16/);
  });
});
