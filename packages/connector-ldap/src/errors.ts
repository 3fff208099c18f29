/**
 * LDAP result codes → SCIM errors, through one exhaustive table. Server
 * diagnostic messages are logged by the caller, never put in a client-facing
 * `detail`: they can name internal DNs, policies or server versions.
 *
 * @see RFC 4511 §4.1.9 and Appendix A (result codes)
 */
import { errors } from '@scimgw/core';
import { ResultCodeError } from 'ldapts';

/** How one result code reaches a SCIM client. */
export type Translation =
  | { kind: 'notFound' }
  | { kind: 'uniqueness' }
  | { kind: 'forbidden' }
  | { kind: 'invalidValue' }
  | { kind: 'badRequest' }
  | { kind: 'noTarget' }
  | { kind: 'mutability' }
  | { kind: 'invalidFilter' }
  | { kind: 'tooMany' }
  | { kind: 'conflict' }
  | { kind: 'precondition' }
  | { kind: 'unavailable' }
  | { kind: 'internal' };

/** Every result code of RFC 4511 and its extensions (RFC 3909, 4370, 4528, 4533, the VLV draft), by number. */
export const LDAP_RESULT_CODES = {
  0: 'success',
  1: 'operationsError',
  2: 'protocolError',
  3: 'timeLimitExceeded',
  4: 'sizeLimitExceeded',
  5: 'compareFalse',
  6: 'compareTrue',
  7: 'authMethodNotSupported',
  8: 'strongerAuthRequired',
  10: 'referral',
  11: 'adminLimitExceeded',
  12: 'unavailableCriticalExtension',
  13: 'confidentialityRequired',
  14: 'saslBindInProgress',
  16: 'noSuchAttribute',
  17: 'undefinedAttributeType',
  18: 'inappropriateMatching',
  19: 'constraintViolation',
  20: 'attributeOrValueExists',
  21: 'invalidAttributeSyntax',
  32: 'noSuchObject',
  33: 'aliasProblem',
  34: 'invalidDNSyntax',
  35: 'isLeaf',
  36: 'aliasDereferencingProblem',
  48: 'inappropriateAuthentication',
  49: 'invalidCredentials',
  50: 'insufficientAccessRights',
  51: 'busy',
  52: 'unavailable',
  53: 'unwillingToPerform',
  54: 'loopDetect',
  64: 'namingViolation',
  65: 'objectClassViolation',
  66: 'notAllowedOnNonLeaf',
  67: 'notAllowedOnRDN',
  68: 'entryAlreadyExists',
  69: 'objectClassModsProhibited',
  71: 'affectsMultipleDSAs',
  76: 'virtualListViewError',
  80: 'other',
  118: 'canceled',
  119: 'noSuchOperation',
  120: 'tooLate',
  121: 'cannotCancel',
  122: 'assertionFailed',
  123: 'authorizationDenied',
  4096: 'syncRefreshRequired',
} as const;

/** A known LDAP result code. */
export type LdapResultCode = keyof typeof LDAP_RESULT_CODES;

/**
 * The one table. `Record<LdapResultCode, …>` makes the compiler reject a
 * code without a row, so the table stays exhaustive.
 */
export const RESULT_CODE_TABLE: Record<LdapResultCode, Translation> = {
  0: { kind: 'internal' }, // success never arrives as an error; if it does, it is a bug
  1: { kind: 'internal' },
  2: { kind: 'internal' },
  3: { kind: 'unavailable' },
  4: { kind: 'tooMany' },
  5: { kind: 'internal' },
  6: { kind: 'internal' },
  7: { kind: 'internal' },
  8: { kind: 'internal' },
  10: { kind: 'internal' },
  11: { kind: 'tooMany' },
  12: { kind: 'internal' },
  13: { kind: 'internal' },
  14: { kind: 'internal' },
  16: { kind: 'noTarget' },
  17: { kind: 'internal' }, // the mapping names an attribute the schema lacks: configuration
  18: { kind: 'invalidFilter' },
  19: { kind: 'invalidValue' },
  20: { kind: 'invalidValue' },
  21: { kind: 'invalidValue' },
  32: { kind: 'notFound' },
  33: { kind: 'internal' },
  34: { kind: 'invalidValue' },
  35: { kind: 'internal' },
  36: { kind: 'internal' },
  48: { kind: 'internal' },
  49: { kind: 'internal' }, // only a bind answers it, and the service account's arrives as ServiceBindError (503)
  50: { kind: 'forbidden' },
  51: { kind: 'unavailable' },
  52: { kind: 'unavailable' },
  53: { kind: 'badRequest' },
  54: { kind: 'internal' },
  64: { kind: 'invalidValue' },
  65: { kind: 'invalidValue' },
  66: { kind: 'conflict' },
  67: { kind: 'mutability' },
  68: { kind: 'uniqueness' },
  69: { kind: 'mutability' },
  71: { kind: 'internal' },
  76: { kind: 'internal' }, // the connector falls back to its own paging instead
  80: { kind: 'internal' },
  118: { kind: 'unavailable' },
  119: { kind: 'internal' },
  120: { kind: 'internal' },
  121: { kind: 'internal' },
  122: { kind: 'precondition' },
  123: { kind: 'forbidden' },
  4096: { kind: 'internal' },
};

/** Raised when every lane (connection for paged and VLV searches) stayed busy for the operation timeout. */
export class LaneTimeoutError extends Error {
  override name = 'LaneTimeoutError';
  readonly code = 'ERR_LDAP_LANE_TIMEOUT';
}

/** What the operator should check when the directory refuses the service account's bind with `code`. */
function bindHint(code: number, path: string): string {
  if (code === 8 || code === 13)
    return `the directory requires an encrypted connection: use ldaps:// in ${path}.baseUrls, or ${path}.startTls`;
  return `check ${path}.username and ${path}.password, and that the account is enabled and not locked in the directory`;
}

/**
 * The directory refused the bind of the gateway's service account (49 invalidCredentials, a
 * locked or expired account, 8 strongerAuthRequired …). Nothing the client sent is at fault and
 * the request may succeed once an operator has fixed the account or its configuration: it is
 * answered 503 with `Retry-After`. The message names the configuration to check, never the password.
 *
 * @example
 * new ServiceBindError(49, 'cn=scimgw,dc=example,dc=org', 'endpoint.entity.undefined.ldap').message
 * // 'ldap: the directory refused the bind of the service account "cn=scimgw,dc=example,dc=org" (49 invalidCredentials): check endpoint.entity.undefined.ldap.username and …'
 */
export class ServiceBindError extends Error {
  override name = 'ServiceBindError';
  readonly code = 'ERR_LDAP_SERVICE_BIND';
  /**
   * @param resultCode - the bind's LDAP result code
   * @param bindDn - the service account (`username`)
   * @param configPath - where the connection is configured (`endpoint.entity.<tenant>.ldap`)
   */
  constructor(
    readonly resultCode: number,
    readonly bindDn: string,
    readonly configPath: string,
    options?: ErrorOptions,
  ) {
    super(
      `ldap: the directory refused the bind of the service account "${bindDn}" (${describeCode(resultCode)}): ${bindHint(resultCode, configPath)}`,
      options,
    );
  }
}

/** Result code of an ldapts error, or `undefined` for transport failures. */
export function resultCodeOf(e: unknown): number | undefined {
  if (e instanceof ResultCodeError) return e.code;
  return undefined;
}

/** Error codes of failed sockets and TLS handshakes (errno names, `ERR_TLS_*`, OpenSSL verify codes). */
const TRANSPORT_CODE = /^(?:E[A-Z]+|ERR_(?:TLS|SSL)_[A-Z_]+|[A-Z_]*(?:CERT|SIGNATURE|SELF_SIGNED)[A-Z_]*)$/;
/** Messages ldapts uses for transport failures (it throws plain Errors for these). */
const TRANSPORT_MESSAGE =
  /^(?:Socket error|Connection closed|Connection timeout|Socket connection not established|\w+: Operation timed out)/;

/** True for failures of the connection itself (refused, reset, timed out, TLS), not of an operation. */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error) || e instanceof ResultCodeError || errors.isScimError(e)) return false;
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && TRANSPORT_CODE.test(code)) return true;
  return TRANSPORT_MESSAGE.test(e.message);
}

const UNSENT_CODE = /^(?:ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;
const UNSENT_MESSAGE = /^(?:Connection timeout|Socket connection not established)/;

/**
 * True for transport failures that happened before a request left this
 * process, so even a write can safely be sent again on a new connection.
 */
export function isUnsentError(e: unknown): boolean {
  if (!isConnectionError(e)) return false;
  const code = (e as NodeJS.ErrnoException).code;
  return (typeof code === 'string' && UNSENT_CODE.test(code)) || UNSENT_MESSAGE.test((e as Error).message);
}

/** Options of {@link toScimFromLdap}. */
export interface TranslateOptions {
  /** What was being done, for the client: `create user "bjensen"`. Never contains server text. */
  what: string;
  /** Seconds for `Retry-After` on 503. Default 5. */
  retryAfter?: number;
  /**
   * The attribute whose value the directory rejected (one its message names, among those the
   * operation wrote), and the SCIM attribute mapped to it: named in the detail of a 400 `invalidValue`.
   */
  attribute?: { ldap: string; scim?: string | undefined } | undefined;
}

/**
 * Which of the attributes an operation sent the directory's diagnostic names, such as
 * `displayName` in OpenLDAP's "displayName: value #0 invalid per syntax", or `sn` in "object class
 * 'inetOrgPerson' requires attribute 'sn'". Only a name from `sent` can come back, so the client
 * learns the name of its own attribute and no text of the server's.
 *
 * @param diagnostic - the server's message
 * @param sent - attribute names the operation carried (or required), as the connector knows them
 */
export function rejectedAttribute(diagnostic: string, sent: readonly string[]): string | undefined {
  let best: { name: string; at: number } | undefined;
  const lower = diagnostic.toLowerCase();
  for (const name of sent) {
    const n = name.toLowerCase();
    for (let at = lower.indexOf(n); at >= 0; at = lower.indexOf(n, at + 1)) {
      const before = lower[at - 1];
      const after = lower[at + n.length];
      // A whole attribute name, not part of another one, and not the type of a DN's RDN (`cn=…`).
      const whole = !(before && /[a-z0-9;-]/.test(before)) && !(after && /[a-z0-9;=-]/.test(after));
      if (whole && (!best || at < best.at)) best = { name, at };
      if (whole) break;
    }
  }
  return best?.name;
}

/** The name of a result code for logs (`68 entryAlreadyExists`). */
export function describeCode(code: number): string {
  const name = (LDAP_RESULT_CODES as Record<number, string>)[code];
  return `${code} ${name ?? 'unknown'}`;
}

/** The detail of a rejected value, naming the attribute when it is known. */
function rejected(attribute: TranslateOptions['attribute'], code: string): string {
  if (!attribute) return `the directory rejected a value (${code})`;
  if (attribute.scim === undefined) return `the directory rejected the value of LDAP attribute ${attribute.ldap} (${code})`;
  return `the directory rejected the value of ${attribute.scim} (LDAP attribute ${attribute.ldap}, ${code})`;
}

/**
 * Turns anything an LDAP operation threw into a {@link errors.ScimError}.
 *
 * @param e - the thrown value (ldapts `ResultCodeError`, socket error, errors.ScimError …)
 * @param opts - the operation, for the client-facing detail
 * @example
 * try { await client.add(dn, attrs) } catch (e) { throw toScimFromLdap(e, { what: `create user "${userName}"` }) }
 */
export function toScimFromLdap(e: unknown, opts: TranslateOptions): errors.ScimError {
  if (errors.isScimError(e)) return e;
  const retryAfter = opts.retryAfter ?? 5;
  if (e instanceof LaneTimeoutError) {
    return new errors.ServiceUnavailableError('The directory is busy; try again later', retryAfter, { cause: e });
  }
  if (e instanceof ServiceBindError) {
    return new errors.ServiceUnavailableError('The gateway cannot sign in to the directory; try again later', retryAfter, {
      cause: e,
    });
  }
  const code = resultCodeOf(e);
  if (code === undefined) {
    if (isConnectionError(e)) {
      return new errors.ServiceUnavailableError('The directory is not reachable; try again later', retryAfter, { cause: e });
    }
    return new errors.InternalError({ cause: e });
  }
  const t: Translation = (RESULT_CODE_TABLE as Record<number, Translation>)[code] ?? { kind: 'internal' };
  const what = `Cannot ${opts.what}`;
  const cause = { cause: e };
  switch (t.kind) {
    case 'notFound':
      return new errors.NotFoundError(`${what}: no such entry`, cause);
    case 'uniqueness':
      return new errors.UniquenessError(`${what}: an entry with that name already exists`, cause);
    case 'forbidden':
      return new errors.ForbiddenError(`${what}: the directory denied access`, cause);
    case 'invalidValue':
      return new errors.InvalidValueError(`${what}: ${rejected(opts.attribute, describeCode(code))}`, cause);
    case 'badRequest':
      return new errors.ScimError(400, `${what}: the directory is unwilling to perform the operation`, undefined, cause);
    case 'noTarget':
      return new errors.NoTargetError(`${what}: attribute or value not present`, cause);
    case 'mutability':
      return new errors.MutabilityError(`${what}: the directory does not allow this change (${describeCode(code)})`, cause);
    case 'invalidFilter':
      return new errors.InvalidFilterError(`${what}: the directory cannot evaluate this filter`, cause);
    case 'tooMany':
      return new errors.TooManyError(`${what}: the result is larger than the directory will return`, cause);
    case 'conflict':
      return new errors.ConflictError(`${what}: the entry has subordinates`, cause);
    case 'precondition':
      return new errors.PreconditionFailedError(`${what}: precondition failed`, cause);
    case 'unavailable':
      return new errors.ServiceUnavailableError(
        `${what}: the directory is busy or unavailable; try again later`,
        retryAfter,
        cause,
      );
    case 'internal':
      return new errors.InternalError(cause);
  }
}
