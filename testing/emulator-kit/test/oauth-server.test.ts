import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiCall,
  type JsonReply,
  type OAuthServer,
  oauthRefusal,
  repeatedParameter,
  startOAuthServer,
  type TokenCallBase,
} from '../src/index.js';
import { getJson, postForm, postRaw } from '../src/client.js';

/** A toy token endpoint: `grant_type=toy` gets a token, a repeated parameter is refused. */
function exchange(form: URLSearchParams): JsonReply {
  const repeated = repeatedParameter(form);
  if (repeated !== undefined) return oauthRefusal(400, 'invalid_request', `repeated: ${repeated}`);
  if (form.get('grant_type') !== 'toy') return oauthRefusal(400, 'unsupported_grant_type', 'toy only');
  return { status: 200, body: { access_token: 't', token_type: 'Bearer' } };
}

let now = 1000;
let server: OAuthServer<TokenCallBase | ApiCall>;
beforeAll(async () => {
  server = await startOAuthServer({
    maxBodyBytes: 256,
    now: () => now,
    tokenPath: '/token',
    failureBody: { error: 'server_error' },
    exchange,
    tokenCall: (logged, outcome) => ({
      ...logged,
      status: outcome.status,
      ...(outcome.status !== 200 ? { error: (outcome.body as { error: string }).error } : {}),
    }),
    api: (request) =>
      request.body.ok
        ? { status: 401, body: { error: 'no' }, headers: { 'WWW-Authenticate': 'Bearer' } }
        : { status: 413, body: { error: 'too large' } },
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.calls.length = 0;
});

const tokenUrl = () => `${server.base}/token`;

describe('the token endpoint', () => {
  it('answers JSON that is never to be cached, and logs the form', async () => {
    now = 2000;
    const answer = await postForm(tokenUrl(), { grant_type: 'toy', extra: 'x' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('pragma')).toBe('no-cache');
    expect(server.calls).toEqual([
      { kind: 'token', at: 2000, method: 'POST', form: { grant_type: 'toy', extra: 'x' }, status: 200 },
    ]);
  });

  it('refuses a repeated parameter (through the exchange) with the RFC 6749 error form', async () => {
    const answer = await postRaw(tokenUrl(), 'grant_type=toy&grant_type=toy', 'application/x-www-form-urlencoded');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: 'invalid_request', error_description: 'repeated: grant_type' });
    expect(server.calls[0]).toMatchObject({ form: { grant_type: 'toy' }, error: 'invalid_request' });
  });

  it('refuses another method with 405 and Allow: POST, keeping the form in the log', async () => {
    const response = await fetch(tokenUrl(), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=toy',
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'The token endpoint takes POST only.' });
    expect(server.calls[0]).toMatchObject({ method: 'PUT', form: { grant_type: 'toy' }, status: 405 });
  });

  it('refuses a body over the limit with 413 and one that is not a form with 400', async () => {
    const big = await postRaw(tokenUrl(), `grant_type=toy&x=${'a'.repeat(300)}`, 'application/x-www-form-urlencoded');
    expect(big.status).toBe(413);
    expect(big.json.error_description).toBe('Request body too large.');
    const json = await postRaw(tokenUrl(), '{"grant_type":"toy"}', 'application/json');
    expect(json.status).toBe(400);
    expect(json.json.error_description).toBe('Content-Type must be application/x-www-form-urlencoded.');
    expect(server.calls.map((call) => [call.status, call.kind === 'token' ? call.form : undefined])).toEqual([
      [413, {}],
      [400, {}],
    ]);
  });
});

describe('everything else', () => {
  it('goes to api, with its headers, and is logged with the bearer token', async () => {
    now = 3000;
    const answer = await getJson(`${server.base}/resource?x=1`, 'Bearer abc');
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.headers.get('cache-control')).toBeNull();
    expect(server.calls).toEqual([{ kind: 'api', at: 3000, method: 'GET', path: '/resource?x=1', token: 'abc', status: 401 }]);
  });

  it('hands api a body over the limit to refuse', async () => {
    expect((await postRaw(`${server.base}/resource`, 'x'.repeat(300))).status).toBe(413);
    expect(server.calls).toEqual([{ kind: 'api', at: 3000, method: 'POST', path: '/resource', status: 413 }]);
  });
});
