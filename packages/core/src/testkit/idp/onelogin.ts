/** OneLogin: non-standard schema URNs, a trailing `?` or `&`, PUT for updates (request logs, §3.3). */
import { ENT, PATCH, type ReplayStep as Step } from './step.js';

export const ONELOGIN: Step[] = [
  {
    name: 'create with non-standard schema URNs',
    method: 'POST',
    url: '/Users',
    body: {
      schemas: ['urn:scim:schemas:core:2.0', 'urn:scim:schemas:extension:enterprise:2.0'],
      userName: 'onelogin.user@example.com',
      name: { givenName: 'One', familyName: 'Login' },
      'urn:scim:schemas:extension:enterprise:2.0': { department: 'R&D', employeeNumber: '77' },
    },
    status: 201,
    capture: { user: 'id' },
    check: (b) => {
      if (b[ENT]?.department !== 'R&D') throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'filter with a trailing ?',
    method: 'GET',
    url: '/Users?filter=userName+eq+%22onelogin.user%40example.com%22?',
    status: 200,
    check: (b) => {
      if (b.totalResults !== 1) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'filter with a trailing &',
    method: 'GET',
    url: '/Users?filter=userName+eq+%22onelogin.user%40example.com%22&',
    status: 200,
    check: (b) => {
      if (b.totalResults !== 1) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'PUT for user updates',
    method: 'PUT',
    url: '/Users/{{user}}',
    body: {
      schemas: ['urn:scim:schemas:core:2.0'],
      userName: 'onelogin.user@example.com',
      name: { givenName: 'Uno', familyName: 'Login' },
    },
    status: 200,
    check: (b) => {
      if (b.name.givenName !== 'Uno' || b[ENT] !== undefined) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'group for PATCH membership',
    method: 'POST',
    url: '/Groups',
    body: { schemas: ['urn:scim:schemas:core:2.0'], displayName: 'OL' },
    status: 201,
    capture: { group: 'id' },
  },
  {
    name: 'PATCH membership',
    method: 'PATCH',
    url: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: '{{user}}' }] }] },
    status: 204,
  },
];
