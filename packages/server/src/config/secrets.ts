/**
 * Secrets at rest: clear-text passwords, secrets and tokens in a
 * configuration file are encrypted in place (AES-256-GCM, authenticated) with
 * a key derived from the `SEED` environment variable, so an encrypted file
 * can be copied to any machine that has the same `SEED`.
 */
import { readFileSync } from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

const PREFIX = 'enc:v1:';
const DEFAULT_SEED = 'scimgw-default-seed: set the SEED environment variable to your own secret';
const keys = new Map<string, Buffer>();

function keyFor(seed: string): Buffer {
  let k = keys.get(seed);
  if (!k) {
    k = scryptSync(seed, 'scimgw-config-v1', 32, { N: 16384, r: 8, p: 1 });
    keys.set(seed, k);
  }
  return k;
}

/**
 * The seed in force: `SEED` from the environment, else the content of the file `SEED_FILE` names
 * (a container secret or a systemd credential; one trailing newline ignored), else a built-in default.
 * Throws when `SEED_FILE` is set but cannot be read: starting with the public key instead would
 * fail later, on every encrypted value, with a less helpful message.
 */
export function configSeed(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SEED && env.SEED !== '') return env.SEED;
  if (env.SEED_FILE && env.SEED_FILE !== '') {
    let text: string;
    try {
      text = readFileSync(env.SEED_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new Error(`SEED_FILE ${env.SEED_FILE} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (text !== '') return text;
  }
  return DEFAULT_SEED;
}

/** True when no `SEED` is set and secrets are encrypted with the built-in key (which is public). */
export function usesBuiltInSeed(env: NodeJS.ProcessEnv = process.env): boolean {
  return configSeed(env) === DEFAULT_SEED;
}

/** True for configuration keys whose values are secrets. */
export function isSecretKey(key: string): boolean {
  return /(password|secret|token|apikey|privatekey|passphrase)$/i.test(key) || /^(password|secret|token)$/i.test(key);
}

export function isEncrypted(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(PREFIX);
}

/** Encrypts a clear-text value. */
export function encryptSecret(plain: string, seed: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keyFor(seed), iv);
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return PREFIX + Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url');
}

/** Decrypts a value produced by {@link encryptSecret}; throws when the seed is wrong or the value was altered. */
export function decryptSecret(value: string, seed: string): string {
  const raw = Buffer.from(value.slice(PREFIX.length), 'base64url');
  if (raw.length < 28) throw new Error('encrypted value is truncated');
  const d = createDecipheriv('aes-256-gcm', keyFor(seed), raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
}

/** True for values that must not be encrypted: references, hashes, already encrypted. */
export function isLeftAsIs(v: string): boolean {
  return v === '' || v.startsWith('process.') || v.startsWith('$scrypt$') || isEncrypted(v);
}
