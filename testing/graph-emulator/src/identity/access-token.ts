/**
 * Graph access tokens: v1.0-format JWTs as the identity platform issues them for Graph to an
 * application (`aud` the Graph resource, `iss` the STS, `tid`, `appid`, `idtyp: app`, `roles`),
 * signed with the emulator's key — and their validation on every Graph request.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { GRAPH_APP_ID } from '../clouds.js';
import { GraphError } from '../graph/errors.js';
import type { Caller } from '../graph/types.js';
import type { App } from './apps.js';
import type { SigningKey } from './keys.js';

/** How the client authenticated: `appidacr` 1 for a secret, 2 for a certificate or assertion. */
export type ClientAuthMethod = 'secret' | 'certificate' | 'federated';

/** Mints an access token for `app` and `resource`. */
export async function mintAccessToken(input: {
  key: SigningKey;
  app: App;
  tenantId: string;
  resource: string;
  stsHost: string;
  method: ClientAuthMethod;
  now: number;
  lifetimeSeconds: number;
}): Promise<string> {
  const { key, app, tenantId, now } = input;
  const iat = Math.floor(now / 1000);
  const issuer = `https://${input.stsHost}/${tenantId}/`;
  const claims: Record<string, unknown> = {
    aio: randomUUID().replace(/-/g, ''),
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: input.method === 'secret' ? '1' : '2',
    idp: issuer,
    idtyp: 'app',
    oid: app.servicePrincipalId,
    rh: `0.${randomUUID().replace(/-/g, '')}.`,
    sub: app.servicePrincipalId,
    tenant_region_scope: 'EU',
    tid: tenantId,
    uti: randomUUID().replace(/-/g, '').slice(0, 22),
    ver: '1.0',
    wids: ['0997a1d0-0d1d-4acb-b408-d5ca73121e90'],
    xms_tcdt: iat - 86_400,
  };
  if (app.permissions.length > 0) claims.roles = [...app.permissions];
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid })
    .setAudience(input.resource)
    .setIssuer(issuer)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + input.lifetimeSeconds)
    .sign(key.privateKey);
}

function invalidToken(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, {
    headers: {
      'www-authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
    },
  });
}

/**
 * Validates the bearer token of a Graph request: signature, lifetime, audience (one of
 * `audiences`), issuer and tenant.
 * @throws GraphError 401 InvalidAuthenticationToken, as Graph answers.
 */
export async function verifyAccessToken(
  authorization: string | undefined,
  expected: { key: SigningKey; tenantId: string; audiences: readonly string[]; stsHost: string; now: number },
): Promise<Caller & { expiresAt: number }> {
  const match = /^Bearer\s+(\S*)\s*$/i.exec(authorization ?? '');
  const token = match?.[1] ?? '';
  if (token === '') throw invalidToken('Access token is empty.');
  if (token.length > 16_384 || token.split('.').length !== 3)
    throw invalidToken('CompactToken parsing failed with error code: 80049217');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, expected.key.publicKey, {
      algorithms: ['RS256'],
      currentDate: new Date(expected.now),
      clockTolerance: 300,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw invalidToken('Lifetime validation failed, the token is expired.');
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
      throw invalidToken('Lifetime validation failed, the token is not yet valid.');
    }
    throw invalidToken('Access token validation failure.');
  }
  const aud = String(payload.aud ?? '').replace(/\/+$/, '');
  if (!expected.audiences.includes(aud) && aud !== GRAPH_APP_ID)
    throw invalidToken('Access token validation failure. Invalid audience.');
  if (payload.tid !== expected.tenantId || payload.iss !== `https://${expected.stsHost}/${expected.tenantId}/`) {
    throw invalidToken('Access token validation failure. Invalid issuer.');
  }
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  if (roles.length === 0 && typeof payload.scp !== 'string')
    throw invalidToken('Either scp or roles claim need to be present in the token.');
  return {
    appId: String(payload.appid),
    displayName: String(payload.app_displayname ?? ''),
    servicePrincipalId: String(payload.oid),
    roles: new Set(roles),
    expiresAt: Number(payload.exp) * 1000,
  };
}
