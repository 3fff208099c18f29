/**
 * `bearerOAuth`: access tokens issued by the gateway itself for the client-credentials grant.
 *
 * Tokens are HS256 JWTs signed with a per-client key derived (HKDF) from the client's
 * configured secret and the gateway's `tokenSigningSeed`. Any replica holding the same
 * configuration derives the same keys and so verifies tokens another replica issued — no
 * token table, no shared store. Changing a client's secret or removing the client revokes
 * its outstanding tokens.
 */
import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { CredentialVerifier, type CredentialVerifierOptions } from './credentials.js';
import type { JwtFailure } from './jwt.js';
import type { OAuthClientCredential, Principal } from './types.js';

import { OAUTH_AUDIENCE, OAUTH_ISSUER } from './constants.js';
const TYP = 'at+jwt';
const DEFAULT_SALT = 'scimgw/oauth-token-signing';

interface Client {
  clientId: string;
  key: Uint8Array;
  kid: string;
  scope: Pick<Principal, 'readOnly' | 'baseEntities'>;
}

/** An issued token. */
export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

/** Construction options of {@link OAuthIssuer}. */
export interface OAuthIssuerOptions extends CredentialVerifierOptions {
  seed: string | undefined;
  lifetimeSeconds: number;
  now: () => number;
}

/** Derives client keys, checks client credentials, issues and verifies access tokens. */
export class OAuthIssuer {
  readonly #clients: Client[];
  readonly #byKid = new Map<string, Client>();
  readonly #verifier: CredentialVerifier<number>;
  readonly #lifetime: number;
  readonly #now: () => number;

  /**
   * @param entries - enabled clients with their config paths and scopes
   * @throws Error naming the config path of a bad entry
   */
  constructor(
    entries: {
      client: OAuthClientCredential & { clientId: string; clientSecret: string };
      path: string;
      scope: Client['scope'];
    }[],
    options: OAuthIssuerOptions,
  ) {
    this.#lifetime = options.lifetimeSeconds;
    this.#now = options.now;
    const salt = options.seed ?? DEFAULT_SALT;
    this.#clients = entries.map(({ client, scope }) => {
      // The stored secret (plaintext or its $scrypt$ hash) is the key material: both are
      // secret and identical on every replica that shares the configuration.
      const key = new Uint8Array(
        hkdfSync('sha256', client.clientSecret, salt, `scimgw/oauth-access-token/v1:${client.clientId}`, 32),
      );
      const kid = createHmac('sha256', key).update('kid').digest('base64url').slice(0, 22);
      return { clientId: client.clientId, key, kid, scope };
    });
    for (const c of this.#clients) this.#byKid.set(c.kid, c);
    this.#verifier = new CredentialVerifier(
      entries.map(({ client, path }, i) => ({
        id: client.clientId,
        secret: client.clientSecret,
        value: i,
        path,
        secretField: 'clientSecret',
      })),
      options,
    );
  }

  /** Number of configured clients. */
  get size(): number {
    return this.#clients.length;
  }

  /**
   * Check client credentials and issue a token.
   *
   * @returns the token, or `undefined` for an unknown client or wrong secret
   */
  async issue(clientId: string, clientSecret: string): Promise<IssuedToken | undefined> {
    const index = await this.#verifier.verify(clientId, clientSecret);
    if (index === undefined) return undefined;
    const c = this.#clients[index]!;
    const iat = Math.floor(this.#now() / 1000);
    const accessToken = await new SignJWT({ client_id: c.clientId })
      .setProtectedHeader({ alg: 'HS256', typ: TYP, kid: c.kid })
      .setIssuer(OAUTH_ISSUER)
      .setAudience(OAUTH_AUDIENCE)
      .setSubject(c.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.#lifetime)
      .setJti(randomUUID())
      .sign(c.key);
    return { accessToken, expiresIn: this.#lifetime };
  }

  /** `true` when the token claims to be one of ours (its `kid` names a configured client). */
  owns(token: string): boolean {
    try {
      const h = decodeProtectedHeader(token);
      return h.typ === TYP && typeof h.kid === 'string' && this.#byKid.has(h.kid);
    } catch {
      return false;
    }
  }

  /**
   * Verify an access token issued by {@link issue} (here or on another replica).
   */
  async verify(token: string): Promise<{ ok: true; principal: Principal } | { ok: false; failure: JwtFailure }> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return { ok: false, failure: { code: 'ERR_JWT_INVALID', expired: false } };
    }
    const c = typeof kid === 'string' ? this.#byKid.get(kid) : undefined;
    if (!c) return { ok: false, failure: { code: 'ERR_JWKS_NO_MATCHING_KEY', expired: false } };
    try {
      const { payload } = await jwtVerify(token, c.key, {
        algorithms: ['HS256'],
        issuer: OAUTH_ISSUER,
        audience: OAUTH_AUDIENCE,
        typ: TYP,
        subject: c.clientId,
        requiredClaims: ['exp', 'iat'],
        clockTolerance: 5,
        currentDate: new Date(this.#now()),
      });
      if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp - payload.iat > this.#lifetime) {
        // Issued under a longer lifetime than configured now: the configuration wins.
        return { ok: false, failure: { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', expired: false } };
      }
      return { ok: true, principal: { name: c.clientId, method: 'bearerOAuth', ...c.scope } };
    } catch (err) {
      return {
        ok: false,
        failure: {
          code: err instanceof errors.JOSEError ? err.code : 'ERR_JWT_VERIFY',
          expired: err instanceof errors.JWTExpired,
        },
      };
    }
  }
}
