/** JumpCloud's Test Connection: a test user and group, joined, left and deleted (§3.5). */
import { fail, GROUP, ids, PATCH, q, same, type ReplayStep as Step, USER } from './step.js';

export const JUMPCLOUD: Step[] = [
  {
    name: 'test connection: a test user',
    method: 'POST',
    url: '/Users',
    body: {
      schemas: [USER],
      userName: 'jumpcloud.test@example.com',
      name: { givenName: 'Jump', familyName: 'Cloud' },
      active: true,
    },
    status: 201,
    capture: { user: 'id' },
  },
  {
    name: 'test connection: a test group',
    method: 'POST',
    url: '/Groups',
    body: { schemas: [GROUP], displayName: 'JumpCloud Test Group' },
    status: 201,
    capture: { group: 'id' },
  },
  {
    name: 'member added by value list',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: '{{user}}' }] }] },
    status: 204,
  },
  {
    name: 'the group holds the test user',
    method: 'GET',
    url: '/Groups/{{group}}',
    status: 200,
    check: (b, v) => {
      if (!same(ids(b.members), [v.user])) fail(b);
    },
  },
  {
    name: 'member removed by value list, without a filter',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members', value: [{ value: '{{user}}' }] }] },
    status: 204,
  },
  {
    name: 'the group is empty',
    method: 'GET',
    url: '/Groups/{{group}}',
    status: 200,
    check: (b) => {
      if ((b.members ?? []).length !== 0) fail(b);
    },
  },
  { name: 'delete the test group', method: 'DELETE', url: '/Groups/{{group}}', status: 204 },
  { name: 'delete the test user', method: 'DELETE', url: '/Users/{{user}}', status: 204 },
  { name: 'the test group is gone', method: 'GET', url: '/Groups/{{group}}', status: 404 },
  { name: 'the test user is gone', method: 'GET', url: '/Users/{{user}}', status: 404 },
  {
    name: 'and no longer found by name',
    method: 'GET',
    url: `/Users?filter=${q('userName eq "jumpcloud.test@example.com"')}`,
    status: 200,
    check: (b) => {
      if (b.totalResults !== 0) fail(b);
    },
  },
];
