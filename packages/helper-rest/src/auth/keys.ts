/**
 * Signing keys for client assertions: PEM loading (PKCS#1 or PKCS#8, optionally
 * encrypted) and certificate thumbprints for the `x5t` / `x5t#S256` headers.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { type CryptoKey, importJWK, type JWK } from 'jose';
import { RestConfigError } from '../errors.js';

/** A private signing key with its public JWK. */
export interface SigningKey {
  privateKey: CryptoKey | Uint8Array;
  publicJwk: JWK;
}

/**
 * Imports a PEM private key for RS256. Going through a JWK keeps this free of
 * runtime-specific key object handling (Node and Bun both export JWKs).
 */
export async function importRsaPrivateKey(pem: string, passphrase?: string | null): Promise<SigningKey> {
  try {
    const keyObject = createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
    if (keyObject.asymmetricKeyType !== 'rsa') throw new Error(`key type ${keyObject.asymmetricKeyType} is not RSA`);
    const privateJwk = keyObject.export({ format: 'jwk' }) as JWK;
    const publicJwk = createPublicKey(keyObject).export({ format: 'jwk' }) as JWK;
    const privateKey = await importJWK(privateJwk, 'RS256');
    return { privateKey, publicJwk };
  } catch (e) {
    throw new RestConfigError(`Cannot use private key for RS256: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * {@link importRsaPrivateKey} once, on first use (importing is async, so flows read the PEM at
 * startup and import here); a failed import is tried again on the next call.
 */
export function lazyRsaPrivateKey(pem: string, passphrase?: string | null): () => Promise<SigningKey> {
  let key: Promise<SigningKey> | undefined;
  return () => {
    key ??= importRsaPrivateKey(pem, passphrase);
    key.catch(() => {
      key = undefined;
    });
    return key;
  };
}

/** DER bytes of the first certificate in a PEM bundle. */
export function certificateDer(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m?.[1]) throw new RestConfigError('tls.cert does not contain a PEM certificate');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/**
 * `x5t` (SHA-1) and `x5t#S256` (SHA-256) thumbprints of a certificate,
 * base64url encoded (RFC 7515 §4.1.7–4.1.8). Entra ID accepts either.
 */
export function certificateThumbprints(pem: string): { x5t: string; 'x5t#S256': string } {
  const der = certificateDer(pem);
  return {
    x5t: createHash('sha1').update(der).digest('base64url'),
    'x5t#S256': createHash('sha256').update(der).digest('base64url'),
  };
}
