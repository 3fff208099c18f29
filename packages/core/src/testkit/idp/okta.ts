/** Okta's SCIM 2.0 client (OIN and custom apps). Source: Okta's SCIM 2.0 reference (§3.2 of the quirks reference). */
import { GROUP, PATCH, type ReplayStep as Step, USER } from './step.js';

export const OKTA: Step[] = [
  {
    name: 'existence check',
    method: 'GET',
    url: '/Users?filter=userName%20eq%20%22dade.murphy%40example.com%22&startIndex=1&count=100',
    headers: { 'user-agent': 'Okta SCIM Client 1.0.0' },
    status: 200,
    check: (b) => {
      if (b.totalResults !== 0 || typeof b.startIndex !== 'number' || typeof b.itemsPerPage !== 'number')
        throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'create with password and groups []',
    method: 'POST',
    url: '/Users',
    body: {
      schemas: [USER],
      userName: 'dade.murphy@example.com',
      name: { givenName: 'Dade', familyName: 'Murphy' },
      emails: [{ primary: true, value: 'dade.murphy@example.com', type: 'work' }],
      displayName: 'Dade Murphy',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    },
    status: 201,
    capture: { user: 'id' },
    check: (b) => {
      if (b.password !== undefined) throw new Error('password returned');
    },
  },
  {
    name: 'duplicate is 409',
    method: 'POST',
    url: '/Users',
    body: { schemas: [USER], userName: 'dade.murphy@example.com', active: true },
    status: 409,
  },
  {
    name: 'custom app: PUT for a profile change',
    method: 'PUT',
    url: '/Users/{{user}}',
    body: {
      schemas: [USER],
      id: '{{user}}',
      userName: 'dade.murphy@example.com',
      name: { givenName: 'Dade', familyName: 'Murphy-Jr' },
      emails: [{ primary: true, value: 'dade.murphy@example.com', type: 'work' }],
      active: true,
    },
    status: 200,
    check: (b) => {
      if (b.name.familyName !== 'Murphy-Jr' || b.displayName !== undefined) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'deactivate: path-less replace',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] },
    status: 200,
    check: (b) => {
      if (b.active !== false) throw new Error('active');
    },
  },
  {
    name: 'push group',
    method: 'POST',
    url: '/Groups',
    body: { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] },
    status: 201,
    capture: { group: 'id' },
  },
  {
    name: 'rename together with membership (members without type)',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', value: { id: '{{group}}', displayName: 'Test SCIMv2 renamed' } },
        { op: 'add', path: 'members', value: [{ value: '{{user}}', display: 'dade.murphy@example.com' }] },
      ],
    },
    status: 204,
  },
  {
    name: 'renamed and member added',
    method: 'GET',
    url: '/Groups/{{group}}',
    status: 200,
    check: (b) => {
      if (b.displayName !== 'Test SCIMv2 renamed' || b.members.length !== 1) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'remove by filter',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members[value eq "{{user}}"]' }] },
    status: 204,
  },
  {
    name: 'replace members [] empties the group',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'members', value: [] }] },
    status: 204,
  },
  {
    name: 'custom app: PUT group membership',
    method: 'PUT',
    url: '/Groups/{{group}}',
    body: { schemas: [GROUP], displayName: 'Test SCIMv2 renamed', members: [{ value: '{{user}}' }] },
    status: 200,
    check: (b) => {
      if (b.members.length !== 1) throw new Error(JSON.stringify(b));
    },
  },
];
