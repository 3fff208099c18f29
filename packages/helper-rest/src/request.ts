/**
 * The request pipeline of one call: target resolution, headers and body,
 * authorization, then attempts with base URL failover, retries with backoff,
 * one token refresh on 401, and typed errors.
 */
import type { RequestContext } from '@scimgw/core';
import { passThroughAuth } from './auth/index.js';
import type { AuthProvider } from './auth/types.js';
import type { ResolvedConnection } from './config.js';
import { RestConfigError, RestError, RestNetworkError, RestTimeoutError, upstreamMessage } from './errors.js';
import { appendQuery, type BaseUrlPool, isAbsoluteUrl, joinUrl } from './failover.js';
import {
  createSafeLogger,
  maskUrl,
  maskValue,
  registerSensitiveValues,
  type SafeLogger,
  type SecretRegistry,
  truncate,
} from './mask.js';
import { backoffDelay, isIdempotent, mergeRetry, parseRetryAfter, sleep } from './retry.js';
import { classifyFetchError, type Transport } from './transport.js';
import type { RequestOptions, RestResponse } from './types.js';

/** Everything one tenant needs at request time. */
export interface TenantRuntime {
  conn: ResolvedConnection;
  pool: BaseUrlPool;
  transport: Transport;
  auth: AuthProvider;
}

/** Helper-wide services. */
export interface PipelineDeps {
  log: SafeLogger;
  secrets: SecretRegistry;
  /** Source of jitter; replaceable in tests. */
  random?: () => number;
}

/** One call of the pipeline. */
export interface RequestSpec {
  method: string;
  path: string;
  body?: unknown;
  ctx?: RequestContext | undefined;
  options?: RequestOptions | undefined;
  /** Never attach the tenant's credentials (token endpoint calls). */
  noAuth?: boolean;
}

interface RawResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  url: string;
}

const FORM = 'application/x-www-form-urlencoded';

/** Serializes a body and picks its content type (JSON unless the caller said form). */
export function encodeBody(body: unknown, contentType: string | null): { body?: RequestInit['body']; contentType?: string } {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return { body, contentType: contentType ?? 'application/json' };
  if (body instanceof URLSearchParams) return { body, contentType: contentType ?? FORM };
  if (body instanceof Uint8Array || body instanceof ArrayBuffer || body instanceof Blob) {
    return { body: body as RequestInit['body'], contentType: contentType ?? 'application/octet-stream' };
  }
  if (contentType?.toLowerCase().startsWith(FORM) && typeof body === 'object') {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>))
      if (v !== undefined && v !== null) params.append(k, String(v));
    return { body: params, contentType };
  }
  return { body: JSON.stringify(body), contentType: contentType ?? 'application/json' };
}

/** Reads a body as JSON when it looks like JSON, else text; empty bodies are `undefined`. */
export function decodeBody(raw: RawResponse, mode: RequestOptions['responseType']): unknown {
  if (mode === 'bytes') return raw.bytes;
  if (raw.bytes.byteLength === 0) return undefined;
  const text = new TextDecoder().decode(raw.bytes);
  if (mode === 'text') return text;
  const type = raw.headers.get('content-type') ?? '';
  const trimmed = text.trimStart();
  if (/json/i.test(type) || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function callerSignal(ctx: RequestContext | undefined, options: RequestOptions): AbortSignal | undefined {
  const signals = [ctx?.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
  if (signals.length <= 1) return signals[0];
  return AbortSignal.any(signals);
}

function logBody(body: unknown, secrets: SecretRegistry): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return truncate(secrets.maskString(body), 1000);
  if (
    body instanceof URLSearchParams ||
    (typeof body === 'object' && !(body instanceof Uint8Array) && !(body instanceof ArrayBuffer))
  ) {
    return maskValue(body, secrets);
  }
  return '[binary]';
}

/**
 * Runs one request through the pipeline.
 *
 * @throws RestError for HTTP ≥ 400, RestNetworkError / RestTimeoutError when
 *   attempts are exhausted, RestAbortedError, RestAuthError, RestConfigError.
 */
export async function executeRequest<T>(rt: TenantRuntime, deps: PipelineDeps, spec: RequestSpec): Promise<RestResponse<T>> {
  const { conn, pool, transport, secrets } = { ...rt, secrets: deps.secrets };
  const options = spec.options ?? {};
  const ctx = spec.ctx;
  const log = ctx?.log ? createSafeLogger(ctx.log, secrets) : deps.log;
  const method = spec.method.toUpperCase();
  const retry = mergeRetry(conn.retry, options.retry === false ? { attempts: 1 } : options.retry);
  const maySendAgain = isIdempotent(method) || options.retryNonIdempotent === true;
  const timeoutMs = options.timeout && options.timeout > 0 ? options.timeout : conn.timeout;
  const caller = callerSignal(ctx, options);
  const random = deps.random ?? Math.random;

  // Where to send: a path under the base URLs (with failover) or a foreign absolute URL.
  let rel: string | undefined;
  let absolute: string | undefined;
  if (isAbsoluteUrl(spec.path)) {
    rel = pool.relativize(spec.path);
    if (rel === undefined) absolute = spec.path;
  } else if (pool.urls.length === 0) {
    throw new RestConfigError(`endpoint.entity.${conn.key}.connection has no baseUrls; pass an absolute URL`);
  } else rel = spec.path;
  const sendAuth = !spec.noAuth && (absolute === undefined || pool.sameOrigin(absolute) || options.sendAuth === true);
  const provider = options.passThrough ? passThroughAuth() : rt.auth;

  const headers = new Headers({ accept: 'application/json' });
  for (const [k, v] of Object.entries(conn.headers)) headers.set(k, v);
  for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
  registerSensitiveValues(spec.body, secrets);
  const encoded = encodeBody(spec.body, headers.get('content-type'));
  if (encoded.contentType) headers.set('content-type', encoded.contentType);
  const callerAuthorization = headers.has('authorization');
  if (callerAuthorization) secrets.add(headers.get('authorization'));

  const tenant = conn.tenant;
  const requestId = ctx?.requestId;
  const what = (url: string) => `${method} ${maskUrl(url, secrets)}`;

  const attemptOnce = async (): Promise<RawResponse> => {
    const bases = absolute === undefined ? pool.candidates() : [undefined];
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i];
      const url = appendQuery(base === undefined ? (absolute as string) : joinUrl(base, rel as string), options.query);
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = caller ? AbortSignal.any([timeout, caller]) : timeout;
      try {
        const res = await transport.fetch(url, { method, headers, body: encoded.body ?? null, signal, redirect: 'follow' });
        if (base !== undefined) pool.succeeded(base);
        const bytes = new Uint8Array(await res.arrayBuffer());
        return { status: res.status, headers: res.headers, bytes, url };
      } catch (e) {
        const err = classifyFetchError(e, { timeout, caller }, what(url), timeoutMs);
        const next = bases[i + 1];
        if (err instanceof RestNetworkError && !err.reached && !err.fatal && next !== undefined) {
          log.warn('base URL unreachable, failing over', {
            tenant,
            requestId,
            from: maskUrl(base ?? url, secrets),
            to: next,
            errno: err.errno,
          });
          continue;
        }
        throw err;
      }
    }
    throw new RestConfigError('no base URL to send to');
  };

  let attempt = 0;
  let refreshed = false;
  for (;;) {
    attempt++;
    let authorization: string | undefined;
    if (sendAuth && !callerAuthorization) {
      authorization = await provider.authorize(ctx);
      if (authorization) {
        secrets.add(authorization);
        secrets.add(authorization.slice(authorization.indexOf(' ') + 1));
        headers.set('authorization', authorization);
      } else headers.delete('authorization');
    }
    const started = Date.now();
    log.debug('rest request', {
      tenant,
      requestId,
      method,
      url: maskUrl(rel ?? absolute ?? '', secrets),
      attempt,
      body: logBody(spec.body, secrets),
    });

    let raw: RawResponse;
    try {
      raw = await attemptOnce();
    } catch (e) {
      const transient = e instanceof RestTimeoutError || (e instanceof RestNetworkError && !e.fatal);
      const allowed = e instanceof RestNetworkError && !e.reached ? true : maySendAgain;
      if (!transient || !allowed || attempt >= retry.attempts) {
        log.warn('rest request failed', { tenant, requestId, method, attempt, error: (e as Error).message });
        throw e;
      }
      const delayMs = backoffDelay(attempt, retry, random);
      log.warn('rest request failed, retrying', { tenant, requestId, method, attempt, delayMs, error: (e as Error).message });
      await sleep(delayMs, caller);
      continue;
    }
    log.debug('rest response', {
      tenant,
      requestId,
      method,
      url: maskUrl(raw.url, secrets),
      status: raw.status,
      ms: Date.now() - started,
    });

    if (raw.status === 401 && authorization && !refreshed && provider.refresh(authorization)) {
      refreshed = true;
      attempt--; // a credential refresh is not a retry of a failed attempt
      log.info('credentials rejected (401), refreshing token once', { tenant, requestId, method });
      continue;
    }

    const retryAfterMs = parseRetryAfter(raw.headers.get('retry-after'));
    if (retry.statuses.includes(raw.status) && attempt < retry.attempts && maySendAgain) {
      if (retryAfterMs === undefined || retryAfterMs <= retry.maxRetryAfterMs) {
        const delayMs = retryAfterMs ?? backoffDelay(attempt, retry, random);
        log.warn('rest request throttled or unavailable, retrying', {
          tenant,
          requestId,
          method,
          status: raw.status,
          attempt,
          delayMs,
        });
        await sleep(delayMs, caller);
        continue;
      }
    }

    const body = decodeBody(raw, raw.status >= 400 ? 'auto' : options.responseType);
    if (raw.status >= 400) {
      const url = maskUrl(raw.url, secrets);
      const upstreamRaw = upstreamMessage(body);
      const upstream = upstreamRaw === undefined ? undefined : secrets.maskString(upstreamRaw);
      const err = new RestError({
        detail: upstream,
        status: raw.status,
        body,
        headers: raw.headers,
        method,
        url,
        retryAfter: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
        message: secrets.maskString(`${method} ${url} failed with status ${raw.status}${upstream ? `: ${upstream}` : ''}`),
      });
      const level = raw.status >= 500 || raw.status === 429 ? 'warn' : 'debug';
      log[level]('rest error response', { tenant, requestId, method, url, status: raw.status, body: logBody(body, secrets) });
      throw err;
    }
    return { status: raw.status, headers: raw.headers, body: body as T, url: raw.url };
  }
}
