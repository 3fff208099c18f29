import { describe, expect, it } from 'vitest';
import { type AuthOptions, createAuthenticator, tenantAllowed } from '../src/index.js';
import { basicHeader, bearer, captureLogger, req } from './helpers.js';

const base: AuthOptions = {
  rateLimit: false,
  auth: {
    basic: [
      { username: 'admin', password: 'admin-pw' },
      { username: 'reader', password: 'reader-pw', readOnly: true },
      { username: 'tenant-a', password: 'a-pw', baseEntities: ['a'] },
    ],
    bearerToken: [
      { token: 'shared-token-1', readOnly: true, baseEntities: ['a', 'b'] },
      { token: null },
      { token: 'shared-token-2', name: 'entra' },
    ],
  },
};

describe('read-only credentials', () => {
  it.each([
    ['GET', 'read'],
    ['POST', 'read'],
    ['POST', 'write'],
    ['PUT', 'write'],
    ['PATCH', 'write'],
    ['DELETE', 'write'],
    ['GET', 'write'],
  ] as const)('%s with access %s: the host-given access decides, not the method', async (method, access) => {
    const read = access === 'read';
    const a = await createAuthenticator(base);
    const r = await a.authenticate(req({ method, access, auth: basicHeader('reader', 'reader-pw') }));
    if (read) expect(r.ok).toBe(true);
    else expect(r).toMatchObject({ ok: false, status: 405, detail: 'this credential is read-only' });
    const w = await a.authenticate(req({ method, access, auth: basicHeader('admin', 'admin-pw') }));
    expect(w.ok).toBe(true);
  });

  it('applies to bearer tokens as well', async () => {
    const a = await createAuthenticator(base);
    expect(
      await a.authenticate(req({ method: 'PATCH', access: 'write', tenant: 'a', auth: bearer('shared-token-1') })),
    ).toMatchObject({
      status: 405,
    });
    expect(await a.authenticate(req({ method: 'PATCH', access: 'write', auth: bearer('shared-token-2') }))).toMatchObject({
      ok: true,
      principal: { name: 'entra', method: 'bearerToken' },
    });
  });
});

describe('tenant scoping (baseEntities)', () => {
  it('limits a credential to its tenants', async () => {
    const a = await createAuthenticator(base);
    const h = basicHeader('tenant-a', 'a-pw');
    expect((await a.authenticate(req({ tenant: 'a', auth: h }))).ok).toBe(true);
    expect(await a.authenticate(req({ tenant: 'b', auth: h }))).toMatchObject({ ok: false, status: 403 });
    expect(await a.authenticate(req({ auth: h }))).toMatchObject({ ok: false, status: 403 });
    expect((await a.authenticate(req({ tenant: 'b', auth: bearer('shared-token-1') }))).ok).toBe(true);
    expect(await a.authenticate(req({ tenant: 'c', auth: bearer('shared-token-1') }))).toMatchObject({ status: 403 });
    // Unrestricted credentials reach every tenant and the root.
    expect((await a.authenticate(req({ tenant: 'zzz', auth: basicHeader('admin', 'admin-pw') }))).ok).toBe(true);
  });

  it('tenantAllowed', () => {
    expect(tenantAllowed({ baseEntities: [] }, undefined)).toBe(true);
    expect(tenantAllowed({ baseEntities: ['x'] }, 'x')).toBe(true);
    expect(tenantAllowed({ baseEntities: ['x'] }, 'X')).toBe(false);
  });
});

describe('bearer tokens', () => {
  it.each(['shared-token-3', 'shared-token-', 'shared-token-11', '', 'Shared-token-2'])('refuses %j', async (t) => {
    const a = await createAuthenticator(base);
    const r = await a.authenticate(req({ auth: bearer(t) }));
    expect(r).toMatchObject({ ok: false, status: 401 });
    expect(!r.ok && r.headers['WWW-Authenticate']).toMatch(/^Bearer realm="scimgw", error="invalid_token"/);
  });

  it('scheme names are case-insensitive; unknown schemes get every challenge', async () => {
    const a = await createAuthenticator(base);
    expect((await a.authenticate(req({ auth: 'bearer shared-token-2' }))).ok).toBe(true);
    expect((await a.authenticate(req({ auth: `BASIC ${Buffer.from('admin:admin-pw').toString('base64')}` }))).ok).toBe(true);
    const r = await a.authenticate(req({ auth: 'Digest username="admin"' }));
    expect(r).toMatchObject({
      ok: false,
      status: 401,
      headers: { 'WWW-Authenticate': 'Basic realm="scimgw", charset="UTF-8", Bearer realm="scimgw"' },
    });
  });
});

describe('ipAllowList and trusted proxies', () => {
  const opts: AuthOptions = { ...base, ipAllowList: ['13.66.141.64/27', '2603:1056:2000::/48'], trustedProxies: ['10.0.0.0/8'] };

  it('admits addresses in the list (IPv4, IPv4-mapped, IPv6) and refuses others with 403', async () => {
    const a = await createAuthenticator(opts);
    const h = basicHeader('admin', 'admin-pw');
    for (const ip of ['13.66.141.70', '::ffff:13.66.141.70', '2603:1056:2000:1::9']) {
      expect((await a.authenticate(req({ remoteAddress: ip, auth: h }))).ok).toBe(true);
    }
    expect(await a.authenticate(req({ remoteAddress: '203.0.113.5', auth: h }))).toMatchObject({ ok: false, status: 403 });
  });

  it('a client cannot spoof its way in with X-Forwarded-For', async () => {
    const a = await createAuthenticator(opts);
    const h = basicHeader('admin', 'admin-pw');
    // Direct client sends the header itself.
    const direct = await a.authenticate(
      req({ remoteAddress: '203.0.113.5', auth: h, headers: { 'x-forwarded-for': '13.66.141.70' } }),
    );
    expect(direct).toMatchObject({ ok: false, status: 403 });
    // Through the trusted proxy: the proxy appends the real peer, the client's own value is ignored.
    const viaProxy = await a.authenticate(
      req({ remoteAddress: '10.1.2.3', auth: h, headers: { 'x-forwarded-for': '13.66.141.70, 203.0.113.5' } }),
    );
    expect(viaProxy).toMatchObject({ ok: false, status: 403 });
    // A genuine allowed client behind the proxy.
    const genuine = await a.authenticate(
      req({ remoteAddress: '10.1.2.3', auth: h, headers: { 'x-forwarded-for': '13.66.141.70' } }),
    );
    expect(genuine.ok).toBe(true);
    expect(a.clientAddress({ remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '13.66.141.70' } })).toBe('13.66.141.70');
    expect(a.clientAddress({ remoteAddress: '::ffff:203.0.113.5', headers: { 'x-forwarded-for': '13.66.141.70' } })).toBe(
      '203.0.113.5',
    );
  });

  it('is checked before credentials, also for the token endpoint', async () => {
    const a = await createAuthenticator({ ...opts, auth: { bearerOAuth: [{ clientId: 'c', clientSecret: 's' }] } });
    expect(await a.authenticate(req({ remoteAddress: '203.0.113.5' }))).toMatchObject({ status: 403 });
    const t = await a.tokenEndpoint({
      headers: {},
      body: 'grant_type=client_credentials&client_id=c&client_secret=s',
      remoteAddress: '203.0.113.5',
    });
    expect(t.status).toBe(403);
  });
});

describe('failed-login rate limit', () => {
  it('answers 429 with Retry-After once an address fails too often, until the window ends', async () => {
    let now = 1_700_000_000_000;
    const a = await createAuthenticator({ ...base, now: () => now, rateLimit: { maxFailures: 3, windowSeconds: 60 } });
    const bad = basicHeader('admin', 'guess');
    const good = basicHeader('admin', 'admin-pw');
    for (let i = 0; i < 3; i++)
      expect(await a.authenticate(req({ remoteAddress: '198.51.100.9', auth: bad }))).toMatchObject({ status: 401 });
    const limited = await a.authenticate(req({ remoteAddress: '198.51.100.9', auth: good }));
    expect(limited).toMatchObject({ ok: false, status: 429, headers: { 'Retry-After': '60' } });
    now += 45_000;
    expect(await a.authenticate(req({ remoteAddress: '::ffff:198.51.100.9', auth: good }))).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '15' },
    });
    // Other addresses are unaffected; missing credentials and 403/405 do not count.
    expect((await a.authenticate(req({ remoteAddress: '198.51.100.10', auth: good }))).ok).toBe(true);
    for (let i = 0; i < 5; i++) await a.authenticate(req({ remoteAddress: '198.51.100.11' }));
    expect((await a.authenticate(req({ remoteAddress: '198.51.100.11', auth: good }))).ok).toBe(true);
    now += 16_000;
    expect((await a.authenticate(req({ remoteAddress: '198.51.100.9', auth: good }))).ok).toBe(true);
  });

  it('is on by default (10 failures per 60 s)', async () => {
    const a = await createAuthenticator({ auth: base.auth });
    for (let i = 0; i < 10; i++) await a.authenticate(req({ remoteAddress: '192.0.2.1', auth: bearer('wrong') }));
    expect(await a.authenticate(req({ remoteAddress: '192.0.2.1', auth: bearer('wrong') }))).toMatchObject({ status: 429 });
  });
});

describe('passThrough', () => {
  it('returns the raw Authorization header when enabled', async () => {
    const a = await createAuthenticator({
      rateLimit: false,
      auth: { passThrough: { enabled: true, readOnly: false, baseEntities: ['p'] } },
    });
    expect(a.enabled).toBe(true);
    const r = await a.authenticate(req({ tenant: 'p', auth: 'Bearer backend-token-xyz' }));
    expect(r).toEqual({
      ok: true,
      principal: { name: 'passThrough', method: 'passThrough', readOnly: false, baseEntities: ['p'] },
      authorization: 'Bearer backend-token-xyz',
    });
    expect(await a.authenticate(req({ tenant: 'q', auth: 'Bearer backend-token-xyz' }))).toMatchObject({ status: 403 });
    expect(await a.authenticate(req({ tenant: 'p' }))).toMatchObject({ status: 401 });
  });

  it('lets local credentials win and never forwards them', async () => {
    const a = await createAuthenticator({
      rateLimit: { maxFailures: 1 },
      auth: { ...base.auth, passThrough: { enabled: true, readOnly: true } },
    });
    const local = await a.authenticate(req({ method: 'POST', access: 'write', auth: basicHeader('admin', 'admin-pw') }));
    expect(local).toEqual({ ok: true, principal: { name: 'admin', method: 'basic', readOnly: false, baseEntities: [] } });
    const foreign = await a.authenticate(req({ auth: basicHeader('backend-user', 'backend-pw') }));
    expect(foreign).toMatchObject({ ok: true, principal: { method: 'passThrough', readOnly: true } });
    expect(foreign.ok && foreign.authorization).toBe(basicHeader('backend-user', 'backend-pw'));
    // Pass-through requests are not failed logins.
    expect((await a.authenticate(req({ auth: basicHeader('backend-user', 'other') }))).ok).toBe(true);
  });

  it('judges configured user names locally, so pass-through is no way around the failed-login limit', async () => {
    const a = await createAuthenticator({
      rateLimit: { maxFailures: 2, windowSeconds: 60 },
      auth: {
        basic: [{ username: 'admin', password: 'admin-pw' }],
        bearerOAuth: [{ clientId: 'c', clientSecret: 's' }],
        passThrough: { enabled: true },
      },
    });
    const guess = await a.authenticate(req({ remoteAddress: '192.0.2.99', auth: basicHeader('admin', 'guess-1') }));
    expect(guess).toMatchObject({ ok: false, status: 401 });
    // A forged token that claims to be one this gateway issued is not forwarded either.
    const t = await a.tokenEndpoint({
      headers: {},
      body: 'grant_type=client_credentials&client_id=c&client_secret=s',
      remoteAddress: '127.0.0.1',
    });
    const token = (t.body as { access_token: string }).access_token;
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
    expect(await a.authenticate(req({ remoteAddress: '192.0.2.99', auth: bearer(forged) }))).toMatchObject({ status: 401 });
    expect(await a.authenticate(req({ remoteAddress: '192.0.2.99', auth: basicHeader('admin', 'admin-pw') }))).toMatchObject({
      status: 429,
    });
    // Other user names still pass through.
    expect(await a.authenticate(req({ auth: basicHeader('someone', 'x') }))).toMatchObject({
      ok: true,
      principal: { method: 'passThrough' },
    });
  });

  it("counts the backend's refusals as failed logins: past the limit the address gets 429 before reaching the backend", async () => {
    const logger = captureLogger();
    const a = await createAuthenticator({
      rateLimit: { maxFailures: 3, windowSeconds: 60 },
      auth: { basic: [{ username: 'admin', password: 'admin-pw' }], passThrough: { enabled: true } },
      logger,
    });
    const guess = (n: number) => req({ remoteAddress: '192.0.2.7', auth: basicHeader('backend-user', `guess-${n}`) });
    for (let n = 1; n <= 3; n++) {
      expect(await a.authenticate(guess(n))).toMatchObject({ ok: true, principal: { method: 'passThrough' } });
      // The connector answered 401: the host reports it, and gets the challenge a 401 carries.
      expect(a.passThroughRefused(guess(n))).toEqual({
        'WWW-Authenticate': expect.stringMatching(/^Basic realm="[^"]+", charset="UTF-8"/),
      });
    }
    expect(await a.authenticate(guess(4))).toMatchObject({
      ok: false,
      status: 429,
      headers: { 'Retry-After': expect.any(String) },
    });
    // The limit is the address's: the gateway's own user from there is refused as well; elsewhere, all is well.
    expect(await a.authenticate(req({ remoteAddress: '192.0.2.7', auth: basicHeader('admin', 'admin-pw') }))).toMatchObject({
      status: 429,
    });
    expect(await a.authenticate(req({ remoteAddress: '192.0.2.8', auth: basicHeader('backend-user', 'right') }))).toMatchObject({
      ok: true,
    });
    const text = logger.text();
    expect(text).toMatch(/passed-through credentials refused.*the backend refused them/);
    for (let n = 1; n <= 4; n++) expect(text).not.toContain(`guess-${n}`);
  });

  it('is off unless enabled', async () => {
    const a = await createAuthenticator({ auth: { passThrough: { enabled: false } } });
    expect(a.enabled).toBe(false);
    expect(await a.authenticate(req({ auth: 'Bearer x' }))).toMatchObject({ ok: false, status: 401 });
  });
});

describe('validate (GET /auth)', () => {
  it('checks the credential and tenant but not the method', async () => {
    const a = await createAuthenticator(base);
    expect(await a.validate(req({ auth: basicHeader('reader', 'reader-pw') }))).toMatchObject({
      ok: true,
      principal: { readOnly: true },
    });
    expect((await a.validate({ ...req({ auth: basicHeader('reader', 'reader-pw') }), method: 'DELETE' })).ok).toBe(true);
    expect((await a.validate(req({ auth: basicHeader('tenant-a', 'a-pw') }))).ok).toBe(true);
    expect(await a.validate(req({ auth: basicHeader('tenant-a', 'a-pw'), tenant: 'b' }))).toMatchObject({ status: 403 });
    expect(await a.validate(req({ auth: basicHeader('reader', 'nope') }))).toMatchObject({ status: 401 });
  });
});

describe('schemes and enabled', () => {
  it('describes configured methods for ServiceProviderConfig', async () => {
    const a = await createAuthenticator({
      auth: { ...base.auth, bearerOAuth: [{ clientId: 'c', clientSecret: 's' }], bearerJwt: [{ secret: 'x'.repeat(32) }] },
    });
    const s = a.schemes();
    expect(s.map((x) => x.type)).toEqual(['oauth2', 'oauthbearertoken', 'oauthbearertoken', 'httpbasic']);
    expect(s[0]!.primary).toBe(true);
    expect(s.filter((x) => x.primary).length).toBe(1);
    s[0]!.name = 'mutated';
    expect(a.schemes()[0]!.name).not.toBe('mutated');
  });

  it('fails closed with nothing configured', async () => {
    const logger = captureLogger();
    const a = await createAuthenticator({ logger, auth: { basic: [{ username: null, password: null }], bearerToken: null } });
    expect(a.enabled).toBe(false);
    expect(a.schemes()).toEqual([]);
    expect(await a.authenticate(req({ auth: basicHeader('a', 'b') }))).toMatchObject({ ok: false, status: 401 });
    // Whether to refuse to start is the host's decision (the gateway does); the package only says `enabled`.
    expect(logger.text()).not.toContain('no authentication method');
  });
});

describe('configuration errors name the path', () => {
  it.each([
    [{ auth: null }, /^auth: must be an object/],
    [{ auth: { basic: {} } }, /^auth\.basic: expected array, got an object/],
    [{ auth: { basic: ['x'] } }, /^auth\.basic\[0\]: expected object, got the string "x"/],
    [{ auth: { basic: [{ username: 'u', password: null }] } }, /^auth\.basic\[0\]\.password: required/],
    [{ auth: { basic: [{ username: 'a:b', password: 'p' }] } }, /^auth\.basic\[0\]\.username: must not contain/],
    [
      { auth: { basic: [{ username: 'u', password: 'p', readOnly: 'yes' }] } },
      /^auth\.basic\[0\]\.readOnly: expected boolean, got the string "yes"/,
    ],
    [
      { auth: { bearerToken: [{ token: 't', baseEntities: 'a' }] } },
      /^auth\.bearerToken\[0\]\.baseEntities: expected array, got the string "a"/,
    ],
    [{ auth: { passThrough: { enabled: 'true' } } }, /^auth\.passThrough\.enabled: expected boolean, got the string "true"/],
    [{ auth: {}, ipAllowList: ['10.0.0.0/8', '10.0.0.0/40'] }, /^ipAllowList\[1\]: /],
    [{ auth: {}, trustedProxies: 'x' }, /^trustedProxies: must be an array/],
    [{ auth: {}, rateLimit: { maxFailures: 0 } }, /^rateLimit\.maxFailures: must be a number/],
    [{ auth: {}, oauthTokenLifetimeSeconds: -1 }, /^oauthTokenLifetimeSeconds: /],
    [{ auth: {}, realm: 'a"b' }, /^realm: /],
  ])('%j', async (o, message) => {
    await expect(createAuthenticator(o as never)).rejects.toThrow(message);
  });

  it('never puts a secret in an error message', async () => {
    const err = await createAuthenticator({
      auth: { basic: [{ username: 'u', password: '$scrypt$1$2$3$super-secret-salt$x' }] },
    }).catch((e: Error) => e);
    expect(String(err)).toMatch(/^Error: auth\.basic\[0\]\.password/);
    expect(String(err)).not.toContain('super-secret');
  });
});
