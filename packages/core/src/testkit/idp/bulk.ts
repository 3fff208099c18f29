/** A client using `/Bulk`: one request of several operations that refer to each other. */
import { fail, GROUP, PATCH, q, type ReplayStep as Step, USER } from './step.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
type BulkAnswer = { Operations: { bulkId?: string; method: string; status: string | number; location?: string }[] };
const statuses = (b: BulkAnswer) => b.Operations.map((o) => String(o.status));

/** A client that provisions through `/Bulk` (RFC 7644 §3.7): bulkId references, then `failOnErrors`. */
export const BULK: Step[] = [
  {
    name: 'users, a group naming them by bulkId, and a PATCH of one, in one request',
    method: 'POST',
    url: '/Bulk',
    body: {
      schemas: [BULK_REQUEST],
      Operations: [
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g1',
          data: { schemas: [GROUP], displayName: 'Bulk Group', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] },
        },
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER], userName: 'bulk.one@example.com' } },
        { method: 'POST', path: '/Users', bulkId: 'u2', data: { schemas: [USER], userName: 'bulk.two@example.com' } },
        {
          method: 'PATCH',
          path: '/Users/bulkId:u1',
          data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Bulk' }] },
        },
      ],
    },
    status: 200,
    check: (b: BulkAnswer) => {
      if (statuses(b).join() !== '201,201,201,200') fail(b);
    },
  },
  {
    name: 'the group holds both users, found by name',
    method: 'GET',
    url: `/Groups?filter=${q('displayName eq "Bulk Group"')}`,
    status: 200,
    check: (b) => {
      if (b.totalResults !== 1 || (b.Resources[0].members ?? []).length !== 2) fail(b);
    },
  },
  {
    name: 'the PATCH by bulkId reached the first user',
    method: 'GET',
    url: `/Users?filter=${q('userName eq "bulk.one@example.com"')}`,
    status: 200,
    check: (b) => {
      if (b.totalResults !== 1 || b.Resources[0].title !== 'Bulk') fail(b);
    },
  },
  {
    name: 'failOnErrors 1: the duplicate is 409 and nothing after it runs',
    method: 'POST',
    url: '/Bulk',
    body: {
      schemas: [BULK_REQUEST],
      failOnErrors: 1,
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'd1', data: { schemas: [USER], userName: 'bulk.one@example.com' } },
        { method: 'POST', path: '/Users', bulkId: 'd2', data: { schemas: [USER], userName: 'bulk.never@example.com' } },
      ],
    },
    status: 200,
    check: (b: BulkAnswer) => {
      if (statuses(b).join() !== '409') fail(b);
    },
  },
  {
    name: 'the user after the failure was not made',
    method: 'GET',
    url: `/Users?filter=${q('userName eq "bulk.never@example.com"')}`,
    status: 200,
    check: (b) => {
      if (b.totalResults !== 0) fail(b);
    },
  },
];
