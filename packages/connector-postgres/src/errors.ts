/**
 * PostgreSQL errors → the SQL layer's error kinds, through one table of SQLSTATE codes (exact codes
 * first, then two-character classes), plus the network errors of the `pg` driver.
 *
 * @see https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
import type { SqlErrorKind } from '@scimgw/sql';

/** Exact SQLSTATE codes. */
const CODES: Readonly<Record<string, SqlErrorKind>> = {
  '23505': 'uniqueViolation',
  '40P01': 'deadlock',
  '40001': 'serializationFailure',
  '55P03': 'serializationFailure', // lock_not_available
  '57014': 'statementTimeout', // query_canceled (statement_timeout)
  '57P01': 'connectionLost', // admin_shutdown: the server is stopping
  '57P02': 'connectionLost', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now: starting up
  '25006': 'unavailable', // read_only_sql_transaction: a standby
  '53300': 'unavailable', // too_many_connections
  '54000': 'invalidValue', // program_limit_exceeded: an index row too large
  '42501': 'permissionDenied',
  '42P01': 'undefinedObject', // undefined_table
  '42703': 'undefinedObject', // undefined_column
  '42883': 'undefinedObject', // undefined_function
  '3F000': 'undefinedObject', // invalid_schema_name
};

/** SQLSTATE classes (first two characters). */
const CLASSES: Readonly<Record<string, SqlErrorKind>> = {
  '08': 'connectionLost', // connection exception
  '22': 'invalidValue', // data exception: too long, out of range, U+0000, bad encoding
  '23': 'constraintViolation', // integrity constraint violation (not null, foreign key, check)
  '40': 'serializationFailure', // transaction rollback
  '53': 'unavailable', // insufficient resources
  '57': 'unavailable', // operator intervention
  '58': 'unavailable', // system error (I/O)
};

/** Node network errors (`err.code`) a lost or refused connection raises. */
const NETWORK: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** `pg` messages of connection failures that carry no code. */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection error',
  'Client has encountered a connection error',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
  'Connection closed',
  'The server does not support SSL connections',
];

/** Classifies an error of the `pg` driver. */
export function classifyPostgresError(error: unknown): SqlErrorKind {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK.has(code)) return 'connectionLost';
    if (/^[0-9A-Z]{5}$/.test(code)) return CODES[code] ?? CLASSES[code.slice(0, 2)] ?? 'unknown';
  }
  const message = String((error as { message?: unknown }).message ?? '');
  if (CONNECTION_MESSAGES.some((m) => message.includes(m))) return 'connectionLost';
  return 'unknown';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * The column a refused value was for, from the fields PostgreSQL sets on the error (`column` and
 * `table`: a NULL in a NOT NULL column). A value too long or out of range (22001, 22003) names no
 * column; the SQL layer checks lengths itself before writing (see `max_length` in `listColumns`).
 */
export function postgresErrorColumn(error: unknown): { table?: string; column: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { column, table } = error as { column?: unknown; table?: unknown };
  if (typeof column !== 'string' || !NAME.test(column)) return undefined;
  return typeof table === 'string' && NAME.test(table) ? { table, column } : { column };
}

/** True when the error means the connection cannot be used again. */
export function breaksConnection(error: unknown): boolean {
  const kind = classifyPostgresError(error);
  return kind === 'connectionLost' || kind === 'unavailable';
}
