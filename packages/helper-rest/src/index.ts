/**
 * @scimgw/helper-rest — the outbound REST client of scimgw connectors:
 * per-tenant connections from `endpoint.entity.<baseEntity>.connection`,
 * auth flows (basic, bearer, OAuth client credentials, JWT and SAML bearer,
 * Entra ID certificates and federated credentials, pass-through), token
 * cache, retries with backoff, base URL failover, proxy, TLS, paging and
 * secret-masked logging.
 *
 * @packageDocumentation
 */

export { createHelperRest } from './helper.js';
export { callerCredentialTenants, type EntitySection } from './pass-through-tenants.js';
export {
  connectionConfigSchema,
  connectionOptionsSchema,
  connectionSection,
  proxyConfigSchema,
  retryConfigSchema,
  tlsConfigSchema,
} from './schema.js';
export {
  categoryForStatus,
  HelperRestError,
  isWriteMethod,
  RestAbortedError,
  RestAuthError,
  RestConfigError,
  RestError,
  restErrorToScimError,
  RestNetworkError,
  RestResponseTooLargeError,
  RestPagingError,
  RestTimeoutError,
  UpstreamError,
  upstreamMessage,
} from './errors.js';
export type { RestErrorCategory } from './errors.js';
export { DEFAULT_DEADLINE_MS, DEFAULT_TIMEOUT_MS, ENTRA_AUTHORITY, entraTokenUrl, GRAPH_BASE_URL } from './config.js';
export { backoffDelay, DEFAULT_RETRY, isIdempotent, mayResend, parseRetryAfter } from './retry.js';
export { REDACTED } from './mask.js';
export { ENTRA_FEDERATION_AUDIENCE, federatedPaths } from './auth/federated.js';
export { CLIENT_ASSERTION_TYPE_JWT, GRANT_TYPE_JWT_BEARER } from './auth/jwt-bearer.js';
export { encodeSamlAssertion, GRANT_TYPE_SAML2_BEARER } from './auth/saml-bearer.js';
export { certificateThumbprints } from './auth/keys.js';
export type {
  AuthConfig,
  AuthType,
  BasicAuthOptions,
  BearerAuthOptions,
  ConnectionConfig,
  EndpointConfig,
  EntityConfig,
  FederatedCredentialConfig,
  FederatedRoute,
  HelperRest,
  HelperRestOptions,
  JsonWebKeySet,
  JwtBearerOptions,
  OAuthClientCredentialsOptions,
  OpenIdConfiguration,
  PageOptions,
  ProxyConfig,
  RequestOptions,
  RestResponse,
  RetryConfig,
  SamlAssertionProvider,
  SamlBearerOptions,
  TlsConfig,
} from './types.js';
