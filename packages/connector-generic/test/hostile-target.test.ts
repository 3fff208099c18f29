/**
 * A target that answers anything: every status with any body (JSON of any shape, SCIM-looking JSON
 * with wrong types, text that is not JSON), on every route and for both target versions. The front
 * answers each with a resource or a SCIM error of its own; never an opaque 500 (the gateway's own
 * fault) and never a throw out of the handler.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createScimHandler } from '@scimgw/core/handler';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenericConnector } from '../src/connector.js';

let answer = { status: 200, body: '{}' };
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(answer.status, { 'content-type': 'application/scim+json' });
  res.end(answer.body);
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const any = (depth: number) => fc.jsonValue({ maxDepth: depth });
/** What a target may answer: anything, or things shaped like a resource, a list or an error with wrong types. */
const targetBody = fc.oneof(
  any(3).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 20 }),
  fc
    .record(
      { id: any(1), userName: any(1), displayName: any(1), meta: any(2), name: any(2), emails: any(2), members: any(2) },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record({ totalResults: any(1), Resources: any(3), startIndex: any(1), itemsPerPage: any(1) }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      totalResults: fc.nat(),
      Resources: fc.array(
        fc.record({ id: fc.oneof(fc.string(), fc.nat()), userName: any(1), meta: any(2) }, { requiredKeys: [] }),
      ),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .record({ status: any(1), detail: any(1), scimType: any(1), Errors: any(2) }, { requiredKeys: [] })
    .map((v) => JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], ...v })),
);
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const routes: [string, string, string?][] = [
  ['GET', '/Users/u1'],
  ['GET', '/Users?filter=userName eq "a"'],
  ['GET', '/Users?startIndex=1&count=10'],
  ['GET', '/Groups/g1?excludedAttributes=members'],
  ['POST', '/Users', '{"userName":"x"}'],
  ['PUT', '/Users/u1', '{"userName":"x"}'],
  ['PATCH', '/Users/u1', JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 't' }] })],
  [
    'PATCH',
    '/Groups/g1',
    JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }] }),
  ],
  ['DELETE', '/Users/u1'],
];

describe('a target that answers anything', () => {
  it.each(['2.0', '1.1'])(
    'SCIM %s target: a resource or a SCIM error, never a 500 (property)',
    async (scimVersion) => {
      const connector = createGenericConnector({
        config: { scimVersion, entity: { undefined: { connection: { baseUrls: [base], retry: { attempts: 1 } } } } } as never,
      });
      const scim = createScimHandler({ connector });
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(200, 201, 204, 400, 404, 409, 412, 500, 503),
            targetBody,
            fc.constantFrom(...routes),
            async (status, body, [method, url, reqBody]) => {
              answer = { status, body };
              const res = await scim.handle({ method, url, origin: 'https://gw.example', ...(reqBody ? { body: reqBody } : {}) });
              const what = `${method} ${url} after ${status} ${body.slice(0, 80)}: ${String(JSON.stringify(res.body)).slice(0, 200)}`;
              expect(res.status, what).not.toBe(500);
              if (res.status >= 400) {
                const b = res.body as Record<string, unknown>;
                expect(b.schemas, what).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
                expect(b.status, what).toBe(String(res.status));
                expect(typeof b.detail, what).toBe('string');
              }
            },
          ),
          {
            numRuns: 400,
            // Text that is not JSON in a 200 to a create: the answer a generic front once turned into an opaque 500.
            examples: [[200, ']+t', ['POST', '/Users', '{"userName":"x"}']]],
          },
        );
      } finally {
        await connector.close?.();
      }
    },
    120_000,
  );
});
