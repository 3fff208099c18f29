import { describe, expect, it } from 'vitest';
import { SchemaRegistry, URN } from '../src/index.js';
import { matchesFilter, parseFilter } from '../src/filter/index.js';

const registry = new SchemaRegistry();
const userRt = registry.resourceType('User')!;
const groupRt = registry.resourceType('Group')!;
const resolveUser = registry.resolver(userRt);

const bjensen = {
  id: '2819c223',
  userName: 'bjensen',
  externalId: 'BJ-01',
  name: { familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: 'Tour Guide',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [{ type: 'work', locality: 'Hollywood', primary: true }],
  roles: [{ value: 'admin', primary: true }],
  x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
  meta: { created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
  [URN.EnterpriseUser]: { employeeNumber: '701984', costCenter: '4130', manager: { value: '26118915' } },
};

/** [filter, expected] for bjensen with the User schema. */
const TABLE: [string, boolean][] = [
  ['userName eq "bjensen"', true],
  ['userName eq "BJENSEN"', true], // caseExact false
  ['USERNAME eq "bjensen"', true], // attribute names are case-insensitive
  ['externalId eq "bj-01"', false], // caseExact true
  ['externalId eq "BJ-01"', true],
  ['id eq "2819C223"', false],
  ['userName ne "bjensen"', false],
  ['userName co "jen"', true],
  ['userName sw "bj"', true],
  ['userName ew "sen"', true],
  ['userName ew "bj"', false],
  ['name.familyName co "ENS"', true],
  ['name.middleName pr', false],
  ['title pr', true],
  ['nickName pr', false],
  ['nickName ne "x"', true],
  ['active eq true', true],
  ['active eq "True"', true], // Entra string boolean
  ['active eq false', false],
  ['active ne false', true],
  ['emails co "example.com"', true], // complex multi-valued without sub-attribute → value
  ['emails.value ew "jensen.org"', true],
  ['emails.type eq "other"', false],
  ['emails[type eq "work" and value co "@example.com"]', true],
  ['emails[type eq "home" and value co "@example.com"]', false],
  ['emails[type eq "work"].value eq "bjensen@example.com"', true],
  ['emails[not (type eq "work")]', true],
  ['addresses[type eq "work" and primary eq true].locality eq "Hollywood"', true],
  ['roles[primary eq "True"]', true],
  ['meta.lastModified gt "2011-05-13T04:42:33Z"', true],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
  ['meta.lastModified ge "2011-05-13T04:42:34.000Z"', true],
  ['meta.created lt "2011-01-01T00:00:00Z"', true],
  ['meta.created le "2009-01-01T00:00:00Z"', false],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', true],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq 701984', true],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"', true],
  ['employeeNumber eq "701984"', true], // unqualified extension attribute
  ['costCenter gt "4000"', true],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "b"', true],
  ['title pr and userName eq "x"', false],
  ['title pr or userName eq "x"', true],
  ['not (title pr)', false],
  ['userName eq "x" or (active eq true and not (emails.type eq "fax"))', true],
  ['userName gt "a" and userName lt "c"', true],
  ['x509Certificates pr', true],
  ['nickName eq null', true], // absent
  ['manager eq null', false], // unqualified name falls back to the enterprise extension
  ['title eq null', false],
  ['title ne null', true],
];

describe('filter evaluation: resource + filter → boolean', () => {
  it.each(TABLE)('%s → %s', (src, expected) => {
    expect(matchesFilter(parseFilter(src), bjensen, resolveUser)).toBe(expected);
  });

  it('compares numbers numerically for integer/decimal attributes', () => {
    const reg = new SchemaRegistry({
      schemas: [
        {
          id: 'urn:example:ext',
          name: 'Ext',
          attributes: [
            {
              name: 'level',
              type: 'integer',
              multiValued: false,
              required: false,
              caseExact: false,
              mutability: 'readWrite',
              returned: 'default',
              uniqueness: 'none',
            },
          ],
        },
      ],
      extensions: { User: ['urn:example:ext'] },
    });
    const rt = reg.resourceType('User')!;
    const r = { userName: 'a', 'urn:example:ext': { level: 10 } };
    expect(matchesFilter(parseFilter('urn:example:ext:level gt 9'), r, reg.resolver(rt))).toBe(true);
    expect(matchesFilter(parseFilter('urn:example:ext:level gt "9"'), r, reg.resolver(rt))).toBe(true);
    expect(matchesFilter(parseFilter('urn:example:ext:level lt 9.5'), r, reg.resolver(rt))).toBe(false);
    // string comparison would say "10" < "9"
    expect(matchesFilter(parseFilter('level ge 10'), r, reg.resolver(rt))).toBe(true);
  });

  it('matches members by value for groups (caseExact)', () => {
    const g = { displayName: 'Admins', members: [{ value: 'u1' }, { value: 'U2' }] };
    const r = registry.resolver(groupRt);
    expect(matchesFilter(parseFilter('members.value eq "U2"'), g, r)).toBe(true);
    expect(matchesFilter(parseFilter('members.value eq "u2"'), g, r)).toBe(false);
    expect(matchesFilter(parseFilter('members[value eq "u1"]'), g, r)).toBe(true);
    expect(matchesFilter(parseFilter('displayName eq "admins"'), g, r)).toBe(true);
  });

  it('works without a schema by JSON type', () => {
    const r = { n: 5, flag: false, s: 'Abc' };
    expect(matchesFilter(parseFilter('n gt 4'), r)).toBe(true);
    expect(matchesFilter(parseFilter('flag eq false'), r)).toBe(true);
    expect(matchesFilter(parseFilter('s eq "abc"'), r)).toBe(true);
  });
});
