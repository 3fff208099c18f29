/**
 * JWT-based OAuth flows (RFC 7523):
 *
 * - certificate client assertion (§2.2) — `client_credentials` with
 *   `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
 *   and a JWT signed by the certificate's private key (RS256, `x5t`/`x5t#S256`
 *   headers), as Entra ID expects for certificate credentials;
 * - federated credentials — the same grant with an assertion the gateway
 *   issues itself (see `federated.ts`);
 * - JWT authorization grant (§2.1) — `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
 *   with claims from `jwtPayload`.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { TokenCache } from '../token-cache.js';
import { readPem } from '../tls.js';
import type { JwtBearerOptions } from '../types.js';
import { certificateThumbprints, lazyRsaPrivateKey } from './keys.js';
import { requestToken, tokenAuth, withExtra } from './token-endpoint.js';
import type { AuthDeps, AuthProvider } from './types.js';

/** `client_assertion_type` for JWT client authentication. */
export const CLIENT_ASSERTION_TYPE_JWT = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** `grant_type` of the JWT authorization grant. */
export const GRANT_TYPE_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const ASSERTION_LIFETIME_S = 600;

/** Creates the provider for `auth.type: "oauthJwtBearer"`. */
export function jwtBearerAuth(deps: AuthDeps, o: JwtBearerOptions): AuthProvider {
  const tokenUrl = o.tokenUrl as string;

  if (o.fedCred?.issuer) {
    const fed = o.fedCred;
    deps.federation.register(fed);
    const cache = new TokenCache(async () => {
      const assertion = await deps.federation.assertion(fed);
      deps.secrets.add(assertion);
      const form: Record<string, string> = {
        grant_type: 'client_credentials',
        client_id: o.clientId ?? fed.subject,
        client_assertion_type: CLIENT_ASSERTION_TYPE_JWT,
        client_assertion: assertion,
      };
      if (o.scope) form.scope = o.scope;
      return requestToken(deps, tokenUrl, withExtra(form, o.extraParams));
    });
    return tokenAuth(cache);
  }

  // Read files now so a wrong path fails at startup; import the key lazily (async).
  const keyPem = readPem(o.tls?.key as string, deps.certsDir, 'auth tls.key');
  const certPem = o.tls?.cert ? readPem(o.tls.cert, deps.certsDir, 'auth tls.cert') : undefined;
  const thumbprints = certPem ? certificateThumbprints(certPem) : undefined;
  const signingKey = lazyRsaPrivateKey(keyPem, o.tls?.passphrase);

  const cache = new TokenCache(async () => {
    const { privateKey } = await signingKey();
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', ...thumbprints };
    let form: Record<string, string>;
    if (o.jwtPayload) {
      const claims: Record<string, unknown> = { iat: now, exp: now + ASSERTION_LIFETIME_S, ...o.jwtPayload };
      const assertion = await new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
      deps.secrets.add(assertion);
      form = { grant_type: GRANT_TYPE_JWT_BEARER, assertion };
      if (o.clientId) form.client_id = o.clientId;
    } else {
      const clientId = o.clientId as string;
      const assertion = await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader(header)
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(tokenUrl)
        .setIssuedAt(now)
        .setNotBefore(now - 60)
        .setExpirationTime(now + ASSERTION_LIFETIME_S)
        .sign(privateKey);
      deps.secrets.add(assertion);
      form = {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_assertion_type: CLIENT_ASSERTION_TYPE_JWT,
        client_assertion: assertion,
      };
    }
    if (o.scope) form.scope = o.scope;
    return requestToken(deps, tokenUrl, withExtra(form, o.extraParams));
  });
  return tokenAuth(cache);
}
