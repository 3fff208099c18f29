import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticatorWith } from '../src/authenticator.js';
import { type AuthOptions, createAuthenticator, hashPassword, OAUTH_ISSUER } from '../src/index.js';
import { type ScryptHash, verifyScrypt } from '../src/password.js';
import { basicHeader, bearer, req } from './helpers.js';

const CLIENT_SECRET = 'client-secret-for-tests-7f3a9c';
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function options(extra: Partial<AuthOptions> = {}): AuthOptions {
  return {
    rateLimit: false,
    tokenSigningSeed: 'replica-shared-seed-value',
    auth: {
      bearerOAuth: [
        { clientId: 'entra-app', clientSecret: CLIENT_SECRET, readOnly: false, baseEntities: ['t1'] },
        { clientId: 'reader', clientSecret: 'reader-secret-value', readOnly: true },
        { clientId: null, clientSecret: null },
      ],
    },
    ...extra,
  };
}

async function getToken(a: Awaited<ReturnType<typeof createAuthenticator>>, id = 'entra-app', secret = CLIENT_SECRET) {
  const r = await a.tokenEndpoint({
    headers: FORM,
    body: form({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
    remoteAddress: '127.0.0.1',
  });
  expect(r.status).toBe(200);
  return (r.body as { access_token: string }).access_token;
}

describe('POST /oauth/token', () => {
  it('issues a bearer JWT for form-body client credentials', async () => {
    const a = await createAuthenticator(options());
    expect(a.oauthEnabled).toBe(true);
    const r = await a.tokenEndpoint({
      headers: FORM,
      body: form({ grant_type: 'client_credentials', client_id: 'entra-app', client_secret: CLIENT_SECRET, scope: 'scim' }),
      remoteAddress: '127.0.0.1',
    });
    expect(r.status).toBe(200);
    expect(r.headers['Cache-Control']).toBe('no-store');
    const body = r.body as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
    expect(decodeJwt(body.access_token)).toMatchObject({ iss: OAUTH_ISSUER, sub: 'entra-app', client_id: 'entra-app' });
  });

  it('accepts HTTP Basic client authentication (form-urlencoded id and secret)', async () => {
    const a = await createAuthenticator({
      ...options(),
      auth: { bearerOAuth: [{ clientId: 'app:1', clientSecret: 'p@ss word+&' }] },
    });
    const enc = (s: string) => encodeURIComponent(s);
    const r = await a.tokenEndpoint({
      headers: { ...FORM, authorization: basicHeader(enc('app:1'), enc('p@ss word+&')) },
      body: 'grant_type=client_credentials',
      remoteAddress: '127.0.0.1',
    });
    expect(r.status).toBe(200);
  });

  it('accepts a JSON body too', async () => {
    const a = await createAuthenticator(options());
    const r = await a.tokenEndpoint({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'reader', client_secret: 'reader-secret-value' }),
      remoteAddress: '127.0.0.1',
    });
    expect(r.status).toBe(200);
  });

  it.each([
    ['wrong secret', { grant_type: 'client_credentials', client_id: 'entra-app', client_secret: 'nope' }],
    ['unknown client', { grant_type: 'client_credentials', client_id: 'ghost', client_secret: CLIENT_SECRET }],
    ['another client’s secret', { grant_type: 'client_credentials', client_id: 'reader', client_secret: CLIENT_SECRET }],
    ['no credentials', { grant_type: 'client_credentials' }],
  ])('%s → 401 invalid_client (RFC 6749 §5.2)', async (_n, params) => {
    const a = await createAuthenticator(options());
    const r = await a.tokenEndpoint({ headers: FORM, body: form(params), remoteAddress: '127.0.0.1' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: 'invalid_client' });
    expect(r.headers['WWW-Authenticate']).toBe('Basic realm="scimgw"');
    expect(r.headers['Content-Type']).toMatch(/^application\/json/);
  });

  it.each([
    ['missing grant_type', form({ client_id: 'entra-app', client_secret: CLIENT_SECRET }), 400, 'invalid_request'],
    ['password grant', form({ grant_type: 'password', username: 'x', password: 'y' }), 400, 'unsupported_grant_type'],
    ['repeated parameter', 'grant_type=client_credentials&grant_type=client_credentials', 400, 'invalid_request'],
    ['bad encoding', 'grant_type=%E0%A4%A', 400, 'invalid_request'],
  ])('%s → %i %s', async (_n, body, status, error) => {
    const a = await createAuthenticator(options());
    const r = await a.tokenEndpoint({ headers: FORM, body, remoteAddress: '127.0.0.1' });
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ error });
  });

  it('refuses two client authentication methods at once', async () => {
    const a = await createAuthenticator(options());
    const r = await a.tokenEndpoint({
      headers: { ...FORM, authorization: basicHeader('entra-app', CLIENT_SECRET) },
      body: form({ grant_type: 'client_credentials', client_secret: CLIENT_SECRET }),
      remoteAddress: '127.0.0.1',
    });
    expect(r).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('is 404 when no client is configured', async () => {
    const a = await createAuthenticator({ auth: { basic: [{ username: 'u', password: 'p' }] } });
    expect(a.oauthEnabled).toBe(false);
    const r = await a.tokenEndpoint({ headers: FORM, body: 'grant_type=client_credentials', remoteAddress: '127.0.0.1' });
    expect(r.status).toBe(404);
  });

  it('counts invalid_client toward the failed-login limit (429 + Retry-After)', async () => {
    const a = await createAuthenticator({ ...options(), rateLimit: { maxFailures: 3, windowSeconds: 60 } });
    const bad = form({ grant_type: 'client_credentials', client_id: 'entra-app', client_secret: 'guess' });
    for (let i = 0; i < 3; i++)
      expect((await a.tokenEndpoint({ headers: FORM, body: bad, remoteAddress: '192.0.2.7' })).status).toBe(401);
    const r = await a.tokenEndpoint({ headers: FORM, body: bad, remoteAddress: '192.0.2.7' });
    expect(r.status).toBe(429);
    expect(Number(r.headers['Retry-After'])).toBeGreaterThan(0);
    // Another address is unaffected.
    expect((await a.tokenEndpoint({ headers: FORM, body: bad, remoteAddress: '192.0.2.8' })).status).toBe(401);
  });
});

describe('using issued tokens', () => {
  it('authenticates with the client scope', async () => {
    const a = await createAuthenticator(options());
    const t = await getToken(a);
    const r = await a.authenticate(req({ auth: bearer(t), tenant: 't1' }));
    expect(r).toEqual({
      ok: true,
      principal: { name: 'entra-app', method: 'bearerOAuth', readOnly: false, baseEntities: ['t1'] },
    });
    const ro = await a.authenticate(
      req({ auth: bearer(await getToken(a, 'reader', 'reader-secret-value')), method: 'DELETE', access: 'write' }),
    );
    expect(ro).toMatchObject({ ok: false, status: 405 });
  });

  it('is verified by another replica holding the same configuration (no shared token table)', async () => {
    const issuer = await createAuthenticator(options());
    const replica = await createAuthenticator(options());
    const t = await getToken(issuer);
    expect((await replica.authenticate(req({ auth: bearer(t), tenant: 't1' }))).ok).toBe(true);
  });

  it('is refused by a replica with another signing seed, a changed secret, or the client removed', async () => {
    const t = await getToken(await createAuthenticator(options()));
    const others = [
      await createAuthenticator(options({ tokenSigningSeed: 'another-seed-value' })),
      await createAuthenticator({
        ...options(),
        auth: { bearerOAuth: [{ clientId: 'entra-app', clientSecret: 'rotated-secret', baseEntities: ['t1'] }] },
      }),
      await createAuthenticator({
        ...options(),
        auth: { bearerOAuth: [{ clientId: 'reader', clientSecret: 'reader-secret-value' }] },
      }),
    ];
    for (const o of others) {
      const r = await o.authenticate(req({ auth: bearer(t), tenant: 't1' }));
      expect(r).toMatchObject({ ok: false, status: 401 });
      expect(!r.ok && r.headers['WWW-Authenticate']).toMatch(/error="invalid_token"/);
    }
  });

  it('expires after expires_in', async () => {
    let now = Date.now();
    const a = await createAuthenticator({ ...options(), now: () => now, oauthTokenLifetimeSeconds: 120 });
    const t = await getToken(a);
    expect((decodeJwt(t).exp ?? 0) - (decodeJwt(t).iat ?? 0)).toBe(120);
    now += 100_000;
    expect((await a.authenticate(req({ auth: bearer(t), tenant: 't1' }))).ok).toBe(true);
    now += 30_000;
    const r = await a.authenticate(req({ auth: bearer(t), tenant: 't1' }));
    expect(r).toMatchObject({ ok: false, status: 401 });
    expect(!r.ok && r.headers['WWW-Authenticate']).toContain('expired');
  });

  it('refuses tampered tokens', async () => {
    const a = await createAuthenticator(options());
    const t = await getToken(a, 'reader', 'reader-secret-value');
    const [h, p, s] = t.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims.sub = 'entra-app';
    claims.client_id = 'entra-app';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    expect(await a.authenticate(req({ auth: bearer(forged) }))).toMatchObject({ ok: false, status: 401 });
  });

  it('works with a hashed client secret, hashing once', async () => {
    const hash = await hashPassword(CLIENT_SECRET, { N: 1024 });
    let calls = 0;
    const a = await createAuthenticatorWith(
      { rateLimit: false, auth: { bearerOAuth: [{ clientId: 'c', clientSecret: hash }] } },
      {
        credentials: {
          verifyHash: (p: string, h: ScryptHash) => {
            calls++;
            return verifyScrypt(p, h);
          },
        },
      },
    );
    for (let i = 0; i < 5; i++) {
      const t = await getToken(a, 'c', CLIENT_SECRET);
      expect((await a.authenticate(req({ auth: bearer(t) }))).ok).toBe(true);
    }
    expect(calls).toBe(1);
  });

  it('rejects a client without a secret at startup', async () => {
    await expect(createAuthenticator({ auth: { bearerOAuth: [{ clientId: 'c', clientSecret: null }] } })).rejects.toThrow(
      /^auth\.bearerOAuth\[0\]\.clientSecret: required/,
    );
  });
});
