/** Fault injection: throttling (429/503, Retry-After, next N or a share), latency, replication delay; the call log. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type TestTenant, startTenant } from './helpers.js';

let t: TestTenant;
beforeAll(async () => {
  t = await startTenant({ seed: 42 });
});
afterAll(() => t.graph.close());

describe('throttling', () => {
  test('the next N calls answer 429 with Retry-After and Graph’s body, then traffic flows', async () => {
    const handle = t.graph.faults.throttle({ times: 2, retryAfterSeconds: 3 });
    const first = await t.call('GET', '/users');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.json.error.code).toBe('TooManyRequests');
    expect(first.json.error.innerError['request-id']).toBe(first.headers.get('request-id'));
    expect((await t.call('GET', '/groups')).status).toBe(429);
    expect((await t.call('GET', '/users')).status).toBe(200);
    expect(handle.hits).toBe(2);
    handle.remove();
  });

  test('503 on one route only', async () => {
    const handle = t.graph.faults.throttle({ status: 503, route: 'POST /groups/{id}/members/$ref', retryAfterSeconds: 1 });
    const group = t.graph.state.addGroup();
    const [user] = t.graph.state.addUsers(1);
    const add = await t.call('POST', `/groups/${group}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user}`,
    });
    expect(add.status).toBe(503);
    expect(add.headers.get('retry-after')).toBe('1');
    expect(t.graph.state.isMember(group, user as string)).toBe(false);
    expect((await t.call('GET', '/users')).status).toBe(200);
    handle.remove();
  });

  test('a share of calls, reproducible by seed', async () => {
    const handle = t.graph.faults.throttle({ ratio: 0.5, route: 'GET /users' });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await t.call('GET', '/users?$top=1')).status);
    handle.remove();
    const throttled = statuses.filter((s) => s === 429).length;
    expect(throttled).toBeGreaterThan(5);
    expect(throttled).toBeLessThan(35);
    expect(handle.hits).toBe(throttled);
  });
});

describe('latency', () => {
  test('delays matching calls (counted, not timed)', async () => {
    const handle = t.graph.faults.latency({ ms: 20, route: 'GET /groups', times: 2 });
    await t.call('GET', '/groups');
    await t.call('GET', '/users');
    await t.call('GET', '/groups');
    await t.call('GET', '/groups');
    expect(handle.hits).toBe(2);
  });
});

describe('replication delay', () => {
  test('a new user answers 404 for the configured number of reads, also as a member reference', async () => {
    t.graph.faults.replicationDelay({ reads: 2 });
    const d = t.graph.domains[0];
    const created = await t.call('POST', '/users', {
      accountEnabled: true,
      displayName: 'Fresh',
      mailNickname: 'fresh',
      userPrincipalName: `fresh@${d}`,
      passwordProfile: { password: 'Fr3sh!Passw0rd' },
    });
    expect(created.status).toBe(201);
    const group = t.graph.state.addGroup();
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${created.json.id}` };
    const list = await t.call('GET', `/users?$filter=id eq '${created.json.id}'`);
    expect(list.json.value).toEqual([]);
    expect((await t.call('GET', `/users/${created.json.id}`)).status).toBe(404);
    expect((await t.call('POST', `/groups/${group}/members/$ref`, ref)).status).toBe(404);
    expect((await t.call('GET', `/users/${created.json.id}`)).status).toBe(200);
    expect((await t.call('POST', `/groups/${group}/members/$ref`, ref)).status).toBe(204);
    t.graph.faults.replicationDelay(undefined);
  });

  test('or for a time, by the emulator clock', async () => {
    let now = Date.now();
    const c = await startTenant({ now: () => now });
    try {
      c.graph.faults.replicationDelay({ ms: 5000 });
      const created = await c.call('POST', '/groups', {
        displayName: 'G',
        mailEnabled: false,
        mailNickname: 'g',
        securityEnabled: true,
      });
      expect((await c.call('GET', `/groups/${created.json.id}`)).status).toBe(404);
      expect((await c.call('GET', `/groups/${created.json.id}`)).status).toBe(404);
      now += 5001;
      expect((await c.call('GET', `/groups/${created.json.id}`)).status).toBe(200);
    } finally {
      await c.graph.close();
    }
  });
});

describe('call log', () => {
  test('counts per route template, batch items included', async () => {
    t.graph.calls.reset();
    await t.call('GET', '/users?$top=1');
    await t.call('GET', '/users?$top=2');
    await t.call('POST', '/$batch', { requests: [{ id: '1', method: 'GET', url: '/users' }] });
    expect(t.graph.calls.count({ route: 'GET /users' })).toBe(3);
    expect(t.graph.calls.count({ route: 'GET /users', inBatch: true })).toBe(1);
    expect(t.graph.calls.byRoute()).toEqual({ 'GET /users': 3, 'POST /$batch': 1 });
    expect(t.graph.calls.list()[0]).toMatchObject({ method: 'GET', url: '/users?$top=1', status: 200, inBatch: false });
  });
});
