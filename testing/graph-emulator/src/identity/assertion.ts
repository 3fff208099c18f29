/**
 * Client assertions (RFC 7523 JWTs in `client_assertion`): the certificate kind an app signs
 * with a registered certificate's key (`iss` = `sub` = client id, `x5t`/`x5t#S256` naming the
 * certificate, `aud` = the token endpoint), and a replay guard on `jti`.
 */
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { type AadError, aad } from './aad-errors.js';
import type { App } from './apps.js';

/** An assertion's decoded, not yet trusted, header and claims. */
export interface DecodedAssertion {
  readonly token: string;
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

/** Decodes an assertion without trusting it. */
export function decodeAssertion(token: string): DecodedAssertion {
  if (token.length > 16_384 || token.split('.').length !== 3) throw aad.malformedAssertion();
  try {
    return {
      token,
      header: decodeProtectedHeader(token) as Record<string, unknown>,
      claims: decodeJwt(token) as Record<string, unknown>,
    };
  } catch {
    throw aad.malformedAssertion();
  }
}

/** Checks `nbf`/`exp` with five minutes of clock skew. */
export function checkTime(claims: Record<string, unknown>, now: number): void {
  const seconds = now / 1000;
  const { exp, nbf } = claims;
  if (typeof exp !== 'number' || exp + 300 < seconds || (typeof nbf === 'number' && nbf - 300 > seconds)) {
    throw aad.assertionTime(now, nbf, exp);
  }
}

/** Remembers `jti` values until their assertion expires. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /** Throws when `jti` was used before by the same client. */
  use(clientId: string, jti: unknown, exp: number, now: number): void {
    if (typeof jti !== 'string' || jti === '') return;
    if (this.seen.size > 10_000) for (const [key, until] of this.seen) if (until < now) this.seen.delete(key);
    const key = `${clientId}\u0000${jti}`;
    const until = this.seen.get(key);
    if (until !== undefined && until >= now) throw aad.assertionReplay();
    this.seen.set(key, exp * 1000 + 300_000);
  }
}

/**
 * Validates a certificate client assertion for `app`.
 * @param audiences token endpoint URLs the `aud` claim may name
 */
export async function verifyCertificateAssertion(
  assertion: DecodedAssertion,
  app: App,
  audiences: readonly string[],
  now: number,
  replay: ReplayGuard,
): Promise<void> {
  const { header, claims } = assertion;
  if (claims.sub !== claims.iss) throw aad.assertionClientMismatch();
  const sha256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined;
  const sha1 = typeof header.x5t === 'string' ? header.x5t : undefined;
  const certificate = app.certificates.find(
    (c) => (sha256 !== undefined && c.x5tS256 === sha256) || (sha1 !== undefined && c.x5t === sha1),
  );
  if (!certificate) {
    const thumbprint = Buffer.from(sha256 ?? sha1 ?? '', 'base64url')
      .toString('hex')
      .toUpperCase();
    throw aad.certificateNotFound(thumbprint);
  }
  if (header.alg !== 'RS256' && header.alg !== 'PS256') throw aad.badAssertionSignature();
  try {
    await compactVerify(assertion.token, certificate.publicKey, { algorithms: ['RS256', 'PS256'] });
  } catch {
    throw aad.badAssertionSignature();
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === 'string' && audiences.includes(a))) throw aad.assertionAudience();
  checkTime(claims, now);
  replay.use(app.clientId, claims.jti, claims.exp as number, now);
}

export type { AadError };
