/** Test certificates and a federated OpenID Connect issuer, made with the openssl CLI and jose. */
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const run = promisify(execFile);

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
  sha1Hex: string;
  sha256Hex: string;
}

/** A self-signed RSA certificate as an app registration would upload it. */
export async function clientCertificate(cn = 'graph-emulator-client'): Promise<ClientCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'graph-emu-cert-'));
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
    ]);
    const [certPem, keyPem] = await Promise.all([readFile(join(dir, 'c.pem'), 'utf8'), readFile(join(dir, 'k.pem'), 'utf8')]);
    const raw = new X509Certificate(certPem).raw;
    return {
      certPem,
      keyPem,
      sha1Hex: createHash('sha1').update(raw).digest('hex'),
      sha256Hex: createHash('sha256').update(raw).digest('hex'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A self-signed server certificate for 127.0.0.1 (the federated issuer's TLS). */
export async function serverCertificate(): Promise<{ certPem: string; keyPem: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'graph-emu-issuer-'));
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    const [certPem, keyPem] = await Promise.all([readFile(join(dir, 'c.pem'), 'utf8'), readFile(join(dir, 'k.pem'), 'utf8')]);
    return { certPem, keyPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An external OIDC issuer (like a Kubernetes or GitHub workload issuer) serving discovery and JWKS over HTTPS. */
export async function startIssuer() {
  const tls = await serverCertificate();
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'issuer-key-1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  let fetches = 0;
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    fetches++;
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (
    claims: { sub: string; aud?: string; expiresIn?: number; iat?: number },
    key = privateKey,
    kid = 'issuer-key-1',
  ) => {
    const iat = claims.iat ?? Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(claims.sub)
      .setAudience(claims.aud ?? 'api://AzureADTokenExchange')
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + (claims.expiresIn ?? 600))
      .sign(key);
  };
  return {
    get issuer() {
      return issuer;
    },
    caPem: tls.certPem,
    sign,
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A PEM private key usable by msal-node (PKCS#8). */
export function pkcs8(keyPem: string): string {
  return createPrivateKey(keyPem).export({ format: 'pem', type: 'pkcs8' }) as string;
}
