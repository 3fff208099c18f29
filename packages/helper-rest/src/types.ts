/**
 * Public types of @scimgw/helper-rest: the `endpoint.entity.<baseEntity>.connection`
 * configuration shape (kept compatible with the seed gateway's JSON files),
 * request options and the {@link HelperRest} interface.
 */
import type { Logger, RequestContext } from '@scimgw/core';
import type { JWK } from 'jose';

/**
 * TLS settings for outbound connections. File names are resolved against the
 * certs directory (`<baseDir>/config/certs`) unless absolute; a value that
 * already contains a PEM block (`-----BEGIN`) is used as is.
 */
export interface TlsConfig {
  /** Extra trusted CA certificate(s), added to the runtime's default roots. */
  ca?: string | string[] | null;
  /** Client certificate (mutual TLS). */
  cert?: string | null;
  /** Client private key (mutual TLS). */
  key?: string | null;
  /** Passphrase of an encrypted `key`. */
  passphrase?: string | null;
  /** `false` accepts any server certificate. Only for tests and lab setups. */
  rejectUnauthorized?: boolean | null;
}

/** An HTTP(S) forward proxy. `host` is a URL (`http://proxy:3128`) or `host:port`. */
export interface ProxyConfig {
  host?: string | null;
  username?: string | null;
  password?: string | null;
}

/** Retry behaviour. Attempts count the first try, so `attempts: 1` disables retries. */
export interface RetryConfig {
  /** Total attempts per request, first try included. Default 3. */
  attempts: number;
  /** Base of the exponential backoff in ms. Default 300. */
  baseDelayMs: number;
  /** Upper bound of one backoff delay in ms. Default 10000. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this (ms) is not waited for; the error is returned instead. Default 30000. */
  maxRetryAfterMs: number;
  /**
   * Response statuses that are retried. Default `[429, 502, 503, 504]`. A 429 is retried for any
   * method (the target refused the request); the others only for requests {@link idempotentWrites}
   * allows to be sent again.
   */
  statuses: number[];
  /**
   * Write methods (`POST`, `PUT`, `PATCH`, `DELETE`) this target applies idempotently, so a write
   * that timed out, lost its connection or got 502/503/504 is sent again. Default none: such a
   * write is reported to the client, which must read before it retries (the target may have
   * applied it). Reads are always sent again.
   */
  idempotentWrites: string[];
  /**
   * `Retry-After` (ms, sent in whole seconds) on the 503 a client gets when the target cannot be
   * reached. Default 30000.
   */
  unreachableRetryAfterMs: number;
}

/** `auth.type: "basic"`. */
export interface BasicAuthOptions {
  username: string;
  password: string;
}

/**
 * `auth.type: "bearer"` or `"token"`: a static `token`, or (seed compatible
 * `token` flavour) a token fetched from `tokenUrl` with `username`/`password`.
 */
export interface BearerAuthOptions {
  token?: string;
  tokenUrl?: string;
  username?: string;
  password?: string;
}

/** OAuth 2.0 client credentials grant (`auth.type: "oauth"`, RFC 6749 §4.4). */
export interface OAuthClientCredentialsOptions {
  /** Token endpoint; derived from `azureTenantId` when absent. */
  tokenUrl?: string;
  /** Entra ID tenant: token URL `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`. */
  azureTenantId?: string;
  /** Entra authority host for sovereign clouds. Default `https://login.microsoftonline.com`. */
  authorityHost?: string;
  clientId: string;
  clientSecret: string;
  /** Requested scope. Entra default: `<origin of baseUrls[0]>/.default`. */
  scope?: string;
  /** How the client authenticates at the token endpoint. Default `client_secret_post`. */
  tokenAuthMethod?: 'client_secret_post' | 'client_secret_basic';
  /** Extra form parameters for the token request (e.g. `audience`, `resource`). */
  extraParams?: Record<string, string>;
}

/** Federated identity credential (Entra "Other issuer"): the gateway is the issuer. */
export interface FederatedCredentialConfig {
  /** Public base URL of the gateway, e.g. `https://scimgateway.example.com`. */
  issuer: string;
  /** Subject configured on the federated credential (the seed uses the app's client id). */
  subject: string;
  /** Name of the federated credential, added as the `name` claim. */
  name?: string;
  /** Audience configured on the federated credential. Default `api://AzureADTokenExchange`. */
  audience?: string;
  /**
   * PEM private key (file name or PEM) to sign assertions with. Without it a
   * key pair is generated per process — fine for one replica, but replicas
   * behind a load balancer must share a key so any of them serves the JWKS.
   */
  key?: string;
}

/** Certificate- or federation-based client assertion (`auth.type: "oauthJwtBearer"`, RFC 7523). */
export interface JwtBearerOptions {
  tokenUrl?: string;
  azureTenantId?: string;
  authorityHost?: string;
  /** Client id; with `fedCred` it defaults to `fedCred.subject` as in the seed. */
  clientId?: string;
  scope?: string;
  /** Signing key and certificate (`x5t`/`x5t#S256` come from `cert`). */
  tls?: { key?: string | null; cert?: string | null; passphrase?: string | null };
  fedCred?: FederatedCredentialConfig;
  /**
   * When set, the JWT itself is the authorization grant (RFC 7523 §2.1,
   * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`) with these claims.
   */
  jwtPayload?: Record<string, unknown>;
  extraParams?: Record<string, string>;
}

/** Returns a SAML 2.0 assertion: XML, or already base64/base64url encoded. */
export type SamlAssertionProvider = (baseEntity: string | undefined) => string | Promise<string>;

/** SAML 2.0 bearer assertion grant (`auth.type: "oauthSamlBearer"`, RFC 7522). */
export interface SamlBearerOptions {
  tokenUrl: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  /** SAP SuccessFactors `company_id`. */
  companyId?: string;
  /** A pre-built assertion or a function producing one per token request. */
  assertion?: string | SamlAssertionProvider;
  /** Seed compatibility: `clientId`/`companyId` are read from here too. */
  samlPayload?: { clientId?: string; companyId?: string; [k: string]: unknown };
  extraParams?: Record<string, string>;
}

/** Authentication of outbound requests. `passThrough` forwards `ctx.authorization`. */
export type AuthConfig =
  | { type: 'basic'; options: BasicAuthOptions }
  | { type: 'bearer' | 'token'; options: BearerAuthOptions }
  | { type: 'oauth'; options: OAuthClientCredentialsOptions }
  | { type: 'oauthJwtBearer'; options: JwtBearerOptions }
  | { type: 'oauthSamlBearer'; options: SamlBearerOptions }
  | { type: 'passThrough'; options?: Record<string, unknown> }
  | { type: 'none'; options?: Record<string, unknown> };

/** Names of the supported `auth.type` values. */
export type AuthType = AuthConfig['type'];

/** `endpoint.entity.<baseEntity>.connection`. */
export interface ConnectionConfig {
  /** Base URLs tried in order; the first that answers is kept (sticky failover). */
  baseUrls?: string[] | null;
  auth?: AuthConfig | null;
  proxy?: ProxyConfig | null;
  options?: {
    /** Headers added to every request of this connection. */
    headers?: Record<string, string> | null;
    tls?: TlsConfig | null;
  } | null;
  /**
   * Per-attempt timeout in ms (connect, response and body). When set it bounds every attempt.
   * Unset (default): 10000 for attempts that may be followed by another (reads, idempotent
   * writes); an attempt that cannot be repeated (a write, the last try) may use what is left of
   * the deadline.
   */
  timeout?: number | null;
  /**
   * Deadline in ms of all calls made for one inbound request (the same `ctx`), or of one call
   * without `ctx`: retries, backoff and `Retry-After` waits included. Default 25000, below the
   * client timeouts of the common identity providers.
   */
  deadline?: number | null;
  retry?: Partial<RetryConfig> | null;
}

/** One tenant's section of the endpoint configuration. */
export interface EntityConfig {
  connection?: ConnectionConfig | null;
  [key: string]: unknown;
}

/**
 * The `endpoint` configuration section. The key `"undefined"` is the default
 * tenant (requests without a baseEntity), as in the seed's configuration files.
 */
export interface EndpointConfig {
  entity?: Record<string, EntityConfig | null | undefined> | null;
  [key: string]: unknown;
}

/** Per-call options of {@link HelperRest.doRequest}. */
export interface RequestOptions {
  /** Extra headers; an explicit `Authorization` here wins over the connection's auth. */
  headers?: Record<string, string>;
  /** Query parameters appended to the URL. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Per-attempt timeout in ms for this call, bounding every attempt (see `ConnectionConfig.timeout`). */
  timeout?: number;
  /**
   * Deadline in ms from now for this call alone, instead of the connection's deadline shared by
   * every call of the same inbound request.
   */
  deadline?: number;
  /** Retry overrides, or `false` for a single attempt. */
  retry?: Partial<RetryConfig> | false;
  /** Send this call again after a timeout or a broken connection even if it is a write. */
  retryNonIdempotent?: boolean;
  /** Forward `ctx.authorization` even if the connection's auth type is not `passThrough`. */
  passThrough?: boolean;
  /** Send the connection's credentials to an absolute URL outside `baseUrls`. Default false. */
  sendAuth?: boolean;
  /** How to read the body: parse JSON when it looks like JSON (`auto`, default), text, or bytes. */
  responseType?: 'auto' | 'text' | 'bytes';
  /** Extra abort signal besides `ctx.signal`. */
  signal?: AbortSignal;
}

/** Options of the paging helpers. */
export interface PageOptions extends RequestOptions {
  /** Stop with an error after this many pages (guards against endless `nextLink` chains). Default 1000. */
  maxPages?: number;
  /** SCIM page size (`count`). Default 100. */
  pageSize?: number;
  /**
   * SCIM paging: a 404 answer is an empty page, ending the list. SCIM 1.1 services answer a
   * filter that matches nothing with 404 (RFC 7644 §3.4.2 wants 200 and an empty list).
   */
  notFoundIsEmpty?: boolean;
}

/** A successful (2xx/3xx) response. */
export interface RestResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON, text, bytes or `undefined` for an empty body. */
  body: T;
  /** The URL that answered (after failover). */
  url: string;
}

/** A JSON Web Key Set document (RFC 7517 §5). */
export interface JsonWebKeySet {
  keys: JWK[];
}

/** The OpenID Provider metadata the gateway serves for federated credentials. */
export interface OpenIdConfiguration {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  [key: string]: unknown;
}

/** A route the gateway mounts for federated credentials (path relative to the host root). */
export interface FederatedRoute {
  /** e.g. `/.well-known/openid-configuration` or `/.well-known/jwks.json`. */
  path: string;
  /** The JSON document to answer `GET path` with. */
  document(): Promise<OpenIdConfiguration | JsonWebKeySet>;
}

/** Options of {@link createHelperRest}. */
export interface HelperRestOptions {
  /** The `endpoint` configuration section. */
  endpoint: EndpointConfig;
  /** Directory of relative TLS/key file names. Default `<cwd>/config/certs`. */
  certsDir?: string;
  /** Every line passes through the secret masker before it reaches this logger. */
  logger?: Logger;
  /** Replacement fetch (tests, instrumentation). Receives undici's `dispatcher` or Bun's `tls`/`proxy` init fields when needed. */
  fetch?: typeof fetch;
}

/** The outbound REST client used by connectors. */
export interface HelperRest {
  /**
   * Sends one request for a tenant with its connection's auth, retries,
   * failover, proxy and TLS. Throws `RestError` for HTTP errors.
   */
  doRequest<T = unknown>(
    baseEntity: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    ctx?: RequestContext,
    options?: RequestOptions,
  ): Promise<RestResponse<T>>;
  /** Follows `@odata.nextLink` and returns all `value` items. */
  getAllPagesOData<T = unknown>(
    baseEntity: string | undefined,
    path: string,
    ctx?: RequestContext,
    options?: PageOptions,
  ): Promise<T[]>;
  /** Pages a SCIM list with `startIndex`/`count` and returns all `Resources`. */
  getAllPagesScim<T = unknown>(
    baseEntity: string | undefined,
    path: string,
    ctx?: RequestContext,
    options?: PageOptions,
  ): Promise<T[]>;
  /** Public keys of the tenant's federated-credential signer, or `undefined` without `fedCred`. */
  federatedJwks(baseEntity: string | undefined): Promise<JsonWebKeySet | undefined>;
  /** OpenID configuration document of the tenant's federated issuer. */
  federatedOpenIdConfiguration(baseEntity: string | undefined): Promise<OpenIdConfiguration | undefined>;
  /** A freshly signed federated assertion (what is sent as `client_assertion`). */
  federatedAssertion(baseEntity: string | undefined): Promise<string | undefined>;
  /** All routes to mount for every configured federated issuer. */
  federatedRoutes(): FederatedRoute[];
  /** Releases sockets and dispatchers. Later requests fail. */
  close(): Promise<void>;
}
