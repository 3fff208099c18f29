/**
 * The security run's reproduction: a create with an unknown attribute nested 5,000 arrays deep used
 * to answer 503, stay in memory and break every listing of the tenant. Now the parse refuses it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway({ log: { loglevel: { console: 'off', file: 'off' } } }, { persistence: true });
});
afterAll(() => t.stop());

const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('deeply nested bodies', () => {
  it('are a 400 invalidSyntax; nothing is stored and listings keep working', async () => {
    const body = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep-1","bogus":${nest(5000)}}`;
    const r = await t.call('POST', '/Users', body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringContaining('nested deeper than 64') });
    const found = await t.call('GET', `/Users?filter=${encodeURIComponent('userName eq "deep-1"')}`);
    expect(found.body.totalResults).toBe(0);
    expect((await t.call('GET', '/Users?count=1000')).status).toBe(200);
  });

  it('in a SearchRequest too', async () => {
    const r = await t.call('POST', '/Users/.search', `{"attributes":${'['.repeat(5000)}"userName"${']'.repeat(5000)}}`);
    expect(r).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
  });

  it('an ordinary SearchRequest is still served', async () => {
    const r = await t.call('POST', '/Users/.search', { filter: 'userName pr', attributes: ['userName'] });
    expect(r.status).toBe(200);
  });
});
