/**
 * Remote signing keys: OpenID discovery → `jwks_uri` → JWKS, cached, and refetched when a
 * token names an unknown `kid` (key rotation) — at most once per cool-down so a stream of
 * forged `kid`s cannot turn the gateway into a load generator against the IdP.
 */
import { BodyTooLargeError, readBoundedText } from '@scimgw/config';
import type { Logger } from '@scimgw/core';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

const MAX_BYTES = 512 * 1024;
const DISCOVERY_TTL_MS = 24 * 60 * 60 * 1000;

/** Construction options of {@link RemoteKeySet}. */
export interface RemoteKeySetOptions {
  fetch: typeof fetch;
  now: () => number;
  cacheMs: number;
  cooldownMs: number;
  timeoutMs?: number;
  logger?: Logger | undefined;
  /** Config path, for log lines. */
  path: string;
}

async function getJson(fetchFn: typeof fetch, url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetchFn(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  // Read up to the bound only: a `text()` read all of it before its length could be checked.
  const text = await readBoundedText(res, MAX_BYTES).catch((e: unknown) => {
    throw e instanceof BodyTooLargeError ? new Error(`response from ${url} is larger than ${MAX_BYTES} bytes`) : e;
  });
  return JSON.parse(text) as unknown;
}

function isKeySet(v: unknown): v is JSONWebKeySet {
  return typeof v === 'object' && v !== null && Array.isArray((v as { keys?: unknown }).keys);
}

/**
 * A JWKS reached through an OpenID discovery document (or a JWKS URL directly).
 *
 * @example
 * const ks = new RemoteKeySet('https://idp/.well-known/openid-configuration', { fetch, now: Date.now, cacheMs: 600_000, cooldownMs: 30_000, path: 'auth.bearerJwt[0]' });
 * await jwtVerify(token, ks.getKey, { algorithms: ['RS256'] });
 */
export class RemoteKeySet {
  readonly #uri: string;
  readonly #opts: RemoteKeySetOptions;
  #jwksUri: string | undefined;
  #jwksUriAt = 0;
  #keys: JWTVerifyGetKey | undefined;
  #fetchedAt = 0;
  #attemptAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  /** Number of JWKS downloads so far (for tests and metrics). */
  fetchCount = 0;

  constructor(uri: string, options: RemoteKeySetOptions) {
    this.#uri = uri;
    this.#opts = options;
  }

  /** Key resolver for jose's `jwtVerify`. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const { now, cacheMs } = this.#opts;
    if (this.#inflight) await this.#inflight;
    else if ((!this.#keys || now() - this.#fetchedAt >= cacheMs) && this.#mayAttempt()) await this.#refresh();
    if (!this.#keys) throw new errors.JWKSTimeout('signing keys are not available');
    try {
      return await this.#keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      if (this.#inflight) await this.#inflight;
      else if (this.#mayAttempt()) await this.#refresh();
      else throw err;
      return this.#keys(header, token);
    }
  };

  /** Downloads (successful or not) are spaced by the cool-down. */
  #mayAttempt(): boolean {
    return this.#opts.now() - this.#attemptAt >= this.#opts.cooldownMs;
  }

  #refresh(): Promise<void> {
    if (!this.#inflight) {
      this.#inflight = this.#load().finally(() => {
        this.#inflight = undefined;
      });
    }
    return this.#inflight;
  }

  async #load(): Promise<void> {
    const { fetch: fetchFn, now, logger, path } = this.#opts;
    const timeout = this.#opts.timeoutMs ?? 5000;
    this.#attemptAt = now();
    try {
      let jwks: unknown;
      if (!this.#jwksUri || now() - this.#jwksUriAt >= DISCOVERY_TTL_MS) {
        const doc = await getJson(fetchFn, this.#uri, timeout);
        if (isKeySet(doc)) {
          jwks = doc;
          this.#jwksUri = this.#uri;
        } else {
          const uri = (doc as { jwks_uri?: unknown } | null)?.jwks_uri;
          if (typeof uri !== 'string' || !/^https?:\/\//i.test(uri))
            throw new Error('discovery document has no http(s) jwks_uri');
          this.#jwksUri = uri;
        }
        this.#jwksUriAt = now();
      }
      if (jwks === undefined) jwks = await getJson(fetchFn, this.#jwksUri!, timeout);
      if (!isKeySet(jwks)) throw new Error('JWKS has no "keys" array');
      this.fetchCount++;
      this.#keys = createLocalJWKSet(jwks);
      this.#fetchedAt = now();
      logger?.debug('auth: signing keys loaded', { path, keys: jwks.keys.length });
    } catch (err) {
      this.#jwksUri = undefined; // rediscover next time, the jwks_uri may have moved
      // Keep serving the keys we have: a short IdP outage must not lock every client out.
      logger?.warn('auth: cannot load signing keys', { path, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
