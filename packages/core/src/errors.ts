/**
 * SCIM error family. Every failure the core or a connector reports to a client
 * is a {@link ScimError}: the HTTP status and `scimType` are structured fields,
 * never encoded in names or messages.
 *
 * @see RFC 7644 §3.12 (error response)
 */

/** `scimType` values from RFC 7644 §3.12 table 9, plus a few used by real servers. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor';

/** Options accepted by every {@link ScimError} constructor. */
export interface ScimErrorOptions {
  /** The underlying error, kept for logs; never rendered to clients. */
  cause?: unknown;
  /** Extra response headers (`Retry-After`, `Allow`, `WWW-Authenticate` …). */
  headers?: Record<string, string> | undefined;
}

/**
 * Base class of every error a client may see.
 *
 * @example
 * throw new ScimError(409, 'userName already exists', 'uniqueness');
 */
export class ScimError extends Error {
  /** Stable machine-readable code, e.g. `ERR_SCIM_UNIQUENESS`. */
  readonly code: string = 'ERR_SCIM';
  /** HTTP status code. */
  readonly status: number;
  /** RFC 7644 `scimType`, where one applies. */
  readonly scimType: ScimType | undefined;
  /** Human-readable text rendered as `detail`. */
  readonly detail: string;
  /** Extra response headers (e.g. `Retry-After`), set once by the constructor. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, detail: string, scimType?: ScimType, options?: ScimErrorOptions) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.detail = detail;
    this.scimType = scimType;
    this.headers = Object.freeze({ ...(options?.headers ?? {}) });
  }
}

/** `options` with one more header, when it has a value. */
function withHeader(
  options: ScimErrorOptions | undefined,
  name: string,
  value: string | undefined,
): ScimErrorOptions | undefined {
  if (value === undefined) return options;
  return { ...options, headers: { ...(options?.headers ?? {}), [name]: value } };
}

/** 400 invalidFilter: the filter syntax is invalid or names an unsupported comparison. */
export class InvalidFilterError extends ScimError {
  override readonly code = 'ERR_SCIM_INVALID_FILTER';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(400, detail, 'invalidFilter', options);
  }
}

/** 400 invalidSyntax: the request body or query is malformed. */
export class InvalidSyntaxError extends ScimError {
  override readonly code = 'ERR_SCIM_INVALID_SYNTAX';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(400, detail, 'invalidSyntax', options);
  }
}

/** 400 invalidPath: a PATCH or attribute path is malformed or unknown. */
export class InvalidPathError extends ScimError {
  override readonly code = 'ERR_SCIM_INVALID_PATH';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(400, detail, 'invalidPath', options);
  }
}

/** 400 noTarget: a PATCH path matched nothing where a match was required. */
export class NoTargetError extends ScimError {
  override readonly code = 'ERR_SCIM_NO_TARGET';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(400, detail, 'noTarget', options);
  }
}

/** 400 invalidValue: a value has the wrong type or is not allowed. */
export class InvalidValueError extends ScimError {
  override readonly code = 'ERR_SCIM_INVALID_VALUE';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(400, detail, 'invalidValue', options);
  }
}

/** 400 mutability: an attempt to change a readOnly or immutable attribute. */
export class MutabilityError extends ScimError {
  override readonly code = 'ERR_SCIM_MUTABILITY';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(400, detail, 'mutability', options);
  }
}

/** 400 tooMany: the query would return more results than the server allows. */
export class TooManyError extends ScimError {
  override readonly code = 'ERR_SCIM_TOO_MANY';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(400, detail, 'tooMany', options);
  }
}

/** 400 invalidCursor / expiredCursor (RFC 9865). */
export class InvalidCursorError extends ScimError {
  override readonly code = 'ERR_SCIM_INVALID_CURSOR';
  constructor(detail: string, expired = false, options?: ScimErrorOptions) {
    super(400, detail, expired ? 'expiredCursor' : 'invalidCursor', options);
  }
}

/** 409 uniqueness: a unique attribute value is already taken. */
export class UniquenessError extends ScimError {
  override readonly code = 'ERR_SCIM_UNIQUENESS';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(409, detail, 'uniqueness', options);
  }
}

/** 409 without scimType: a conflict such as a circular Bulk reference. */
export class ConflictError extends ScimError {
  override readonly code = 'ERR_SCIM_CONFLICT';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(409, detail, undefined, options);
  }
}

/** 404: the resource or endpoint does not exist. */
export class NotFoundError extends ScimError {
  override readonly code = 'ERR_SCIM_NOT_FOUND';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(404, detail, undefined, options);
  }
}

/** 401: authentication is missing or wrong. */
export class UnauthorizedError extends ScimError {
  override readonly code = 'ERR_SCIM_UNAUTHORIZED';
  constructor(detail = 'Authentication required', options?: ScimErrorOptions) {
    super(401, detail, undefined, options);
  }
}

/** 403: authenticated but not allowed. */
export class ForbiddenError extends ScimError {
  override readonly code = 'ERR_SCIM_FORBIDDEN';
  constructor(detail = 'Forbidden', options?: ScimErrorOptions) {
    super(403, detail, undefined, options);
  }
}

/** 405: the method is not allowed here (also read-only credentials writing); `allow` becomes `Allow`. */
export class MethodNotAllowedError extends ScimError {
  override readonly code = 'ERR_SCIM_METHOD_NOT_ALLOWED';
  constructor(detail: string, allow?: readonly string[], options?: ScimErrorOptions) {
    super(405, detail, undefined, withHeader(options, 'allow', allow?.join(', ')));
  }
}

/** 412: an `If-Match` precondition failed (RFC 7644 §3.14). */
export class PreconditionFailedError extends ScimError {
  override readonly code = 'ERR_SCIM_PRECONDITION_FAILED';
  constructor(detail = 'Resource version does not match If-Match', options?: ScimErrorOptions) {
    super(412, detail, undefined, options);
  }
}

/** 413: the payload exceeds a limit. */
export class PayloadTooLargeError extends ScimError {
  override readonly code = 'ERR_SCIM_PAYLOAD_TOO_LARGE';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(413, detail, undefined, options);
  }
}

/** 501: the connector does not implement this operation. */
export class NotImplementedError extends ScimError {
  override readonly code = 'ERR_SCIM_NOT_IMPLEMENTED';
  constructor(detail: string, options?: ScimErrorOptions) {
    super(501, detail, undefined, options);
  }
}

/** 503: the backend is busy or unavailable; `retryAfter` seconds become `Retry-After`. */
export class ServiceUnavailableError extends ScimError {
  override readonly code = 'ERR_SCIM_UNAVAILABLE';
  constructor(detail: string, retryAfter?: number, options?: ScimErrorOptions) {
    super(503, detail, undefined, withHeader(options, 'retry-after', retryAfter === undefined ? undefined : String(retryAfter)));
  }
}

/** 500 with a generic message: used for anything that is not a ScimError. */
export class InternalError extends ScimError {
  override readonly code = 'ERR_SCIM_INTERNAL';
  constructor(options?: ScimErrorOptions) {
    super(500, 'Internal server error', undefined, options);
  }
}

/** True when `e` is a {@link ScimError} (also across duplicated package copies). */
export function isScimError(e: unknown): e is ScimError {
  return (
    e instanceof ScimError ||
    (typeof e === 'object' &&
      e !== null &&
      typeof (e as { status?: unknown }).status === 'number' &&
      typeof (e as { detail?: unknown }).detail === 'string' &&
      typeof (e as { code?: unknown }).code === 'string' &&
      String((e as { code: string }).code).startsWith('ERR_SCIM'))
  );
}

/** Converts anything thrown into a ScimError; non-SCIM errors become an opaque 500. */
export function toScimError(e: unknown): ScimError {
  return isScimError(e) ? e : new InternalError({ cause: e });
}

export const ERROR_SCHEMA_V2 = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * Renders an error body. SCIM 2.0: RFC 7644 §3.12; SCIM 1.1: `{ Errors: [{ description, code }] }`.
 */
export function errorBody(err: ScimError, version: '2.0' | '1.1' = '2.0'): Record<string, unknown> {
  if (version === '1.1') {
    return { Errors: [{ description: err.detail, code: String(err.status) }] };
  }
  const body: Record<string, unknown> = {
    schemas: [ERROR_SCHEMA_V2],
    status: String(err.status),
    detail: err.detail,
  };
  if (err.scimType) body.scimType = err.scimType;
  return body;
}
