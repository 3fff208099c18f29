/**
 * Errors of the outbound REST client and their translation to SCIM errors.
 *
 * Every failure is a {@link HelperRestError} with a stable `code` and a
 * `category`; {@link restErrorToScimError} maps categories to the SCIM error a
 * client should see through one exhaustive table.
 */
import { errors } from '@scimgw/core';

/** How a failure is classified; the keys of the SCIM mapping table. */
export type RestErrorCategory =
  | 'badRequest'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'preconditionFailed'
  | 'payloadTooLarge'
  | 'throttled'
  | 'unavailable'
  | 'upstream'
  | 'timeout'
  | 'unreachable'
  | 'aborted'
  | 'tooLarge'
  | 'missingCredentials'
  | 'config';

/** Base class of every error thrown by the helper. */
export class HelperRestError extends Error {
  /** Stable machine-readable code. */
  readonly code: string = 'ERR_REST';
  /** Classification used by {@link restErrorToScimError}. */
  readonly category: RestErrorCategory;

  constructor(message: string, category: RestErrorCategory, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.category = category;
  }

  /** The SCIM error to answer the inbound client with. */
  toScimError(): errors.ScimError {
    return restErrorToScimError(this);
  }
}

/** Maps an HTTP status to a category. Anything unlisted is an upstream failure. */
export function categoryForStatus(status: number): RestErrorCategory {
  switch (status) {
    case 400:
    case 422:
      return 'badRequest';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
    case 410:
      return 'notFound';
    case 409:
      return 'conflict';
    case 412:
      return 'preconditionFailed';
    case 413:
      return 'payloadTooLarge';
    case 429:
      return 'throttled';
    case 503:
      return 'unavailable';
    case 504:
      return 'timeout';
    default:
      return 'upstream';
  }
}

/** An HTTP error response from the backend (status ≥ 400), with its parsed body. */
export class RestError extends HelperRestError {
  override readonly code = 'ERR_REST_HTTP';
  readonly status: number;
  /** Parsed JSON body, text, or `undefined`. */
  readonly body: unknown;
  readonly headers: Headers;
  readonly method: string;
  /** The URL (masked for logs: no user-info, no secret query parameters). */
  readonly url: string;
  /** Seconds from `Retry-After`, when the backend sent one. */
  readonly retryAfter: number | undefined;
  /** The backend's error message with known secrets masked; used as SCIM `detail`. */
  readonly detail: string | undefined;
  /** The request carried the inbound caller's own credential (pass-through): a 401/403 judges the caller, not the gateway. */
  readonly callerCredentials: boolean;

  constructor(init: {
    detail?: string | undefined;
    status: number;
    body: unknown;
    headers: Headers;
    method: string;
    url: string;
    retryAfter?: number | undefined;
    message?: string;
    callerCredentials?: boolean;
  }) {
    const upstream = init.detail ?? upstreamMessage(init.body);
    super(
      init.message ?? `${init.method} ${init.url} failed with status ${init.status}${upstream ? `: ${upstream}` : ''}`,
      categoryForStatus(init.status),
    );
    this.status = init.status;
    this.body = init.body;
    this.headers = init.headers;
    this.method = init.method;
    this.url = init.url;
    this.retryAfter = init.retryAfter;
    this.detail = init.detail ?? upstreamMessage(init.body);
    this.callerCredentials = init.callerCredentials === true;
  }
}

/** Methods that change something at the target: a lost answer leaves their outcome unknown. */
const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True for POST, PUT, PATCH and DELETE. */
export function isWriteMethod(method: string | undefined): boolean {
  return method !== undefined && WRITES.has(method.toUpperCase());
}

/**
 * The backend's answer was larger than the connection reads (`connection.maxResponseBytes`, 256 MiB
 * by default). Never retried: the same request would get the same answer.
 */
export class RestResponseTooLargeError extends HelperRestError {
  override readonly code = 'ERR_REST_RESPONSE_TOO_LARGE';
  /** The limit the answer passed (bytes). */
  readonly limit: number;

  constructor(message: string, init: { limit: number; cause?: unknown }) {
    super(message, 'tooLarge', { cause: init.cause });
    this.limit = init.limit;
  }
}

/** The backend could not be reached, or the connection broke before a response arrived. */
export class RestNetworkError extends HelperRestError {
  override readonly code = 'ERR_REST_NETWORK';
  /** False when the request provably never reached the server (refused, DNS, unreachable). */
  readonly reached: boolean;
  /** Low-level error code (`ECONNREFUSED`, `ECONNRESET`, …) when known. */
  readonly errno: string | undefined;
  /** TLS verification failures are configuration problems: not retried, no failover. */
  readonly fatal: boolean;
  /** The request's method, when known. */
  readonly method: string | undefined;
  /** Seconds a client should wait before trying again (the `Retry-After` of the 503 it gets). */
  readonly retryAfter: number | undefined;

  constructor(
    message: string,
    init: {
      reached: boolean;
      errno?: string | undefined;
      fatal?: boolean;
      method?: string | undefined;
      retryAfter?: number | undefined;
      cause?: unknown;
    },
  ) {
    super(message, 'unreachable', { cause: init.cause });
    this.reached = init.reached;
    this.errno = init.errno;
    this.fatal = init.fatal ?? false;
    this.method = init.method;
    this.retryAfter = init.retryAfter;
  }

  /** True for a write whose connection broke after it was sent: the target may have applied it. */
  get mayHaveBeenApplied(): boolean {
    return this.reached && isWriteMethod(this.method);
  }
}

/** No response within the attempt's timeout or the request's deadline. */
export class RestTimeoutError extends HelperRestError {
  override readonly code = 'ERR_REST_TIMEOUT';
  /** The request's method, when known. */
  readonly method: string | undefined;
  /** True when the request's deadline ended it (no time was left to try again). */
  readonly deadline: boolean;

  constructor(message: string, options?: { cause?: unknown; method?: string | undefined; deadline?: boolean }) {
    super(message, 'timeout', options);
    this.method = options?.method;
    this.deadline = options?.deadline ?? false;
  }

  /** True for a write: it was sent, so the target may still apply it after the gateway gave up. */
  get mayHaveBeenApplied(): boolean {
    return isWriteMethod(this.method);
  }
}

/** The caller (`ctx.signal` or `options.signal`) aborted the request. */
export class RestAbortedError extends HelperRestError {
  override readonly code = 'ERR_REST_ABORTED';
  constructor(message = 'Request aborted', options?: { cause?: unknown }) {
    super(message, 'aborted', options);
  }
}

/** Obtaining outbound credentials failed: token endpoint error or missing pass-through header. */
export class RestAuthError extends HelperRestError {
  override readonly code = 'ERR_REST_AUTH';
  /** Token endpoint status, when there was a response. */
  readonly status: number | undefined;
  /** OAuth `error` code from the token endpoint (RFC 6749 §5.2). */
  readonly oauthError: string | undefined;

  constructor(
    message: string,
    init: { category?: 'unauthorized' | 'missingCredentials'; status?: number; oauthError?: string; cause?: unknown } = {},
  ) {
    super(message, init.category ?? 'unauthorized', { cause: init.cause });
    this.status = init.status;
    this.oauthError = init.oauthError;
  }
}

/** Invalid configuration or misuse (unknown tenant, missing files, closed helper). */
export class RestConfigError extends HelperRestError {
  override readonly code = 'ERR_REST_CONFIG';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'config', options);
  }
}

/** Paging did not terminate within `maxPages`, or a `nextLink` repeated. */
export class RestPagingError extends HelperRestError {
  override readonly code = 'ERR_REST_PAGING';
  constructor(message: string) {
    super(message, 'upstream');
  }
}

/**
 * 502/504 for failures of the system behind the gateway (bad gateway, upstream
 * credentials rejected, upstream timeout). Not in `@scimgw/core` because only
 * gateways in front of other services produce it.
 */
export class UpstreamError extends errors.ScimError {
  override readonly code = 'ERR_SCIM_UPSTREAM';
  constructor(status: 502 | 504, detail: string, options?: { cause?: unknown }) {
    super(status, detail, undefined, options);
  }
}

const SCIM_TYPES: ReadonlySet<string> = new Set<errors.ScimType>([
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
]);

type Mapper = (e: HelperRestError) => errors.ScimError;

function statusOf(e: HelperRestError): number | undefined {
  return e instanceof RestError ? e.status : e instanceof RestAuthError ? e.status : undefined;
}

function detailOf(e: HelperRestError, fallback: string): string {
  const msg = e instanceof RestError ? e.detail : undefined;
  return msg ? msg : fallback;
}

function retryAfterOf(e: HelperRestError): number | undefined {
  return e instanceof RestError ? e.retryAfter : undefined;
}

/**
 * The one table from failure category to SCIM error. Typed as a mapped type
 * over {@link RestErrorCategory}, so adding a category without a mapping
 * does not compile.
 */
/** Whether a backend's 401/403 judged the inbound caller's own credential (pass-through). */
const byCaller = (e: HelperRestError): boolean => e instanceof RestError && e.callerCredentials;

const SCIM_MAPPING: { readonly [C in RestErrorCategory]: Mapper } = {
  badRequest: (e) => {
    const body = e instanceof RestError ? e.body : undefined;
    const scimType = isRecord(body) && typeof body.scimType === 'string' ? body.scimType : undefined;
    const detail = detailOf(e, 'The backend rejected the request');
    return scimType && SCIM_TYPES.has(scimType)
      ? new errors.ScimError(400, detail, scimType as errors.ScimType, { cause: e })
      : new errors.InvalidValueError(detail, { cause: e });
  },
  // With pass-through the credential was the caller's: the backend's answer is the caller's answer.
  unauthorized: (e) =>
    byCaller(e)
      ? new errors.UnauthorizedError('The backend refused these credentials', { cause: e })
      : new UpstreamError(502, `Backend rejected the gateway's credentials (${statusOf(e) ?? 401})`, { cause: e }),
  forbidden: (e) =>
    byCaller(e)
      ? new errors.ForbiddenError('The backend does not allow this to these credentials', { cause: e })
      : new UpstreamError(502, `Backend denied access to the gateway's credentials (${statusOf(e) ?? 403})`, { cause: e }),
  notFound: (e) => new errors.NotFoundError(detailOf(e, 'Resource not found in backend'), { cause: e }),
  conflict: (e) => new errors.UniquenessError(detailOf(e, 'Resource already exists in backend'), { cause: e }),
  preconditionFailed: (e) => new errors.PreconditionFailedError(detailOf(e, 'Backend version precondition failed'), { cause: e }),
  payloadTooLarge: (e) => new errors.PayloadTooLargeError(detailOf(e, 'Backend rejected the payload size'), { cause: e }),
  throttled: (e) => new errors.ServiceUnavailableError('Backend is throttling requests', retryAfterOf(e), { cause: e }),
  unavailable: (e) => new errors.ServiceUnavailableError('Backend is unavailable', retryAfterOf(e), { cause: e }),
  upstream: (e) => new UpstreamError(502, `Backend error${statusOf(e) ? ` (${statusOf(e)})` : ''}`, { cause: e }),
  timeout: (e) =>
    new UpstreamError(
      504,
      e instanceof RestTimeoutError && e.mayHaveBeenApplied
        ? `Backend did not answer the ${e.method} in time; it may still apply it, so read the resource before sending the request again`
        : 'Backend did not answer in time',
      { cause: e },
    ),
  unreachable: (e) => {
    const net = e instanceof RestNetworkError ? e : undefined;
    return new errors.ServiceUnavailableError(
      net?.mayHaveBeenApplied
        ? `The connection to the backend broke after the ${net.method} was sent; it may have been applied, so read the resource before sending the request again`
        : 'Backend is unreachable',
      net?.retryAfter,
      { cause: e },
    );
  },
  aborted: (e) => new errors.ServiceUnavailableError('Request was aborted', undefined, { cause: e }),
  tooLarge: (e) =>
    new UpstreamError(
      502,
      `Backend's answer is larger than the gateway reads (${e instanceof RestResponseTooLargeError ? e.limit : 'the limit of'} bytes, connection.maxResponseBytes)`,
      { cause: e },
    ),
  missingCredentials: (e) => new errors.UnauthorizedError('Authorization header required for pass-through', { cause: e }),
  config: (e) => new errors.ScimError(500, 'Gateway connection is misconfigured', undefined, { cause: e }),
};

/**
 * Translates anything a `doRequest` may throw into the {@link errors.ScimError} a
 * SCIM client should see. ScimErrors pass through; unknown errors become 500.
 *
 * @example
 * try { await rest.doRequest(tenant, 'GET', `/users/${id}`) }
 * catch (e) { throw restErrorToScimError(e) } // 404 → errors.NotFoundError, 409 → errors.UniquenessError, …
 */
export function restErrorToScimError(e: unknown): errors.ScimError {
  if (e instanceof HelperRestError) return SCIM_MAPPING[e.category](e);
  if (errors.isScimError(e)) return e;
  return new errors.ScimError(500, 'Internal server error', undefined, { cause: e });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Pulls a human-readable message out of common error bodies: Microsoft
 * Graph (`error.message`), SCIM 2.0 (`detail`), SCIM 1.1 (`Errors[0].description`),
 * OAuth (`error_description`), generic (`message`) and short text bodies.
 */
export function upstreamMessage(body: unknown): string | undefined {
  let msg: unknown;
  if (typeof body === 'string') msg = body.length <= 300 ? body.trim() : undefined;
  else if (isRecord(body)) {
    const err = body.error;
    const errors = body.Errors;
    msg =
      (isRecord(err) && typeof err.message === 'string' && err.message) ||
      (typeof body.detail === 'string' && body.detail) ||
      (Array.isArray(errors) && isRecord(errors[0]) && typeof errors[0].description === 'string' && errors[0].description) ||
      (typeof body.error_description === 'string' && body.error_description) ||
      (typeof body.message === 'string' && body.message) ||
      (typeof err === 'string' && err) ||
      undefined;
  }
  if (typeof msg !== 'string' || msg === '') return undefined;
  return msg.length > 500 ? `${msg.slice(0, 500)}…` : msg;
}
