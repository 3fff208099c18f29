/**
 * Cross-site request forgery: a browser that holds the gateway's Basic credentials sends them with
 * any request a page on another site makes. Every route that can change something, with the right
 * credential, is walked with each way a browser says another site sent it (403) and with each
 * content type a page may send without a preflight (415); nothing changes. Controls: the same
 * requests without those signals, from the gateway's own origin, and reads, are served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing.js';

const BASIC = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;
const PATCH = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: 'title', value: 'forged' }],
};
const BULK = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
  Operations: [{ method: 'DELETE', path: '/Users/bjensen' }],
};

/** Routes that write (or take a body), with a body each would accept. */
const WRITES: [string, string, unknown][] = [
  ['POST', '/Users', { userName: 'forged' }],
  ['PUT', '/Users/bjensen', { userName: 'bjensen', title: 'forged' }],
  ['PATCH', '/Users/bjensen', PATCH],
  ['DELETE', '/Users/bjensen', undefined],
  ['POST', '/Groups', { displayName: 'forged' }],
  ['PATCH', '/Groups/Admins', PATCH],
  ['DELETE', '/Groups/Admins', undefined],
  ['POST', '/Bulk', BULK],
  ['POST', '/.search', { filter: 'userName pr' }],
  ['POST', '/Users/.search', { filter: 'userName pr' }],
  ['POST', '/scim/v2/Users', { userName: 'forged' }],
  ['DELETE', '/scim/v2/Users/bjensen', undefined],
  ['POST', '/v1/Users', { userName: 'forged' }],
  ['POST', '/acme/Users', { userName: 'forged' }],
  ['DELETE', '/acme/Users/bjensen', undefined],
  ['POST', '/acme/Bulk', BULK],
  ['POST', '/api', { userName: 'forged' }],
  ['PUT', '/api/bjensen', { title: 'forged' }],
  ['DELETE', '/api/bjensen', undefined],
  ['DELETE', '/logger', undefined],
];

/** How a browser says a page on another site sent the request. */
const FORGED: [string, (base: string) => Record<string, string>][] = [
  ['Sec-Fetch-Site: cross-site', () => ({ 'sec-fetch-site': 'cross-site' })],
  ['Sec-Fetch-Site: same-site', () => ({ 'sec-fetch-site': 'same-site' })],
  ['an Origin of another site', () => ({ origin: 'https://evil.example' })],
  ['Origin: null (a sandboxed frame, a file)', () => ({ origin: 'null' })],
  ['an Origin of the same name on another port', (base) => ({ origin: `http://${new URL(base).hostname}:1` })],
  ['an Origin with the host as a prefix', (base) => ({ origin: `http://${new URL(base).host}.evil.example` })],
];

/** Content types any page may send without a preflight. */
const FORM_TYPES = [
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'Multipart/Form-Data; boundary=x',
];

/** A SCIM error, in the 2.0 form or the 1.1 form (`/v1`). */
function scimError(json: unknown): { status: string; detail?: string } {
  const body = json as { Errors?: { code?: number; description?: string }[] };
  const e = body.Errors?.[0];
  return e ? { status: String(e.code), ...(e.description === undefined ? {} : { detail: e.description }) } : (body as never);
}

describe('requests a browser sends for another site', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      scimgateway: {
        auth: {
          basic: [{ username: 'gwadmin', password: 'password' }],
          bearerOAuth: [{ clientId: 'client', clientSecret: 'client-S3cret' }],
        },
        rateLimit: { maxFailures: 100_000, windowSeconds: 60 },
        mcp: { enabled: true },
      },
      endpoint: { persistence: false, exampleData: true, entity: { undefined: {}, acme: {} } },
    });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const send = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
    fetch(gw.base + path, {
      method,
      headers: { authorization: BASIC, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const forged = WRITES.flatMap(([method, path, body]) =>
    FORGED.map(([how, headers]) => [method, path, how, body, headers] as const),
  );
  it.each(forged)('%s %s with %s: 403', async (method, path, _how, body, headers) => {
    const res = await send(method, path, body, headers(gw.base));
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/scim\+json/);
    expect(scimError(await res.json())).toMatchObject({ status: '403', detail: expect.stringMatching(/another (site|origin)/) });
  });

  const typed = WRITES.filter(([, , body]) => body !== undefined).flatMap(([method, path, body]) =>
    FORM_TYPES.map((type) => [method, path, type, body] as const),
  );
  it.each(typed)('%s %s as %s: 415', async (method, path, type, body) => {
    const res = await send(method, path, body, { 'content-type': type });
    expect(res.status).toBe(415);
    expect(scimError(await res.json())).toMatchObject({
      status: '415',
      detail: expect.stringMatching(/application\/scim\+json/),
    });
  });

  it('nothing the walk sent changed anything', async () => {
    for (const prefix of ['', '/acme']) {
      expect((await send('GET', `${prefix}/Users/bjensen`, undefined, {})).status).toBe(200);
      const found = (await (await send('GET', `${prefix}/Users?filter=userName%20eq%20%22forged%22`, undefined, {})).json()) as {
        totalResults: number;
      };
      expect(found.totalResults).toBe(0);
    }
    const babs = (await (await send('GET', '/Users/bjensen', undefined, {})).json()) as { title?: string };
    expect(babs.title).not.toBe('forged');
    expect((await send('GET', '/Groups/Admins', undefined, {})).status).toBe(200);
  });

  it('controls: the same requests from the gateway itself or from no browser are served; reads from anywhere too', async () => {
    const own = { origin: new URL(gw.base).origin, 'sec-fetch-site': 'same-origin' };
    expect((await send('PATCH', '/Users/bjensen', PATCH, own)).status).toBe(200);
    expect((await send('POST', '/Users', { userName: 'typed-by-hand' }, { 'sec-fetch-site': 'none' })).status).toBe(201);
    expect((await send('POST', '/Users', { userName: 'plain-json' }, { 'content-type': 'application/json' })).status).toBe(201);
    expect((await send('POST', '/acme/Users', { userName: 'no-browser' }, {})).status).toBe(201);
    expect(
      (await send('GET', '/Users/bjensen', undefined, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).status,
    ).toBe(200);
    expect((await send('DELETE', '/Users/bjensen', undefined, {})).status).toBe(204);
  });

  it('/mcp keeps its own Origin rule, and /oauth/token takes a form from anywhere', async () => {
    const mcp = await send('POST', '/mcp', { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: 'https://evil.example' });
    expect(mcp.status).toBe(403);
    expect(await mcp.text()).toMatch(/allowedOrigins/);
    const token = await fetch(`${gw.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: 'grant_type=client_credentials&client_id=nobody&client_secret=nothing',
    });
    expect([400, 401]).toContain(token.status);
  });
});
