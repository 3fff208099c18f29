/**
 * A target without PUT (Google Cloud Identity answers `PUT /Users/{id}` with an HTML 404 page and
 * takes PATCH): by default a client's PUT is refused with a 502 that says what to set, never a 404
 * (which an IdP takes as "deleted" and answers by creating the user again); with
 * `targetSupport.put: false` the PUT reaches the target as one PATCH of what changed, and Okta's
 * custom-app client, which sends PUT for every change, provisions through it.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { idpTraffic, runReplay } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenericConnector } from '../src/connector.js';
import { BASIC, entityFor, type ProxyAnswer, startGateway, startRecordingProxy, type TestGateway } from './helpers.js';

const GOOGLE_404: ProxyAnswer = {
  status: 404,
  type: 'text/html; charset=UTF-8',
  body: '<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title><p>The requested URL was not found on this server.</html>',
};

let target: TestGateway;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
/** What the target lacks: the method it refuses, and how (Google's PUT page by default). */
let refusal: { method: string; answer: ProxyAnswer } = { method: 'PUT', answer: GOOGLE_404 };
beforeAll(async () => {
  target = await startGateway('connector-loki', { persistence: false, exampleData: false });
  proxy = await startRecordingProxy(
    () => target.base,
    (method) => (method === refusal.method ? refusal.answer : undefined),
  );
});
afterAll(async () => {
  await proxy?.close();
  await target?.stop();
});

/** A front over the proxy, as a SCIM handler. */
function front(targetSupport?: Record<string, unknown>) {
  const connector = createGenericConnector({
    config: { entity: entityFor(proxy.base), ...(targetSupport ? { targetSupport } : {}) } as never,
  });
  const scim = createScimHandler({ connector });
  const call = async (method: string, url: string, body?: unknown) => {
    const r = await scim.handle({
      method,
      url,
      headers: { 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: r.body as Record<string, any> };
  };
  return { connector, scim, call };
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('a target without PUT', () => {
  it('by default: a PUT is a 502 naming targetSupport.put, not a 404, and the target is unchanged', async () => {
    const { call, connector } = front();
    try {
      const made = await call('POST', '/Users', { schemas: [USER], userName: 'put.default@example.com', title: 'Before' });
      expect(made.status).toBe(201);
      const put = await call('PUT', `/Users/${made.body.id}`, {
        schemas: [USER],
        userName: 'put.default@example.com',
        title: 'After',
      });
      expect(put.status).toBe(502);
      expect(put.body.detail).toContain('endpoint.targetSupport.put');
      const stored = await target.call('GET', `/Users/${made.body.id}`, undefined, { authorization: BASIC });
      expect(stored.body.title).toBe('Before');
    } finally {
      await connector.close?.();
    }
  });

  it('with targetSupport.put false: a PUT is one PATCH of what changed', async () => {
    const { call, connector } = front({ put: false });
    try {
      const made = await call('POST', '/Users', {
        schemas: [USER],
        userName: 'put.patch@example.com',
        title: 'Before',
        nickName: 'Gone soon',
        name: { givenName: 'Ann', familyName: 'Lee' },
      });
      expect(made.status).toBe(201);
      const seen = proxy.requests.length;
      const put = await call('PUT', `/Users/${made.body.id}`, {
        schemas: [USER],
        userName: 'put.patch@example.com',
        title: 'After',
        name: { givenName: 'Ann', familyName: 'Lee' },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ title: 'After' });
      expect(put.body.nickName).toBeUndefined();
      const writes = proxy.requests.slice(seen).filter((r) => r.method !== 'GET');
      expect(writes.map((r) => r.method)).toEqual(['PATCH']);
      const stored = await target.call('GET', `/Users/${made.body.id}`, undefined, { authorization: BASIC });
      expect(stored.body).toMatchObject({ title: 'After', name: { givenName: 'Ann', familyName: 'Lee' } });
      expect(stored.body.nickName).toBeUndefined();
    } finally {
      await connector.close?.();
    }
  });

  it("with targetSupport.put false: Okta's client (PUT for every change) provisions through it", async () => {
    const { scim, connector } = front({ put: false });
    try {
      const before = proxy.requests.length;
      await runReplay((req) => scim.handle(req).then((r) => ({ status: r.status, body: r.body })), idpTraffic.okta);
      const sent = proxy.requests.slice(before);
      expect(sent.some((r) => r.method === 'PUT')).toBe(false);
      expect(sent.filter((r) => r.method === 'PATCH').length).toBeGreaterThan(0);
    } finally {
      await connector.close?.();
    }
  });
});

describe('a target refusing a write method, every write × every way of refusing', () => {
  const refusals: [string, ProxyAnswer][] = [
    ['a 404 page', GOOGLE_404],
    ['405 Method Not Allowed', { status: 405, type: 'application/json', body: '{"error":"method not allowed"}' }],
    ['501 Not Implemented', { status: 501, type: 'text/plain', body: 'Not Implemented' }],
  ];
  const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  const writes: [string, string, (ids: { user: string; group: string }) => [string, unknown?]][] = [
    [
      'POST',
      'create a user',
      () => ['/Users', { schemas: [USER], userName: `walk.${Math.random().toString(36).slice(2)}@example.com` }],
    ],
    [
      'PUT',
      'replace a user',
      (ids) => [`/Users/${ids.user}`, { schemas: [USER], userName: 'walk.kept@example.com', title: 'X' }],
    ],
    [
      'PATCH',
      'modify a user',
      (ids) => [`/Users/${ids.user}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'X' }] }],
    ],
    [
      'PATCH',
      'add a member',
      (ids) => [
        `/Groups/${ids.group}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: ids.user }] }] },
      ],
    ],
    ['DELETE', 'delete a user', (ids) => [`/Users/${ids.user}`]],
  ];
  for (const [method, what, request] of writes)
    for (const [how, answer] of refusals)
      it(`${what} (${method}) refused with ${how}: 502 naming the target, never its status, and nothing changed`, async () => {
        const { call, connector } = front();
        try {
          refusal = { method: 'none', answer };
          const user = await call('POST', '/Users', {
            schemas: [USER],
            userName: `walk.kept.${Math.random().toString(36).slice(2)}@example.com`,
            title: 'Kept',
          });
          const group = await call('POST', '/Groups', {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
            displayName: `walk-${Math.random()}`,
          });
          expect([user.status, group.status]).toEqual([201, 201]);
          refusal = { method, answer };
          const [url, body] = request({ user: user.body.id, group: group.body.id });
          const r = await call(method, url, body);
          expect(r.status, JSON.stringify(r.body)).toBe(502);
          expect(r.body.detail).toMatch(/not a SCIM answer/);
          refusal = { method: 'none', answer };
          const kept = await target.call('GET', `/Users/${user.body.id}`, undefined, { authorization: BASIC });
          expect(kept.body.title).toBe('Kept');
        } finally {
          refusal = { method: 'PUT', answer: GOOGLE_404 };
          await connector.close?.();
        }
      });
});
