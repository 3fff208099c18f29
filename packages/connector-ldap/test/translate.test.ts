import { type FilterNode, parseFilter } from '@scimgw/core/filter';
import { SchemaRegistry } from '@scimgw/core';
import { describe, expect, it } from 'vitest';
import { serializeLdapFilter } from '../src/index.js';
import { LdapMapping } from '../src/mapping.js';
import { type SpecialTerms, translateFilter } from '../src/translate.js';
import { TEST_MAP } from './helpers/config.js';

const registry = new SchemaRegistry();
const userRt = registry.resourceType('User');
if (!userRt) throw new Error('no User type');
const users = new LdapMapping(TEST_MAP.user, { resourceType: 'User', path: ['map', 'user'], groupsAttr: 'memberOf' });
const special = (ad = false): SpecialTerms => ({
  activeDirectory: ad,
  def: (p) => {
    const r = registry.resolve(userRt, p);
    return p.sub ? r?.subDef : r?.attrDef;
  },
  id: () => ({ kind: 'filter', filter: { type: 'eq', attribute: 'entryUUID', value: 'x' }, exact: true }),
  reference: async () => ({ kind: 'filter', filter: { type: 'eq', attribute: 'memberOf', value: 'cn=g,dc=x' }, exact: true }),
  meta: () => ({ kind: 'true', exact: false }),
});

const tr = async (f: string, ad = false) => {
  const t = await translateFilter(parseFilter(f) as FilterNode, users, special(ad));
  return t.kind === 'filter' ? { ldap: serializeLdapFilter(t.filter), exact: t.exact } : { ldap: t.kind, exact: t.exact };
};

describe('SCIM filter → LDAP filter', () => {
  const table: [string, string, boolean][] = [
    ['userName eq "bjensen"', '(uid=bjensen)', true],
    ['userName sw "bj"', '(uid=bj*)', true],
    ['userName ew "sen"', '(uid=*sen)', true],
    ['userName co "jen"', '(uid=*jen*)', true],
    ['userName pr', '(uid=*)', true],
    ['userName eq "*)(uid=*"', '(uid=\\2a\\29\\28uid=\\2a)', true],
    ['name.familyName eq "Jensen" and title pr', '(&(sn=Jensen)(title=*))', true],
    ['userName eq "a" or userName eq "b"', '(|(uid=a)(uid=b))', true],
    ['not (userName eq "a")', '(!(uid=a))', true],
    ['emails.value co "@example.com"', '(mail=*@example.com*)', true],
    ['emails[type eq "work"].value eq "b@x"', '(mail=b@x)', true],
    ['active eq true', '(accountActive=TRUE)', true],
    ['id eq "x"', '(entryUUID=x)', true],
    ['groups.value eq "g"', '(memberOf=cn=g,dc=x)', true],
    // No ordering rule on text in LDAP: presence, re-checked by the connector.
    ['userName gt "m"', '(uid=*)', false],
    ['not (userName gt "m")', 'true', false],
    // A boolean compared with anything but true/false: the mapper sends nothing down (the
    // endpoint would read "t" or 1 as a boolean where SCIM does not); the connector re-checks.
    ['active sw "t"', 'true', false],
    ['nickName eq "x"', 'true', false],
  ];
  for (const [scim, ldap, exact] of table) {
    it(`${scim} → ${ldap}${exact ? '' : ' (inexact)'}`, async () => {
      expect(await tr(scim)).toEqual({ ldap, exact });
    });
  }

  it('uses the AD bitwise rule for active on Active Directory', async () => {
    const ad = new LdapMapping(
      { sAMAccountName: { mapTo: 'userName' }, userAccountControl: { mapTo: 'active', type: 'boolean' } },
      { resourceType: 'User', path: ['map', 'user'] },
    );
    const t = await translateFilter(parseFilter('active eq false') as FilterNode, ad, special(true));
    expect(t.kind === 'filter' && serializeLdapFilter(t.filter)).toBe('(userAccountControl:1.2.840.113556.1.4.803:=2)');
    const on = await translateFilter(parseFilter('active eq true') as FilterNode, ad, special(true));
    expect(on.kind === 'filter' && serializeLdapFilter(on.filter)).toBe('(!(userAccountControl:1.2.840.113556.1.4.803:=2))');
  });

  it('turns a value outside a value map into "no match" without asking the directory', async () => {
    const groups = new LdapMapping(
      { cn: { mapTo: 'displayName', valueMap: { Employees: 'Staff' } } },
      { resourceType: 'Group', path: ['map', 'group'], memberAttr: 'member' },
    );
    const none = await translateFilter(parseFilter('displayName eq "Admins"') as FilterNode, groups, special());
    expect(none.kind).toBe('false');
    const hit = await translateFilter(parseFilter('displayName eq "staff"') as FilterNode, groups, special());
    expect(hit.kind === 'filter' && serializeLdapFilter(hit.filter)).toBe('(cn=Employees)');
  });
});
