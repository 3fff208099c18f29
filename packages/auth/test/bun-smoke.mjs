// Runtime smoke test of the built package, for Bun (and Node): `bun test/bun-smoke.mjs` after `tsup`.
// Exercises the node:crypto APIs the package relies on (scrypt, HMAC, HKDF, KeyObject PEM import)
// and jose's JWKS path against a local node:http server.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, SignJWT } from 'jose';
import { createAuthenticator, hashPassword } from '../dist/index.js';

const basic = (u, p) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ jwks_uri: `${base}/keys` }));
  else res.end(JSON.stringify({ keys: [jwk] }));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
try {
  const a = await createAuthenticator({
    auth: {
      basic: [{ username: 'gw', password: await hashPassword('pw', { N: 1024 }) }],
      bearerJwt: [
        { publicKey: publicKey.export({ type: 'spki', format: 'pem' }), options: { issuer: 'pem' } },
        { wellKnownUri: `${base}/.well-known/openid-configuration`, options: { issuer: 'jwks' } },
      ],
      bearerOAuth: [{ clientId: 'c', clientSecret: 's' }],
    },
    ipAllowList: ['127.0.0.0/8', '::1'],
  });
  const req = (authorization) => ({
    method: 'GET',
    path: '/Users',
    headers: { authorization },
    remoteAddress: '::ffff:127.0.0.1',
  });
  assert.equal((await a.authenticate(req(basic('gw', 'pw')))).ok, true);
  assert.equal((await a.authenticate(req(basic('gw', 'no')))).status, 401);
  for (const iss of ['pem', 'jwks']) {
    const t = await new SignJWT({ sub: iss })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(iss)
      .setExpirationTime('5m')
      .sign(privateKey);
    const r = await a.authenticate(req(`Bearer ${t}`));
    assert.equal(r.ok, true, `${iss}: ${r.detail}`);
  }
  const tok = await a.tokenEndpoint({
    headers: {},
    body: 'grant_type=client_credentials&client_id=c&client_secret=s',
    remoteAddress: '127.0.0.1',
  });
  assert.equal(tok.status, 200);
  assert.equal((await a.authenticate(req(`Bearer ${tok.body.access_token}`))).ok, true);
  console.log(`ok (${typeof Bun === 'undefined' ? `node ${process.version}` : `bun ${Bun.version}`})`);
} finally {
  server.close();
}
