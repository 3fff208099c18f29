/**
 * Key loading and the algorithms each key type may verify. Restricting algorithms to the
 * key type is what defeats algorithm-confusion attacks (an HS256 token "signed" with an RSA
 * public key used as HMAC secret) and `alg: none`.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/** HMAC algorithms, for shared secrets only. */
export const HMAC_ALGS: readonly string[] = ['HS256', 'HS384', 'HS512'];
/** Every asymmetric JWS algorithm accepted from a JWKS. */
export const ASYMMETRIC_ALGS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

const EC_CURVES: Record<string, string> = { prime256v1: 'ES256', 'P-256': 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * JWS algorithms a public key may verify.
 *
 * @returns an empty list for key types that cannot verify JWTs
 */
export function algorithmsForKey(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const alg = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg ? [alg] : [];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}

/**
 * Load a public key from a PEM file (public key, X.509 certificate, or private key whose
 * public half is used) or from inline PEM text.
 *
 * @param value - file name (relative to `certsDir`), absolute path, or PEM text
 * @param certsDir - folder for relative names
 * @param path - config path for error messages
 */
export async function loadPublicKey(value: string, certsDir: string, path: string): Promise<KeyObject> {
  let pem: string;
  if (value.includes('-----BEGIN')) {
    pem = value;
  } else {
    const file = isAbsolute(value) ? value : resolve(certsDir, value);
    try {
      pem = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`${path}: ${code === 'ENOENT' ? 'file not found' : 'cannot read file'} (${file})`, { cause: err });
    }
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new Error(`${path}: not a PEM public key, certificate or private key`, { cause: err });
  }
  if (algorithmsForKey(key).length === 0) {
    throw new Error(`${path}: unsupported key type ${key.asymmetricKeyType ?? 'unknown'} (use RSA, EC P-256/384/521 or Ed25519)`);
  }
  return key;
}
