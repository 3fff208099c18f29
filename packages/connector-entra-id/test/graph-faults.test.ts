/**
 * Graph's hard parts, against the emulator's fault injection: throttling with Retry-After,
 * replication delay after a create, partial failures inside `$batch`, the 100,000-member group,
 * missing permissions, and nothing secret in the logs.
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import type { GraphEmulator } from '@scimgw/testing-graph-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectorFor, type SecretApp, secretConfig, startGraph } from './helpers.js';

let graph: GraphEmulator;
let app: SecretApp;
let connector: Connector;
let logs: unknown[];
let h: ScimHandler;
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

beforeAll(async () => {
  ({ graph, app } = await startGraph());
  const made = connectorFor(graph, secretConfig(graph, app), () => 0.5);
  connector = made.connector;
  logs = made.ctx.logs;
  h = createScimHandler({ connector });
  // A first call fetches the token, so later call counts are Graph calls only.
  await call('GET', '/Users?count=1');
});
afterAll(async () => {
  await connector?.close?.();
  await graph?.close();
});
afterEach(() => graph.faults.clear());

async function call(method: string, url: string, body?: unknown) {
  const res = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return res as { status: number; headers: Record<string, string>; body: any };
}

describe('throttling', () => {
  it('waits for Retry-After on 429 and then succeeds', async () => {
    const user = graph.state.addUser({ userPrincipalName: 'throttled@contoso.com' });
    const rule = graph.faults.throttle({ status: 429, retryAfterSeconds: 1, times: 2, route: 'GET /users/{id}' });
    graph.calls.reset();
    const res = await call('GET', `/Users/${user}?attributes=userName`);
    expect(res.status).toBe(200);
    expect(res.body.userName).toBe('throttled@contoso.com');
    expect(rule.hits).toBe(2);
    expect(graph.calls.count({ route: 'GET /users/{id}', status: 429 })).toBe(2);
    expect(graph.calls.count({ route: 'GET /users/{id}', status: 200 })).toBe(1);
  });

  it('retries a throttled POST (429: Graph did not process it) but not a POST that failed with 503', async () => {
    graph.faults.throttle({ status: 429, retryAfterSeconds: 0, times: 1, route: 'POST /users' });
    const ok = await call('POST', '/Users', { userName: 'post-429@contoso.com' });
    expect(ok.status).toBe(201);
    expect(graph.state.user('post-429@contoso.com')).toBeDefined();
    graph.faults.throttle({ status: 503, retryAfterSeconds: 7, times: 1, route: 'POST /users' });
    graph.calls.reset();
    const failed = await call('POST', '/Users', { userName: 'post-503@contoso.com' });
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('7');
    expect(graph.calls.count({ route: 'POST /users' })).toBe(1);
  });

  it('gives up with 503 and Retry-After when Graph asks for a longer wait than allowed', async () => {
    const user = graph.state.addUser({ userPrincipalName: 'long-wait@contoso.com' });
    graph.faults.throttle({ status: 429, retryAfterSeconds: 120, times: 1, route: 'GET /users/{id}' });
    graph.calls.reset();
    const res = await call('GET', `/Users/${user}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('120');
    expect(graph.calls.count({ route: 'GET /users/{id}' })).toBe(1);
  });

  it('stops after the configured attempts', async () => {
    const user = graph.state.addUser({ userPrincipalName: 'always-busy@contoso.com' });
    graph.faults.throttle({ status: 503, retryAfterSeconds: 0, route: 'GET /users/{id}' });
    graph.calls.reset();
    const res = await call('GET', `/Users/${user}`);
    expect(res.status).toBe(503);
    expect(graph.calls.count({ route: 'GET /users/{id}' })).toBe(5);
  });

  it('retries throttled items inside a $batch, only those', async () => {
    const group = graph.state.addGroup({ displayName: 'batch-throttle' });
    const users = graph.state.addUsers(25, (i) => ({ userPrincipalName: `bt${i}@contoso.com` }));
    graph.faults.throttle({ status: 429, retryAfterSeconds: 0, times: 3, scope: 'batch-items' });
    graph.calls.reset();
    const res = await call('PATCH', `/Groups/${group}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }],
    });
    expect(res.status).toBe(204);
    expect(graph.state.memberCount(group)).toBe(25);
    expect(graph.calls.count({ route: 'POST /groups/{id}/members/$ref', inBatch: true, status: 429 })).toBe(3);
    expect(graph.calls.count({ route: 'POST /groups/{id}/members/$ref', inBatch: true, status: 204 })).toBe(25);
  });
});

describe('replication delay', () => {
  it('reads its own writes: a user and group just created answer 404 a few times, then appear', async () => {
    graph.faults.replicationDelay({ reads: 3 });
    const user = await call('POST', '/Users', { userName: 'fresh@contoso.com', displayName: 'Fresh' });
    expect(user.status).toBe(201);
    const patched = await call('PATCH', `/Users/${user.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'title', value: 'New' }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe('New');
    const group = await call('POST', '/Groups', { displayName: 'fresh-group', members: [{ value: user.body.id }] });
    expect(group.status).toBe(201);
    expect(graph.state.members(group.body.id)).toEqual([user.body.id]);
    expect(graph.calls.count({ status: 404 })).toBeGreaterThan(0);
  });

  it('does not wait on a 404 for an object it did not just create', async () => {
    graph.calls.reset();
    const res = await call('GET', '/Users/6b0b3f7e-0000-4000-8000-000000000001');
    expect(res.status).toBe(404);
    expect(graph.calls.count({ route: 'GET /users/{id}' })).toBe(1);
  });
});

describe('$batch partial failure', () => {
  it('applies what it can, treats an existing member as added, and reports the member Graph refused', async () => {
    const group = graph.state.addGroup({
      displayName: 'm365',
      groupTypes: ['Unified'],
      mailEnabled: true,
      securityEnabled: false,
      mailNickname: 'm365',
    });
    const [a, b] = graph.state.addUsers(2, (i) => ({ userPrincipalName: `pf${i}@contoso.com` }));
    const nested = graph.state.addGroup({ displayName: 'nested' });
    graph.state.addMembers(group, [a as string]);
    const res = await call('PATCH', `/Groups/${group}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: a }, { value: b }, { value: nested }] }],
    });
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    expect(res.body.detail).toMatch(/Microsoft 365 groups cannot have groups as members/);
    expect(graph.state.members(group).sort()).toEqual([a, b].sort());
  });

  it('removes several members in one batch; absent ones count as removed', async () => {
    const group = graph.state.addGroup({ displayName: 'rm-batch' });
    const users = graph.state.addUsers(3, (i) => ({ userPrincipalName: `rb${i}@contoso.com` }));
    graph.state.addMembers(group, users.slice(0, 2));
    graph.calls.reset();
    const res = await call('PATCH', `/Groups/${group}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: 'members', value: users.map((value) => ({ value })) }],
    });
    expect(res.status).toBe(204);
    expect(graph.state.memberCount(group)).toBe(0);
    expect(graph.calls.count({ route: 'POST /$batch' })).toBe(1);
  });
});

describe('the 100,000-member group', () => {
  it('gains one member with exactly one Graph call, and loses one with one', async () => {
    const group = graph.state.addGroup({ displayName: 'everyone' });
    graph.state.addMembers(group, graph.state.addUsers(100_000));
    const newcomer = graph.state.addUser({ userPrincipalName: 'newcomer@contoso.com' });
    graph.calls.reset();
    const add = await call('PATCH', `/Groups/${group}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Add', path: 'members', value: [{ value: newcomer }] }],
    });
    expect(add.status).toBe(204);
    expect(graph.calls.list().map((c) => c.route)).toEqual(['POST /groups/{id}/members/$ref']);
    expect(graph.calls.tokenRequests()).toHaveLength(0);
    expect(graph.state.memberCount(group)).toBe(100_001);
    graph.calls.reset();
    const remove = await call('PATCH', `/Groups/${group}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: `members[value eq "${newcomer}"]` }],
    });
    expect(remove.status).toBe(204);
    expect(graph.calls.list().map((c) => c.route)).toEqual(['DELETE /groups/{id}/members/{memberId}/$ref']);
    expect(graph.state.memberCount(group)).toBe(100_000);
  });
});

describe('missing permissions', () => {
  it('answers 502 naming the application permission the app registration lacks', async () => {
    const { graph: g2, app: readOnly } = await startGraph({}, ['User.Read.All']);
    const made = connectorFor(g2, secretConfig(g2, readOnly));
    try {
      const handler = createScimHandler({ connector: made.connector });
      const res = await handler.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'x@contoso.com' }) });
      expect(res.status).toBe(502);
      expect((res.body as { detail: string }).detail).toMatch(/needs the application permission User\.ReadWrite\.All/);
      const list = await handler.handle({ method: 'GET', url: '/Users?count=1' });
      expect(list.status).toBe(200);
    } finally {
      await made.connector.close?.();
      await g2.close();
    }
  });
});

describe('logs', () => {
  it('hold no client secret and no access token', () => {
    const text = JSON.stringify(logs);
    expect(text).toContain('graph throttled, retrying');
    expect(text).not.toContain(app.secret);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
