import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleOAuthEmulator, type ServiceAccountKeyFile, startGoogleOAuthEmulator } from '../src/index.js';
import {
  accessToken,
  assertionFor,
  DIRECTORY_GROUP,
  DIRECTORY_USER,
  DIRECTORY_USER_READONLY,
  get,
  JWT_BEARER,
  requestToken,
} from './helpers/client.js';

const REALM = 'Bearer realm="https://accounts.google.com/"';
const INVALID_CREDENTIALS = {
  error: {
    code: 401,
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    status: 'UNAUTHENTICATED',
  },
};
const INSUFFICIENT_SCOPES = {
  error: {
    code: 403,
    message: 'Request had insufficient authentication scopes.',
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
      },
    ],
  },
};
const NOT_AUTHORIZED = {
  error: {
    code: 403,
    message: 'Not Authorized to access this resource/api',
    errors: [{ message: 'Not Authorized to access this resource/api', domain: 'global', reason: 'forbidden' }],
  },
};
const NOT_FOUND = {
  error: {
    code: 404,
    message: 'Resource Not Found: userKey',
    errors: [{ message: 'Resource Not Found: userKey', domain: 'global', reason: 'notFound' }],
  },
};

let emulator: GoogleOAuthEmulator;
let key: ServiceAccountKeyFile;
let adminToken: string;
let aliceId: string;
beforeAll(async () => {
  emulator = await startGoogleOAuthEmulator();
  key = emulator.createServiceAccount({ delegation: [DIRECTORY_USER_READONLY, DIRECTORY_GROUP] });
  emulator.addUser('admin@example.com');
  emulator.addUser('clerk@example.com', { isAdmin: false });
  aliceId = emulator.addUser('alice@example.com').id;
});
beforeEach(async () => {
  adminToken = await accessToken(key, { sub: 'admin@example.com' });
});
afterAll(() => emulator.close());

describe('GET /admin/directory/v1/users/{userKey}', () => {
  it('reads a user with a token delegated to an administrator, by email or by ID', async () => {
    const byEmail = await get(emulator.userUrl('alice@example.com'), `Bearer ${adminToken}`);
    expect(byEmail.status).toBe(200);
    expect(byEmail.json).toEqual({ kind: 'admin#directory#user', id: aliceId, primaryEmail: 'alice@example.com' });
    expect(aliceId).toMatch(/^\d{21}$/);
    const byId = await get(emulator.userUrl(aliceId), `Bearer ${adminToken}`);
    expect(byId.json.primaryEmail).toBe('alice@example.com');
    expect(
      (await get(`${emulator.base}/admin/directory/v1/users/alice%40example.com?projection=basic`, `bearer ${adminToken}`))
        .status,
    ).toBe(200);
  });

  it('answers 401 UNAUTHENTICATED with a Bearer challenge without a valid token', async () => {
    const url = emulator.userUrl('alice@example.com');
    for (const authorization of [
      `Bearer ya29.${'x'.repeat(40)}`,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer',
      adminToken,
    ]) {
      const result = await get(url, authorization);
      expect(result.status, authorization).toBe(401);
      expect(result.json, authorization).toEqual(INVALID_CREDENTIALS);
      expect(result.headers.get('www-authenticate')).toMatch(/^Bearer realm="https:\/\/accounts\.google\.com\/"/);
    }
  });

  it('answers a request without credentials 401 too, saying the credential is missing', async () => {
    const result = await get(emulator.userUrl('alice@example.com'));
    expect(result.status).toBe(401);
    expect(result.json.error.status).toBe('UNAUTHENTICATED');
    expect(result.json.error.message).toMatch(/^Request is missing required authentication credential\./);
    expect(result.headers.get('www-authenticate')).toBe(REALM);
  });

  it('answers 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT to a token without a Directory user scope', async () => {
    const token = await accessToken(key, { scopes: [DIRECTORY_GROUP], sub: 'admin@example.com' });
    const result = await get(emulator.userUrl('alice@example.com'), `Bearer ${token}`);
    expect(result.status).toBe(403);
    expect(result.json).toEqual(INSUFFICIENT_SCOPES);
    expect(result.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('accepts the read-write scope as well as the read-only one', async () => {
    const account = emulator.createServiceAccount({ delegation: [DIRECTORY_USER] });
    const token = await accessToken(account, { scopes: [DIRECTORY_USER], sub: 'admin@example.com' });
    expect((await get(emulator.userUrl('alice@example.com'), `Bearer ${token}`)).status).toBe(200);
  });

  it('answers 403 forbidden to the service account itself (no sub) and to a delegated non-administrator', async () => {
    const own = await accessToken(key);
    const result = await get(emulator.userUrl('alice@example.com'), `Bearer ${own}`);
    expect(result.status).toBe(403);
    expect(result.json).toEqual(NOT_AUTHORIZED);
    const clerk = await accessToken(key, { sub: 'clerk@example.com' });
    expect((await get(emulator.userUrl('alice@example.com'), `Bearer ${clerk}`)).json).toEqual(NOT_AUTHORIZED);
  });

  it('answers 404 notFound for an unknown user', async () => {
    for (const userKey of ['bob@example.com', '123456789012345678901', '%E0%A4%A']) {
      const result = await get(
        `${emulator.base}/admin/directory/v1/users/${userKey.startsWith('%') ? userKey : encodeURIComponent(userKey)}`,
        `Bearer ${adminToken}`,
      );
      expect(result.status, userKey).toBe(404);
      expect(result.json, userKey).toEqual(NOT_FOUND);
    }
  });

  it('answers 404 for any other path or method', async () => {
    for (const path of [
      '/',
      '/admin/directory/v1/users',
      '/admin/directory/v1/users/a/b',
      '/admin/directory/v1/groups/x',
      '/tokeninfo',
    ]) {
      const result = await get(`${emulator.base}${path}`, `Bearer ${adminToken}`);
      expect(result.status, path).toBe(404);
    }
    const response = await fetch(emulator.userUrl('alice@example.com'), {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(404);
  });
});

describe('expireTokens and expiry', () => {
  it('makes every issued token answer 401, and a new token works', async () => {
    const url = emulator.userUrl('alice@example.com');
    expect((await get(url, `Bearer ${adminToken}`)).status).toBe(200);
    emulator.expireTokens();
    const expired = await get(url, `Bearer ${adminToken}`);
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual(INVALID_CREDENTIALS);
    const fresh = await accessToken(key, { sub: 'admin@example.com' });
    expect((await get(url, `Bearer ${fresh}`)).status).toBe(200);
  });

  it('lets a token lapse after expires_in by the emulator’s clock', async () => {
    let clock = Date.now();
    const timed = await startGoogleOAuthEmulator({ now: () => clock });
    try {
      const account = timed.createServiceAccount({ delegation: [DIRECTORY_USER_READONLY] });
      timed.addUser('admin@example.com');
      const token = await accessToken(account, { sub: 'admin@example.com' });
      clock += 3598 * 1000;
      expect((await get(timed.userUrl('admin@example.com'), `Bearer ${token}`)).status).toBe(200);
      clock += 2 * 1000;
      expect((await get(timed.userUrl('admin@example.com'), `Bearer ${token}`)).status).toBe(401);
    } finally {
      await timed.close();
    }
  });
});

describe('calls', () => {
  it('records token requests with the decoded JWT and API calls with their token', async () => {
    emulator.calls.length = 0;
    const assertion = assertionFor(key, { sub: 'admin@example.com' });
    const granted = await requestToken(key.token_uri, assertion);
    const refused = await requestToken(key.token_uri, assertionFor(key, { claims: { scope: '' } }));
    await get(emulator.userUrl('alice@example.com'), `Bearer ${granted.json.access_token}`);
    await get(emulator.userUrl('alice@example.com'));
    expect(refused.status).toBe(400);

    expect(emulator.calls).toHaveLength(4);
    const [first, second, third, fourth] = emulator.calls;
    expect(first).toMatchObject({
      kind: 'token',
      method: 'POST',
      status: 200,
      form: { grant_type: JWT_BEARER, assertion },
      header: { alg: 'RS256', typ: 'JWT', kid: key.private_key_id },
      claims: { iss: key.client_email, sub: 'admin@example.com', scope: DIRECTORY_USER_READONLY, aud: emulator.tokenUri },
    });
    expect(first).not.toHaveProperty('error');
    expect(second).toMatchObject({ kind: 'token', status: 400, error: 'invalid_scope', claims: { scope: '' } });
    expect(third).toEqual({
      kind: 'api',
      at: expect.any(Number),
      method: 'GET',
      path: '/admin/directory/v1/users/alice%40example.com',
      token: granted.json.access_token,
      status: 200,
    });
    expect(fourth).toMatchObject({ kind: 'api', status: 401 });
    expect(fourth).not.toHaveProperty('token');
  });

  it('records what could be decoded of a broken assertion, and the form of a refused grant type', async () => {
    emulator.calls.length = 0;
    const [h, p] = assertionFor(key).split('.');
    await requestToken(key.token_uri, `${h}.${p}.***`);
    await requestToken(key.token_uri, `***.${p}.sig`);
    await fetch(key.token_uri, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&__proto__=x',
    });
    const [first, second, third] = emulator.calls;
    expect(first).toMatchObject({
      kind: 'token',
      status: 400,
      error: 'invalid_grant',
      header: { alg: 'RS256' },
      claims: { iss: key.client_email },
    });
    expect(second).toMatchObject({ claims: { iss: key.client_email } });
    expect(second).not.toHaveProperty('header');
    expect(third).toMatchObject({ status: 400, error: 'unsupported_grant_type', form: { grant_type: 'password' } });
    expect(Object.hasOwn(third!.kind === 'token' ? third!.form : {}, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
