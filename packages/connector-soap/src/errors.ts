/**
 * Every way a SOAP call fails, and the one table that turns each into the SCIM error a client sees.
 * A fault is sorted by the fault rules (faults.ts); transport failures come typed from
 * helper-rest; responses the XML guard refuses or soap can't read are failures of the service.
 */
import { errors } from '@scimgw/core';
import { HelperRestError, RestError, UpstreamError } from '@scimgw/helper-rest';
import type { FaultCategory, SoapFault } from './faults.js';

/** Why a SOAP call failed: the keys of {@link SOAP_ERROR_TABLE}. */
export type SoapFailureCategory =
  /** A fault saying the object does not exist. */
  | 'notFound'
  /** A fault saying the object (or a unique value) exists already. */
  | 'duplicate'
  /** A fault rejecting the request's values. */
  | 'validation'
  /** The service rejected the gateway's credentials (fault, or HTTP 401/403). */
  | 'credentials'
  /** Any other fault. */
  | 'serviceFault'
  /** The response was refused before parsing (DTD, entities, malformed, too deep or too large). */
  | 'refusedResponse'
  /** A response soap could not read, or one without what the configuration points at. */
  | 'invalidResponse'
  /** An HTTP error without a SOAP fault (a proxy's 502 page, say). */
  | 'httpError'
  /** HTTP 429 or 503: the service asks to come back later. */
  | 'unavailable'
  /** No answer within the timeout (retries included). */
  | 'timeout'
  /** The service could not be reached, or the connection broke. */
  | 'unreachable'
  /** The inbound request went away. */
  | 'aborted'
  /** A configuration problem found at call time (missing WSDL, unknown operation, TLS files). */
  | 'config';

/** A failed SOAP call, classified. `detail` is already masked. */
export class SoapCallError extends Error {
  override name = 'SoapCallError';
  readonly code = 'ERR_SOAP_CALL';
  constructor(
    readonly category: SoapFailureCategory,
    /** The service's name in the configuration. */
    readonly service: string,
    /** The WSDL operation. */
    readonly operation: string,
    /** What went wrong, safe for clients and logs. */
    readonly detail: string,
    options: {
      cause?: unknown;
      retryAfter?: number | undefined;
      fault?: SoapFault | undefined;
      internal?: string | undefined;
      status?: number | undefined;
      callerCredentials?: boolean;
    } = {},
  ) {
    super(`${service}.${operation}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfter = options.retryAfter;
    this.fault = options.fault;
    this.internal = options.internal;
    this.status = options.status;
    this.callerCredentials = options.callerCredentials === true;
  }
  /** The HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  /** The call signed in with the inbound caller's own credential (pass-through). */
  readonly callerCredentials: boolean;
  /**
   * For the gateway's log only (masked): the message of a JavaScript error raised while reading
   * the answer, which names the code's internals and tells a client nothing it can act on.
   */
  readonly internal: string | undefined;
  /** Seconds from `Retry-After`, when the service sent one. */
  readonly retryAfter: number | undefined;
  /** The fault, for `serviceFault` and the fault categories. */
  readonly fault: SoapFault | undefined;
}

type ToScim = (e: SoapCallError) => errors.ScimError;

const named = (e: SoapCallError) => `SOAP service "${e.service}" (${e.operation})`;

/**
 * The one table from failure to SCIM error. A mapped type over {@link SoapFailureCategory}: a
 * category without a row does not compile.
 */
export const SOAP_ERROR_TABLE: { readonly [C in SoapFailureCategory]: ToScim } = {
  notFound: (e) => new errors.NotFoundError(e.detail, { cause: e }),
  duplicate: (e) => new errors.UniquenessError(e.detail, { cause: e }),
  validation: (e) => new errors.InvalidValueError(e.detail, { cause: e }),
  // With pass-through the credentials were the caller's: the answer is the caller's.
  credentials: (e) =>
    !e.callerCredentials
      ? new UpstreamError(502, `${named(e)} rejected the gateway's credentials: ${e.detail}`, { cause: e })
      : e.status === 403
        ? new errors.ForbiddenError(`${named(e)} does not allow this to these credentials`, { cause: e })
        : new errors.UnauthorizedError(`${named(e)} refused these credentials`, { cause: e }),
  serviceFault: (e) => new UpstreamError(502, `${named(e)} answered with a fault: ${e.detail}`, { cause: e }),
  refusedResponse: (e) => new UpstreamError(502, `${named(e)} sent a response that was refused: ${e.detail}`, { cause: e }),
  invalidResponse: (e) => new UpstreamError(502, `${named(e)} sent an unusable response: ${e.detail}`, { cause: e }),
  httpError: (e) => new UpstreamError(502, `${named(e)} failed: ${e.detail}`, { cause: e }),
  unavailable: (e) => new errors.ServiceUnavailableError(`${named(e)} is unavailable: ${e.detail}`, e.retryAfter, { cause: e }),
  timeout: (e) => new UpstreamError(504, `${named(e)} did not answer in time: ${e.detail}`, { cause: e }),
  unreachable: (e) => new errors.ServiceUnavailableError(`${named(e)} is unreachable: ${e.detail}`, undefined, { cause: e }),
  aborted: (e) => new errors.ServiceUnavailableError(`${named(e)}: the request was aborted`, undefined, { cause: e }),
  config: (e) => new errors.ScimError(500, `SOAP connector misconfigured for ${named(e)}: ${e.detail}`, undefined, { cause: e }),
};

/** The SCIM error for a failed call. ScimErrors pass through; anything unknown is a 500. */
export function toScimError(e: unknown): errors.ScimError {
  if (e instanceof SoapCallError) return SOAP_ERROR_TABLE[e.category](e);
  if (errors.isScimError(e)) return e;
  return new errors.ScimError(500, 'Internal server error', undefined, { cause: e });
}

/** Fault categories (configurable) → failure categories. */
export const FAULT_CATEGORY: { readonly [C in FaultCategory]: SoapFailureCategory } = {
  notFound: 'notFound',
  duplicate: 'duplicate',
  validation: 'validation',
  credentials: 'credentials',
  other: 'serviceFault',
};

/** The failure category of a transport error from helper-rest. */
export function transportCategory(e: HelperRestError): SoapFailureCategory {
  switch (e.category) {
    case 'timeout':
      return 'timeout';
    case 'unreachable':
      return 'unreachable';
    case 'aborted':
      return 'aborted';
    case 'throttled':
    case 'unavailable':
      return 'unavailable';
    case 'unauthorized':
    case 'forbidden':
    case 'missingCredentials':
      return 'credentials';
    case 'config':
      return 'config';
    default:
      return e instanceof RestError ? 'httpError' : 'invalidResponse';
  }
}

export { HelperRestError };
