import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Authenticator, createAuthenticator, ENTRA_PROVISIONING_AUDIENCE } from '../src/index.js';
import {
  b64u,
  bearer,
  captureLogger,
  type LocalIdp,
  makeKey,
  makeNodeRsaKey,
  req,
  type SigningKey,
  sign,
  startIdp,
} from './helpers.js';

const TENANT = '4a1d2f3e-0b6c-4d8e-9f70-112233445566';
const OTHER_TENANT = '99999999-0b6c-4d8e-9f70-112233445566';
const HS_SECRET = 'hmac-shared-secret-for-tests-0123456789abcdef';
const INVALID = /^Bearer realm="scimgw", error="invalid_token"/;

let idp: LocalIdp;
let rsa: SigningKey;
let ec: SigningKey;
let pem: SigningKey;
let pemText: string;
let certsDir: string;
let auth: Authenticator;
const log = captureLogger();

beforeAll(async () => {
  [rsa, ec, pem] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeNodeRsaKey('pem')]);
  pemText = (pem as SigningKey & { pem: string }).pem;
  idp = await startIdp([rsa, ec]);
  certsDir = await mkdtemp(join(tmpdir(), 'scimgw-auth-'));
  await writeFile(join(certsDir, 'jwt-public.pem'), pemText);
  auth = await createAuthenticator({
    rateLimit: false,
    certsDir,
    logger: log,
    auth: {
      bearerJwt: [
        { secret: HS_SECRET, options: { issuer: 'hs-issuer' } },
        { publicKey: 'jwt-public.pem', options: { issuer: 'pem-issuer', audience: 'scimgw' }, readOnly: true },
        { wellKnownUri: idp.wellKnown, options: { issuer: idp.base, audience: 'scim-api' } },
        { azureTenantId: TENANT, wellKnownUri: idp.wellKnown, baseEntities: ['entra'] },
        { secret: null, publicKey: null, wellKnownUri: null, azureTenantId: null },
      ],
    },
  });
});

afterAll(async () => {
  await idp.close();
  await rm(certsDir, { recursive: true, force: true });
});

const hs = new TextEncoder().encode(HS_SECRET);
const entraClaims = (tid: string) => ({
  tid,
  appid: 'a0b1c2d3-0000-4000-8000-000000000001',
  idp: `https://sts.windows.net/${tid}/`,
  ver: '1.0',
});

async function expectOk(token: string, tenant?: string) {
  const r = await auth.authenticate(req({ auth: bearer(token), tenant }));
  if (!r.ok) throw new Error(`expected ok, got ${r.status} ${r.detail}`);
  expect(r.principal.method).toBe('bearerJwt');
  return r.principal;
}

async function expectInvalid(token: string, a: Authenticator = auth) {
  const r = await a.authenticate(req({ auth: bearer(token) }));
  expect(r.ok).toBe(false);
  if (r.ok) return r;
  expect(r.status).toBe(401);
  expect(r.headers['WWW-Authenticate']).toMatch(INVALID);
  return r;
}

describe('accepted tokens', () => {
  it('HMAC secret (HS256 and HS512)', async () => {
    expect((await expectOk(await sign(hs, 'HS256', { iss: 'hs-issuer', sub: 'svc-a' }))).name).toBe('svc-a');
    await expectOk(await sign(hs, 'HS512', { iss: 'hs-issuer', sub: 'svc-a' }));
  });

  it('PEM public key file (RS256 and PS256), with the entry scope', async () => {
    const p = await expectOk(await sign(pem, 'RS256', { iss: 'pem-issuer', aud: 'scimgw', sub: 'pem-client' }));
    expect(p).toEqual({ name: 'pem-client', method: 'bearerJwt', readOnly: true, baseEntities: [] });
    await expectOk(await sign(pem, 'PS256', { iss: 'pem-issuer', aud: 'scimgw' }));
  });

  it('keys from OpenID discovery + JWKS (RSA and EC)', async () => {
    await expectOk(await sign(rsa, 'RS256', { iss: idp.base, aud: 'scim-api', sub: 'u1' }));
    await expectOk(await sign(ec, 'ES256', { iss: idp.base, aud: ['other', 'scim-api'] }));
    expect(idp.hits.discovery).toBeGreaterThanOrEqual(1);
  });

  it('Entra ID provisioning token (v1 and v2 issuer)', async () => {
    const v1 = await sign(rsa, 'RS256', {
      iss: `https://sts.windows.net/${TENANT}/`,
      aud: ENTRA_PROVISIONING_AUDIENCE,
      sub: 'entra-sp',
      nbf: -5,
      claims: entraClaims(TENANT),
    });
    expect(await expectOk(v1, 'entra')).toEqual({
      name: 'entra-sp',
      method: 'bearerJwt',
      readOnly: false,
      baseEntities: ['entra'],
    });
    const v2 = await sign(rsa, 'RS256', {
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      aud: ENTRA_PROVISIONING_AUDIENCE,
      claims: { tid: TENANT.toUpperCase() },
    });
    expect((await expectOk(v2, 'entra')).name).toBe('bearerJwt[3]');
  });
});

describe('rejected tokens (401 invalid_token)', () => {
  it('expired', async () => {
    const r = await expectInvalid(await sign(rsa, 'RS256', { iss: idp.base, aud: 'scim-api', exp: -60 }));
    expect(r.ok === false && r.headers['WWW-Authenticate']).toContain('error_description="The access token expired"');
  });

  it('not yet valid', async () => {
    await expectInvalid(await sign(rsa, 'RS256', { iss: idp.base, aud: 'scim-api', nbf: 600, exp: 1200 }));
  });

  it('without exp', async () => {
    const t = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('hs-issuer').sign(hs);
    await expectInvalid(t);
  });

  it('wrong issuer', async () => {
    await expectInvalid(await sign(rsa, 'RS256', { iss: 'https://evil.example', aud: 'scim-api' }));
    await expectInvalid(await sign(hs, 'HS256', { iss: 'pem-issuer' }));
  });

  it('wrong audience', async () => {
    await expectInvalid(await sign(rsa, 'RS256', { iss: idp.base, aud: 'another-app' }));
    await expectInvalid(await sign(pem, 'RS256', { iss: 'pem-issuer' }));
  });

  it('Entra token for another tenant, or for another audience', async () => {
    // Right issuer, foreign `tid`.
    await expectInvalid(
      await sign(rsa, 'RS256', {
        iss: `https://sts.windows.net/${TENANT}/`,
        aud: ENTRA_PROVISIONING_AUDIENCE,
        claims: entraClaims(OTHER_TENANT),
      }),
    );
    // Foreign tenant altogether.
    await expectInvalid(
      await sign(rsa, 'RS256', {
        iss: `https://sts.windows.net/${OTHER_TENANT}/`,
        aud: ENTRA_PROVISIONING_AUDIENCE,
        claims: entraClaims(OTHER_TENANT),
      }),
    );
    // Missing `tid`.
    await expectInvalid(
      await sign(rsa, 'RS256', { iss: `https://sts.windows.net/${TENANT}/`, aud: ENTRA_PROVISIONING_AUDIENCE }),
    );
    await expectInvalid(
      await sign(rsa, 'RS256', {
        iss: `https://sts.windows.net/${TENANT}/`,
        aud: 'https://graph.microsoft.com',
        claims: entraClaims(TENANT),
      }),
    );
  });

  it('tampered payload or signature', async () => {
    const t = await sign(rsa, 'RS256', { iss: idp.base, aud: 'scim-api', sub: 'alice' });
    const [h, p, s] = t.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.sub = 'admin';
    await expectInvalid(`${h}.${b64u(JSON.stringify(payload))}.${s}`);
    const flipped = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    await expectInvalid(`${h}.${p}.${flipped}`);
    await expectInvalid(`${h}.${p}.`);
  });

  it('HS/RS confusion: HS256 signed with the RSA public key PEM as secret', async () => {
    const t = await sign(new TextEncoder().encode(pemText), 'HS256', { iss: 'pem-issuer', aud: 'scimgw', sub: 'attacker' });
    await expectInvalid(t);
    // Also when the PEM entry is the only one configured.
    const only = await createAuthenticator({
      rateLimit: false,
      certsDir,
      auth: { bearerJwt: [{ publicKey: 'jwt-public.pem' }] },
    });
    await expectInvalid(t, only);
    await expectInvalid(
      await sign(new TextEncoder().encode(pemText.trim()), 'HS256', { iss: 'pem-issuer', aud: 'scimgw' }),
      only,
    );
  });

  it('alg none (any spelling)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = b64u(JSON.stringify({ iss: 'hs-issuer', sub: 'x', exp: now + 600, iat: now }));
    for (const alg of ['none', 'None', 'NONE']) {
      await expectInvalid(`${b64u(JSON.stringify({ alg, typ: 'JWT' }))}.${body}.`);
    }
  });

  it('algorithm not allowed by the configuration or the key type', async () => {
    const psOnly = await createAuthenticator({
      rateLimit: false,
      certsDir,
      auth: { bearerJwt: [{ publicKey: 'jwt-public.pem', options: { algorithms: ['PS256'] } }] },
    });
    await expectInvalid(await sign(pem, 'RS256', {}), psOnly);
    expect((await psOnly.authenticate(req({ auth: bearer(await sign(pem, 'PS256', {})) }))).ok).toBe(true);
    // An EC key in the JWKS cannot verify an RS256 token claiming its kid.
    await expectInvalid(await sign(rsa, 'RS256', { iss: idp.base, aud: 'scim-api', kid: 'ec-1' }));
  });

  it('signed by a key the IdP does not publish', async () => {
    const rogue = await makeKey('RS256', 'rsa-1'); // same kid, different key
    await expectInvalid(await sign(rogue, 'RS256', { iss: idp.base, aud: 'scim-api' }));
  });

  it('garbage', async () => {
    await expectInvalid('abc');
    await expectInvalid('a.b.c');
    await expectInvalid('a.b.c.d.e');
    const r = await auth.authenticate(req({ auth: 'Bearer' }));
    expect(r.ok).toBe(false);
  });
});

describe('JWKS cache, rotation and cool-down', () => {
  it('refetches on an unknown kid, at most once per cool-down', async () => {
    const k1 = await makeKey('RS256', 'k1');
    const k2 = await makeKey('RS256', 'k2');
    const own = await startIdp([k1]);
    let now = Date.now();
    try {
      const a = await createAuthenticator({
        rateLimit: false,
        now: () => now,
        jwksCooldownSeconds: 30,
        auth: { bearerJwt: [{ wellKnownUri: own.wellKnown, options: { issuer: 'rot' } }] },
      });
      const tok = (k: SigningKey) => sign(k, 'RS256', { iss: 'rot', now });
      expect((await a.authenticate(req({ auth: bearer(await tok(k1)) }))).ok).toBe(true);
      expect(own.hits.jwks).toBe(1);

      // Rotation: the IdP now publishes k2; a k2 token triggers one refetch.
      own.keys = [k1, k2];
      now += 31_000;
      expect((await a.authenticate(req({ auth: bearer(await tok(k2)) }))).ok).toBe(true);
      expect(own.hits.jwks).toBe(2);

      // A flood of unknown kids inside the cool-down costs no further fetches.
      const stranger = await makeKey('RS256', 'stranger');
      for (let i = 0; i < 10; i++) await expectInvalid(await tok(stranger), a);
      expect(own.hits.jwks).toBe(2);
      now += 31_000;
      await expectInvalid(await tok(stranger), a);
      expect(own.hits.jwks).toBe(3);
      // The discovery document itself is not refetched for every JWKS refresh.
      expect(own.hits.discovery).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('refreshes after the cache lifetime and keeps stale keys while the IdP is down', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const own = await startIdp([k1]);
    const logger = captureLogger();
    let now = Date.now();
    try {
      const a = await createAuthenticator({
        rateLimit: false,
        now: () => now,
        logger,
        jwksCacheSeconds: 60,
        auth: { bearerJwt: [{ wellKnownUri: own.wellKnown, options: { audience: 'x' } }] },
      });
      const t = () => sign(k1, 'ES256', { aud: 'x', now });
      expect((await a.authenticate(req({ auth: bearer(await t()) }))).ok).toBe(true);
      now += 61_000;
      expect((await a.authenticate(req({ auth: bearer(await t()) }))).ok).toBe(true);
      expect(own.hits.jwks).toBe(2);
      own.fail = true;
      now += 61_000;
      expect((await a.authenticate(req({ auth: bearer(await t()) }))).ok).toBe(true);
      expect(logger.text()).toContain('cannot load signing keys');
    } finally {
      await own.close();
    }
  });

  it('an unreachable discovery document refuses tokens (401) and logs a warning', async () => {
    const logger = captureLogger();
    const calls: string[] = [];
    const a = await createAuthenticator({
      rateLimit: false,
      logger,
      fetch: async (input) => {
        calls.push(String(input));
        return new Response('nope', { status: 404 });
      },
      auth: { bearerJwt: [{ wellKnownUri: 'https://idp.invalid/.well-known/openid-configuration', options: { issuer: 'i' } }] },
    });
    await expectInvalid(await sign(rsa, 'RS256', { iss: 'i' }), a);
    expect(calls).toEqual(['https://idp.invalid/.well-known/openid-configuration']);
    expect(logger.text()).toContain('HTTP 404');
  });

  it('a discovery document or JWKS answered without end is cut off at 512 KiB: tokens refused (401), a warning', async () => {
    // A real local server that streams JSON-looking bytes until the client closes the connection.
    let sent = 0;
    let closed = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const timer = setInterval(() => {
        sent += 64 * 1024;
        res.write(`"${'x'.repeat(64 * 1024 - 3)}",`);
      }, 1);
      res.on('close', () => {
        clearInterval(timer);
        closed++;
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const uri of [`${base}/.well-known/openid-configuration`, `${base}/keys`]) {
        const logger = captureLogger();
        const a = await createAuthenticator({
          rateLimit: false,
          logger,
          auth: { bearerJwt: [{ wellKnownUri: uri, options: { issuer: 'i' } }] },
        });
        await expectInvalid(await sign(rsa, 'RS256', { iss: 'i' }), a);
        expect(logger.text()).toContain('is larger than 524288 bytes');
      }
      await expect.poll(() => closed).toBe(2);
      expect(sent).toBeLessThan(8 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    }
  });

  it('accepts a JWKS URL directly', async () => {
    const a = await createAuthenticator({
      rateLimit: false,
      auth: { bearerJwt: [{ wellKnownUri: `${idp.base}/keys`, options: { issuer: 'direct' } }] },
    });
    expect((await a.authenticate(req({ auth: bearer(await sign(ec, 'ES256', { iss: 'direct' })) }))).ok).toBe(true);
  });
});

describe('configuration errors name the path', () => {
  it.each([
    [{ publicKey: 'missing.pem' }, /^auth\.bearerJwt\[0\]\.publicKey: file not found/],
    [{ publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }, /^auth\.bearerJwt\[0\]\.publicKey: not a PEM/],
    [{ azureTenantId: 'contoso.onmicrosoft.com' }, /^auth\.bearerJwt\[0\]\.azureTenantId: must be the tenant GUID/],
    [
      { wellKnownUri: 'https://idp.example/.well-known/openid-configuration' },
      /^auth\.bearerJwt\[0\]\.options: issuer or audience/,
    ],
    [{ wellKnownUri: 'ftp://idp.example/x', options: { issuer: 'i' } }, /^auth\.bearerJwt\[0\]\.wellKnownUri: must be http/],
    [
      { secret: 'x'.repeat(40), options: { ignoreExpiration: true } },
      /^auth\.bearerJwt\[0\]\.options\.ignoreExpiration: unknown key; known keys: issuer, audience/,
    ],
    [{ secret: 'x'.repeat(40), options: { algorithms: ['RS256'] } }, /^auth\.bearerJwt\[0\]\.options\.algorithms: none of RS256/],
    // A secret of the wrong type is named, never repeated.
    [{ secret: 42 }, /^auth\.bearerJwt\[0\]\.secret: expected string$/],
  ])('%j', async (entry, message) => {
    await expect(createAuthenticator({ certsDir: certsDir, auth: { bearerJwt: [entry as never] } })).rejects.toThrow(message);
  });

  it('absolute publicKey paths and inline PEM work', async () => {
    const a = await createAuthenticator({
      rateLimit: false,
      auth: { bearerJwt: [{ publicKey: join(certsDir, 'jwt-public.pem') }, { publicKey: pemText }] },
    });
    expect((await a.authenticate(req({ auth: bearer(await sign(pem, 'RS256', {})) }))).ok).toBe(true);
  });

  it('never logs the tokens it saw', () => {
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.text()).not.toContain(HS_SECRET);
    expect(log.text()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });
});

describe('algorithms follow the key type', () => {
  it('algorithmsForKey', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { algorithmsForKey, HMAC_ALGS, ASYMMETRIC_ALGS } = await import('../src/keys.js');
    expect(algorithmsForKey(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)).toEqual([
      'RS256',
      'RS384',
      'RS512',
      'PS256',
      'PS384',
      'PS512',
    ]);
    expect(algorithmsForKey(generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey)).toEqual([
      'PS256',
      'PS384',
      'PS512',
    ]);
    expect(algorithmsForKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toEqual(['ES256']);
    expect(algorithmsForKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)).toEqual(['ES384']);
    expect(algorithmsForKey(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey)).toEqual([]);
    expect(algorithmsForKey(generateKeyPairSync('ed25519').publicKey)).toEqual(['EdDSA', 'Ed25519']);
    expect(algorithmsForKey(generateKeyPairSync('x25519').publicKey)).toEqual([]);
    for (const alg of [...HMAC_ALGS, ...ASYMMETRIC_ALGS]) expect(alg.toLowerCase()).not.toBe('none');
    expect(ASYMMETRIC_ALGS.some((a) => a.startsWith('HS'))).toBe(false);
  });

  it('verifiers of each kind carry only their own algorithms', async () => {
    const { buildJwtVerifiers } = await import('../src/jwt.js');
    const ctx = { certsDir, fetch, now: Date.now, jwksCacheMs: 1000, jwksCooldownMs: 1000 };
    const scope = { readOnly: false, baseEntities: [] };
    const [s] = await buildJwtVerifiers({ secret: HS_SECRET }, 'p', scope, ctx);
    const [k] = await buildJwtVerifiers({ publicKey: 'jwt-public.pem' }, 'p', scope, ctx);
    const [j] = await buildJwtVerifiers({ wellKnownUri: idp.wellKnown, options: { issuer: 'x' } }, 'p', scope, ctx);
    expect(s!.algorithms).toEqual(['HS256', 'HS384', 'HS512']);
    expect(k!.algorithms.every((a) => /^(RS|PS)/.test(a))).toBe(true);
    expect(j!.algorithms.some((a) => a.startsWith('HS'))).toBe(false);
    await expect(buildJwtVerifiers({ secret: null, publicKey: null }, 'p', scope, ctx)).resolves.toEqual([]);
  });

  it('an ed25519 PEM key verifies EdDSA tokens', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const a = await createAuthenticator({
      rateLimit: false,
      auth: { bearerJwt: [{ publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string }] },
    });
    const t = await new SignJWT({ sub: 'ed' }).setProtectedHeader({ alg: 'EdDSA' }).setExpirationTime('5m').sign(privateKey);
    expect(await a.authenticate(req({ auth: bearer(t) }))).toMatchObject({ ok: true, principal: { name: 'ed' } });
  });
});
