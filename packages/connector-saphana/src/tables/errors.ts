/**
 * SAP HANA errors → the SQL layer's error kinds (table mode), through one table of HANA error
 * codes (the `code` of an `@sap/hana-client` error: positive for server errors, negative for
 * errors the client raises itself, such as a connection that broke).
 *
 * Codes and names follow SAP's "SQL Error Codes" list of the HANA SQL reference. Checked against
 * public pages while writing this: 131 and 133 (SAP community), 314 `ERR_SQL_OVERFLOW_NUMERIC`, 613
 * `ERR_API_TIMEOUT`; the others could not be checked here and none has been seen from a real HANA.
 *
 * @see https://help.sap.com/docs/HANA_SERVICE_CF/7c78579ce9b14a669c1f3295b0d8ca16/20a78d3275191014b41bae7c4a46d835.html (SQL Error Codes)
 */
import type { SqlErrorKind } from '@scimgw/sql';

/** HANA error codes and their kinds. */
export const HANA_ERROR_KINDS: Readonly<Record<number, SqlErrorKind>> = {
  301: 'uniqueViolation', // ERR_SQL_UNIQUE_VIOLATED: unique constraint violated
  133: 'deadlock', // ERR_TX_ROLLBACK_DEADLOCK: transaction rolled back by detected deadlock
  131: 'serializationFailure', // ERR_TX_ROLLBACK_LOCK_TIMEOUT: transaction rolled back by lock wait timeout
  146: 'serializationFailure', // ERR_TX_LOCK_ACQUISITION_FAIL: resource busy and NOWAIT specified
  129: 'serializationFailure', // ERR_TX_ROLLBACK: transaction rolled back by an internal error
  613: 'statementTimeout', // ERR_API_TIMEOUT: execution aborted by timeout
  139: 'statementTimeout', // ERR_TX_ROLLBACK_CANCEL: current operation cancelled by request
  274: 'invalidValue', // ERR_SQL_INS_LARGE_VALUE: inserted value too large for column
  314: 'invalidValue', // ERR_SQL_OVERFLOW_NUMERIC: numeric overflow
  303: 'invalidValue', // ERR_SQL_INV_DATETIME_VAL: invalid DATE, TIME or TIMESTAMP value
  339: 'invalidValue', // ERR_SQL_INV_NUMBER: invalid number
  287: 'constraintViolation', // ERR_SQL_NOT_NULL: cannot insert NULL or update to NULL
  461: 'constraintViolation', // ERR_SQL_FK_NOT_FOUND: foreign key constraint violation
  462: 'constraintViolation', // ERR_SQL_FK_ON_UPDATE_DELETE_FAILED: failed on update or delete by foreign key
  677: 'constraintViolation', // ERR_SQL_CHECK_CONSTRAINT_VIOLATION
  259: 'undefinedObject', // ERR_SQL_INV_TABLE: invalid table name
  260: 'undefinedObject', // ERR_SQL_INV_COLUMN: invalid column name
  362: 'undefinedObject', // ERR_SQL_INV_SCHEMA: invalid schema name
  328: 'undefinedObject', // ERR_SQL_INV_FUNC_PROC: invalid name of function or procedure
  258: 'permissionDenied', // ERR_SQL_INSUFF_PRIV: insufficient privilege
  10: 'permissionDenied', // ERR_AUTHENTICATION_FAILED
  414: 'permissionDenied', // ERR_SQL_ALTER_PASSWORD_NEEDED: user is forced to change password
  1033: 'connectionLost', // ERR_COM_PARSE: error while parsing protocol
  [-10709]: 'connectionLost', // client: connection failed
  [-10807]: 'connectionLost', // client: connection down
  [-10108]: 'connectionLost', // client: session has been reconnected (the transaction is gone)
  [-10821]: 'connectionLost', // client: session not connected
  [-10901]: 'unavailable', // client: connection refused / server not reachable during failover
  1038: 'unavailable', // ERR_SES_SERVER_BUSY: rejected as server is temporarily overloaded
};

/**
 * A `MERGE` refused by a unique constraint (301). The dialect's MERGEs key on the constraint they
 * upsert, with repeats removed from their rows, so this means another transaction inserted the
 * same key between the MERGE's look-up and its insert: a write conflict, retried by the SQL layer
 * (the retry finds the row and leaves it), not a duplicate to answer 409 for.
 */
export class MergeConflictError extends Error {
  override name = 'MergeConflictError';
  constructor(cause: unknown) {
    super(`MERGE met a row inserted concurrently: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The HANA error code of a driver error, if it carries one. */
export function hanaErrorCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return code;
  return typeof code === 'string' && /^-?\d+$/.test(code) ? Number(code) : undefined;
}

/** Classifies an error of `@sap/hana-client` (or of this connector's pool). */
export function classifyHanaError(error: unknown): SqlErrorKind {
  if (error instanceof MergeConflictError) return 'serializationFailure';
  const code = hanaErrorCode(error);
  if (code !== undefined) return HANA_ERROR_KINDS[code] ?? 'unknown';
  const sysCode = (error as { code?: unknown } | null)?.code;
  if (typeof sysCode === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)$/.test(sysCode))
    return 'connectionLost';
  return 'unknown';
}

/** True when the connection that raised the error cannot be used again. */
export function breaksConnection(error: unknown): boolean {
  const kind = classifyHanaError(error);
  return kind === 'connectionLost' || kind === 'unavailable';
}
