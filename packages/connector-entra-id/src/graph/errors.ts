/**
 * Microsoft Graph error responses → SCIM errors, through one table keyed by Graph's error code
 * (`error.code`, and `error.details[].code` where Graph puts the precise reason), with the HTTP
 * status as the fallback for codes the table does not list.
 *
 * @see https://learn.microsoft.com/graph/errors
 */
import { errors } from '@scimgw/core';
import { type GraphOperation, permissionText } from './permissions.js';

/** How one Graph error reaches a SCIM client. */
export type Translation =
  | 'notFound'
  | 'uniqueness'
  | 'invalidValue'
  | 'invalidFilter'
  | 'permission'
  | 'credentials'
  | 'throttled'
  | 'unavailable'
  | 'precondition'
  | 'tooLarge';

/** Graph error codes the connector knows, and what each means for the client. */
export const GRAPH_ERROR_CODES: Readonly<Record<string, Translation>> = {
  Request_ResourceNotFound: 'notFound',
  ResourceNotFound: 'notFound',
  itemNotFound: 'notFound',
  NotFound: 'notFound',
  RoleAssignmentDoesNotExist: 'notFound',
  ObjectConflict: 'uniqueness',
  Request_MultipleObjectsWithSameKeyValue: 'uniqueness',
  RoleAssignmentExists: 'uniqueness',
  Request_BadRequest: 'invalidValue',
  BadRequest: 'invalidValue',
  invalidRequest: 'invalidValue',
  InvalidValue: 'invalidValue',
  PropertyRequired: 'invalidValue',
  Directory_QuotaExceeded: 'invalidValue',
  Request_UnsupportedQuery: 'invalidFilter',
  Authorization_RequestDenied: 'permission',
  accessDenied: 'permission',
  Forbidden: 'permission',
  InvalidAuthenticationToken: 'credentials',
  Authorization_IdentityNotFound: 'credentials',
  Authentication_ExpiredToken: 'credentials',
  TooManyRequests: 'throttled',
  activityLimitReached: 'throttled',
  serviceNotAvailable: 'unavailable',
  ServiceUnavailable: 'unavailable',
  generalException: 'unavailable',
  UnknownError: 'unavailable',
  Service_InternalServerError: 'unavailable',
  FailedDependency: 'unavailable',
  timeout: 'unavailable',
  PreconditionFailed: 'precondition',
  Request_EntityTooLarge: 'tooLarge',
};

/** The table's translation of a code; own entries only, so `constructor` or `toString` finds none. */
function tableTranslation(code: string): Translation | undefined {
  return Object.hasOwn(GRAPH_ERROR_CODES, code) ? GRAPH_ERROR_CODES[code] : undefined;
}

function byStatus(status: number): Translation {
  if (status === 404 || status === 410) return 'notFound';
  if (status === 409) return 'uniqueness';
  if (status === 412) return 'precondition';
  if (status === 413) return 'tooLarge';
  if (status === 401) return 'credentials';
  if (status === 403) return 'permission';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'unavailable';
  return 'invalidValue';
}

/** One `error.details` entry. */
export interface GraphErrorDetail {
  code?: string;
  message?: string;
  target?: string;
}

/** An error answer of Microsoft Graph (a whole response or one `$batch` item). */
export class GraphError extends Error {
  override name = 'GraphError';
  readonly status: number;
  readonly code: string;
  readonly details: readonly GraphErrorDetail[];
  /** Seconds from `Retry-After`, when present. */
  readonly retryAfter: number | undefined;
  readonly requestId: string | undefined;

  constructor(init: {
    status: number;
    code?: string | undefined;
    message?: string | undefined;
    details?: readonly GraphErrorDetail[] | undefined;
    retryAfter?: number | undefined;
    requestId?: string | undefined;
  }) {
    super(init.message ?? `Microsoft Graph answered ${init.status}`);
    this.status = init.status;
    this.code = init.code ?? '';
    this.details = init.details ?? [];
    this.retryAfter = init.retryAfter;
    this.requestId = init.requestId;
  }

  /** Reads `{ error: { code, message, details } }` (anything else keeps the status only). */
  static fromBody(status: number, body: unknown, retryAfter?: number, requestId?: string): GraphError {
    const error =
      body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { error?: unknown }).error : undefined;
    const e = (error !== null && typeof error === 'object' ? error : {}) as Record<string, unknown>;
    const details = Array.isArray(e.details)
      ? e.details
          .filter((d): d is Record<string, unknown> => d !== null && typeof d === 'object')
          .map((d) => ({
            ...(typeof d.code === 'string' ? { code: d.code } : {}),
            ...(typeof d.message === 'string' ? { message: d.message } : {}),
            ...(typeof d.target === 'string' ? { target: d.target } : {}),
          }))
      : [];
    return new GraphError({
      status,
      code: typeof e.code === 'string' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message.slice(0, 1000) : undefined,
      details,
      retryAfter,
      requestId,
    });
  }

  /** The translation: a detail code the table knows wins over the top-level code, then the status. */
  translation(): Translation {
    for (const d of this.details) {
      const t = d.code ? tableTranslation(d.code) : undefined;
      if (t && t !== 'invalidValue') return t;
    }
    return tableTranslation(this.code) ?? byStatus(this.status);
  }

  /** True for Graph's answer to adding a reference that is already there. */
  isExistingReference(): boolean {
    return this.status === 400 && /added object references already exist/i.test(this.message);
  }
}

/** Context for the client-facing message. */
export interface ErrorContext {
  op: GraphOperation;
  /** `endpoint.entity` key of the tenant. */
  tenant: string;
}

/**
 * The SCIM error a client gets for a Graph error. Graph's own message is passed on for 400s and
 * 409s (it names the property); refusals of the gateway's own credentials and permissions are
 * 502: the SCIM client did nothing wrong, the gateway's app registration lacks something.
 */
export function toScimError(e: GraphError, ctx: ErrorContext): errors.ScimError {
  const graph = `Microsoft Graph: ${e.message}`;
  const options = { cause: e };
  switch (e.translation()) {
    case 'notFound':
      return new errors.NotFoundError(graph, options);
    case 'uniqueness':
      return new errors.UniquenessError(graph, options);
    case 'invalidValue':
      return new errors.InvalidValueError(graph, options);
    case 'invalidFilter':
      return new errors.InvalidFilterError(graph, options);
    case 'tooLarge':
      return new errors.InvalidValueError(graph, options);
    case 'precondition':
      return new errors.PreconditionFailedError(graph, options);
    case 'permission':
      return new errors.ScimError(
        502,
        `Microsoft Graph refused the operation (${e.code || e.status}): the app registration of endpoint.entity.${ctx.tenant} needs the application permission ${permissionText(ctx.op)} with admin consent`,
        undefined,
        options,
      );
    case 'credentials':
      return new errors.ScimError(
        502,
        `Microsoft Graph refused the gateway's access token (${e.code || e.status}) for endpoint.entity.${ctx.tenant}`,
        undefined,
        options,
      );
    case 'throttled':
      return new errors.ServiceUnavailableError(
        `Microsoft Graph is throttling requests: ${e.message}`,
        e.retryAfter ?? 10,
        options,
      );
    case 'unavailable':
      return new errors.ServiceUnavailableError(`Microsoft Graph is unavailable: ${e.message}`, e.retryAfter, options);
  }
}
