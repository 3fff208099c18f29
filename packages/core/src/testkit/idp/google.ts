/** Google Workspace's auto-provisioning client: `application/json`, which it cannot change (§3.4). */
import { fail, PATCH, q, type ReplayStep as Step, USER } from './step.js';

const GOOGLE_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json',
  'user-agent': 'Google-Auto-Provisioning',
};

export const GOOGLE: Step[] = [
  {
    name: 'existence check with application/json',
    method: 'GET',
    url: `/Users?filter=${q('userName eq "g.user@example.com"')}`,
    headers: GOOGLE_HEADERS,
    status: 200,
    check: (b) => {
      if (b.totalResults !== 0) fail(b);
    },
  },
  {
    name: 'create sent as application/json',
    method: 'POST',
    url: '/Users',
    headers: GOOGLE_HEADERS,
    body: {
      schemas: [USER],
      userName: 'g.user@example.com',
      name: { givenName: 'Gee', familyName: 'User' },
      emails: [{ value: 'g.user@example.com', type: 'work', primary: true }],
      active: true,
    },
    status: 201,
    capture: { user: 'id' },
  },
  {
    name: 'profile change as application/json',
    method: 'PATCH',
    url: '/Users/{{user}}',
    headers: GOOGLE_HEADERS,
    body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'name.familyName', value: 'Userson' }] },
    status: 200,
    check: (b) => {
      if (b.name?.familyName !== 'Userson' || b.name?.givenName !== 'Gee') fail(b);
    },
  },
  {
    name: 'suspend as application/json',
    method: 'PATCH',
    url: '/Users/{{user}}',
    headers: GOOGLE_HEADERS,
    body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
    status: 200,
  },
  {
    name: 'read back',
    method: 'GET',
    url: '/Users/{{user}}',
    headers: GOOGLE_HEADERS,
    status: 200,
    check: (b) => {
      if (b.active !== false || b.name?.familyName !== 'Userson') fail(b);
    },
  },
];
