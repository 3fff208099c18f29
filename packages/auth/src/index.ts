/**
 * @scimgw/auth — inbound authentication and authorization for scimgw: HTTP Basic,
 * shared-secret bearer tokens, JWT (HMAC, PEM keys, OpenID discovery/JWKS, Entra ID),
 * an OAuth 2.0 client-credentials token endpoint, pass-through, IP allow list with
 * trusted proxies, failed-login rate limiting, read-only and tenant-scoped credentials.
 * Framework-free: the host hands in plain request objects and maps plain results.
 *
 * @packageDocumentation
 */

export { createAuthenticator } from './authenticator.js';
export { authConfigSchema, authSection } from './config-schema.js';
export { tenantAllowed } from './authorize.js';
export { parseBasicCredentials } from './basic.js';
export { cidrContains, formatIp, IpMatcher, isIPv4Address, normalizeIp, parseCidr, parseIp } from './ip.js';
export type { Cidr } from './ip.js';
export { ENTRA_PROVISIONING_AUDIENCE, entraIssuers, OAUTH_AUDIENCE, OAUTH_ISSUER } from './constants.js';
export { hashPassword, isPasswordHash, verifyPassword } from './password.js';
export type { ScryptParams } from './password.js';
export { resolveClientAddress } from './proxy.js';
export type {
  AuthConfig,
  AuthFailure,
  AuthMethod,
  AuthOptions,
  AuthRequest,
  AuthResult,
  AuthScheme,
  Authenticator,
  BasicCredential,
  BearerJwtCredential,
  BearerTokenCredential,
  CredentialScope,
  HeaderBag,
  JwtVerifyOptions,
  OAuthClientCredential,
  PassThroughConfig,
  Principal,
  RateLimitOptions,
  TokenRequest,
  TokenResponse,
} from './types.js';
