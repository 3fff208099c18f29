// Runtime smoke test of the built package on Bun and on Node (run by runtime-bun.test.ts; by hand:
// `bun test/bun-smoke.mjs` after `tsup`). Exercises the node:crypto APIs the package relies on
// (scrypt, HMAC, HKDF, KeyObject PEM import) and jose's JWKS path against a local node:http server,
// and checks that forged, expired and unsigned tokens are refused on this runtime too.
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
    access: 'read',
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
  // Strict checks hold on this runtime as well: another key's signature, an expired token and an
  // unsigned (alg "none") token are all refused.
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const forged = await new SignJWT({ sub: 'x' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer('jwks')
    .setExpirationTime('5m')
    .sign(other);
  assert.equal((await a.authenticate(req(`Bearer ${forged}`))).status, 401, 'forged signature accepted');
  const expired = await new SignJWT({ sub: 'x' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer('pem')
    .setExpirationTime(Math.floor(Date.now() / 1000) - 600)
    .sign(privateKey);
  assert.equal((await a.authenticate(req(`Bearer ${expired}`))).status, 401, 'expired token accepted');
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', iss: 'pem', exp: Math.floor(Date.now() / 1000) + 300 })}.`;
  assert.equal((await a.authenticate(req(`Bearer ${unsigned}`))).status, 401, 'unsigned token accepted');
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
