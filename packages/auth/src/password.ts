/**
 * Password hashes in the `$scrypt$N$r$p$salt$hash` format (node:crypto scrypt; salt and
 * hash base64url). Verification is asynchronous: scrypt runs on the libuv thread pool, so a
 * slow hash never blocks the event loop.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** A parsed `$scrypt$` hash. */
export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Cost parameters for {@link hashPassword}. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. Default 32768 (2^15). */
  N?: number;
  /** Block size. Default 8. */
  r?: number;
  /** Parallelism. Default 1. */
  p?: number;
}

const PREFIX = '$scrypt$';
const B64 = /^[A-Za-z0-9_-]+$/;

function maxmem(N: number, r: number, p: number): number {
  return 128 * N * r + 128 * r * p + 64 * 1024 * 1024;
}

function checkParams(N: number, r: number, p: number): string | undefined {
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0) return 'N must be a power of two between 2 and 2^20';
  if (!Number.isInteger(r) || r < 1 || r > 32) return 'r must be an integer between 1 and 32';
  if (!Number.isInteger(p) || p < 1 || p > 16) return 'p must be an integer between 1 and 16';
  if (128 * N * r > 256 * 1024 * 1024) return 'N*r needs more than 256 MiB';
  return undefined;
}

function scryptAsync(plain: string, salt: Buffer, keylen: number, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain, salt, keylen, { N, r, p, maxmem: maxmem(N, r, p) }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `true` when `text` looks like a password hash this package understands (starts with `$scrypt$`). */
export function isPasswordHash(text: string): boolean {
  return text.startsWith(PREFIX);
}

/**
 * Parse a `$scrypt$N$r$p$salt$hash` string.
 *
 * @returns the parts, or a reason string when malformed (never echoes the input)
 */
export function parseScryptHash(text: string): ScryptHash | string {
  if (!text.startsWith(PREFIX)) return 'not a $scrypt$ hash';
  const parts = text.slice(PREFIX.length).split('$');
  if (parts.length !== 5) return 'expected $scrypt$N$r$p$salt$hash';
  const [n, r, p, salt, hash] = parts as [string, string, string, string, string];
  if (!/^[0-9]{1,8}$/.test(n) || !/^[0-9]{1,3}$/.test(r) || !/^[0-9]{1,3}$/.test(p)) return 'N, r and p must be integers';
  const bad = checkParams(Number(n), Number(r), Number(p));
  if (bad) return bad;
  if (!B64.test(salt) || !B64.test(hash)) return 'salt and hash must be base64url';
  const saltBuf = Buffer.from(salt, 'base64url');
  const hashBuf = Buffer.from(hash, 'base64url');
  if (saltBuf.length < 8) return 'salt must be at least 8 bytes';
  if (hashBuf.length < 16 || hashBuf.length > 64) return 'hash must be 16 to 64 bytes';
  return { N: Number(n), r: Number(r), p: Number(p), salt: saltBuf, hash: hashBuf };
}

/**
 * Hash a password for storage in the configuration (`basic[].password`, `bearerOAuth[].clientSecret`).
 *
 * @param plain - the password
 * @param params - scrypt cost; the defaults take tens of milliseconds, which is why the
 *   authenticator verifies a hash once and then caches the outcome
 * @returns `$scrypt$N$r$p$salt$hash`
 * @example
 * const stored = await hashPassword('s3cret'); // '$scrypt$32768$8$1$…$…'
 */
export async function hashPassword(plain: string, params: ScryptParams = {}): Promise<string> {
  const N = params.N ?? 32768;
  const r = params.r ?? 8;
  const p = params.p ?? 1;
  const bad = checkParams(N, r, p);
  if (bad) throw new RangeError(`hashPassword: ${bad}`);
  const salt = randomBytes(16);
  const hash = await scryptAsync(plain, salt, 32, N, r, p);
  return `${PREFIX}${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * Verify `plain` against a parsed hash, comparing in constant time.
 *
 * @example
 * const h = parseScryptHash(stored); if (typeof h !== 'string') await verifyScrypt('s3cret', h);
 */
export async function verifyScrypt(plain: string, stored: ScryptHash): Promise<boolean> {
  const derived = await scryptAsync(plain, stored.salt, stored.hash.length, stored.N, stored.r, stored.p);
  return timingSafeEqual(derived, stored.hash);
}

/**
 * Verify a password against a `$scrypt$` string.
 *
 * @returns `false` for a wrong password or a malformed hash
 * @example await verifyPassword('s3cret', stored) // true
 */
export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const h = parseScryptHash(stored);
  return typeof h === 'string' ? false : verifyScrypt(plain, h);
}
