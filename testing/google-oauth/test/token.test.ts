import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleOAuthEmulator, type ServiceAccountKeyFile, startGoogleOAuthEmulator } from '../src/index.js';
import {
  assertionFor,
  DIRECTORY_GROUP,
  DIRECTORY_USER,
  DIRECTORY_USER_READONLY,
  JWT_BEARER,
  postRaw,
  postToken,
  requestToken,
  signJwt,
} from './helpers/client.js';

const SHORT_LIVED =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
const UNAUTHORIZED_CLIENT =
  'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.';

let emulator: GoogleOAuthEmulator;
let key: ServiceAccountKeyFile;
let other: ServiceAccountKeyFile;
beforeAll(async () => {
  emulator = await startGoogleOAuthEmulator();
  key = emulator.createServiceAccount({ delegation: [DIRECTORY_USER_READONLY, DIRECTORY_USER] });
  other = emulator.createServiceAccount();
  emulator.addUser('admin@example.com');
});
afterAll(() => emulator.close());

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('POST /token: a JWT bearer grant that Google would accept', () => {
  it('answers 200 with a Bearer ya29. token for 3599 seconds, not to be cached', async () => {
    const result = await requestToken(key.token_uri, assertionFor(key));
    expect(result.status).toBe(200);
    expect(Object.keys(result.json)).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(result.json.access_token).toMatch(/^ya29\.[A-Za-z0-9_-]+$/);
    expect(result.json.expires_in).toBe(3599);
    expect(result.json.token_type).toBe('Bearer');
    expect(result.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.headers.get('pragma')).toBe('no-cache');
  });

  it('issues a new token for every grant', async () => {
    const a = await requestToken(key.token_uri, assertionFor(key));
    const b = await requestToken(key.token_uri, assertionFor(key));
    expect(a.json.access_token).not.toBe(b.json.access_token);
  });

  it('accepts several scopes, space-delimited, and a delegated sub', async () => {
    const result = await requestToken(
      key.token_uri,
      assertionFor(key, { scopes: [DIRECTORY_USER_READONLY, DIRECTORY_USER], sub: 'admin@example.com' }),
    );
    expect(result.status).toBe(200);
  });

  it('accepts a header without typ and without kid', async () => {
    const result = await requestToken(key.token_uri, assertionFor(key, { header: { typ: undefined, kid: undefined } }));
    expect(result.status).toBe(200);
  });

  it('accepts form fields in any order and a charset on the content type', async () => {
    const body = `assertion=${encodeURIComponent(assertionFor(key))}&grant_type=${encodeURIComponent(JWT_BEARER)}`;
    const result = await postRaw(key.token_uri, body, 'application/x-www-form-urlencoded; charset=UTF-8');
    expect(result.status).toBe(200);
  });
});

describe('POST /token: the request itself', () => {
  it('refuses another grant type, and none, with unsupported_grant_type', async () => {
    const result = await postToken(key.token_uri, { grant_type: 'client_credentials', assertion: assertionFor(key) });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type: client_credentials' });
    const none = await postToken(key.token_uri, { assertion: assertionFor(key) });
    expect(none.status).toBe(400);
    expect(none.json).toEqual({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' });
  });

  it('refuses a body that is not a form (JSON, text, none) with invalid_request', async () => {
    const json = await postRaw(
      key.token_uri,
      JSON.stringify({ grant_type: JWT_BEARER, assertion: assertionFor(key) }),
      'application/json',
    );
    expect(json.status).toBe(400);
    expect(json.json.error).toBe('invalid_request');
    const text = await postRaw(key.token_uri, `grant_type=${encodeURIComponent(JWT_BEARER)}`);
    expect(text.status).toBe(400);
    expect(text.json.error).toBe('invalid_request');
  });

  it('refuses a missing assertion and a repeated parameter with invalid_request', async () => {
    const missing = await postToken(key.token_uri, { grant_type: JWT_BEARER });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: assertion' });
    const repeated = await postRaw(
      key.token_uri,
      `grant_type=${encodeURIComponent(JWT_BEARER)}&assertion=${assertionFor(key)}&assertion=${assertionFor(key)}`,
      'application/x-www-form-urlencoded',
    );
    expect(repeated.status).toBe(400);
    expect(repeated.json.error).toBe('invalid_request');
  });

  it('answers GET /token with 405 and Allow: POST', async () => {
    const response = await fetch(key.token_uri);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses a body over 64 KiB with 413 and keeps serving', async () => {
    const body = `grant_type=${encodeURIComponent(JWT_BEARER)}&assertion=${'a'.repeat(70 * 1024)}`;
    const result = await postRaw(key.token_uri, body, 'application/x-www-form-urlencoded');
    expect(result.status).toBe(413);
    expect(result.json.error).toBe('invalid_request');
    expect((await requestToken(key.token_uri, assertionFor(key))).status).toBe(200);
  });
});

describe('POST /token: the assertion', () => {
  const refusal = async (assertion: string) => {
    const result = await requestToken(key.token_uri, assertion);
    return { status: result.status, ...result.json };
  };

  it('refuses what is not a compact JWS with invalid_grant', async () => {
    const good = assertionFor(key);
    const [h, p, s] = good.split('.') as [string, string, string];
    for (const bad of [
      'not-a-jwt',
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      `${h}!.${p}.${s}`, // a character outside base64url
      `${h}.${p}=.${s}`, // padding
      `${h}.${p}.${s}+`, // base64, not base64url
      `${Buffer.from('{"alg":"RS256"').toString('base64url')}.${p}.${s}`, // JSON cut short
      `${Buffer.from('[1,2]').toString('base64url')}.${p}.${s}`, // JSON, not an object
      `${h}.${Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url')}.${s}`, // not UTF-8
      '..',
    ]) {
      expect(await refusal(bad), bad).toEqual({
        status: 400,
        error: 'invalid_grant',
        error_description: 'Invalid JWT: the assertion is not a well-formed JWT.',
      });
    }
  });

  it('refuses an alg other than RS256 with "Invalid JWT Signature."', async () => {
    for (const alg of ['none', 'HS256', 'RS512', 'PS256', 'rs256']) {
      const result = await refusal(assertionFor(key, { header: { alg } }));
      expect(result, alg).toEqual({ status: 400, error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    }
    const [h, p] = assertionFor(key, { header: { alg: 'none' } }).split('.');
    expect((await refusal(`${h}.${p}.`)).error_description).toBe('Invalid JWT Signature.');
  });

  it('refuses a typ other than JWT and a crit header', async () => {
    expect((await refusal(assertionFor(key, { header: { typ: 'at+jwt' } }))).error).toBe('invalid_grant');
    expect((await refusal(assertionFor(key, { header: { crit: ['exp'] } }))).error).toBe('invalid_grant');
    expect((await requestToken(key.token_uri, assertionFor(key, { header: { typ: 'jwt' } }))).status).toBe(200);
  });

  it('refuses an unknown or missing iss with "Invalid grant: account not found"', async () => {
    const expected = { status: 400, error: 'invalid_grant', error_description: 'Invalid grant: account not found' };
    expect(await refusal(assertionFor(key, { claims: { iss: 'nobody@scimgw-emulator.iam.gserviceaccount.com' } }))).toEqual(
      expected,
    );
    expect(await refusal(assertionFor(key, { claims: { iss: undefined } }))).toEqual(expected);
    expect(await refusal(assertionFor(key, { claims: { iss: 42 } }))).toEqual(expected);
  });

  it('refuses a JWT signed with another account’s key, even with that key’s kid', async () => {
    const signature = { status: 400, error: 'invalid_grant', error_description: 'Invalid JWT Signature.' };
    expect(await refusal(assertionFor(key, { signingKey: other.private_key }))).toEqual(signature);
    expect(await refusal(assertionFor(key, { signingKey: other.private_key, header: { kid: undefined } }))).toEqual(signature);
    expect(await refusal(assertionFor(key, { signingKey: other.private_key, header: { kid: other.private_key_id } }))).toEqual(
      signature,
    );
  });

  it('refuses a tampered payload or signature', async () => {
    const [h, , s] = assertionFor(key).split('.') as [string, string, string];
    const now = nowSeconds();
    const forged = Buffer.from(
      JSON.stringify({ iss: key.client_email, scope: DIRECTORY_GROUP, aud: key.token_uri, iat: now, exp: now + 3600 }),
    ).toString('base64url');
    expect(await refusal(`${h}.${forged}.${s}`)).toMatchObject({ status: 400, error_description: 'Invalid JWT Signature.' });
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const [h2, p2] = assertionFor(key).split('.');
    expect(await refusal(`${h2}.${p2}.${flipped.toString('base64url')}`)).toMatchObject({
      error_description: 'Invalid JWT Signature.',
    });
  });

  it('checks kid: an unknown kid or a non-string kid is refused even when the signature is good', async () => {
    expect(await refusal(assertionFor(key, { header: { kid: 'f'.repeat(40) } }))).toMatchObject({
      status: 400,
      error_description: 'Invalid JWT Signature.',
    });
    expect(await refusal(assertionFor(key, { header: { kid: 7 } }))).toMatchObject({
      error_description: 'Invalid JWT Signature.',
    });
  });

  it('refuses a disabled key with and without kid, and goes on accepting the account’s other key', async () => {
    const email = 'rotating@scimgw-emulator.iam.gserviceaccount.com';
    const old = emulator.createServiceAccount({ email });
    const fresh = emulator.createServiceAccount({ email });
    expect((await requestToken(old.token_uri, assertionFor(old))).status).toBe(200);
    emulator.disableKey(email, old.private_key_id);
    const signature = { status: 400, error: 'invalid_grant', error_description: 'Invalid JWT Signature.' };
    expect(await refusal(assertionFor(old))).toEqual(signature);
    expect(await refusal(assertionFor(old, { header: { kid: undefined } }))).toEqual(signature);
    expect((await requestToken(fresh.token_uri, assertionFor(fresh))).status).toBe(200);
    expect((await requestToken(fresh.token_uri, assertionFor(fresh, { header: { kid: undefined } }))).status).toBe(200);
    // The fresh key signing under the old key's kid does not pass either.
    expect(await refusal(assertionFor(fresh, { header: { kid: old.private_key_id } }))).toEqual(signature);
  });

  it('refuses an aud other than the token URI exactly', async () => {
    const expected = { status: 400, error: 'invalid_grant', error_description: 'Invalid JWT: Failed audience check.' };
    for (const aud of [
      'https://oauth2.googleapis.com/token',
      `${key.token_uri}/`,
      key.token_uri.toUpperCase(),
      [key.token_uri],
      undefined,
    ]) {
      expect(await refusal(assertionFor(key, { claims: { aud } })), String(aud)).toEqual(expected);
    }
  });

  it('refuses a missing or empty scope with invalid_scope', async () => {
    const expected = { status: 400, error: 'invalid_scope', error_description: 'Empty or missing scope not allowed.' };
    expect(await refusal(assertionFor(key, { claims: { scope: undefined } }))).toEqual(expected);
    expect(await refusal(assertionFor(key, { claims: { scope: '' } }))).toEqual(expected);
    expect(await refusal(assertionFor(key, { claims: { scope: '   ' } }))).toEqual(expected);
    expect(await refusal(assertionFor(key, { claims: { scope: [DIRECTORY_USER] } }))).toEqual(expected);
  });
});

describe('POST /token: iat and exp', () => {
  const timeframe = { status: 400, error: 'invalid_grant', error_description: SHORT_LIVED };
  const withTimes = async (iat: unknown, exp: unknown) => {
    const result = await requestToken(key.token_uri, assertionFor(key, { claims: { iat, exp } }));
    return { status: result.status, ...result.json };
  };

  it('accepts a lifetime up to an hour, within the clock allowance', async () => {
    const now = nowSeconds();
    expect((await withTimes(now, now + 3600)).status).toBe(200);
    expect((await withTimes(now, now + 1)).status).toBe(200);
    expect((await withTimes(now - 3000, now + 600)).status).toBe(200);
    expect((await withTimes(now + 120, now + 600)).status).toBe(200); // iat a little ahead: a fast client clock
    expect((await withTimes(now - 3500, now - 100)).status).toBe(200); // exp just past: a slow client clock
  });

  it('refuses a lifetime over an hour, zero or negative', async () => {
    const now = nowSeconds();
    expect(await withTimes(now, now + 3601)).toEqual(timeframe);
    expect(await withTimes(now, now + 86_400)).toEqual(timeframe);
    expect(await withTimes(now, now)).toEqual(timeframe);
    expect(await withTimes(now, now - 60)).toEqual(timeframe);
  });

  it('refuses an iat too far ahead and an exp too far past', async () => {
    const now = nowSeconds();
    expect(await withTimes(now + 600, now + 1200)).toEqual(timeframe);
    expect(await withTimes(now - 3600, now - 600)).toEqual(timeframe);
  });

  it('refuses iat or exp that are missing or not numbers', async () => {
    const now = nowSeconds();
    expect(await withTimes(undefined, now + 3600)).toEqual(timeframe);
    expect(await withTimes(now, undefined)).toEqual(timeframe);
    expect(await withTimes(String(now), String(now + 3600))).toEqual(timeframe);
    expect(await withTimes(null, now + 3600)).toEqual(timeframe);
  });

  it('judges the window by the emulator’s clock', async () => {
    let clock = Date.UTC(2030, 0, 1);
    const frozen = await startGoogleOAuthEmulator({ now: () => clock });
    try {
      const account = frozen.createServiceAccount();
      const at = clock / 1000;
      expect((await requestToken(account.token_uri, assertionFor(account, { now: at }))).status).toBe(200);
      expect((await requestToken(account.token_uri, assertionFor(account))).status).toBe(400); // today's iat/exp: long expired in 2030
      clock += 2 * 3600 * 1000;
      expect((await requestToken(account.token_uri, assertionFor(account, { now: at }))).json.error).toBe('invalid_grant');
    } finally {
      await frozen.close();
    }
  });
});

describe('POST /token: domain-wide delegation (sub)', () => {
  it('refuses a scope the administrator did not allow with 401 unauthorized_client', async () => {
    const result = await requestToken(
      key.token_uri,
      assertionFor(key, { scopes: [DIRECTORY_USER_READONLY, DIRECTORY_GROUP], sub: 'admin@example.com' }),
    );
    expect(result.status).toBe(401);
    expect(result.json).toEqual({ error: 'unauthorized_client', error_description: UNAUTHORIZED_CLIENT });
  });

  it('refuses any sub for an account without delegation', async () => {
    const result = await requestToken(other.token_uri, assertionFor(other, { sub: 'admin@example.com' }));
    expect(result.status).toBe(401);
    expect(result.json.error).toBe('unauthorized_client');
  });

  it('accepts the same scopes without sub: delegation only limits impersonation', async () => {
    expect((await requestToken(other.token_uri, assertionFor(other, { scopes: [DIRECTORY_GROUP] }))).status).toBe(200);
  });

  it('refuses a sub that is not a user of the domain with "Invalid email or User ID"', async () => {
    for (const sub of ['stranger@example.com', key.client_email, 'not an email', '']) {
      const result = await requestToken(key.token_uri, assertionFor(key, { claims: { sub } }));
      expect(result.status, sub).toBe(400);
      expect(result.json, sub).toEqual({ error: 'invalid_grant', error_description: 'Invalid email or User ID' });
    }
    const numeric = await requestToken(key.token_uri, assertionFor(key, { claims: { sub: 12 } }));
    expect(numeric.json.error_description).toBe('Invalid email or User ID');
  });

  it('matches sub without regard to case', async () => {
    expect((await requestToken(key.token_uri, assertionFor(key, { sub: 'ADMIN@Example.com' }))).status).toBe(200);
  });

  it('takes a hand-made assertion with the claims in Google’s example order', async () => {
    const now = nowSeconds();
    const assertion = signJwt(
      { alg: 'RS256', typ: 'JWT' },
      { iss: key.client_email, sub: 'admin@example.com', scope: DIRECTORY_USER, aud: key.token_uri, exp: now + 3600, iat: now },
      key.private_key,
    );
    expect((await requestToken(key.token_uri, assertion)).status).toBe(200);
  });
});
