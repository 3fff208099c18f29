/**
 * A request without a valid credential is answered before its body is read: every route that
 * takes a body, each with a wrong credential and with none, declares a body it never sends, and
 * still gets its 401 (or 403 outside the IP allow list). A gateway that read first would wait for
 * the body, so an unauthenticated client could hold memory and sockets at will. The one route that
 * must read its body to authenticate, `POST /oauth/token` (the client's credentials are in it),
 * is bounded by the payload limit like any other.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../src/testing.js';

/** Sends the head of a request declaring `length` bytes of body, and none of them; the status line of the answer. */
function headOnly(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  length: number,
  waitMs = 10_000,
): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let got = '';
    // Not a measure of speed: a gateway that waits for the body never answers, and this ends the wait.
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${method} ${path}: no answer while the body was withheld`));
    }, waitMs);
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1');
      const line = got.indexOf('\r\n');
      if (line >= 0) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got.slice(0, line));
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    const head = [
      `${method} ${path} HTTP/1.1`,
      `host: ${hostname}:${port}`,
      'content-type: application/scim+json',
      `content-length: ${length}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
  });
}

const ROUTES: [string, string][] = [
  ['POST', '/Users'],
  ['PUT', '/Users/x'],
  ['PATCH', '/Users/x'],
  ['POST', '/Groups'],
  ['PATCH', '/Groups/x'],
  ['POST', '/Users/.search'],
  ['POST', '/.search'],
  ['POST', '/Bulk'],
  ['POST', '/scim/v2/Users'],
  ['POST', '/v1/Users'],
  ['POST', '/api'],
  ['PUT', '/api/x'],
  ['POST', '/mcp'],
  ['POST', '/acme/Users'],
  ['PATCH', '/acme/Groups/x'],
  ['POST', '/acme/Bulk'],
];
const CREDENTIALS: [string, Record<string, string>][] = [
  ['none', {}],
  ['a wrong Basic password', { authorization: `Basic ${Buffer.from('gwadmin:wrong').toString('base64')}` }],
  ['an unknown bearer token', { authorization: 'Bearer not-a-token' }],
];

describe('a request without a valid credential is refused before its body is read', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      scimgateway: {
        auth: {
          basic: [{ username: 'gwadmin', password: 'password' }],
          bearerToken: [{ token: 'right-token' }],
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

  const cases = ROUTES.flatMap(([method, path]) => CREDENTIALS.map(([who, headers]) => [method, path, who, headers] as const));
  it.each(cases)('%s %s with %s', async (method, path, _who, headers) => {
    // 900 kB: under the payload limit, so only authentication can end it early.
    expect(await headOnly(gw.base, method, path, headers, 900_000)).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('the token endpoint, which must read its body, refuses one declared over the payload limit unread', async () => {
    expect(await headOnly(gw.base, 'POST', '/oauth/token', {}, 2_000_000)).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('the same withheld body with the right credential is waited for (the walk above can fail)', async () => {
    await expect(
      headOnly(
        gw.base,
        'POST',
        '/Users',
        { authorization: `Basic ${Buffer.from('gwadmin:password').toString('base64')}` },
        900_000,
        1_500,
      ),
    ).rejects.toThrow(/no answer while the body was withheld/);
  });
});
