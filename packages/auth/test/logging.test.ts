import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, ENTRA_PROVISIONING_AUDIENCE, hashPassword } from '../src/index.js';
import { basicHeader, bearer, captureLogger, type LocalIdp, makeKey, makeNodeRsaKey, req, sign, startIdp } from './helpers.js';

const TENANT = '0d2c9a4b-1111-4222-8333-444455556666';
const secrets = {
  basicPw: 'basic-password-Zq81',
  basicPw2: 'hashed-password-Xy72',
  wrongPw: 'wrong-password-Pp09',
  token: 'shared-bearer-token-Rt55',
  wrongToken: 'wrong-bearer-token-Wb11',
  hs: 'jwt-hmac-secret-Hs99-0123456789abcdef',
  clientSecret: 'oauth-client-secret-Cs77',
  wrongClientSecret: 'oauth-wrong-secret-Wc22',
  seed: 'token-signing-seed-Sd44',
  passThrough: 'Bearer passthrough-backend-Pt66',
};

let idp: LocalIdp;
let certsDir: string;
beforeAll(async () => {
  idp = await startIdp([await makeKey('RS256', 'k1')]);
  certsDir = await mkdtemp(join(tmpdir(), 'scimgw-auth-log-'));
});
afterAll(async () => {
  await idp.close();
  await rm(certsDir, { recursive: true, force: true });
});

describe('no secret or token in any log line', () => {
  it('after every kind of success and failure at debug level', async () => {
    const logger = captureLogger();
    const used: string[] = Object.values(secrets);
    const pem = await makeNodeRsaKey('pem');
    await writeFile(join(certsDir, 'k.pem'), pem.pem);
    const a = await createAuthenticator({
      logger,
      certsDir,
      tokenSigningSeed: secrets.seed,
      rateLimit: { maxFailures: 3, windowSeconds: 60 },
      auth: {
        basic: [
          { username: 'admin', password: secrets.basicPw },
          { username: 'hashed', password: await hashPassword(secrets.basicPw2, { N: 1024 }), readOnly: true },
        ],
        bearerToken: [{ token: secrets.token, baseEntities: ['a'] }],
        bearerJwt: [
          { secret: secrets.hs, options: { issuer: 'hs' } },
          { publicKey: 'k.pem' },
          { azureTenantId: TENANT, wellKnownUri: idp.wellKnown },
        ],
        bearerOAuth: [{ clientId: 'client', clientSecret: secrets.clientSecret }],
      },
    });
    const hs = new TextEncoder().encode(secrets.hs);
    const tokens = [
      await sign(hs, 'HS256', { iss: 'hs', sub: 'svc' }),
      await sign(hs, 'HS256', { iss: 'hs', exp: -100 }),
      await sign(pem, 'RS256', {}),
      await sign(idp.keys[0]!, 'RS256', {
        iss: `https://sts.windows.net/${TENANT}/`,
        aud: ENTRA_PROVISIONING_AUDIENCE,
        claims: { tid: TENANT },
      }),
      await sign(idp.keys[0]!, 'RS256', { iss: `https://sts.windows.net/${TENANT}/`, aud: 'wrong' }),
    ];
    used.push(...tokens);
    const tr = await a.tokenEndpoint({
      headers: {},
      body: `grant_type=client_credentials&client_id=client&client_secret=${secrets.clientSecret}`,
      remoteAddress: '127.0.0.1',
    });
    const issued = (tr.body as { access_token: string }).access_token;
    used.push(issued);
    await a.tokenEndpoint({
      headers: { authorization: basicHeader('client', secrets.wrongClientSecret) },
      body: 'grant_type=client_credentials',
      remoteAddress: '127.0.0.2',
    });

    const headers = [
      basicHeader('admin', secrets.basicPw),
      basicHeader('admin', secrets.wrongPw),
      basicHeader('hashed', secrets.basicPw2),
      basicHeader(secrets.wrongPw, secrets.wrongPw),
      bearer(secrets.token),
      bearer(secrets.wrongToken),
      bearer(issued),
      secrets.wrongToken, // a bare token without a scheme
      secrets.passThrough,
      ...tokens.map(bearer),
    ];
    const results = [];
    for (const [i, h] of headers.entries()) {
      // One address per header: each is tried 4 times, so repeated failures reach the limit of 3.
      const remoteAddress = `192.0.2.${i + 10}`;
      for (const [method, access] of [
        ['GET', 'read'],
        ['DELETE', 'write'],
      ] as const) {
        results.push(await a.authenticate(req({ method, access, auth: h, tenant: 'b', remoteAddress })));
        results.push(await a.authenticate(req({ method, access, auth: h, remoteAddress })));
      }
    }
    if (process.env.SHOW_LOG) console.log(logger.text());
    expect(results.some((r) => r.ok)).toBe(true);
    expect(results.some((r) => !r.ok && r.status === 429)).toBe(true);
    expect(results.some((r) => !r.ok && r.status === 405)).toBe(true);

    const text = logger.text();
    expect(logger.lines.length).toBeGreaterThan(10);
    expect(text).toContain('"level":"debug"');
    expect(text).toContain('authentication failed');
    for (const s of used) {
      expect(text).not.toContain(s);
      // Not even as the base64 of a Basic header, nor a JWT signature part.
      expect(text).not.toContain(Buffer.from(s).toString('base64').slice(0, 16));
      const sig = s.split('.')[2];
      if (sig) expect(text).not.toContain(sig);
    }
    // Results handed to the host carry no secrets either (except passThrough's own header).
    const resultText = JSON.stringify(results.filter((r) => !(r.ok && r.principal.method === 'passThrough')));
    for (const s of used) expect(resultText).not.toContain(s);
  });
});
