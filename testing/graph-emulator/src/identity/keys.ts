/** The emulator's token signing key and its JWKS, as the identity platform publishes keys. */
import { createHash, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

/** An RSA signing key with its public JWK. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

/** Creates a fresh RS256 key (one per emulator, so tokens of one emulator fail at another). */
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048 });
  const exported = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const kid = createHash('sha256').update(String(exported.n)).digest('base64url').slice(0, 27);
  return { kid, privateKey, publicKey, jwk: { kty: 'RSA', use: 'sig', kid, x5t: kid, n: exported.n, e: exported.e } };
}
