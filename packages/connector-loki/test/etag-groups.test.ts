/**
 * A user's ETag covers its `groups`: the store keeps one version per user and computes `groups`
 * from the groups' members, so without the core's digest of `groups` an If-None-Match with the ETag
 * of before a membership change answered 304 over a stale `groups`.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { describe, expect, it } from 'vitest';
import { createLokiConnector } from '../src/connector.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('ETags of users and their groups', () => {
  for (const readCacheBytes of [undefined, 0]) {
    it(`membership changes and group renames change the user's ETag (read cache ${readCacheBytes === 0 ? 'off' : 'on'})`, async () => {
      const connector = createLokiConnector({
        persistence: false,
        exampleData: false,
        ...(readCacheBytes === 0 ? { readCacheBytes } : {}),
      });
      const scim = createScimHandler({ connector });
      const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
        scim.handle({ method, url, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const user = await call('POST', '/Users', { userName: 'grace' });
      const id = String((user.body as { id: string }).id);
      // Read twice, so a cached view is what answers.
      await call('GET', `/Users/${id}`);
      const first = String((await call('GET', `/Users/${id}`)).headers.etag);
      expect((await call('GET', `/Users/${id}`, undefined, { 'if-none-match': first })).status).toBe(304);

      const group = await call('POST', '/Groups', { displayName: 'Pilots', members: [{ value: id }] });
      const gid = String((group.body as { id: string }).id);
      const after = await call('GET', `/Users/${id}`, undefined, { 'if-none-match': first });
      expect(after.status).toBe(200);
      expect((after.body as { groups: { display: string }[] }).groups.map((g) => g.display)).toEqual(['Pilots']);
      const second = String(after.headers.etag);
      expect((await call('GET', `/Users/${id}`, undefined, { 'if-none-match': second })).status).toBe(304);

      await call('PATCH', `/Groups/${gid}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'displayName', value: 'Captains' }],
      });
      const renamed = await call('GET', `/Users/${id}`, undefined, { 'if-none-match': second });
      expect(renamed.status).toBe(200);

      // The user's own attributes are what a conditional write is checked against.
      const setTitle = (value: string, ifMatch: string) =>
        call(
          'PATCH',
          `/Users/${id}`,
          { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value }] },
          { 'if-match': ifMatch },
        );
      const write = await setTitle('x', second);
      expect(write.status).toBe(200);
      const stale = await setTitle('y', second);
      expect(stale.status).toBe(412);

      await call('PATCH', `/Groups/${gid}`, {
        schemas: [PATCH],
        Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }],
      });
      const left = await call('GET', `/Users/${id}`, undefined, { 'if-none-match': String(write.headers.etag) });
      expect(left.status).toBe(200);
      expect((left.body as { groups?: unknown }).groups).toBeUndefined();
    });
  }
});
