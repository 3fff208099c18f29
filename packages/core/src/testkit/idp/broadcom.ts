/**
 * Broadcom (Symantec, CA) Identity Manager over SCIM 1.1: partial-resource PATCH, 404 for an empty
 * filter, 1.1 errors, the manager as `managerId` (§3.8); and the non-standard `"op":"delete"` some
 * clients send in 2.0 PATCHes (§3.8.5).
 */
import { PATCH, type ReplayStep as Step, V1 } from './step.js';

export const BROADCOM_V1: Step[] = [
  {
    name: '1.1 discovery',
    method: 'GET',
    url: '/v1/ServiceProviderConfigs',
    status: 200,
    check: (b) => {
      if (b.schemas[0] !== V1 || b.patch.supported !== true) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: '1.1 schemas',
    method: 'GET',
    url: '/v1/Schemas/Users',
    status: 200,
    check: (b) => {
      if (b.id !== V1 || !b.attributes.some((a: { name: string }) => a.name === 'userName'))
        throw new Error(JSON.stringify(b).slice(0, 200));
    },
  },
  {
    name: 'empty filter result is 404 in 1.1',
    method: 'GET',
    url: '/v1/Users?filter=userName%20eq%20%22nobody%22',
    status: 404,
    check: (b) => {
      if (!Array.isArray(b.Errors)) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'create in 1.1 form',
    method: 'POST',
    url: '/v1/Users',
    body: {
      schemas: [V1, 'urn:scim:schemas:extension:enterprise:1.0'],
      userName: 'im.user',
      title: 'Clerk',
      emails: [
        { value: 'old@example.com', type: 'work' },
        { value: 'home@example.com', type: 'home' },
      ],
      'urn:scim:schemas:extension:enterprise:1.0': { department: 'IM' },
    },
    status: 201,
    capture: { user: 'id' },
    check: (b) => {
      if (
        b.schemas[0] !== V1 ||
        b['urn:scim:schemas:extension:enterprise:1.0']?.department !== 'IM' ||
        b.meta.resourceType !== undefined
      )
        throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'partial-resource PATCH with operation delete and meta.attributes',
    method: 'PATCH',
    url: '/v1/Users/{{user}}',
    body: {
      schemas: [V1],
      meta: { attributes: ['title'] },
      emails: [
        { value: 'old@example.com', operation: 'delete' },
        { value: 'new@example.com', type: 'work' },
        { type: 'home', operation: 'delete' },
      ],
      displayName: 'IM User',
    },
    status: 200,
    check: (b) => {
      const emails = b.emails.map((e: { value: string }) => e.value);
      if (b.title !== undefined || b.displayName !== 'IM User' || emails.join() !== 'new@example.com')
        throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'a manager for the 1.1 user',
    method: 'POST',
    url: '/v1/Users',
    body: { schemas: [V1], userName: 'im.manager' },
    status: 201,
    capture: { manager: 'id' },
  },
  {
    name: 'manager set by managerId (1.1 names the id so)',
    method: 'PATCH',
    url: '/v1/Users/{{user}}',
    body: { schemas: [V1], 'urn:scim:schemas:extension:enterprise:1.0': { manager: { managerId: '{{manager}}' } } },
    status: 200,
    check: (b, v) => {
      const ext = b['urn:scim:schemas:extension:enterprise:1.0'];
      if (ext?.manager?.managerId !== v.manager || ext?.manager?.value !== undefined || ext?.department !== 'IM')
        throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'list in 1.1 form',
    method: 'GET',
    url: '/v1/Users?filter=userName%20eq%20%22im.user%22',
    status: 200,
    check: (b) => {
      if (b.schemas[0] !== V1 || b.totalResults !== 1) throw new Error(JSON.stringify(b));
    },
  },
  {
    name: 'group in 1.1',
    method: 'POST',
    url: '/v1/Groups',
    body: { schemas: [V1], displayName: 'IMG', members: [{ value: '{{user}}' }] },
    status: 201,
    capture: { group: 'id' },
  },
  {
    name: 'member delete in 1.1',
    method: 'PATCH',
    url: '/v1/Groups/{{group}}',
    body: { schemas: [V1], members: [{ value: '{{user}}', operation: 'delete' }] },
    status: 204,
  },
  {
    name: 'error body in 1.1 form',
    method: 'GET',
    url: '/v1/Users/missing',
    status: 404,
    check: (b) => {
      if (b.Errors?.[0]?.code !== '404') throw new Error(JSON.stringify(b));
    },
  },
];

export const NONSTANDARD_DELETE_OP: Step[] = [
  {
    name: 'create',
    method: 'POST',
    url: '/Users',
    body: { userName: 'op-delete', title: 'T' },
    status: 201,
    capture: { user: 'id' },
  },
  {
    name: '"op":"delete"',
    method: 'PATCH',
    url: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'delete', path: 'title' }] },
    status: 200,
    check: (b) => {
      if (b.title !== undefined) throw new Error('title kept');
    },
  },
];
