/**
 * `ServiceProviderConfig.authenticationSchemes` entries (RFC 7643 §5) for the configured methods.
 */
import type { AuthScheme } from './types.js';

/** Which methods are configured. */
export interface EnabledMethods {
  basic: boolean;
  bearerToken: boolean;
  bearerJwt: boolean;
  bearerOAuth: boolean;
  passThrough: boolean;
}

const RFC6750 = 'https://www.rfc-editor.org/rfc/rfc6750';

/**
 * Scheme descriptions in a stable order; the first is marked `primary`.
 *
 * @example schemesFor({ basic: true, bearerToken: false, bearerJwt: false, bearerOAuth: false, passThrough: false })
 */
export function schemesFor(m: EnabledMethods): AuthScheme[] {
  const out: AuthScheme[] = [];
  if (m.bearerOAuth) {
    out.push({
      type: 'oauth2',
      name: 'OAuth 2.0 client credentials',
      description: 'Bearer access token obtained from POST /oauth/token with the client credentials grant.',
      specUri: 'https://www.rfc-editor.org/rfc/rfc6749',
    });
  }
  if (m.bearerJwt) {
    out.push({
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token (JWT)',
      description: 'Signed JWT access token from a trusted issuer, e.g. Microsoft Entra ID.',
      specUri: RFC6750,
    });
  }
  if (m.bearerToken) {
    out.push({
      type: 'oauthbearertoken',
      name: 'Bearer Token',
      description: 'Shared-secret bearer token in the Authorization header.',
      specUri: RFC6750,
    });
  }
  if (m.basic) {
    out.push({
      type: 'httpbasic',
      name: 'HTTP Basic',
      description: 'User name and password in the Authorization header.',
      specUri: 'https://www.rfc-editor.org/rfc/rfc7617',
    });
  }
  if (m.passThrough) {
    out.push({
      type: 'oauthbearertoken',
      name: 'Pass-through',
      description: 'The Authorization header is passed to the backend, which validates it.',
    });
  }
  if (out[0]) out[0].primary = true;
  return out;
}
