/**
 * SCIM 1.1 names the enterprise manager's id `managerId`; 2.0 names it `value`. A 1.1 client's
 * manager reaches the connector as 2.0's, and comes back to it as 1.1's.
 */
import { describe, expect, it } from 'vitest';
import { createScimHandler } from '../src/handler/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';

const E1 = 'urn:scim:schemas:extension:enterprise:1.0';
const E2 = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const V1 = 'urn:scim:schemas:core:1.0';

async function setup() {
  const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
  const post = async (url: string, body: unknown) =>
    (await h.handle({ method: 'POST', url, body: JSON.stringify(body) })).body as Record<string, any>;
  const boss = await post('/v1/Users', { schemas: [V1], userName: 'boss' });
  const other = await post('/v1/Users', { schemas: [V1], userName: 'other.boss' });
  return { h, post, boss: boss.id as string, other: other.id as string };
}

describe('the enterprise manager over SCIM 1.1', () => {
  it('a 1.1 create with managerId is stored as manager.value and answered as managerId', async () => {
    const { h, post, boss } = await setup();
    const created = await post('/v1/Users', {
      schemas: [V1, E1],
      userName: 'worker',
      [E1]: { manager: { managerId: boss, displayName: 'The Boss' } },
    });
    // displayName is read-only in the 2.0 schema (RFC 7643 §4.3): not stored from a client.
    expect(created[E1].manager).toEqual({ managerId: boss });
    const as20 = await h.handle({ method: 'GET', url: `/Users/${created.id}` });
    expect((as20.body as Record<string, any>)[E2].manager).toMatchObject({ value: boss });
    expect((as20.body as Record<string, any>)[E2].manager.managerId).toBeUndefined();
  });

  it('a 1.1 partial-resource PATCH and a PUT change the manager by managerId', async () => {
    const { h, post, boss, other } = await setup();
    const created = await post('/v1/Users', { schemas: [V1, E1], userName: 'worker', [E1]: { manager: { managerId: boss } } });
    const patched = await h.handle({
      method: 'PATCH',
      url: `/v1/Users/${created.id}`,
      body: JSON.stringify({ schemas: [V1], [E1]: { manager: { managerId: other } } }),
    });
    expect(patched.status).toBe(200);
    expect((patched.body as Record<string, any>)[E1].manager).toEqual({ managerId: other });
    const put = await h.handle({
      method: 'PUT',
      url: `/v1/Users/${created.id}`,
      body: JSON.stringify({ schemas: [V1, E1], userName: 'worker', [E1]: { department: 'D', manager: { managerId: boss } } }),
    });
    expect((put.body as Record<string, any>)[E1]).toEqual({ department: 'D', manager: { managerId: boss } });
  });

  it('a 2.0 client still sees manager.value and $ref', async () => {
    const { h, post, boss } = await setup();
    const created = await post('/v1/Users', { schemas: [V1, E1], userName: 'worker', [E1]: { manager: { managerId: boss } } });
    const as20 = await h.handle({ method: 'GET', url: `/Users/${created.id}`, origin: 'https://gw' } as never);
    expect((as20.body as Record<string, any>)[E2].manager).toMatchObject({ value: boss });
  });

  it('the 1.1 schema describes managerId, without $ref', async () => {
    const { h } = await setup();
    const res = await h.handle({ method: 'GET', url: '/v1/Schemas/Users' });
    const manager = (
      res.body as { attributes: { name: string; schema: string; subAttributes?: { name: string }[] }[] }
    ).attributes.find((a) => a.name === 'manager' && a.schema === E1);
    expect(manager?.subAttributes?.map((s) => s.name).sort()).toEqual(['displayName', 'managerId']);
  });

  it('a managerId key that is not a string is the handler’s 400, not a crash', async () => {
    const { post } = await setup();
    const res = await post('/v1/Users', { schemas: [V1, E1], userName: 'worker', [E1]: { manager: { managerId: { x: 1 } } } });
    expect(res.Errors?.[0]?.code).toBe('400');
  });
});

describe('managerId in a 1.1 query', () => {
  it('filters, attributes and excludedAttributes name the manager as 1.1 does', async () => {
    const { h, post, boss, other } = await setup();
    const worker = await post('/v1/Users', { schemas: [V1, E1], userName: 'worker', [E1]: { manager: { managerId: boss } } });
    await post('/v1/Users', { schemas: [V1, E1], userName: 'other.worker', [E1]: { manager: { managerId: other } } });
    const get = async (url: string) => (await h.handle({ method: 'GET', url })).body as Record<string, any>;
    for (const filter of [
      `${E1}:manager.managerId eq "${boss}"`,
      `manager.managerId eq "${boss}"`,
      `manager.MANAGERID eq "${boss}" and userName pr`,
    ]) {
      const listed = await get(`/v1/Users?filter=${encodeURIComponent(filter)}`);
      expect(
        listed.Resources?.map((u: { userName: string }) => u.userName),
        filter,
      ).toEqual(['worker']);
    }
    const projected = await get(`/v1/Users/${worker.id}?attributes=${encodeURIComponent(`${E1}:manager.managerId`)}`);
    expect(projected[E1]).toEqual({ manager: { managerId: boss } });
    const without = await get(`/v1/Users/${worker.id}?excludedAttributes=${encodeURIComponent(`${E1}:manager.managerId`)}`);
    expect(without[E1]?.manager?.managerId).toBeUndefined();
    // The same words in a value are not a path.
    const literal = await get(`/v1/Users?filter=${encodeURIComponent('userName eq "manager.managerId"')}`);
    expect(literal.Errors?.[0]?.code).toBe('404');
  });
});

describe('urlManagerToV2, on any query', () => {
  it('never throws, and leaves a URL that names no managerId exactly as it was', async () => {
    const { default: fc } = await import('fast-check');
    const { urlManagerToV2 } = await import('../src/v1/manager.js');
    const { SchemaRegistry } = await import('../src/index.js');
    const registry = new SchemaRegistry();
    const rt = registry.resourceType('User');
    if (!rt) throw new Error('no User');
    const param = fc.tuple(fc.constantFrom('filter', 'attributes', 'excludedAttributes', 'sortBy', 'count', 'x'), fc.string());
    fc.assert(
      fc.property(fc.array(param, { maxLength: 5 }), fc.boolean(), (params, withId) => {
        const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        const url = `/v1/Users?${query}${withId ? `&filter=${encodeURIComponent('manager.managerId eq "x"')}` : ''}`;
        const out = urlManagerToV2(registry, rt, url);
        if (!/managerid/i.test(url)) return out === url;
        // Whatever it rewrote, a managerId path in a filter became manager.value.
        return !withId || /manager\.value/.test(decodeURIComponent(out.replace(/\+/g, ' ')));
      }),
    );
  });
});
