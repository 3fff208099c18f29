/**
 * A bounded fuzz run over the whole HTTP surface: random routes (known, near-miss and garbage),
 * methods, credentials, query strings and bodies (deep, odd, invalid JSON and invalid UTF-8). Every
 * answer must be below 500; a read-only credential never writes; a control user outside the
 * writable tenant never changes; the process stays up.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

let t: TestGateway;
let port = 0;
beforeAll(async () => {
  t = await startGateway(
    {
      log: { loglevel: { console: 'off', file: 'off' } },
      auth: {
        basic: [
          { username: 'gwadmin', password: 'password' },
          { username: 'reader', password: 'reader-pw', readOnly: true },
          { username: 'acme', password: 'acme-pw', baseEntities: ['acme'] },
        ],
        bearerToken: [{ token: 'ro-token-abcdef', readOnly: true }],
      },
      bulk: { maxOperations: 20 },
      payloadSize: '256kb',
      rateLimit: false,
    },
    { entity: { acme: {}, other: {} }, persistence: true },
  );
  port = t.gw.port;
});
afterAll(() => t.stop());

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
/** Credentials the fuzzer uses. The admin is never used: it may write anywhere. */
const CREDS = {
  acmeWriter: basic('acme', 'acme-pw'),
  reader: basic('reader', 'reader-pw'),
  roBearer: 'Bearer ro-token-abcdef',
  none: '',
  garbage: 'Basic %%%%',
  wrongScheme: 'Digest username="x"',
} as const;
type Cred = keyof typeof CREDS;

const ENDPOINT_NAMES = ['Users', 'Groups', 'Roles', 'Entitlements', 'Bulk', '.search', 'Schemas', 'ResourceTypes'];
const segment = fc.oneof(
  fc.constantFrom(...ENDPOINT_NAMES, 'ServiceProviderConfig', 'scim', 'v2', 'v1', 'api', 'logger', 'auth', 'oauth', 'token'),
  fc.constantFrom(...ENDPOINT_NAMES).map((s) => s.toUpperCase()),
  fc.constantFrom('bjensen', 'Admins', 'acme', 'other', 'nope', '..', '.', '%2e%2e', '%00', '%ZZ', '__proto__', 'constructor'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
const caseOf = (s: string) => fc.constantFrom(s, s.toLowerCase(), s.toUpperCase(), s.slice(0, 1).toLowerCase() + s.slice(1));
/** Mostly real routes (in any spelling), sometimes garbage. */
const path = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', '', '/acme', '/acme', '/acme', '/other', '/unknown'),
        fc.constantFrom('', '', '', '/scim', '/scim/v2', '/v2', '/v1'),
        fc.constantFrom(...ENDPOINT_NAMES, 'ServiceProviderConfig', 'api', 'logger', 'auth').chain(caseOf),
        fc.constantFrom('', '', '', '/bjensen', '/bjensen', '/Admins', '/.search', '/.SEARCH', '/nope', '/%00', '/a%2Fb', '/x/y'),
        fc.boolean(),
      )
      .map(([tenant, prefix, endpoint, rest, slash]) => `${tenant}${prefix}/${endpoint}${rest}${slash ? '/' : ''}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('', '/acme', '/other', '/unknown'), fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([tenant, segs, slash]) => `${tenant}/${segs.join('/')}${slash ? '/' : ''}`),
  },
);

const filterText = fc.oneof(
  fc.constantFrom(
    'userName eq "bjensen"',
    'emails[type eq "work" and value co "@"]',
    'not (active eq true) or meta.lastModified gt "2020-01-01T00:00:00Z"',
    `${'('.repeat(500)}userName pr${')'.repeat(500)}`,
    'userName eq',
    'members.value eq "x" and (x',
  ),
  fc.string({ maxLength: 80 }),
);
const query = fc.option(
  fc
    .record(
      {
        filter: filterText,
        attributes: fc.oneof(fc.constant('userName,emails[type eq "work"]'), fc.string({ maxLength: 30 })),
        excludedAttributes: fc.constantFrom('members', 'groups', '', 'x.y.z'),
        startIndex: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
        count: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.constant('1e999')),
        sortBy: fc.constantFrom('userName', 'name.familyName', '', '%%'),
        cursor: fc.string({ maxLength: 10 }),
      },
      { requiredKeys: [] },
    )
    .map((q) => `?${new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString()}`),
  { nil: '' },
);

const nested = (n: number, inner: string) => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;
// Strings too, as well-typed values: the handler refuses ill-typed ones (400), and the run must
// still reach the writes that succeed.
const scimValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(null, 1e308, -0, '', '\u0000', 'False'),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const body: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v))),
  fc.integer({ min: 60, max: 20_000 }).map((n) => Buffer.from(`{"userName":"deep","x":${nested(n, '1')}}`)),
  fc.integer({ min: 60, max: 20_000 }).map((n) => Buffer.from(`{"attributes":${nested(n, '"userName"')}}`)),
  fc
    .record({
      attr: fc.constantFrom('userName', 'emails', 'name', 'active', 'members', 'groups', 'id', 'meta', 'x'),
      v: scimValue,
    })
    .map(({ attr, v }) => Buffer.from(JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], [attr]: v }))),
  fc
    .array(
      fc.record({
        op: fc.constantFrom('add', 'Replace', 'remove', 'delete', 'x'),
        path: fc.option(
          fc.constantFrom('members', 'members[value eq "bjensen"]', 'userName', 'emails[type eq "work"].value', ''),
        ),
        value: scimValue,
      }),
      { maxLength: 4 },
    )
    .map((Operations) => Buffer.from(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations }))),
  fc
    .array(
      fc.record({
        method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'GET'),
        path: fc.constantFrom('/Users', '/Users/bjensen', '/Groups/Admins', '/Bulk', '/acme/Users', '/other/Users/bjensen'),
        bulkId: fc.string({ maxLength: 4 }),
        data: scimValue,
      }),
      { maxLength: 4 },
    )
    .map((Operations) =>
      Buffer.from(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations })),
    ),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from('{"userName":"'), Buffer.from(b), Buffer.from('"}')])),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
  fc.string({ maxLength: 40 }).map((s) => Buffer.from(s)),
);

interface Answer {
  status: number;
  text: string;
}

function send(method: string, url: string, auth: string, payload: Buffer | undefined, type: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: url,
        headers: {
          ...(auth ? { authorization: auth } : {}),
          ...(payload ? { 'content-type': type, 'content-length': String(payload.length) } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        // The live log stream never ends; its status is enough.
        if (/\/logger\/?$/i.test(url.split('?')[0] ?? '') && res.statusCode === 200) {
          res.destroy();
          resolve({ status: 200, text: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${url} within 15 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Answers that say a write happened. */
function reportsWrite(method: string, a: Answer): boolean {
  if (a.text.includes('"Operations":[') && /"status":"2\d\d"/.test(a.text)) return true;
  if (a.status >= 300 || ['GET', 'HEAD', 'OPTIONS'].includes(method)) return false;
  return !(method === 'POST' && /^\{"schemas":\[[^\]]*\],"totalResults":\d+,/.test(a.text));
}

async function control(): Promise<string> {
  const out: unknown[] = [];
  for (const p of ['/Users/bjensen', '/Groups/Admins', '/other/Users/bjensen', '/other/Groups/Admins', '/Users?count=1000']) {
    const r = await t.call('GET', p);
    expect(r.status).toBe(200);
    out.push(r.body);
  }
  return JSON.stringify(out);
}

describe('fuzzing the HTTP surface', () => {
  it('never answers 5xx, never writes for a read-only credential, never touches another tenant', async () => {
    const before = await control();
    const problems: string[] = [];
    let runs = 0;
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND'),
        path,
        query,
        fc.constantFrom<Cred>(
          'acmeWriter',
          'acmeWriter',
          'acmeWriter',
          'reader',
          'reader',
          'roBearer',
          'none',
          'garbage',
          'wrongScheme',
        ),
        body,
        fc.constantFrom('application/scim+json', 'application/json', 'text/plain', 'application/scim+json; charset=latin1'),
        async (method, p, q, cred, payload, type) => {
          runs++;

          const a = await send(
            method,
            `${p}${q}`,
            CREDS[cred],
            method === 'GET' || method === 'HEAD' ? undefined : payload,
            type,
          );
          const tag = `${cred} ${method} ${p}${q} → ${a.status} ${a.text.slice(0, 160)}`;
          seen.set(a.status, (seen.get(a.status) ?? 0) + 1);
          if (a.status >= 500) problems.push(`5xx: ${tag}`);
          if (cred !== 'acmeWriter' && reportsWrite(method, a)) problems.push(`write: ${tag}`);
          if (cred === 'acmeWriter' && reportsWrite(method, a) && !/^\/acme\//i.test(p)) problems.push(`outside: ${tag}`);
        },
      ),
      { numRuns: 30_000, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: false },
    );
    expect(problems).toEqual([]);
    expect(runs).toBeGreaterThan(200);
    // The run reached the handlers, not only the router and the authenticator. About 0.6 % of the
    // random requests answer 200 and 2 % 400 (182–186 and 629–640 of 30,000 in three runs); at
    // 0.5 % a run of 30,000 fell on the bound (150) once, so the bound is 0.1 %.
    expect(seen.get(200) ?? 0).toBeGreaterThan(runs / 1000);
    expect(seen.get(400) ?? 0).toBeGreaterThan(runs / 1000);
    expect(await control()).toBe(before);
    expect((await fetch(`${t.base}/ping`)).status).toBe(200);
  }, 60_000);
});
