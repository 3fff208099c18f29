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

let answer: { status: number; body: string; type?: string } = { status: 200, body: '{}' };
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/scim+json' });
  res.end(answer.body);
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

/** A generic front (one attempt per call) over the test target, and its SCIM handler. */
function frontOver(scimVersion = '2.0') {
  const connector = createGenericConnector({
    config: { scimVersion, entity: { undefined: { connection: { baseUrls: [base], retry: { attempts: 1 } } } } } as never,
  });
  return { connector, scim: createScimHandler({ connector }) };
}

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
      const { connector, scim } = frontOver(scimVersion);
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

/**
 * Answers that are no SCIM answer at all: a proxy's or a sign-in portal's HTML page (200, or 404
 * from a wrong path), an empty 200, JSON that is neither a list nor a resource. Taken for "no
 * match" or "not found", they make an IdP that looks up before it creates (Entra ID) create what
 * exists, and a connection test pass against a wrong URL; each once was.
 */
describe('a target that answers something that is not SCIM', () => {
  const html = fc
    .tuple(fc.constantFrom('<!DOCTYPE html>', '', '  '), fc.string({ maxLength: 20 }))
    .map(([doctype, t]) => `${doctype}<html><body><form action="/login"><p>${t}</p></form></body></html>`);
  const notScim = fc.oneof(
    fc.record({ status: fc.constantFrom(200, 404), body: html, type: fc.constantFrom('text/html', 'text/html; charset=utf-8') }),
    // An HTML page sent with a JSON content type (a portal that sets it for every answer).
    fc.record({ status: fc.constant(200), body: html, type: fc.constant('application/json') }),
    fc.record({
      status: fc.constant(200),
      body: fc.oneof(
        fc.constant(''),
        fc.constantFrom(
          '[]',
          'null',
          '"ok"',
          '{}',
          '{"foo":1}',
          '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"]}',
        ),
        fc.string({ maxLength: 20 }).filter((t) => {
          try {
            JSON.parse(t);
            return false;
          } catch {
            return true;
          }
        }),
      ),
      type: fc.constant('application/scim+json'),
    }),
  );
  const reads: [string, 'query' | 'get'][] = [
    ['/Users?filter=userName eq "AzureAD_Test-1"', 'query'],
    ['/Users?filter=externalId eq "x"&startIndex=1&count=100', 'query'],
    ['/Groups?filter=displayName eq "g"&excludedAttributes=members', 'query'],
    ['/Users/u1', 'get'],
    ['/Groups/g1?excludedAttributes=members', 'get'],
  ];
  it.each(['2.0', '1.1'])(
    'SCIM %s target: 502, never an empty list and never 404 (property)',
    async (scimVersion) => {
      const { connector, scim } = frontOver(scimVersion);
      try {
        await fc.assert(
          fc.asyncProperty(notScim, fc.constantFrom(...reads), async (a, [url, kind]) => {
            answer = a;
            const res = await scim.handle({ method: 'GET', url, origin: 'https://gw.example' });
            const what = `${url} after ${a.status} ${a.type} ${a.body.slice(0, 60)}: ${String(JSON.stringify(res.body)).slice(0, 200)}`;
            expect(res.status, `${kind} ${what}`).toBe(502);
          }),
          {
            numRuns: 300,
            examples: [
              [{ status: 200, body: '<html><body>Sign in</body></html>', type: 'text/html' }, reads[0] as [string, 'query']],
              [{ status: 404, body: '<html><body>Not Found</body></html>', type: 'text/html' }, reads[0] as [string, 'query']],
              [{ status: 200, body: '', type: 'application/scim+json' }, reads[0] as [string, 'query']],
              [{ status: 200, body: '{}', type: 'application/scim+json' }, reads[3] as [string, 'get']],
            ],
          },
        );
      } finally {
        await connector.close?.();
      }
    },
    120_000,
  );

  it('a write answered 2xx with an HTML page is 502, never done: DELETE, PATCH, PUT, POST', async () => {
    const { connector, scim } = frontOver();
    const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
    try {
      for (const status of [200, 204]) {
        for (const [method, url, body] of [
          ['DELETE', '/Users/u1'],
          ['PATCH', '/Users/u1', { schemas: [P], Operations: [{ op: 'replace', path: 'title', value: 't' }] }],
          ['PUT', '/Users/u1', { userName: 'x' }],
          ['POST', '/Users', { userName: 'x' }],
        ] as [string, string, unknown?][]) {
          // A 204 carries no page: only the 200 is a portal's.
          answer = { status, body: status === 204 ? '' : '<html><body>Sign in</body></html>', type: 'text/html' };
          const res = await scim.handle({ method, url, ...(body ? { body: JSON.stringify(body) } : {}) });
          if (status === 200) expect(res.status, `${method} after a 200 page`).toBe(502);
          else if (method === 'DELETE') expect(res.status, 'DELETE after a 204').toBe(204);
        }
      }
    } finally {
      await connector.close?.();
    }
  });

  it('the target’s own no-match and not-found stay what they are (2.0 and 1.1 forms)', async () => {
    const { connector, scim } = frontOver('1.1');
    try {
      for (const a of [
        { status: 404, body: '{"Errors":[{"description":"no match","code":"404"}]}', type: 'application/json' },
        { status: 404, body: '', type: 'application/scim+json' },
        { status: 404, body: 'Not Found', type: 'text/plain' },
        { status: 200, body: '{"totalResults":0}', type: 'application/json' },
        { status: 200, body: '{"Resources":[]}', type: 'application/json' },
      ]) {
        answer = a;
        const q = await scim.handle({ method: 'GET', url: '/Users?filter=userName eq "x"', origin: 'https://gw.example' });
        expect([q.status, (q.body as { totalResults?: number }).totalResults], JSON.stringify(a)).toEqual([200, 0]);
        if (a.status === 404) {
          const g = await scim.handle({ method: 'GET', url: '/Users/u1', origin: 'https://gw.example' });
          expect(g.status, JSON.stringify(a)).toBe(404);
        }
      }
    } finally {
      await connector.close?.();
    }
  });
});
