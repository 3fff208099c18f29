/**
 * The example data a new store starts with takes conditional writes like any written resource:
 * the ETag a read hands out satisfies `If-Match`, and `If-Match: *` matches every seeded resource.
 * Seeded without versions, every such write answered 412.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { describe, expect, it } from 'vitest';
import { createLokiConnector } from '../src/connector.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function gateway() {
  const scim = createScimHandler({ connector: createLokiConnector({ persistence: false }) });
  return (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    scim.handle({ method, url, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

/** Every seeded resource, by its endpoint, read from the store's own lists. */
async function seeded(call: ReturnType<typeof gateway>): Promise<string[]> {
  const types = (await call('GET', '/ResourceTypes')).body as { Resources: { endpoint: string }[] };
  const out: string[] = [];
  for (const { endpoint } of types.Resources) {
    const list = (await call('GET', endpoint)).body as { Resources: { id: string }[] };
    for (const r of list.Resources) out.push(`${endpoint}/${r.id}`);
  }
  return out;
}

describe('example data and conditional writes', () => {
  it('every seeded resource has an ETag that If-Match accepts, and a stale one is refused', async () => {
    const call = gateway();
    const all = await seeded(call);
    expect(all).toEqual(expect.arrayContaining(['/Users/bjensen', '/Users/jsmith', '/Groups/Admins', '/Groups/Employees']));
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const url of all) {
      const read = await call('GET', url);
      const etag = String(read.headers.etag);
      expect(etag, url).toMatch(/^W\/".+"$/);
      expect((read.body as { meta: { version: string } }).meta.version, url).toBe(etag);
      // Roles and entitlements are read-only catalogues: only users and groups are written.
      if (!/^\/(Users|Groups)\//.test(url)) continue;
      const patch = (ifMatch: string) =>
        call(
          'PATCH',
          url,
          { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: `${url} changed` }] },
          { 'if-match': ifMatch },
        );
      const changed = await patch(etag);
      expect(changed.status, `${url}: ${JSON.stringify(changed.body)}`).toBeLessThan(300);
      // The tag of before the change no longer matches.
      expect((await patch(etag)).status, url).toBe(412);
    }
  });

  it('If-Match: * matches a seeded resource', async () => {
    const call = gateway();
    const put = await call(
      'PATCH',
      '/Users/jsmith',
      { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] },
      { 'if-match': '*' },
    );
    expect(put.status).toBe(200);
    // If-None-Match: * means "only if it does not exist": refused for a resource that does.
    expect((await call('DELETE', '/Groups/Employees', undefined, { 'if-none-match': '*' })).status).toBe(412);
    expect((await call('DELETE', '/Groups/Employees', undefined, { 'if-match': '*' })).status).toBe(204);
    expect((await call('DELETE', '/Groups/Employees', undefined, { 'if-match': '*' })).status).toBe(404);
  });
});
