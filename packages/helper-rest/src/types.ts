/**
 * Public types of @scimgw/helper-rest: the `endpoint.entity.<baseEntity>.connection`
 * configuration shape (kept compatible with the seed gateway's JSON files),
 * request options and the {@link HelperRest} interface.
 */
import type { z } from '@scimgw/config';
import type { Logger, RequestContext } from '@scimgw/core';
import type { JWK } from 'jose';
import type { connectionOptionsSchema, proxyConfigSchema, retryConfigSchema, tlsConfigSchema } from './schema.js';

/**
 * TLS settings for outbound connections. File names are resolved against the
 * certs directory (`<baseDir>/config/certs`) unless absolute; a value that
 * already contains a PEM block (`-----BEGIN`) is used as is.
 */
export type TlsConfig = z.input<typeof tlsConfigSchema>;

/** An HTTP(S) forward proxy. `host` is a URL (`http://proxy:3128`) or `host:port`. */
export type ProxyConfig = z.input<typeof proxyConfigSchema>;

/**
 * Retry behaviour, every setting resolved (see `DEFAULT_RETRY`). Attempts count the first try,
 * so `attempts: 1` disables retries. A 429 is retried for any method; other `statuses`, timeouts
 * and broken connections only for reads and the methods listed in `idempotentWrites`.
 */
export type RetryConfig = {
  [K in keyof z.output<typeof retryConfigSchema>]-?: NonNullable<z.output<typeof retryConfigSchema>[K]>;
};

/** Authentication of outbound requests. `passThrough` forwards `ctx.authorization`. */
export type AuthConfig = NonNullable<ConnectionConfig['auth']>;

/** Names of the supported `auth.type` values. */
export type AuthType = AuthConfig['type'];

/** `auth.type: "basic"`. */
export type BasicAuthOptions = Extract<AuthConfig, { type: 'basic' }>['options'];

/**
 * `auth.type: "bearer"` or `"token"`: a static `token`, or (seed compatible
 * `token` flavour) a token fetched from `tokenUrl` with `username`/`password`.
 */
export type BearerAuthOptions = Extract<AuthConfig, { type: 'bearer' | 'token' }>['options'];

/** OAuth 2.0 client credentials grant (`auth.type: "oauth"`, RFC 6749 §4.4). */
export type OAuthClientCredentialsOptions = Extract<AuthConfig, { type: 'oauth' }>['options'];

/** Certificate- or federation-based client assertion (`auth.type: "oauthJwtBearer"`, RFC 7523). */
export type JwtBearerOptions = Extract<AuthConfig, { type: 'oauthJwtBearer' }>['options'];

/** Federated identity credential (Entra "Other issuer"): the gateway is the issuer. */
export type FederatedCredentialConfig = NonNullable<JwtBearerOptions['fedCred']>;

/** Returns a SAML 2.0 assertion: XML, or already base64/base64url encoded. */
export type SamlAssertionProvider = (baseEntity: string | undefined) => string | Promise<string>;

/**
 * SAML 2.0 bearer assertion grant (`auth.type: "oauthSamlBearer"`, RFC 7522). In code,
 * `assertion` may be a function producing one per token request.
 */
export type SamlBearerOptions = Extract<AuthConfig, { type: 'oauthSamlBearer' }>['options'];

/**
 * `endpoint.entity.<baseEntity>.connection`, as `createHelperRest` takes it (declared by
 * `connectionConfigSchema`; in code the SAML `assertion` may also be a function).
 */
export type ConnectionConfig = z.input<typeof connectionOptionsSchema>;

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
