/**
 * A connector that hands back a resource without an id (it read an empty answer, an error page, a
 * record of another shape): every route that returns resources answers 502 saying so, never a 200
 * with a resource no client can refer to. A number is taken as the id's text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScimHandler } from '../src/handler/index.js';
import { defineConnector, type ScimResource } from '../src/index.js';

/** A connector whose every answer is `made()` (with the user name it was given, where it was given one). */
function connectorOf(made: () => Record<string, unknown>) {
  const user = (): ScimResource => ({ userName: 'u', ...made() }) as ScimResource;
  return defineConnector({
    name: 'idless',
    coreVersion: '^1.0.0',
    resources: {
      User: {
        capabilities: { filter: { operators: ['eq'], attributes: ['userName'] } },
        async query() {
          return { resources: [user()], totalResults: 1 };
        },
        async get() {
          return user();
        },
        async create() {
          return user();
        },
        async replace() {
          return user();
        },
        async modify() {
          return user();
        },
        async delete() {},
      },
    },
  });
}

const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const routes: [string, string, unknown?][] = [
  ['GET', '/Users/x'],
  ['GET', '/Users?filter=userName eq "u"'],
  ['GET', '/Users?attributes=userName'],
  ['POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] }],
  ['POST', '/Users', { userName: 'u' }],
  ['PUT', '/Users/x', { userName: 'u' }],
  ['PATCH', '/Users/x', { schemas: [P], Operations: [{ op: 'replace', path: 'userName', value: 'v' }] }],
  ['GET', '/v1/Users/x'],
];

describe('resources without an id', () => {
  it('every route answers 502 for a resource whose id is missing, empty or not text (property)', async () => {
    const badId = fc.oneof(
      fc.constant({}),
      fc.constantFrom({ id: '' }, { id: null }, { id: {} }, { id: [] }, { id: true }, { id: Number.NaN }),
    );
    await fc.assert(
      fc.asyncProperty(badId, fc.constantFrom(...routes), fc.boolean(), async (extra, [method, url, body], frozen) => {
        const h = createScimHandler({ connector: connectorOf(() => (frozen ? Object.freeze({ ...extra }) : { ...extra })) });
        const res = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        const what = `${method} ${url} with ${JSON.stringify(extra)}: ${JSON.stringify(res.body)}`;
        expect(res.status, what).toBe(502);
        // The 1.1 route answers in the 1.1 error form.
        const b = res.body as { detail?: string; Errors?: { description: string }[] };
        expect(b.detail ?? b.Errors?.[0]?.description, what).toBe('The connector returned a User without an id');
      }),
      { numRuns: 200 },
    );
  });

  it('a numeric id is served as its text, and a text id as it is', async () => {
    for (const [id, served] of [
      [42, '42'],
      ['abc', 'abc'],
    ] as const) {
      const h = createScimHandler({ connector: connectorOf(() => ({ id })) });
      const res = await h.handle({ method: 'GET', url: '/Users/x', origin: 'https://gw.example' });
      expect(res.status).toBe(200);
      expect((res.body as ScimResource).id).toBe(served);
      expect((res.body as { meta: { location: string } }).meta.location).toBe(`https://gw.example/Users/${served}`);
    }
  });
});
