/**
 * Reads and validates `endpoint.entity.<baseEntity>.connection`. Everything
 * that can be checked without network access is checked here, when the
 * helper is created, so a bad config fails at startup rather than on the
 * first provisioning call: the shape by `connectionOptionsSchema` (the schema
 * `check-config` runs too), then the files it names.
 */
import { configSection, formatConfigPath } from '@scimgw/config';
import { RestConfigError } from './errors.js';
import { isSensitiveKey, type SecretRegistry } from './mask.js';
import { type ResolvedProxy, resolveProxy } from './proxy.js';
import { mergeRetry } from './retry.js';
import { connectionOptionsSchema } from './schema.js';
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
  /** Largest answer read (bytes) when configured; the transport's default otherwise. */
  maxResponseBytes: number | undefined;
}

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

/** The connection checked by {@link connectionOptionsSchema}: every problem, each with its path. */
function checked(key: string, conn: unknown): ConnectionConfig {
  const r = optionsSection.validate(conn);
  if (r.ok) return r.value;
  const root = `endpoint.entity.${key}.connection`;
  throw new RestConfigError(r.issues.map((i) => `${formatConfigPath(i.path, root)}: ${i.message}`).join('\n'));
}

const optionsSection = configSection(connectionOptionsSchema);

/**
 * Normalizes a checked auth section: applies the seed's aliases (`oauth` with an Entra
 * certificate or a Google service account key means `oauthJwtBearer`) and fills the Entra defaults (token URL from the tenant
 * id, `<graph origin>/.default` scope, `fedCred.subject` as client id).
 */
function resolveAuth(raw: ConnectionConfig['auth'], baseUrls: string[]): AuthConfig {
  if (!raw) return { type: 'none' };
  const o = { ...((raw.options ?? {}) as Record<string, unknown>) };
  const azure = str(o.azureTenantId);
  const tls = (o.tls ?? {}) as Record<string, unknown>;
  let type: AuthType = raw.type;
  if (type === 'oauth' && azure && !str(o.clientSecret) && str(tls.key) && str(tls.cert)) type = 'oauthJwtBearer';
  // A Google service account key (the seed's email section writes it under `oauth`): its own token URL.
  const google = str(o.serviceAccountKeyFile);
  if (type === 'oauth' && google) type = 'oauthJwtBearer';
  if ((type === 'oauth' || type === 'oauthJwtBearer') && !google) {
    if (!str(o.tokenUrl))
      o.tokenUrl = entraTokenUrl(o.azureTenantId as string, str(o.authorityHost) ? o.authorityHost : undefined);
    if (azure && !str(o.scope)) o.scope = `${new URL(baseUrls[0] ?? GRAPH_BASE_URL).origin}/.default`;
  }
  const fed = o.fedCred as { subject?: string } | undefined;
  if (type === 'oauthJwtBearer' && fed && !str(o.clientId)) o.clientId = fed.subject;
  return { type, options: o } as AuthConfig;
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
  raw: ConnectionConfig,
  certsDir: string,
  secrets: SecretRegistry,
): ResolvedConnection {
  const conn = checked(key, raw);
  let baseUrls = (conn.baseUrls ?? []).filter((u) => str(u));
  if (baseUrls.length === 0 && str((conn.auth?.options as Record<string, unknown> | null | undefined)?.azureTenantId))
    baseUrls = [GRAPH_BASE_URL];
  const auth = resolveAuth(conn.auth, baseUrls);
  registerSecrets(conn, auth, secrets);
  // Lower-case names: the pipeline builds each request's headers as a plain object.
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(conn.options?.headers ?? {})) headers[k.toLowerCase()] = v;
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
    timeout: conn.timeout ?? undefined,
    deadline: conn.deadline ?? DEFAULT_DEADLINE_MS,
    retry: mergeRetry(conn.retry),
    maxResponseBytes: conn.maxResponseBytes ?? undefined,
  };
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
