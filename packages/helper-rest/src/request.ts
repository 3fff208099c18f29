/**
 * The request pipeline of one call: target resolution, headers and body,
 * authorization, then attempts with base URL failover, retries with backoff,
 * one token refresh on 401, and typed errors — all inside the call's deadline.
 */
import type { RequestContext } from '@scimgw/core';
import { passThroughAuth } from './auth/index.js';
import type { AuthProvider } from './auth/types.js';
import { DEFAULT_TIMEOUT_MS, type ResolvedConnection } from './config.js';
import { RestAbortedError, RestConfigError, RestError, RestNetworkError, RestTimeoutError, upstreamMessage } from './errors.js';
import { appendQuery, type BaseUrlPool, isAbsoluteUrl, joinUrl } from './failover.js';
import {
  createSafeLogger,
  type LogLevel,
  maskUrl,
  maskValue,
  registerSensitiveValues,
  type SafeLogger,
  type SecretRegistry,
  sinkEnabled,
  truncate,
} from './mask.js';
import { classifyTransportError } from './network-errors.js';
import { backoffDelay, mayResend, mergeRetry, parseRetryAfter, sleep } from './retry.js';
import { type RawResponse, type Transport, TransportAbort } from './transport.js';
import { tracedExchange } from './trace.js';
import type { RequestOptions, RestResponse } from './types.js';

/** Everything one tenant needs at request time. */
export interface TenantRuntime {
  conn: ResolvedConnection;
  pool: BaseUrlPool;
  transport: Transport;
  auth: AuthProvider;
  /** The last Authorization value registered with the masker (registering is not free). */
  lastAuthorization?: string | undefined;
}

/** Helper-wide services. */
export interface PipelineDeps {
  log: SafeLogger;
  secrets: SecretRegistry;
  /** Deadlines of inbound requests, by their `ctx`: every call made for one request shares one. */
  deadlines: WeakMap<object, number>;
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

const FORM = 'application/x-www-form-urlencoded';
const NO_OPTIONS: RequestOptions = {};
const decoder = new TextDecoder();

/** An attempt shorter than this is not worth starting: the deadline ends the call instead. */
const MIN_ATTEMPT_MS = 50;

const NO_BODY: { body?: string | Uint8Array; contentType?: string } = {};

/**
 * Serializes a body and picks its content type (JSON unless the caller said form). A `Blob` is
 * read by the caller first, so that everything else is encoded without waiting.
 */
export function encodeBody(body: unknown, contentType: string | undefined): { body?: string | Uint8Array; contentType?: string } {
  if (body === undefined || body === null) return NO_BODY;
  if (typeof body === 'string') return { body, contentType: contentType ?? 'application/json' };
  if (body instanceof URLSearchParams) return { body: body.toString(), contentType: contentType ?? FORM };
  if (body instanceof Uint8Array) return { body, contentType: contentType ?? 'application/octet-stream' };
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body), contentType: contentType ?? 'application/octet-stream' };
  if (contentType?.toLowerCase().startsWith(FORM) && typeof body === 'object') {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>))
      if (v !== undefined && v !== null) params.append(k, String(v));
    return { body: params.toString(), contentType };
  }
  return { body: JSON.stringify(body), contentType: contentType ?? 'application/json' };
}

function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) continue;
    return c === 0x7b /* { */ || c === 0x5b /* [ */;
  }
  return false;
}

/** Reads a body as JSON when it looks like JSON, else text; empty bodies are `undefined`. */
export function decodeBody(raw: Pick<RawResponse, 'bytes' | 'header'>, mode: RequestOptions['responseType']): unknown {
  if (mode === 'bytes') return raw.bytes;
  if (raw.bytes.byteLength === 0) return undefined;
  const text = decoder.decode(raw.bytes);
  if (mode === 'text') return text;
  if (looksLikeJson(text) || /json/i.test(raw.header('content-type') ?? '')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function callerSignal(ctx: RequestContext | undefined, options: RequestOptions): AbortSignal | undefined {
  const a = ctx?.signal;
  const b = options.signal;
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
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
 * When the call must be done: a per-call `options.deadline`, else the deadline of the inbound
 * request `ctx` belongs to (set by its first call), else the connection's deadline from now.
 */
function deadlineOf(
  deps: PipelineDeps,
  conn: ResolvedConnection,
  ctx: RequestContext | undefined,
  options: RequestOptions,
  known: number | undefined,
) {
  const now = Date.now();
  if (options.deadline !== undefined && options.deadline > 0) return now + options.deadline;
  if (!ctx) return now + conn.deadline;
  let at = known;
  if (at === undefined) {
    at = now + conn.deadline;
    deps.deadlines.set(ctx, at);
  }
  return at;
}

/** Waits for `p`, but no longer than `until` (ms since epoch) and not past a caller abort. */
function withinDeadline<T>(p: Promise<T>, until: number, caller: AbortSignal | undefined, what: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RestAbortedError(`${what()} aborted by caller`, { cause: caller?.reason }));
    };
    const timer = setTimeout(
      () => {
        caller?.removeEventListener('abort', onAbort);
        reject(new RestTimeoutError(`${what()}: no credentials within the request's deadline`, { deadline: true }));
      },
      Math.max(0, until - Date.now()),
    );
    if (caller?.aborted) return onAbort();
    caller?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        clearTimeout(timer);
        caller?.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        caller?.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Runs one request through the pipeline.
 *
 * @throws RestError for HTTP ≥ 400, RestNetworkError / RestTimeoutError when
 *   attempts or the deadline are exhausted, RestAbortedError, RestAuthError, RestConfigError.
 */
export async function executeRequest<T>(rt: TenantRuntime, deps: PipelineDeps, spec: RequestSpec): Promise<RestResponse<T>> {
  const { conn, pool, transport } = rt;
  const secrets = deps.secrets;
  const options = spec.options ?? NO_OPTIONS;
  const ctx = spec.ctx;
  const method = spec.method.toUpperCase();
  const retry =
    options.retry === undefined ? conn.retry : mergeRetry(conn.retry, options.retry === false ? { attempts: 1 } : options.retry);
  const resendable = mayResend(method, retry, options.retryNonIdempotent === true);
  // An explicit timeout bounds every attempt; by default only attempts that may be repeated are cut
  // short, and one that cannot be repeated (a write, the last try) may use what is left of the deadline.
  const explicitTimeout = options.timeout !== undefined && options.timeout > 0 ? options.timeout : conn.timeout;
  // The deadline of the inbound request, when an earlier call of it set one.
  const ctxDeadline = ctx === undefined ? undefined : deps.deadlines.get(ctx);
  const deadlineAt = deadlineOf(deps, conn, ctx, options, ctxDeadline);
  // The caller's signal is asked for only when needed: a host may make `ctx.signal` when it is first
  // read (the gateway does), and the one call of a read by id whose exchange ends quickly needs none.
  let callerMemo: AbortSignal | undefined | null = null;
  const caller = (): AbortSignal | undefined => (callerMemo === null ? (callerMemo = callerSignal(ctx, options)) : callerMemo);
  // Before sending: a later call of an inbound request (the next page) stops if its client is gone;
  // the first reads `ctx.signal` only if its exchange runs long (CALLER_GRACE_MS, transport.ts).
  const checkCtx = ctxDeadline !== undefined;
  const mayAbort = ctx !== undefined || options.signal !== undefined;
  const abortedCaller = (): AbortSignal | undefined => {
    const signal = checkCtx || callerMemo !== null ? caller() : options.signal;
    return signal?.aborted ? signal : undefined;
  };
  const random = deps.random ?? Math.random;
  const unreachableRetryAfter = Math.ceil(retry.unreachableRetryAfterMs / 1000);
  // The request's own logger (`ctx.log`) when there is one; wrapped only when a line is written.
  let requestLog: SafeLogger | undefined;
  const log = () => (requestLog ??= ctx?.log ? createSafeLogger(ctx.log, secrets) : deps.log);
  const logs = (level: LogLevel) =>
    requestLog ? requestLog.enabled(level) : ctx?.log ? sinkEnabled(ctx.log, level) : deps.log.enabled(level);

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
  // The caller's own credential goes to the backend: its 401/403 are answers to the caller.
  const byCaller = sendAuth && provider?.callerCredentials === true;

  const headers: Record<string, string> = { accept: 'application/json', ...conn.headers };
  if (options.headers) for (const k of Object.keys(options.headers)) headers[k.toLowerCase()] = options.headers[k] as string;
  registerSensitiveValues(spec.body, secrets);
  const encoded =
    spec.body instanceof Blob
      ? encodeBody(new Uint8Array(await spec.body.arrayBuffer()), headers['content-type'] ?? (spec.body.type || undefined))
      : encodeBody(spec.body, headers['content-type']);
  if (encoded.contentType) headers['content-type'] = encoded.contentType;
  const callerAuthorization = headers.authorization !== undefined;
  if (callerAuthorization) secrets.add(headers.authorization);

  const tenant = conn.tenant;
  const requestId = ctx?.requestId;
  const what = (url: string) => `${method} ${maskUrl(url, secrets)}`;

  /** One exchange with one base URL, abandoned when the caller aborts or after `timeoutMs`. */
  const exchange = (url: string, timeoutMs: number, endsCall: boolean): Promise<RawResponse> =>
    tracedExchange(method, url, headers, (sent) => {
      const gone = abortedCaller();
      if (gone) return Promise.reject(new TransportAbort('caller', gone.reason));
      return transport.send({ method, url, headers: sent, body: encoded.body, timeoutMs, caller: mayAbort ? caller : undefined });
    }).catch((e: unknown) => {
      const why = e instanceof TransportAbort ? e.why : undefined;
      throw classifyTransportError(e instanceof TransportAbort ? e.reason : e, {
        what: what(url),
        method,
        cause: why === 'caller' ? 'caller' : why === 'timeout' ? (endsCall ? 'deadline' : 'attempt') : undefined,
        callerReason: why === 'caller' ? caller()?.reason : undefined,
        timeoutMs,
        retryAfter: unreachableRetryAfter,
      });
    });

  /** Sends to `url` within the time this attempt may take. */
  const attemptAt = (url: string, mayRetryLater: boolean): Promise<RawResponse> => {
    const remaining = deadlineAt - Date.now();
    if (remaining <= 0) {
      return Promise.reject(
        new RestTimeoutError(`${what(url)} did not finish within the request's deadline`, { method, deadline: true }),
      );
    }
    const limit = explicitTimeout ?? (mayRetryLater ? DEFAULT_TIMEOUT_MS : remaining);
    const endsCall = limit >= remaining;
    return exchange(url, endsCall ? remaining : limit, endsCall);
  };

  /** Tries the base URLs in order (failover) until one can be connected to. */
  const attemptOnce = (mayRetryLater: boolean): Promise<RawResponse> => {
    const bases = absolute === undefined ? pool.candidates() : [undefined];
    // One base URL: nothing to fail over to, and no promise of its own around the exchange.
    if (bases.length === 1) {
      return attemptAt(
        appendQuery(bases[0] === undefined ? (absolute as string) : joinUrl(bases[0], rel as string), options.query),
        mayRetryLater,
      );
    }
    return failover(bases, mayRetryLater);
  };

  const failover = async (bases: readonly (string | undefined)[], mayRetryLater: boolean): Promise<RawResponse> => {
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i];
      const url = appendQuery(base === undefined ? (absolute as string) : joinUrl(base, rel as string), options.query);
      try {
        const raw = await attemptAt(url, mayRetryLater);
        if (base !== undefined) pool.succeeded(base);
        return raw;
      } catch (err) {
        const next = bases[i + 1];
        if (err instanceof RestNetworkError && !err.reached && !err.fatal && next !== undefined) {
          log().warn('base URL unreachable, failing over', {
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

  /** True when waiting `delayMs` still leaves time for another attempt. */
  const timeLeftAfter = (delayMs: number) => Date.now() + delayMs + MIN_ATTEMPT_MS < deadlineAt;

  let attempt = 0;
  let refreshed = false;
  for (;;) {
    attempt++;
    if (sendAuth && !callerAuthorization) {
      // Credentials at hand (basic, a cached token) are set without waiting for anything.
      const ready = provider.ready(ctx);
      if (ready !== false) setAuthorization(rt, headers, secrets, ready);
      else
        await authorize(rt, provider, {
          ctx,
          headers,
          secrets,
          deadlineAt,
          caller: caller(),
          what: () => `${method} ${rel ?? absolute}`,
        });
    }
    const started = Date.now();
    const debug = logs('debug');
    if (debug) {
      log().debug('rest request', {
        tenant,
        requestId,
        method,
        url: maskUrl(rel ?? absolute ?? '', secrets),
        attempt,
        body: logBody(spec.body, secrets),
      });
    }

    const mayRetryLater = resendable && attempt < retry.attempts;
    let raw: RawResponse;
    try {
      raw = await attemptOnce(mayRetryLater);
    } catch (e) {
      const { transient, allowed } = mayRetryAfter(e, resendable);
      const delayMs = backoffDelay(attempt, retry, random);
      if (!transient || !allowed || attempt >= retry.attempts || !timeLeftAfter(delayMs)) {
        log().warn('rest request failed', { tenant, requestId, method, attempt, error: (e as Error).message });
        // A timeout that could have been tried again but for the deadline is the deadline's doing.
        if (e instanceof RestTimeoutError && transient && allowed && attempt < retry.attempts) {
          throw new RestTimeoutError(`${e.message}; no time left within the request's deadline to try again`, {
            cause: e,
            method,
            deadline: true,
          });
        }
        throw e;
      }
      log().warn('rest request failed, retrying', { tenant, requestId, method, attempt, delayMs, error: (e as Error).message });
      await sleep(delayMs, caller());
      continue;
    }
    if (debug) {
      log().debug('rest response', {
        tenant,
        requestId,
        method,
        url: maskUrl(raw.url, secrets),
        status: raw.status,
        ms: Date.now() - started,
      });
    }

    const authorization = headers.authorization;
    if (raw.status === 401 && authorization && !callerAuthorization && !refreshed && provider.refresh(authorization)) {
      refreshed = true;
      attempt--; // a credential refresh is not a retry of a failed attempt
      log().info('credentials rejected (401), refreshing token once', { tenant, requestId, method });
      continue;
    }

    // Retry-After only matters to a retry and to an error: a success does not look for it.
    const retryAfterMs =
      raw.status >= 400 || retry.statuses.includes(raw.status) ? parseRetryAfter(raw.header('retry-after')) : undefined;
    // A 429 means the target refused the request: any method may be sent again.
    if (retry.statuses.includes(raw.status) && attempt < retry.attempts && (resendable || raw.status === 429)) {
      const delayMs = retryAfterMs ?? backoffDelay(attempt, retry, random);
      if (delayMs <= retry.maxRetryAfterMs && timeLeftAfter(delayMs)) {
        log().warn('rest request throttled or unavailable, retrying', {
          tenant,
          requestId,
          method,
          status: raw.status,
          attempt,
          delayMs,
        });
        await sleep(delayMs, caller());
        continue;
      }
    }

    const body = decodeBody(raw, raw.status >= 400 ? 'auto' : options.responseType);
    if (raw.status >= 400) {
      const level = raw.status >= 500 || raw.status === 429 ? 'warn' : 'debug';
      throw httpError(raw, body, method, retryAfterMs, secrets, logs(level) ? log() : undefined, { tenant, requestId }, byCaller);
    }
    return new Answer<T>(raw, body as T);
  }
}

/**
 * Sets the attempt's `Authorization` header from what the provider fetches (a token), waiting no
 * longer than the deadline; the caller sets one the provider has at hand itself.
 */
async function authorize(
  rt: TenantRuntime,
  provider: AuthProvider,
  a: {
    ctx: RequestContext | undefined;
    headers: Record<string, string>;
    secrets: SecretRegistry;
    deadlineAt: number;
    caller: AbortSignal | undefined;
    what: () => string;
  },
): Promise<void> {
  const authorization = await withinDeadline(provider.authorize(a.ctx), a.deadlineAt, a.caller, a.what);
  setAuthorization(rt, a.headers, a.secrets, authorization);
}

/** Sets (or, for none, removes) the `Authorization` header, registering a new value with the masker. */
function setAuthorization(
  rt: TenantRuntime,
  headers: Record<string, string>,
  secrets: SecretRegistry,
  authorization: string | undefined,
): void {
  if (!authorization) {
    delete headers.authorization;
    return;
  }
  // Registering a secret with the masker is not free: only when the value changes (a new token).
  if (authorization !== rt.lastAuthorization) {
    secrets.add(authorization);
    secrets.add(authorization.slice(authorization.indexOf(' ') + 1));
    rt.lastAuthorization = authorization;
  }
  headers.authorization = authorization;
}

/**
 * Whether a failed attempt may be followed by another: the failure is transient (a timeout of the
 * attempt, a connection that failed or broke), and sending again is harmless (the connection never
 * opened, so nothing was sent; or the request may be sent again).
 */
function mayRetryAfter(e: unknown, resendable: boolean): { transient: boolean; allowed: boolean } {
  const transient = (e instanceof RestTimeoutError && !e.deadline) || (e instanceof RestNetworkError && !e.fatal);
  const allowed = e instanceof RestNetworkError && !e.reached ? true : resendable;
  return { transient, allowed };
}

/** A successful answer; `headers` is built only when someone reads it. */
class Answer<T> implements RestResponse<T> {
  readonly status: number;
  readonly url: string;
  readonly #raw: RawResponse;

  constructor(
    raw: RawResponse,
    readonly body: T,
  ) {
    this.status = raw.status;
    this.url = raw.url;
    this.#raw = raw;
  }

  get headers(): Headers {
    return this.#raw.headers();
  }
}

function httpError(
  raw: RawResponse,
  body: unknown,
  method: string,
  retryAfterMs: number | undefined,
  secrets: SecretRegistry,
  log: SafeLogger | undefined,
  where: { tenant: string | undefined; requestId: string | undefined },
  callerCredentials: boolean,
): RestError {
  const url = maskUrl(raw.url, secrets);
  const upstreamRaw = upstreamMessage(body);
  const upstream = upstreamRaw === undefined ? undefined : secrets.maskString(upstreamRaw);
  const level = raw.status >= 500 || raw.status === 429 ? 'warn' : 'debug';
  log?.[level]('rest error response', { ...where, method, url, status: raw.status, body: logBody(body, secrets) });
  return new RestError({
    detail: upstream,
    status: raw.status,
    body,
    headers: raw.headers(),
    method,
    url,
    retryAfter: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
    message: secrets.maskString(`${method} ${url} failed with status ${raw.status}${upstream ? `: ${upstream}` : ''}`),
    callerCredentials,
  });
}
