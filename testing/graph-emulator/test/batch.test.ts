/** JSON batching: limits, dependsOn, relative URLs, per-item answers, partial failures, throttled items. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestTenant, startTenant } from './helpers.js';

let t: TestTenant;
beforeAll(async () => {
  t = await startTenant();
});
afterAll(() => t.graph.close());

type Item = { id: string; status: number; headers: Record<string, string>; body?: any };
const byId = (responses: Item[]) => Object.fromEntries(responses.map((r) => [r.id, r]));

describe('$batch', () => {
  test('items answer independently; responses are not in request order', async () => {
    const [user] = t.graph.state.addUsers(1);
    const r = await t.call('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `/users/${user}?$select=id` },
        { id: '2', method: 'GET', url: '/users/00000000-0000-0000-0000-000000000000' },
        { id: '3', method: 'GET', url: 'groups?$top=1' },
        {
          id: '4',
          method: 'POST',
          url: '/groups',
          headers: { 'Content-Type': 'application/json' },
          body: { displayName: 'B', mailEnabled: false, mailNickname: 'b', securityEnabled: true },
        },
      ],
    });
    expect(r.status).toBe(200);
    const responses = r.json.responses as Item[];
    expect(responses.map((x) => x.id)).not.toEqual(['1', '2', '3', '4']);
    const items = byId(responses);
    expect(items['1']?.status).toBe(200);
    expect(items['1']?.body).toMatchObject({ id: user });
    expect(items['1']?.headers['content-type']).toMatch(/application\/json/);
    expect(items['2']?.status).toBe(404);
    expect(items['2']?.body.error.code).toBe('Request_ResourceNotFound');
    expect(items['3']?.status).toBe(200);
    expect(items['4']?.status).toBe(201);
    expect(t.graph.calls.count({ inBatch: true })).toBeGreaterThanOrEqual(4);
  });

  test('more than 20 requests, duplicate ids, missing Content-Type and unknown dependencies refuse the whole batch', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' }));
    const over = await t.call('POST', '/$batch', { requests: many });
    expect(over.status).toBe(400);
    expect(over.json.error.message).toMatch(/20/);
    expect((await t.call('POST', '/$batch', { requests: many.slice(0, 20) })).status).toBe(200);
    const dup = await t.call('POST', '/$batch', {
      requests: [
        { id: 'a', method: 'GET', url: '/users' },
        { id: 'A', method: 'GET', url: '/users' },
      ],
    });
    expect(dup.status).toBe(400);
    const noType = await t.call('POST', '/$batch', { requests: [{ id: '1', method: 'POST', url: '/groups', body: {} }] });
    expect(noType.status).toBe(400);
    expect(noType.json.error.message).toBe('Write request id : 1 does not contain Content-Type header or body.');
    const unknownDep = await t.call('POST', '/$batch', {
      requests: [{ id: '1', method: 'GET', url: '/users', dependsOn: ['9'] }],
    });
    expect(unknownDep.status).toBe(400);
    const cycle = await t.call('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: '/users', dependsOn: ['2'] },
        { id: '2', method: 'GET', url: '/users', dependsOn: ['1'] },
      ],
    });
    expect(cycle.status).toBe(400);
    expect((await t.call('POST', '/$batch', { nope: [] })).status).toBe(400);
  });

  test('dependsOn runs in order and a failed dependency answers 424', async () => {
    const group = t.graph.state.addGroup();
    const [user] = t.graph.state.addUsers(1);
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user}` };
    const r = await t.call('POST', '/$batch', {
      requests: [
        {
          id: 'add',
          method: 'POST',
          url: `/groups/${group}/members/$ref`,
          headers: { 'content-type': 'application/json' },
          body: ref,
        },
        {
          id: 'again',
          dependsOn: ['add'],
          method: 'POST',
          url: `/groups/${group}/members/$ref`,
          headers: { 'content-type': 'application/json' },
          body: ref,
        },
        { id: 'after', dependsOn: ['again'], method: 'GET', url: `/groups/${group}/members` },
      ],
    });
    const items = byId(r.json.responses);
    expect(items.add?.status).toBe(204);
    expect(items.again?.status).toBe(400);
    expect(items.after?.status).toBe(424);
  });

  test('absolute URLs, versioned URLs and nested batches fail per item', async () => {
    const r = await t.call('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: 'https://graph.microsoft.com/v1.0/users' },
        { id: '2', method: 'GET', url: '/v1.0/users' },
        { id: '3', method: 'POST', url: '/$batch', headers: { 'content-type': 'application/json' }, body: { requests: [] } },
      ],
    });
    const items = byId(r.json.responses);
    expect(items['1']?.status).toBe(400);
    expect(items['2']?.status).toBe(400);
    expect(items['2']?.body.error.message).toBe("Resource not found for the segment 'v1.0'.");
    expect(items['3']?.status).toBe(400);
  });

  test('advanced query headers are per item; a throttled item is a 429 inside a 200 batch', async () => {
    const handle = t.graph.faults.throttle({ scope: 'batch-items', times: 1, retryAfterSeconds: 7 });
    const r = await t.call('POST', '/$batch', {
      requests: [
        {
          id: '1',
          method: 'GET',
          url: '/users?$count=true&$filter=department ne null',
          headers: { ConsistencyLevel: 'eventual' },
        },
        { id: '2', method: 'GET', url: '/users?$count=true&$filter=department ne null' },
      ],
    });
    expect(r.status).toBe(200);
    const items = byId(r.json.responses);
    expect(items['1']?.status).toBe(429);
    expect(items['1']?.headers['retry-after']).toBe('7');
    expect(items['2']?.status).toBe(400);
    expect(handle.hits).toBe(1);
    const retry = await t.call('POST', '/$batch', {
      requests: [
        {
          id: '1',
          method: 'GET',
          url: '/users?$count=true&$filter=department ne null',
          headers: { ConsistencyLevel: 'eventual' },
        },
      ],
    });
    expect(retry.json.responses[0].status).toBe(200);
    expect(retry.json.responses[0].body['@odata.count']).toBeTypeOf('number');
  });

  test('the batch itself needs a valid token; items inherit it', async () => {
    const response = await t.graph.fetch(`${t.graph.graphUrl}/$batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: '/users' }] }),
    });
    expect(response.status).toBe(401);
  });
});
