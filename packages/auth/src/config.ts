/**
 * Validation of {@link AuthOptions}: every problem is reported as an `Error` whose message
 * starts with the config path (`auth.basic[1].password: required`) and never contains a secret.
 */
import type { AuthOptions, CredentialScope, Principal, RateLimitOptions } from './types.js';

/** A credential's scope with defaults applied (frozen: principals share it). */
export type Scope = Readonly<Pick<Principal, 'readOnly' | 'baseEntities'>>;

/** Read `readOnly`/`baseEntities` of one entry. */
export function scopeOf(entry: CredentialScope, path: string): Scope {
  const ro = entry.readOnly ?? false;
  if (typeof ro !== 'boolean') throw new Error(`${path}.readOnly: must be true or false`);
  const be = entry.baseEntities ?? [];
  if (!Array.isArray(be) || be.some((x) => typeof x !== 'string' || x === '')) {
    throw new Error(`${path}.baseEntities: must be an array of tenant names`);
  }
  return Object.freeze({ readOnly: ro, baseEntities: Object.freeze([...be]) as string[] });
}

/** An entry list that may be absent or null. */
export function listOf<T>(value: T[] | null | undefined, path: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${path}: must be an array`);
  value.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error(`${path}[${i}]: must be an object`);
  });
  return value;
}

/** An optional string field: `null`, `undefined` and `''` mean "not set". */
export function optString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${path}: must be a string`);
  return value;
}

function positive(value: unknown, path: string, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new Error(`${path}: must be a number between 1 and ${max}`);
  }
  return value;
}

/** Settings with defaults applied. */
export interface Settings {
  rateLimit: Required<RateLimitOptions> | undefined;
  oauthLifetime: number;
  jwksCacheMs: number;
  jwksCooldownMs: number;
  realm: string;
}

/** Validate the non-credential options. */
export function settingsOf(options: AuthOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new Error('options: must be an object');
  if (typeof options.auth !== 'object' || options.auth === null || Array.isArray(options.auth)) {
    throw new Error('auth: must be an object');
  }
  let rateLimit: Settings['rateLimit'];
  if (options.rateLimit !== false) {
    const r = options.rateLimit ?? {};
    if (typeof r !== 'object') throw new Error('rateLimit: must be an object or false');
    rateLimit = {
      maxFailures: positive(r.maxFailures, 'rateLimit.maxFailures', 1_000_000) ?? 10,
      windowSeconds: positive(r.windowSeconds, 'rateLimit.windowSeconds', 86_400) ?? 60,
      maxTracked: positive(r.maxTracked, 'rateLimit.maxTracked', 10_000_000) ?? 10_000,
    };
  }
  const realm = options.realm ?? 'scimgw';
  if (typeof realm !== 'string' || !/^[\x20-\x7e]*$/.test(realm) || realm.includes('"') || realm.includes('\\')) {
    throw new Error('realm: must be printable ASCII without quotes or backslashes');
  }
  if (
    options.tokenSigningSeed !== undefined &&
    (typeof options.tokenSigningSeed !== 'string' || options.tokenSigningSeed === '')
  ) {
    throw new Error('tokenSigningSeed: must be a non-empty string');
  }
  if (options.certsDir !== undefined && typeof options.certsDir !== 'string') throw new Error('certsDir: must be a string');
  return {
    rateLimit,
    oauthLifetime: Math.floor(positive(options.oauthTokenLifetimeSeconds, 'oauthTokenLifetimeSeconds', 7 * 86_400) ?? 3600),
    jwksCacheMs: (positive(options.jwksCacheSeconds, 'jwksCacheSeconds', 7 * 86_400) ?? 600) * 1000,
    jwksCooldownMs: (positive(options.jwksCooldownSeconds, 'jwksCooldownSeconds', 86_400) ?? 30) * 1000,
    realm,
  };
}
