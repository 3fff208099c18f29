/**
 * SQL Server errors → the SQL layer's error kinds, through one table of server error numbers
 * (including Azure SQL's transient numbers of a failover or throttling), plus the `mssql`/tedious
 * error codes of lost connections and timeouts.
 *
 * @see https://learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors
 * @see https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-errors-issues
 */
import type { SqlErrorKind } from '@scimgw/sql';

/** Server error numbers. */
export const ERROR_NUMBERS: Readonly<Record<number, SqlErrorKind>> = {
  2627: 'uniqueViolation', // Violation of PRIMARY KEY / UNIQUE KEY constraint
  2601: 'uniqueViolation', // Cannot insert duplicate key row … with unique index
  1205: 'deadlock', // chosen as deadlock victim
  1222: 'serializationFailure', // lock request time out period exceeded
  3960: 'serializationFailure', // snapshot isolation update conflict
  3961: 'serializationFailure', // snapshot isolation: object modified by DDL
  41302: 'serializationFailure', // In-Memory OLTP: row updated by another transaction
  41305: 'serializationFailure', // In-Memory OLTP: repeatable read validation failure
  41325: 'serializationFailure', // In-Memory OLTP: serializable validation failure
  41301: 'serializationFailure', // In-Memory OLTP: dependency on a failed transaction
  40613: 'unavailable', // Azure SQL: database not currently available (failover, reconfiguration)
  40501: 'unavailable', // Azure SQL: service is busy
  40197: 'unavailable', // Azure SQL: error processing the request (upgrade, failover)
  40540: 'unavailable', // Azure SQL: service has encountered an error
  49918: 'unavailable', // not enough resources
  49919: 'unavailable', // too many create or update operations
  49920: 'unavailable', // too many operations in progress
  10928: 'unavailable', // resource limit reached
  10929: 'unavailable', // resource minimum guarantee
  4060: 'unavailable', // cannot open database (also during a failover)
  4221: 'unavailable', // login to read-secondary failed (replica not ready)
  233: 'connectionLost', // no process on the other end of the pipe
  64: 'connectionLost', // specified network name no longer available
  10053: 'connectionLost', // transport-level error: connection aborted
  10054: 'connectionLost', // transport-level error: connection reset
  10060: 'connectionLost', // network-related error: timed out
  3617: 'statementTimeout', // query canceled (attention after the request timeout)
  2628: 'invalidValue', // string or binary data would be truncated (with column)
  8152: 'invalidValue', // string or binary data would be truncated
  245: 'invalidValue', // conversion failed
  8114: 'invalidValue', // error converting data type
  8115: 'invalidValue', // arithmetic overflow
  220: 'invalidValue', // arithmetic overflow for data type
  13609: 'invalidValue', // JSON text is not properly formatted
  515: 'constraintViolation', // cannot insert NULL
  547: 'constraintViolation', // FOREIGN KEY / CHECK constraint conflict
  208: 'undefinedObject', // invalid object name
  207: 'undefinedObject', // invalid column name
  2812: 'undefinedObject', // could not find stored procedure
  229: 'permissionDenied', // permission denied on object
  230: 'permissionDenied', // permission denied on column
  262: 'permissionDenied', // permission denied in database
  18456: 'permissionDenied', // login failed
};

/** `mssql`/tedious error codes (`err.code`) of a connection that broke or could not be made. */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ESOCKET',
  'ECONNCLOSED',
  'ENOTOPEN',
  'ENOCONN',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EINSTLOOKUP',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface DriverError {
  name?: unknown;
  code?: unknown;
  number?: unknown;
  message?: unknown;
  originalError?: { number?: unknown; code?: unknown; info?: { number?: unknown } } | undefined;
}

/** The server error number of an `mssql` error, if it carries one. */
export function errorNumber(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as DriverError;
  const n = e.number ?? e.originalError?.number ?? e.originalError?.info?.number;
  return typeof n === 'number' ? n : undefined;
}

/** Classifies an error of the `mssql` driver. */
export function classifyMssqlError(error: unknown): SqlErrorKind {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const e = error as DriverError;
  const n = errorNumber(error);
  if (n !== undefined && ERROR_NUMBERS[n]) return ERROR_NUMBERS[n] as SqlErrorKind;
  const code = typeof e.code === 'string' ? e.code : typeof e.originalError?.code === 'string' ? e.originalError.code : '';
  // A request that ran past requestTimeout (tedious sent an attention): the statement timeout.
  if (code === 'ETIMEOUT' && e.name === 'RequestError') return 'statementTimeout';
  if (code === 'ETIMEOUT') return 'connectionLost';
  if (code === 'ELOGIN') return 'permissionDenied';
  if (CONNECTION_CODES.has(code)) return 'connectionLost';
  // tedious refuses a request on a connection that already closed (its state machine is in
  // "Final"): the statement was never sent, the connection is gone. (EINVALIDSTATE in any other
  // state is a misuse of the driver and stays unknown.)
  if (code === 'EINVALIDSTATE' && /\bFinal state\b/.test(String(e.message ?? ''))) return 'connectionLost';
  if (/Connection is closed|Connection lost|socket hang up|Failed to connect/i.test(String(e.message ?? '')))
    return 'connectionLost';
  return 'unknown';
}

/** True when the error means the connection cannot be used again. */
export function breaksConnection(error: unknown): boolean {
  const kind = classifyMssqlError(error);
  return kind === 'connectionLost' || kind === 'unavailable';
}
