/**
 * Public types of `@scimgw/auth`: the configuration shapes (kept compatible with the
 * seed gateway's `scimgateway.auth` section) and the framework-free request/result API.
 */
import type { Logger } from '@scimgw/core';

export type {
  AuthConfig,
  BasicCredential,
  BearerJwtCredential,
  BearerTokenCredential,
  CredentialScope,
  JwtVerifyOptions,
  OAuthClientCredential,
  PassThroughConfig,
} from './config-schema.js';
import type { AuthConfig } from './config-schema.js';

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
  /**
   * A credential `authenticate` passed through was refused: the backend answered 401 (the
   * connector, or the next gateway), or the host has nothing on the route to check it. Counted as
   * a failed login of the caller's address, as a refused local credential is, so the failed-login
   * limit protects the backend too. Returns the `WWW-Authenticate` header a 401 carries.
   */
  passThroughRefused(req: Pick<AuthRequest, 'headers' | 'remoteAddress'>, reason?: string): Record<string, string>;
  /** `POST /oauth/token` (client credentials grant, RFC 6749 §4.4). */
  tokenEndpoint(req: TokenRequest): Promise<TokenResponse>;
  /** Configured schemes for `ServiceProviderConfig.authenticationSchemes`. */
  schemes(): AuthScheme[];
  /** `false` when no method is configured (every request is then refused). */
  readonly enabled: boolean;
  /** `true` when `bearerOAuth` clients are configured (the host should route `POST /oauth/token`). */
  readonly oauthEnabled: boolean;
}
