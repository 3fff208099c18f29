/**
 * A SOAP service answering anything: every operation call of every SCIM route gets a generated
 * status and body (envelopes with any elements and text, faults with any parts, other XML, XHTML,
 * text, nothing). Every route answers a resource or a SCIM error: never an opaque 500, never a
 * JavaScript error's text, and an answer that is not a SOAP envelope is never taken for a result
 * (no 2xx, no "not found").
 */
import type { ServerResponse } from 'node:http';
import { createScimHandler } from '@scimgw/core/handler';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFor, type ExampleServer, exampleEndpoint, merge, startExampleServer } from './helpers.js';

let server: ExampleServer;
let answer: { status: number; body: string } = { status: 200, body: '' };

beforeAll(async () => {
  server = await startExampleServer({
    port: 0,
    onRequest: (_req: unknown, res: ServerResponse) => {
      res.writeHead(answer.status, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(answer.body);
      return true;
    },
  });
});
afterAll(async () => {
  await server?.close();
});

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = fc.string({ maxLength: 12 }).map(escapeXml);
/** Element names of the example service's answers, and a few it never sends. */
const name = fc.constantFrom(
  'tns:getUserResponse',
  'tns:searchUsersResponse',
  'tns:createUserResponse',
  'tns:getGroupResponse',
  'tns:user',
  'tns:users',
  'tns:group',
  'tns:id',
  'tns:userName',
  'tns:total',
  'tns:members',
  'tns:item',
  'x',
);
const tree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.tuple(name, fc.array(tie('node'), { maxLength: 3 })).map(([n, kids]) => `<${n}>${kids.join('')}</${n}>`),
  ),
})).node;
const NS = 'xmlns:tns="urn:example:scimgw:directory"';
const envelope = (body: string) =>
  `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ${NS}><soap:Body>${body}</soap:Body></soap:Envelope>`;

type Kind = 'envelope' | 'fault' | 'other';
const answers: fc.Arbitrary<{ kind: Kind; body: string }> = fc.oneof(
  fc.array(tree, { maxLength: 2 }).map((parts) => ({ kind: 'envelope' as const, body: envelope(parts.join('')) })),
  fc
    .record({ code: fc.constantFrom('soap:Client', 'soap:Server', 'x', ''), reason: text, detail: fc.option(tree) })
    .map(({ code, reason, detail }) => ({
      kind: 'fault' as const,
      body: envelope(
        `<soap:Fault><faultcode>${code}</faultcode><faultstring>${reason}</faultstring>${detail === null ? '' : `<detail>${detail}</detail>`}</soap:Fault>`,
      ),
    })),
  fc
    .oneof(
      fc.string({ maxLength: 40 }),
      tree.map((t) => `<root ${NS}>${t}</root>`),
      fc.constant('<html><head><title>Sign in</title></head><body><form action="/login"><p>Sign in</p></form></body></html>'),
      fc.constant(''),
    )
    .map((body) => ({ kind: 'other' as const, body })),
);

const P = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const routes: [string, string, unknown?][] = [
  ['GET', '/Users/u1'],
  ['GET', '/Users?filter=userName eq "bjensen"'],
  ['GET', '/Users?startIndex=1&count=5'],
  ['POST', '/Users', { userName: 'new.user', name: { givenName: 'N', familyName: 'U' } }],
  ['PUT', '/Users/u1', { userName: 'u1', active: true }],
  ['PATCH', '/Users/u1', { schemas: [P], Operations: [{ op: 'replace', path: 'displayName', value: 'D' }] }],
  ['DELETE', '/Users/u1'],
  ['GET', '/Groups/g1'],
  ['PATCH', '/Groups/g1', { schemas: [P], Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }] }],
];

describe('a SOAP service answering anything', () => {
  it('every route answers a resource or a SCIM error; a non-envelope is never a result (property)', async () => {
    const endpoint = merge(exampleEndpoint('document', server.origin), {
      services: { directory: { wsdl: 'wsdl/directory-document.wsdl', path: 'directory' } },
      entity: { undefined: { connection: { timeout: 2000, retry: { attempts: 1 } } } },
    });
    const { connector } = await connectorFor(endpoint);
    const h = createScimHandler({ connector });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(200, 202, 400, 404, 500, 503),
          answers,
          fc.constantFrom(...routes),
          async (status, a, [method, url, body]) => {
            answer = { status, body: a.body };
            const res = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
            const what = `${method} ${url} after ${status} ${a.body.slice(0, 120)}: ${String(JSON.stringify(res.body)).slice(0, 240)}`;
            expect(res.status, what).not.toBe(500);
            if (res.status >= 400) {
              const b = res.body as Record<string, unknown>;
              expect(b.status, what).toBe(String(res.status));
              expect(typeof b.detail, what).toBe('string');
              expect(b.detail, what).not.toMatch(/Cannot read properties|is not a function|is not iterable|undefined \(reading/);
            }
            if (a.kind === 'other' && status !== 503) {
              expect(res.status, what).not.toBe(404);
              expect(res.status, what).toBeGreaterThanOrEqual(400);
            }
          },
        ),
        {
          numRuns: 600,
          examples: [
            // Each once answered as a result: 404 for a user that exists, or a 2xx.
            [200, { kind: 'other', body: '' }, routes[0] as [string, string]],
            [200, { kind: 'other', body: '<a/>' }, routes[0] as [string, string]],
            [404, { kind: 'other', body: '<html><body>Not here</body></html>' }, routes[6] as [string, string]],
            // Once a JavaScript error's text in the detail.
            [200, { kind: 'envelope', body: envelope('<x/>') }, routes[0] as [string, string]],
          ],
        },
      );
    } finally {
      await connector.close?.();
    }
  }, 180_000);
});
