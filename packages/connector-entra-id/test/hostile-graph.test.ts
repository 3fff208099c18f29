/**
 * Microsoft Graph answering anything (a fetch that lets the emulator issue tokens and answers every
 * Graph call with any status and body): every route answers a resource or a SCIM error, never an
 * opaque 500 and never a throw out of the handler; a create Graph took (2xx) is never answered 503.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraIdConnector } from '../src/index.js';
import { emulatorFetch, secretConfig, startGraph } from './helpers.js';

let env: Awaited<ReturnType<typeof startGraph>>;
beforeAll(async () => {
  env = await startGraph();
});
afterAll(async () => {
  await env.graph.close();
});

const any = (depth: number) => fc.jsonValue({ maxDepth: depth });
const json = (a: fc.Arbitrary<unknown>) => a.map((v) => JSON.stringify(v));
/** What Graph may answer: anything, or things shaped like a user, a collection, an error, a $batch with wrong types. */
const graphBody = fc.oneof(
  json(any(3)),
  fc.string({ maxLength: 10 }),
  json(
    fc.record(
      { id: any(1), userPrincipalName: any(1), displayName: any(1), accountEnabled: any(1), mail: any(1), '@odata.type': any(1) },
      { requiredKeys: [] },
    ),
  ),
  json(fc.record({ value: any(3), '@odata.nextLink': any(1), '@odata.count': any(1) }, { requiredKeys: [] })),
  json(fc.record({ error: fc.record({ code: any(1), message: any(1), details: any(2) }, { requiredKeys: [] }) })),
  json(fc.record({ responses: any(3) })),
);
const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const routes: [string, string, string?][] = [
  ['GET', '/Users/u1'],
  ['GET', '/Users?filter=userName eq "a@contoso.com"'],
  ['GET', '/Users?startIndex=1&count=10'],
  ['GET', '/Groups/g1'],
  ['GET', '/Groups?filter=displayName eq "x"'],
  ['POST', '/Users', '{"userName":"x@contoso.com","name":{"givenName":"a","familyName":"b"},"displayName":"x"}'],
  ['POST', '/Groups', '{"displayName":"g"}'],
  ['PUT', '/Users/u1', '{"userName":"x@contoso.com","displayName":"x"}'],
  ['PATCH', '/Users/u1', JSON.stringify({ schemas: [P], Operations: [{ op: 'replace', path: 'title', value: 't' }] })],
  [
    'PATCH',
    '/Groups/g1',
    JSON.stringify({ schemas: [P], Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }] }),
  ],
  ['DELETE', '/Users/u1'],
];

describe('Microsoft Graph answering anything', () => {
  it('every route answers a resource or a SCIM error, never a 500 (property)', async () => {
    let answer = { status: 200, body: '{}' };
    const tokens = emulatorFetch(env.graph);
    const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith('https://login.microsoftonline.com/')) return tokens(input, init);
      return new Response(answer.status === 204 ? null : answer.body, {
        status: answer.status,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    const config = secretConfig(env.graph, env.app, {
      retry: { baseDelayMs: 1, deadlineMs: 2000, attempts: 1 },
      replication: { delayMs: 1, windowMs: 10 },
    });
    const ctx = testContext(config);
    const connector = createEntraIdConnector({ config, logger: ctx.log, registry: ctx.registry, fetch: fetchFn });
    const scim = createScimHandler({ connector, registry: ctx.registry });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(200, 201, 204, 400, 403, 404, 409, 412, 429, 500, 503),
          graphBody,
          fc.constantFrom(...routes),
          async (status, body, [method, url, reqBody]) => {
            answer = { status, body };
            const res = await scim.handle({ method, url, origin: 'https://gw.example', ...(reqBody ? { body: reqBody } : {}) });
            const what = `${method} ${url} after ${status} ${body.slice(0, 80)}: ${String(JSON.stringify(res.body)).slice(0, 200)}`;
            expect(res.status, what).not.toBe(500);
            // Graph took the create: a 503 would ask the IdP to send it again (a duplicate, or 409).
            if (method === 'POST' && status >= 200 && status < 300) expect(res.status, what).not.toBe(503);
            if (res.status >= 400) {
              const b = res.body as Record<string, unknown>;
              expect(b.status, what).toBe(String(res.status));
              expect(typeof b.detail, what).toBe('string');
            }
          },
        ),
        {
          numRuns: 400,
          // A collection whose entries are not objects: once an opaque 500.
          examples: [
            [201, JSON.stringify({ value: [5, null, true, 'C'] }), ['GET', '/Users?filter=userName eq "a@contoso.com"']],
            // A creation answered without an id: once 503, which invites the create again.
            [201, '{}', routes[5] as [string, string, string]],
            [201, JSON.stringify({ id: 5 }), routes[6] as [string, string, string]],
          ],
        },
      );
    } finally {
      await connector.close?.();
    }
  }, 120_000);
});

describe('Graph answers the connector must not follow or believe', () => {
  /** A connector whose Graph calls `answer` decides (tokens from the emulator); every URL it was sent to. */
  function connectorWith(answer: (url: string) => { status: number; body: string; type?: string }) {
    const urls: string[] = [];
    const tokens = emulatorFetch(env.graph);
    const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith('https://login.microsoftonline.com/')) return tokens(input, init);
      urls.push(url);
      const a = answer(url);
      return new Response(a.status === 204 ? null : a.body, {
        status: a.status,
        headers: { 'content-type': a.type ?? 'application/json' },
      });
    }) as typeof fetch;
    const config = secretConfig(env.graph, env.app, { retry: { baseDelayMs: 1, deadlineMs: 2000, attempts: 1 } });
    const ctx = testContext(config);
    const connector = createEntraIdConnector({ config, logger: ctx.log, registry: ctx.registry, fetch: fetchFn });
    return { scim: createScimHandler({ connector, registry: ctx.registry }), connector, urls };
  }
  const user = { id: 'u1', userPrincipalName: 'a@contoso.com', displayName: 'A', accountEnabled: true };

  it('a nextLink to another host is not followed (the token would go with it): 502', async () => {
    const { scim, connector, urls } = connectorWith(() => ({
      status: 200,
      body: JSON.stringify({ value: [user], '@odata.nextLink': 'https://graph.evil.example/v1.0/users?$skiptoken=x' }),
    }));
    try {
      const res = await scim.handle({ method: 'GET', url: '/Users?startIndex=1&count=5', origin: 'https://gw.example' });
      expect([res.status, (res.body as { detail?: string }).detail]).toEqual([
        502,
        'Microsoft Graph answered a nextLink to another host',
      ]);
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.filter((u) => u.includes('evil'))).toEqual([]);
    } finally {
      await connector.close?.();
    }
  });

  it('a count that is not a number is 502, not a made-up total', async () => {
    const { scim, connector, urls } = connectorWith((url) =>
      url.includes('/$count')
        ? { status: 200, body: '"many"' }
        : {
            status: 200,
            body: JSON.stringify({ value: [user], '@odata.nextLink': `${new URL(url).origin}/v1.0/users?$skiptoken=n` }),
          },
    );
    try {
      const res = await scim.handle({ method: 'GET', url: '/Users?startIndex=1&count=1', origin: 'https://gw.example' });
      expect([res.status, (res.body as { detail?: string }).detail]).toEqual([
        502,
        'Microsoft Graph answered a count that is not a number',
      ]);
      expect(urls.some((u) => u.includes('/$count'))).toBe(true);
    } finally {
      await connector.close?.();
    }
  });

  // A proxy's or sign-in portal's page, an empty 200, JSON that is not Graph's: read as Graph's
  // answer, each was "no such user" or an empty list, so an IdP that looks up before it creates
  // (Entra ID provisioning into another tenant, any SCIM client) would create what exists.
  it('an answer that is not Graph’s is 502 on every read, never an empty list or a 404 (property)', async () => {
    const html = fc
      .tuple(fc.constantFrom('<!DOCTYPE html>', '', ' '), fc.string({ maxLength: 20 }))
      .map(([d, t]) => `${d}<html><body><p>${t}</p></body></html>`);
    const notGraph = fc.oneof(
      fc.record({
        status: fc.constantFrom(200, 403, 404, 407),
        body: html,
        type: fc.constantFrom('text/html', 'text/html; charset=utf-8'),
      }),
      fc.record({ status: fc.constant(200), body: html, type: fc.constant('application/json') }),
      fc.record({
        status: fc.constant(200),
        body: fc.constantFrom('', '{}', '[]', 'null', '{"value":"x"}', '{"value":{}}', '{"displayName":"no id"}'),
        type: fc.constant('application/json'),
      }),
    );
    const reads = [
      '/Users?filter=userName eq "a@contoso.com"',
      '/Users?filter=externalId eq "x"',
      '/Users?startIndex=1&count=5',
      '/Users/00000000-0000-0000-0000-000000000001',
      '/Groups?filter=displayName eq "g"&excludedAttributes=members',
      '/Groups/00000000-0000-0000-0000-000000000002?excludedAttributes=members',
    ];
    let current = { status: 200, body: '', type: 'text/html' };
    const { scim, connector } = connectorWith(() => current);
    try {
      await fc.assert(
        fc.asyncProperty(notGraph, fc.constantFrom(...reads), async (a, url) => {
          current = a;
          const res = await scim.handle({ method: 'GET', url, origin: 'https://gw.example' });
          expect(
            res.status,
            `${url} after ${a.status} ${a.type} ${a.body.slice(0, 60)}: ${JSON.stringify(res.body).slice(0, 200)}`,
          ).toBe(502);
        }),
        {
          numRuns: 300,
          examples: [
            [{ status: 200, body: '<html><body>Sign in</body></html>', type: 'text/html' }, reads[0] as string],
            [{ status: 200, body: '{}', type: 'application/json' }, reads[3] as string],
            [{ status: 404, body: '<html>Not found</html>', type: 'text/html' }, reads[3] as string],
          ],
        },
      );
    } finally {
      await connector.close?.();
    }
  }, 120_000);

  it('a write answered 2xx with an HTML page is 502, never done; an empty 204 is done whatever its content type', async () => {
    let current = { status: 200, body: '<html><body>Sign in</body></html>', type: 'text/html' };
    const { scim, connector } = connectorWith(() => current);
    const user = '/Users/00000000-0000-0000-0000-000000000001';
    try {
      const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
      for (const [method, url, body] of [
        ['DELETE', user],
        ['PATCH', user, { schemas: [P], Operations: [{ op: 'replace', path: 'title', value: 't' }] }],
        ['POST', '/Users', { userName: 'x@contoso.com', displayName: 'x', name: { givenName: 'a', familyName: 'b' } }],
      ] as [string, string, unknown?][]) {
        const res = await scim.handle({ method, url, ...(body ? { body: JSON.stringify(body) } : {}) });
        expect(res.status, `${method} after a 200 page`).toBe(502);
      }
      current = { status: 204, body: '', type: 'text/html' };
      expect((await scim.handle({ method: 'DELETE', url: user })).status).toBe(204);
    } finally {
      await connector.close?.();
    }
  });

  it('Graph’s own 404 and empty collection stay what they are', async () => {
    let current = { status: 404, body: JSON.stringify({ error: { code: 'Request_ResourceNotFound', message: 'gone' } }) };
    const { scim, connector } = connectorWith(() => current);
    try {
      const g = await scim.handle({
        method: 'GET',
        url: '/Users/00000000-0000-0000-0000-000000000001',
        origin: 'https://gw.example',
      });
      expect(g.status).toBe(404);
      current = { status: 200, body: JSON.stringify({ value: [] }) };
      const q = await scim.handle({
        method: 'GET',
        url: '/Users?filter=userName eq "a@contoso.com"',
        origin: 'https://gw.example',
      });
      expect([q.status, (q.body as { totalResults?: number }).totalResults]).toEqual([200, 0]);
    } finally {
      await connector.close?.();
    }
  });
});
