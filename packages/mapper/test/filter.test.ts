import { parseFilter, serializeFilter } from '@scimgw/core/filter';
import { describe, expect, it } from 'vitest';
import { createMapper, type TranslatedFilter } from '../src/index.js';
import { directoryMap, ENT } from './fixtures.js';

const users = createMapper(directoryMap, { resourceType: 'User' });
const groups = createMapper(directoryMap, { resourceType: 'Group' });
const passUsers = createMapper(
  { user: { userName: { mapTo: 'userName' }, emails: { mapTo: 'emails', type: 'complexArray' } } },
  { resourceType: 'User' },
);

// One single-valued SCIM attribute behind two endpoint attributes: the first present one is shown.
const twoNames = createMapper(
  { user: { first: { mapTo: 'displayName' }, second: { mapTo: 'displayName' } } },
  { resourceType: 'User' },
);

function show(t: TranslatedFilter): string {
  if (t.kind === 'none') return 'NONE';
  if (t.kind === 'all') return `ALL${t.exact ? '' : ' (post-filter)'}`;
  return `${serializeFilter(t.filter)}${t.exact ? '' : ' (post-filter)'}`;
}

describe('translateFilter', () => {
  const table: [typeof users, string, string][] = [
    [users, 'userName eq "bjensen"', 'sAMAccountName eq "bjensen"'],
    [users, 'name.familyName sw "J"', 'sn sw "J"'],
    [users, 'emails.value eq "a@x"', 'mail eq "a@x" or homeMail eq "a@x"'],
    [users, 'emails eq "a@x"', 'mail eq "a@x" or homeMail eq "a@x"'],
    [users, 'emails[type eq "work" and value co "@x"]', 'mail co "@x"'],
    [users, 'emails[type eq "home"]', 'homeMail pr'],
    [users, 'emails[type eq "other"]', 'NONE'],
    [users, 'active eq true', 'enabled eq "true"'],
    [users, 'active eq "yes"', 'ALL (post-filter)'],
    [users, 'active eq "False"', 'enabled eq "False"'],
    [users, `${ENT}:employeeNumber eq "42"`, 'employeeID eq 42'],
    [users, 'meta.created gt "2024-05-01T10:00:00Z"', 'whenCreated gt "20240501100000Z"'],
    [users, 'department eq "Human Resources"', 'dept eq "HR"'],
    [users, 'department eq "Sales"', 'NONE'],
    [users, 'department co "Human"', 'ALL (post-filter)'],
    [users, 'userName eq "a" and department eq "Sales"', 'NONE'],
    [users, 'userName eq "a" or department eq "Sales"', 'sAMAccountName eq "a"'],
    [users, 'userName eq "a" and nickName eq "b"', 'sAMAccountName eq "a" (post-filter)'],
    [users, 'userName eq "a" or nickName eq "b"', 'ALL (post-filter)'],
    [users, 'not (userName eq "a")', 'not (sAMAccountName eq "a")'],
    [users, 'not (department eq "Sales")', 'ALL'],
    [users, 'groups.value eq "g1"', 'memberOf eq "g1"'],
    [users, 'title pr', 'title pr'],
    // `ne`: no value equals, so every endpoint attribute behind a multi-valued path must say so.
    [users, 'emails.value ne "a@x"', 'mail ne "a@x" and homeMail ne "a@x"'],
    [users, 'not (emails.value ne "a@x")', 'not (mail ne "a@x" and homeMail ne "a@x")'],
    [users, 'department ne "Human Resources"', 'dept ne "HR"'],
    [users, 'department ne "Sales"', 'ALL'],
    [twoNames, 'displayName ne "x"', 'first ne "x" or second ne "x" (post-filter)'],
    // Inside a value path `ne` asks for one element that differs: post-filtered.
    [users, 'emails[type eq "work" and value ne "a@x"]', 'mail ne "a@x" (post-filter)'],
    [users, 'proxyAddresses[value ne "smtp:a"]', 'ALL (post-filter)'],
    [users, 'proxyAddresses.value ne "smtp:a"', 'proxyAddresses ne "smtp:a"'],
    [groups, 'members.value eq "u1"', 'member eq "u1"'],
    [groups, 'displayName eq "admins"', 'cn eq "Employees"'],
    [passUsers, 'emails[type eq "work" and value ew "@x"]', 'emails[type eq "work" and value ew "@x"]'],
    [passUsers, 'emails.value eq "a@x"', 'emails.value eq "a@x"'],
  ];
  for (const [m, scim, endpoint] of table) {
    it(`${scim}  →  ${endpoint}`, () => expect(show(m.translateFilter(parseFilter(scim)))).toBe(endpoint));
  }

  it('no filter means everything, exactly', () => expect(users.translateFilter(undefined)).toEqual({ kind: 'all', exact: true }));

  it('builds a visibility filter from single-valued valueMaps', () => {
    expect(serializeFilter(groups.visibilityFilter()!)).toBe('cn eq "Employees" or cn eq "outbound-grp-1"');
    expect(serializeFilter(users.visibilityFilter()!)).toBe('dept eq "IT" or dept eq "HR" or not (dept pr)');
    expect(passUsers.visibilityFilter()).toBeUndefined();
  });
});
