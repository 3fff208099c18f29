/**
 * MongoDB failures → SCIM errors, through one exhaustive table of server error codes, plus the
 * driver's own errors: a server that cannot be reached, a stepped-down primary, a timeout or a lost
 * connection answer 503 with `Retry-After` (the driver reconnects on its own, so the next request
 * may succeed). Server messages are logged by the caller, never put in a client-facing `detail`:
 * they can name databases, indexes and values.
 *
 * @see https://www.mongodb.com/docs/manual/reference/error-codes/
 */
import { errors } from '@scimgw/core';
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoStalePrimaryError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from 'mongodb';
import type { MongoConnectionConfig } from './config.js';

/** How one failure reaches a SCIM client. */
export type Translation =
  | { kind: 'uniqueness' }
  | { kind: 'notFound' }
  | { kind: 'invalidValue' }
  | { kind: 'invalidFilter' }
  | { kind: 'tooMany' }
  | { kind: 'unavailable' }
  | { kind: 'internal' };

/** MongoDB server error codes this connector can meet, by number. */
export const MONGO_ERROR_CODES = {
  2: 'BadValue',
  6: 'HostUnreachable',
  7: 'HostNotFound',
  9: 'FailedToParse',
  11: 'UserNotFound',
  13: 'Unauthorized',
  14: 'TypeMismatch',
  16: 'InvalidLength',
  17: 'ProtocolError',
  18: 'AuthenticationFailed',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  28: 'PathNotViable',
  40: 'ConflictingUpdateOperators',
  43: 'CursorNotFound',
  46: 'LockBusy',
  50: 'MaxTimeMSExpired',
  51: 'UnknownError',
  52: 'DollarPrefixedFieldName',
  56: 'EmptyFieldName',
  57: 'DottedFieldName',
  59: 'CommandNotFound',
  66: 'ImmutableField',
  67: 'CannotCreateIndex',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  89: 'NetworkTimeout',
  91: 'ShutdownInProgress',
  112: 'WriteConflict',
  115: 'CommandNotSupported',
  121: 'DocumentValidationFailure',
  133: 'FailedToSatisfyReadPreference',
  134: 'ReadConcernMajorityNotAvailableYet',
  148: 'ReadConcernMajorityNotEnabled',
  166: 'CommandNotSupportedOnView',
  189: 'PrimarySteppedDown',
  202: 'NetworkInterfaceExceededTimeLimit',
  211: 'KeyNotFound',
  225: 'TransactionTooOld',
  251: 'NoSuchTransaction',
  256: 'TransactionCommitted',
  262: 'ExceededTimeLimit',
  263: 'OperationNotSupportedInTransaction',
  267: 'PreparedTransactionInProgress',
  288: 'ChecksumMismatch',
  292: 'QueryExceededMemoryLimitNoDiskUseAllowed',
  9001: 'SocketException',
  10107: 'NotWritablePrimary',
  10334: 'BSONObjectTooLarge',
  11000: 'DuplicateKey',
  11001: 'DuplicateKeyLegacy',
  11600: 'InterruptedAtShutdown',
  11601: 'Interrupted',
  11602: 'InterruptedDueToReplStateChange',
  13297: 'DatabaseDifferCase',
  13388: 'StaleConfig',
  13435: 'NotPrimaryNoSecondaryOk',
  13436: 'NotPrimaryOrSecondary',
  16500: 'ExceededMemoryLimit',
  17419: 'DocumentTooLargeAfterUpdate',
  50915: 'BackupCursorOpenConflictWithCheckpoint',
  51091: 'InvalidRegex',
} as const;

/** A known MongoDB error code. */
export type MongoErrorCode = keyof typeof MONGO_ERROR_CODES;

/** The one table: `Record<MongoErrorCode, …>` makes the compiler reject a code without a row. */
export const ERROR_CODE_TABLE: Record<MongoErrorCode, Translation> = {
  2: { kind: 'invalidValue' }, // a value the server refuses (a pattern too long, say)
  6: { kind: 'unavailable' },
  7: { kind: 'unavailable' },
  9: { kind: 'internal' }, // a command this connector built wrongly
  11: { kind: 'internal' }, // the gateway's own credentials: configuration
  13: { kind: 'internal' }, // the gateway's account lacks a privilege: configuration
  14: { kind: 'internal' },
  16: { kind: 'internal' },
  17: { kind: 'unavailable' },
  18: { kind: 'internal' }, // the gateway's own credentials: configuration, logged, never the client's fault
  20: { kind: 'internal' },
  26: { kind: 'notFound' },
  27: { kind: 'internal' },
  28: { kind: 'invalidValue' }, // a sub-attribute set on a value that is not an object
  40: { kind: 'internal' },
  43: { kind: 'unavailable' }, // the server restarted while a cursor was open
  46: { kind: 'unavailable' },
  50: { kind: 'unavailable' },
  51: { kind: 'internal' },
  52: { kind: 'internal' }, // keys are escaped: this would be a bug here
  56: { kind: 'internal' },
  57: { kind: 'internal' },
  59: { kind: 'internal' },
  66: { kind: 'internal' },
  67: { kind: 'internal' },
  72: { kind: 'internal' },
  73: { kind: 'internal' },
  85: { kind: 'internal' }, // index conflicts: the database has other indexes of the same name (startup)
  86: { kind: 'internal' },
  89: { kind: 'unavailable' },
  91: { kind: 'unavailable' },
  112: { kind: 'unavailable' },
  115: { kind: 'internal' },
  121: { kind: 'invalidValue' }, // a collection validator the administrator added refused the document
  133: { kind: 'unavailable' },
  134: { kind: 'unavailable' },
  148: { kind: 'internal' },
  166: { kind: 'internal' },
  189: { kind: 'unavailable' },
  202: { kind: 'unavailable' },
  211: { kind: 'unavailable' },
  225: { kind: 'unavailable' },
  251: { kind: 'unavailable' },
  256: { kind: 'internal' },
  262: { kind: 'unavailable' },
  263: { kind: 'internal' },
  267: { kind: 'unavailable' },
  288: { kind: 'unavailable' },
  292: { kind: 'tooMany' },
  9001: { kind: 'unavailable' },
  10107: { kind: 'unavailable' },
  10334: { kind: 'invalidValue' },
  11000: { kind: 'uniqueness' },
  11001: { kind: 'uniqueness' },
  11600: { kind: 'unavailable' },
  11601: { kind: 'unavailable' },
  11602: { kind: 'unavailable' },
  13297: { kind: 'internal' },
  13388: { kind: 'unavailable' },
  13435: { kind: 'unavailable' },
  13436: { kind: 'unavailable' },
  16500: { kind: 'tooMany' },
  17419: { kind: 'invalidValue' }, // the document would pass 16 MiB (a group of very many members)
  50915: { kind: 'unavailable' },
  51091: { kind: 'invalidFilter' },
};

/** The numeric code of a server error (also inside write errors), or `undefined`. */
export function serverCodeOf(e: unknown): number | undefined {
  if (e instanceof MongoServerError && typeof e.code === 'number') return e.code;
  return undefined;
}

/** The name of a code for logs (`11000 DuplicateKey`). */
export function describeCode(code: number): string {
  return `${code} ${(MONGO_ERROR_CODES as Record<number, string>)[code] ?? 'unknown'}`;
}

/** True for failures of reaching the server (network, selection, shutdown), not of an operation. */
export function isConnectionError(e: unknown): boolean {
  return (
    e instanceof MongoNetworkError ||
    e instanceof MongoServerSelectionError ||
    e instanceof MongoNotConnectedError ||
    e instanceof MongoServerClosedError ||
    e instanceof MongoTopologyClosedError ||
    e instanceof MongoStalePrimaryError ||
    e instanceof MongoWriteConcernError ||
    (e instanceof MongoError && (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError')))
  );
}

/**
 * True for MongoDB refusing the credentials a client authenticates with (18 AuthenticationFailed),
 * also when the driver carries that as the cause of its own error.
 */
export function isAuthenticationFailure(e: unknown): boolean {
  return serverCodeOf(e) === 18 || serverCodeOf((e as { cause?: unknown } | null | undefined)?.cause) === 18;
}

/**
 * The error of the gateway's own credentials refused by MongoDB: it names where they are configured
 * (`path`, e.g. `endpoint.connection`) and the user, never the password.
 *
 * @example
 * credentialsRefused('endpoint.connection', { username: 'scim', … }, undefined, e).message
 * // 'mongodb: MongoDB refused the credentials of endpoint.connection (user "scim"): check endpoint.connection.username, endpoint.connection.password and endpoint.connection.authSource (18 AuthenticationFailed)'
 */
export function credentialsRefused(
  path: string,
  connection: Pick<MongoConnectionConfig, 'username' | 'authMechanism'>,
  tenant: string | undefined,
  cause: unknown,
): Error {
  const of = tenant === undefined ? '' : ` (tenant ${tenant})`;
  let what: string;
  if (connection.authMechanism === 'MONGODB-X509') {
    what = `the client certificate of ${path}${of}: check ${path}.tls.certificateKeyFile and the user MongoDB maps its subject to`;
  } else if (connection.username === undefined) {
    what = `the credentials in ${path}.url${of}: check the user name and password in it, and its authSource`;
  } else {
    what = `the credentials of ${path} (user "${connection.username}")${of}: check ${path}.username, ${path}.password and ${path}.authSource`;
  }
  return new Error(`mongodb: MongoDB refused ${what} (${describeCode(18)})`, { cause });
}

/** Options of {@link toScimError}. */
export interface TranslateOptions {
  /** What was being done, for the client: `create user "bjensen"`. Never contains server text. */
  what: string;
  /** `Retry-After` seconds of a 503. */
  retryAfter: number;
  /** The client-facing detail of a uniqueness conflict (it knows which attribute). */
  uniqueness?: string;
}

/**
 * Turns anything a MongoDB operation threw into a {@link errors.ScimError}.
 *
 * @example
 * try { await users.insertOne(doc) } catch (e) { throw toScimError(e, { what: 'create user', retryAfter: 5 }) }
 */
export function toScimError(e: unknown, opts: TranslateOptions): errors.ScimError {
  if (errors.isScimError(e)) return e;
  const cause = { cause: e };
  const what = `Cannot ${opts.what}`;
  if (isConnectionError(e)) {
    return new errors.ServiceUnavailableError(`${what}: the database is not reachable; try again later`, opts.retryAfter, cause);
  }
  const code = serverCodeOf(e);
  const t: Translation =
    code === undefined ? { kind: 'internal' } : ((ERROR_CODE_TABLE as Record<number, Translation>)[code] ?? { kind: 'internal' });
  switch (t.kind) {
    case 'uniqueness':
      return new errors.UniquenessError(opts.uniqueness ?? `${what}: a resource with that value already exists`, cause);
    case 'notFound':
      return new errors.NotFoundError(`${what}: not found`, cause);
    case 'invalidValue':
      return new errors.InvalidValueError(`${what}: the database refused a value (${describeCode(code as number)})`, cause);
    case 'invalidFilter':
      return new errors.InvalidFilterError(`${what}: the database cannot evaluate this filter`, cause);
    case 'tooMany':
      return new errors.TooManyError(`${what}: the result is larger than the database will sort or return`, cause);
    case 'unavailable':
      return new errors.ServiceUnavailableError(
        `${what}: the database is busy or unavailable; try again later`,
        opts.retryAfter,
        cause,
      );
    case 'internal':
      return new errors.InternalError(cause);
  }
}
