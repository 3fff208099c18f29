/**
 * Microsoft Entra ID's provisioning service, in the order it sends its requests: without and with
 * the `aadOptscim062020` flag, and its matching lookups (a work address, a group name with the
 * characters its known issue names). Sources: Microsoft's SCIM guide and its compatibility notes,
 * shared/reference/user-needs-and-idp-quirks.md §3.1.
 */
import { ENT, fail, GROUP, PATCH, q, type ReplayStep as Step, USER } from './step.js';

export const ENTRA_NO_FLAG: Step[] = [
  {
    name: 'test connection: random non-existent user',
    method: 'GET',
    url: '/Users?filter=userName+eq+%22AzureAD_Test-8a1c5e1e-3b1c-4f31-9f2e-0b8b2e6f4b3c%22',
    status: 200,
    check: (b) => {
      if (b.totalResults !== 0 || b.Resources.length !== 0) throw new Error('expected an empty ListResponse');
    },
  },
  {
    name: 'create user',
    method: 'POST',
    url: '/Users',
    body: {
      schemas: [USER, ENT],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    },
    status: 201,
    capture: { user: 'id' },
  },
  {
    name: 'second user (for membership)',
    method: 'POST',
    url: '/Users',
    body: { schemas: [USER], userName: 'second@contoso.com', externalId: 'ext-2', active: true },
    status: 201,
    capture: { user2: 'id' },
  },
  {
    name: 'match by externalId, unquoted',
    method: 'GET',
    url: '/Users?filter=externalId+eq+0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    status: 200,
    check: (b) => {
      if (b.totalResults !== 1) throw new Error(`expected 1, got ${b.totalResults}`);
    },
  },
  {
    name: 'update with value-path and sub-attribute paths',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    },
    status: 200,
    check: (b) => {
      if (
        b.emails[0].value !== 'updatedEmail@microsoft.com' ||
        b.name.familyName !== 'updatedFamilyName' ||
        b.name.givenName !== 'givenName'
      )
        throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'single value wrapped in an array with $ref null',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'Add', path: 'displayName', value: [{ $ref: null, value: 'User x' }] }] },
    status: 200,
    check: (b) => {
      if (b.displayName !== 'User x') throw new Error(b.displayName);
    },
  },
  {
    name: 'manager as a bare string',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'Add', path: `${ENT}:manager`, value: '{{user2}}' }] },
    status: 200,
    check: (b) => {
      if (typeof b[ENT].manager?.value !== 'string') throw new Error(JSON.stringify(b[ENT]));
    },
  },
  {
    name: 'disable with string boolean',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
    status: 200,
    check: (b) => {
      if (b.active !== false) throw new Error(String(b.active));
    },
  },
  {
    name: 'null clears an attribute',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'displayName', value: null }] },
    status: 200,
    check: (b) => {
      if (b.displayName !== undefined) throw new Error('not cleared');
    },
  },
  {
    name: 'create group with the Microsoft schema URI and no members',
    method: 'POST',
    url: '/Groups',
    body: {
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
      schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      members: [],
    },
    status: 201,
    capture: { group: 'id' },
  },
  {
    name: 'group lookup excluding members',
    method: 'GET',
    url: '/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22',
    status: 200,
    check: (b) => {
      if (b.totalResults !== 1 || b.Resources[0].members !== undefined) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'add members with $ref null',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [
        {
          op: 'Add',
          path: 'members',
          value: [
            { $ref: null, value: '{{user}}' },
            { $ref: null, value: '{{user2}}' },
          ],
        },
      ],
    },
    status: 204,
  },
  {
    name: 'remove one member by value list (never all)',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: '{{user}}' }] }] },
    status: 204,
  },
  {
    name: 'only the other member remains',
    method: 'GET',
    url: '/Groups/{{group}}',
    status: 200,
    check: (b) => {
      if (b.members?.length !== 1) throw new Error(JSON.stringify(b.members));
    },
  },
  { name: 'delete user', method: 'DELETE', url: '/Users/{{user}}', status: 204 },
];

export const ENTRA_FLAG: Step[] = [
  {
    name: 'create',
    method: 'POST',
    url: '/Users',
    body: { schemas: [USER, ENT], userName: 'flag@contoso.com', active: true, [ENT]: { employeeNumber: '1' } },
    status: 201,
    capture: { user: 'id' },
  },
  {
    name: 'member user',
    method: 'POST',
    url: '/Users',
    body: { userName: 'member@contoso.com' },
    status: 201,
    capture: { m: 'id' },
  },
  {
    name: 'path-less replace with dotted and URN keys',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: {
      schemas: [PATCH],
      Operations: [
        {
          op: 'replace',
          value: {
            displayName: 'Flag User',
            'name.givenName': 'Flag',
            'name.familyName': 'User',
            'emails[type eq "work"].value': 'flag.user@contoso.com',
            [`${ENT}:employeeNumber`]: '2',
          },
        },
      ],
    },
    status: 200,
    check: (b) => {
      if (b.name.givenName !== 'Flag' || b[ENT].employeeNumber !== '2' || b.displayName !== 'Flag User')
        throw new Error(JSON.stringify(b));
      const work = (b.emails ?? []).find((e: { type?: string }) => e.type === 'work');
      if (work?.value !== 'flag.user@contoso.com') throw new Error(`work email: ${JSON.stringify(b.emails)}`);
    },
  },
  {
    name: 'disable with a real boolean',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
    status: 200,
    check: (b) => {
      if (b.active !== false) throw new Error('active');
    },
  },
  {
    name: 'group',
    method: 'POST',
    url: '/Groups',
    body: { displayName: 'FlagGroup', members: [{ value: '{{user}}' }, { value: '{{m}}' }] },
    status: 201,
    capture: { group: 'id' },
  },
  {
    name: 'remove member by path filter',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members[value eq "{{user}}"]' }] },
    status: 204,
  },
  {
    name: 'one member left',
    method: 'GET',
    url: '/Groups/{{group}}',
    status: 200,
    check: (b) => {
      if (b.members.length !== 1 || b.members[0].value === undefined) throw new Error(JSON.stringify(b.members));
    },
  },
];

/** A group name with the characters Entra's known issue names: `&`, parentheses, an apostrophe, a quote. */
const SPECIAL_GROUP = 'Sales & Marketing (EU) O\'Neil "A"';

export const ENTRA_MATCHING: Step[] = [
  {
    name: 'create with a work and a home address',
    method: 'POST',
    url: '/Users',
    body: {
      schemas: [USER],
      userName: 'match.user@contoso.com',
      externalId: 'match-ext-1',
      active: true,
      emails: [
        { type: 'work', value: 'match.work@contoso.com', primary: true },
        { type: 'home', value: 'match.home@example.com' },
      ],
    },
    status: 201,
    capture: { user: 'id' },
  },
  {
    name: 'match by the work address (a uniqueness attribute)',
    method: 'GET',
    url: `/Users?filter=${q('emails[type eq "work"].value eq "match.work@contoso.com"')}`,
    status: 200,
    check: (b, v) => {
      if (b.totalResults !== 1 || b.Resources[0].id !== v.user) fail(b);
    },
  },
  {
    name: 'the home address is not the work address',
    method: 'GET',
    url: `/Users?filter=${q('emails[type eq "work"].value eq "match.home@example.com"')}`,
    status: 200,
    check: (b) => {
      if (b.totalResults !== 0) fail(b);
    },
  },
  {
    name: 'group named with special characters',
    method: 'POST',
    url: '/Groups',
    body: { schemas: [GROUP], displayName: SPECIAL_GROUP, members: [] },
    status: 201,
    capture: { group: 'id' },
  },
  {
    name: 'group lookup by the special name, members excluded',
    method: 'GET',
    url: `/Groups?excludedAttributes=members&filter=${q('displayName eq "Sales & Marketing (EU) O\'Neil \\"A\\""')}`,
    status: 200,
    check: (b, v) => {
      if (b.totalResults !== 1 || b.Resources[0].id !== v.group || b.Resources[0].displayName !== SPECIAL_GROUP) fail(b);
    },
  },
  {
    name: 'a name that differs only after the special characters matches nothing',
    method: 'GET',
    url: `/Groups?excludedAttributes=members&filter=${q('displayName eq "Sales & Marketing (EU) O\'Neil \\"B\\""')}`,
    status: 200,
    check: (b) => {
      if (b.totalResults !== 0) fail(b);
    },
  },
];
