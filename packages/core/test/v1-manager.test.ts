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
