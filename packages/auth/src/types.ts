/**
 * Public types of `@scimgw/auth`: the configuration shapes (kept compatible with the
 * seed gateway's `scimgateway.auth` section) and the framework-free request/result API.
 */
import type { Logger } from '@scimgw/core';

/** Fields every credential shares: what it may do once authenticated. */
export interface CredentialScope {
  /** When `true` the credential may only run operations the host marks `read`; writes get 405. */
  readOnly?: boolean | null;
  /** Tenants (base entities) this credential may reach; empty or absent = all tenants. */
  baseEntities?: string[] | null;
}

/**
 * One HTTP Basic credential. `username: null` disables the entry.
 *
 * @example
 * { "username": "gwadmin", "password": "$scrypt$32768$8$1$…$…", "readOnly": false, "baseEntities": [] }
 */
export interface BasicCredential extends CredentialScope {
  username: string | null;
  /** Plaintext (already decrypted by the config loader) or a `$scrypt$N$r$p$salt$hash` string from {@link hashPassword}. */
  password: string | null;
}

/** One shared-secret bearer token. `token: null` disables the entry. */
export interface BearerTokenCredential extends CredentialScope {
  token: string | null;
  /** Optional display name used as principal name in logs (defaults to `bearerToken[i]`). */
  name?: string | null;
}

/**
 * JWT verification options (a subset of jose's `JWTVerifyOptions`, config-friendly).
 */
export interface JwtVerifyOptions {
  /** Expected `iss`; one of several when an array. */
  issuer?: string | string[];
  /** Expected `aud`; the token must contain one of them. */
  audience?: string | string[];
  /** Restrict algorithms further (intersected with what the key type allows). */
  algorithms?: string[];
  /** Allowed clock skew, seconds (number) or a jose time span (`"30s"`). */
  clockTolerance?: number | string;
  /** Maximum age since `iat`, seconds or a jose time span (`"1h"`). Also accepted as `maxAge`. */
  maxTokenAge?: number | string;
  /** Alias of `maxTokenAge` used by older configurations. */
  maxAge?: number | string;
  /** Expected `sub`. */
  subject?: string;
  /** Expected `typ` header. */
  typ?: string;
  /** Claims that must be present. */
  requiredClaims?: string[];
}

/**
 * One JWT key source with its verification rules. An entry with none of `secret`,
 * `publicKey`, `wellKnownUri`, `azureTenantId` set is disabled.
 */
export interface BearerJwtCredential extends CredentialScope {
  /** HMAC shared secret (HS256/384/512). */
  secret?: string | null;
  /** PEM file (public key, certificate or private key) — relative to `certsDir` or absolute. */
  publicKey?: string | null;
  /** OpenID discovery document URL (or a JWKS URL directly). */
  wellKnownUri?: string | null;
  /** Entra ID tenant GUID: accept Entra provisioning tokens for this tenant. */
  azureTenantId?: string | null;
  options?: JwtVerifyOptions | null;
  /** Optional display name used when the token has no `sub`. */
  name?: string | null;
}

/** One OAuth 2.0 client allowed to use the client-credentials token endpoint. `clientId: null` disables it. */
export interface OAuthClientCredential extends CredentialScope {
  clientId: string | null;
  /** Plaintext or a `$scrypt$…` hash. */
  clientSecret: string | null;
}

/** Forward the caller's raw `Authorization` header to the connector instead of (or after) local checks. */
export interface PassThroughConfig extends CredentialScope {
  enabled?: boolean | null;
}

/** The `auth` section of the gateway configuration. */
export interface AuthConfig {
  basic?: BasicCredential[] | null;
  bearerToken?: BearerTokenCredential[] | null;
  bearerJwt?: BearerJwtCredential[] | null;
  bearerOAuth?: OAuthClientCredential[] | null;
  passThrough?: PassThroughConfig | null;
}

/** Failed-login throttling per client address. */
export interface RateLimitOptions {
  /** Failures allowed inside one window before the address gets 429. Default 10. */
  maxFailures?: number;
  /** Window length in seconds. Default 60. */
  windowSeconds?: number;
  /** Addresses tracked at most (oldest forgotten first). Default 10000. */
  maxTracked?: number;
}

/** Options of {@link createAuthenticator}. */
export interface AuthOptions {
  auth: AuthConfig;
  /** CIDRs (IPv4/IPv6) allowed to call; absent or empty = everyone. */
  ipAllowList?: string[] | null;
  /** CIDRs of reverse proxies whose `X-Forwarded-For` is believed. */
  trustedProxies?: string[] | null;
  /** Failed-login throttling; `false` disables it. Default `{ maxFailures: 10, windowSeconds: 60 }`. */
  rateLimit?: RateLimitOptions | false | null;
  /** Folder that relative `publicKey` paths are resolved against. Default: the process working directory. */
  certsDir?: string;
  /** Never receives secrets. */
  logger?: Logger;
  /** Stable secret mixed into the signing keys of issued OAuth tokens (same value on every replica). */
  tokenSigningSeed?: string;
  /** Lifetime of issued OAuth access tokens, seconds. Default 3600. */
  oauthTokenLifetimeSeconds?: number;
  /** `realm` of `WWW-Authenticate` challenges. Default `scimgw`. */
  realm?: string;
  /** JWKS cache lifetime in seconds. Default 600. */
  jwksCacheSeconds?: number;
  /** Minimum seconds between JWKS refetches triggered by an unknown `kid`. Default 30. */
  jwksCooldownSeconds?: number;
  /** Fetch used for OpenID discovery and JWKS (tests, proxies). Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Clock in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Header bag as node:http and express deliver it (lower-case names). */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** What the host tells the authenticator about one request. */
export interface AuthRequest {
  /** HTTP method, for logs. */
  method: string;
  /**
   * What the request does, decided by the host from the route it dispatches the request to (for
   * SCIM, `@scimgw/core`'s operation table): a read-only credential may only `read`. Never derive
   * it from the shape of the path.
   */
  access: 'read' | 'write';
  /** Tenant (base entity) addressed by the path, if any. */
  tenant?: string | undefined;
  headers: HeaderBag;
  /** Socket peer address (`req.socket.remoteAddress`). */
  remoteAddress: string;
}

/** How a principal authenticated. */
export type AuthMethod = 'basic' | 'bearerToken' | 'bearerJwt' | 'bearerOAuth' | 'passThrough';

/** The authenticated caller. */
export interface Principal {
  name: string;
  method: AuthMethod;
  readOnly: boolean;
  /** Allowed tenants; empty = all. */
  baseEntities: string[];
}

/** Outcome of {@link Authenticator.authenticate}. */
export type AuthResult =
  | {
      ok: true;
      principal: Principal;
      /** The raw `Authorization` header, present only for `passThrough` principals. */
      authorization?: string;
    }
  | {
      ok: false;
      status: 401 | 403 | 405 | 429;
      detail: string;
      /** `WWW-Authenticate` or `Retry-After` as applicable (a 405's `Allow` is the host's to add). */
      headers: Record<string, string>;
    };

/** Failure variant of {@link AuthResult}. */
export type AuthFailure = Extract<AuthResult, { ok: false }>;

/** Request to the OAuth token endpoint. */
export interface TokenRequest {
  headers: HeaderBag;
  /** Raw body: `application/x-www-form-urlencoded` (or JSON). */
  body: string;
  remoteAddress: string;
}

/** Response of the OAuth token endpoint; `body` is JSON-serialisable. */
export interface TokenResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** One entry of `ServiceProviderConfig.authenticationSchemes` (RFC 7643 §5). */
export interface AuthScheme {
  type: string;
  name: string;
  description: string;
  specUri?: string;
  primary?: boolean;
}

/** The object {@link createAuthenticator} returns. */
export interface Authenticator {
  /** Authenticate and authorize one request: IP allow list, rate limit, credential, read-only, tenant. */
  authenticate(req: AuthRequest): Promise<AuthResult>;
  /**
   * Validate a credential the way `GET /auth` does: same checks as `authenticate` except the
   * read-only check (method-independent); the tenant is checked when given.
   */
  validate(req: Omit<AuthRequest, 'method' | 'access'> & { method?: string }): Promise<AuthResult>;
  /** The caller's address, honouring `X-Forwarded-For` only from trusted proxies. */
  clientAddress(req: Pick<AuthRequest, 'headers' | 'remoteAddress'>): string;
  /** `POST /oauth/token` (client credentials grant, RFC 6749 §4.4). */
  tokenEndpoint(req: TokenRequest): Promise<TokenResponse>;
  /** Configured schemes for `ServiceProviderConfig.authenticationSchemes`. */
  schemes(): AuthScheme[];
  /** `false` when no method is configured (every request is then refused). */
  readonly enabled: boolean;
  /** `true` when `bearerOAuth` clients are configured (the host should route `POST /oauth/token`). */
  readonly oauthEnabled: boolean;
}
