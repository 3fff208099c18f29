/**
 * Reads and validates `endpoint.entity.<baseEntity>.connection`. Everything
 * that can be checked without network access is checked here, when the
 * helper is created, so a bad config fails at startup rather than on the
 * first provisioning call.
 */
import { RestConfigError } from './errors.js';
import { isSensitiveKey, type SecretRegistry } from './mask.js';
import { type ResolvedProxy, resolveProxy } from './proxy.js';
import { mergeRetry } from './retry.js';
import { type LoadedTls, loadTls } from './tls.js';
import type { AuthConfig, AuthType, ConnectionConfig, EndpointConfig, RetryConfig } from './types.js';

/** Microsoft Graph base URL used when an Entra connection lists no `baseUrls` (the seed's default). */
export const GRAPH_BASE_URL = 'https://graph.microsoft.com/beta';

/** Entra ID authority host. */
export const ENTRA_AUTHORITY = 'https://login.microsoftonline.com';

/**
 * Default per-attempt timeout (ms) of attempts that may be followed by another (reads, and writes
 * the target is configured to apply idempotently). Without a configured `timeout`, an attempt that
 * cannot be repeated (a write, the last try) may use what is left of the deadline.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Default deadline (ms) of all the calls made for one inbound request: below the shortest client
 * timeout of the identity providers that provision through the gateway (Okta's on-premises
 * provisioning: 30 s at least; Microsoft Entra ID: 60 s), so the client gets the gateway's answer
 * rather than its own timeout. Retries and waits for `Retry-After` happen inside it, never past it.
 */
export const DEFAULT_DEADLINE_MS = 25_000;

/** Key of a tenant in `endpoint.entity`: the default tenant is the string `"undefined"`. */
export function tenantKey(baseEntity: string | undefined): string {
  return baseEntity === undefined || baseEntity === '' ? 'undefined' : baseEntity;
}

/** A validated connection of one tenant. */
export interface ResolvedConnection {
  /** The baseEntity as callers pass it (`undefined` for the default tenant). */
  tenant: string | undefined;
  key: string;
  baseUrls: string[];
  auth: AuthConfig;
  headers: Record<string, string>;
  tls: LoadedTls | undefined;
  proxy: ResolvedProxy | undefined;
  /** Per-attempt timeout (ms) when configured; see {@link DEFAULT_TIMEOUT_MS} for the default. */
  timeout: number | undefined;
  /** Deadline of one inbound request's calls (ms). */
  deadline: number;
  retry: RetryConfig;
}

const AUTH_TYPES: ReadonlySet<AuthType> = new Set<AuthType>([
  'basic',
  'bearer',
  'token',
  'oauth',
  'oauthJwtBearer',
  'oauthSamlBearer',
  'passThrough',
  'none',
]);

/** Token URL of an Entra tenant (v2 endpoint). */
export function entraTokenUrl(azureTenantId: string, authorityHost: string = ENTRA_AUTHORITY): string {
  return `${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(azureTenantId)}/oauth2/v2.0/token`;
}

function str(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

function fail(key: string, msg: string): never {
  throw new RestConfigError(`endpoint.entity.${key}.connection: ${msg}`);
}

/**
 * Normalizes the auth section: applies the seed's alias (`oauth` with an Entra
 * certificate means `oauthJwtBearer`), checks required options, and fills the
 * Entra defaults (token URL from the tenant id, `<graph origin>/.default` scope).
 */
function resolveAuth(key: string, raw: ConnectionConfig['auth'], baseUrls: string[]): AuthConfig {
  if (!raw?.type) return { type: 'none' };
  const type = raw.type as AuthType;
  if (!AUTH_TYPES.has(type)) fail(key, `unknown auth.type "${String(raw.type)}"`);
  const o = { ...((raw.options ?? {}) as Record<string, unknown>) };
  const azure = str(o.azureTenantId);
  const tls = (o.tls ?? {}) as Record<string, unknown>;
  let effective: AuthType = type;
  if (type === 'oauth' && azure && !str(o.clientSecret) && str(tls.key) && str(tls.cert)) effective = 'oauthJwtBearer';

  if (effective === 'oauth' || effective === 'oauthJwtBearer') {
    if (!str(o.tokenUrl)) {
      if (!azure) fail(key, `auth.type "${effective}" needs auth.options.tokenUrl or azureTenantId`);
      o.tokenUrl = entraTokenUrl(o.azureTenantId as string, str(o.authorityHost) ? o.authorityHost : undefined);
    }
    if (azure && !str(o.scope)) o.scope = `${new URL(baseUrls[0] ?? GRAPH_BASE_URL).origin}/.default`;
  }

  switch (effective) {
    case 'basic':
      if (!str(o.username) || typeof o.password !== 'string')
        fail(key, 'auth.type "basic" needs options.username and options.password');
      break;
    case 'bearer':
    case 'token':
      if (!str(o.token) && !(str(o.tokenUrl) && typeof o.password === 'string')) {
        fail(key, `auth.type "${effective}" needs options.token (or tokenUrl with username/password)`);
      }
      break;
    case 'oauth':
      if (!str(o.clientId) || !str(o.clientSecret))
        fail(key, 'auth.type "oauth" needs options.clientId and options.clientSecret');
      break;
    case 'oauthJwtBearer': {
      const fed = o.fedCred as Record<string, unknown> | null | undefined;
      if (fed && (str(fed.issuer) || str(fed.subject))) {
        if (!str(fed.issuer) || !str(fed.subject)) fail(key, 'auth.options.fedCred needs issuer and subject');
        try {
          new URL(fed.issuer as string);
        } catch {
          fail(key, 'auth.options.fedCred.issuer must be a URL');
        }
        if (!str(o.clientId)) o.clientId = fed.subject;
      } else {
        if (!str(tls.key)) fail(key, 'auth.type "oauthJwtBearer" needs options.tls.key (or options.fedCred)');
        if (!o.jwtPayload && (!str(tls.cert) || !str(o.clientId))) {
          fail(key, 'auth.type "oauthJwtBearer" needs options.clientId and options.tls.cert (or options.jwtPayload)');
        }
      }
      break;
    }
    case 'oauthSamlBearer':
      if (!str(o.tokenUrl)) fail(key, 'auth.type "oauthSamlBearer" needs options.tokenUrl');
      if (!str(o.assertion) && typeof o.assertion !== 'function') {
        fail(key, 'auth.type "oauthSamlBearer" needs options.assertion (a SAML assertion or a function returning one)');
      }
      break;
    case 'passThrough':
    case 'none':
      break;
  }
  return { type: effective, options: o } as AuthConfig;
}

/** Registers every configured secret with the masker. */
function registerSecrets(conn: ConnectionConfig, auth: AuthConfig, secrets: SecretRegistry): void {
  const o = (auth.options ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (isSensitiveKey(k)) secrets.add(v);
  if (auth.type === 'basic') secrets.addBasic(auth.options.username, auth.options.password);
  const tls = o.tls as Record<string, unknown> | undefined;
  if (tls) secrets.add(tls.passphrase);
  if (conn.proxy?.password) {
    secrets.add(conn.proxy.password);
    if (conn.proxy.username) secrets.addBasic(conn.proxy.username, conn.proxy.password);
  }
  secrets.add(conn.options?.tls?.passphrase ?? undefined);
  for (const [k, v] of Object.entries(conn.options?.headers ?? {})) if (isSensitiveKey(k)) secrets.add(v);
  const extra = o.extraParams as Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(extra ?? {})) if (isSensitiveKey(k)) secrets.add(v);
}

/**
 * Validates one tenant's connection.
 *
 * @param key - the key under `endpoint.entity` (`"undefined"` for the default tenant)
 */
export function resolveConnection(
  key: string,
  conn: ConnectionConfig,
  certsDir: string,
  secrets: SecretRegistry,
): ResolvedConnection {
  if (typeof conn !== 'object' || conn === null) fail(key, 'must be an object');
  if (conn.baseUrls !== undefined && conn.baseUrls !== null && !Array.isArray(conn.baseUrls))
    fail(key, 'baseUrls must be an array');
  let baseUrls = (conn.baseUrls ?? []).filter((u) => str(u));
  for (const u of baseUrls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      fail(key, `baseUrls entry "${u}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail(key, `baseUrls entry "${u}" must be http(s)`);
  }
  const rawOpts = (conn.auth?.options ?? {}) as Record<string, unknown>;
  if (baseUrls.length === 0 && str(rawOpts.azureTenantId)) baseUrls = [GRAPH_BASE_URL];
  const auth = resolveAuth(key, conn.auth, baseUrls);
  registerSecrets(conn, auth, secrets);
  const timeout = positiveMs(key, 'timeout', conn.timeout);
  const deadline = positiveMs(key, 'deadline', conn.deadline) ?? DEFAULT_DEADLINE_MS;
  // Lower-case names: the pipeline builds each request's headers as a plain object.
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(conn.options?.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  let retry: RetryConfig;
  try {
    retry = mergeRetry(conn.retry);
  } catch (e) {
    fail(key, (e as Error).message);
  }
  let tls: LoadedTls | undefined;
  let proxy: ResolvedProxy | undefined;
  try {
    tls = loadTls(conn.options?.tls, certsDir);
    proxy = resolveProxy(conn.proxy);
  } catch (e) {
    fail(key, (e as Error).message);
  }
  return {
    tenant: key === 'undefined' ? undefined : key,
    key,
    baseUrls,
    auth,
    headers,
    tls,
    proxy,
    timeout,
    deadline,
    retry,
  };
}

/** A positive number of milliseconds, `undefined` when not set; anything else is a configuration error. */
function positiveMs(key: string, name: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(key, `${name} must be a positive number of milliseconds`);
  return v;
}

/** Validates every tenant that has a `connection`. */
export function resolveEndpoint(
  endpoint: EndpointConfig,
  certsDir: string,
  secrets: SecretRegistry,
): Map<string, ResolvedConnection> {
  const out = new Map<string, ResolvedConnection>();
  for (const [key, entity] of Object.entries(endpoint?.entity ?? {})) {
    if (entity?.connection) out.set(key, resolveConnection(key, entity.connection, certsDir, secrets));
  }
  return out;
}
