/**
 * MySQL and MariaDB errors → the SQL layer's error kinds, through one table of server error
 * numbers, plus the client errors and network errors of `mysql2`.
 *
 * @see https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html
 * @see https://mariadb.com/kb/en/mariadb-error-code-reference/
 */
import type { SqlErrorKind } from '@scimgw/sql';

/** Server error numbers (`err.errno`). */
const ERRNO: Readonly<Record<number, SqlErrorKind>> = {
  1062: 'uniqueViolation', // ER_DUP_ENTRY
  1586: 'uniqueViolation', // ER_DUP_ENTRY_WITH_KEY_NAME
  1213: 'deadlock', // ER_LOCK_DEADLOCK
  1205: 'serializationFailure', // ER_LOCK_WAIT_TIMEOUT
  1969: 'statementTimeout', // MariaDB ER_STATEMENT_TIMEOUT (max_statement_time)
  3024: 'statementTimeout', // MySQL ER_QUERY_TIMEOUT (max_execution_time)
  1317: 'statementTimeout', // ER_QUERY_INTERRUPTED
  1040: 'unavailable', // ER_CON_COUNT_ERROR: too many connections
  1203: 'unavailable', // ER_TOO_MANY_USER_CONNECTIONS
  1290: 'unavailable', // ER_OPTION_PREVENTS_STATEMENT (--read-only)
  1792: 'unavailable', // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
  1053: 'connectionLost', // ER_SERVER_SHUTDOWN
  1927: 'connectionLost', // MariaDB ER_CONNECTION_KILLED
  4031: 'connectionLost', // MySQL: disconnected by the server for inactivity
  1406: 'invalidValue', // ER_DATA_TOO_LONG
  1264: 'invalidValue', // ER_WARN_DATA_OUT_OF_RANGE
  1366: 'invalidValue', // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (a string the charset cannot hold)
  1292: 'invalidValue', // ER_TRUNCATED_WRONG_VALUE
  1267: 'invalidValue', // ER_CANT_AGGREGATE_2COLLATIONS
  1300: 'invalidValue', // ER_INVALID_CHARACTER_STRING
  3140: 'invalidValue', // MySQL ER_INVALID_JSON_TEXT
  4038: 'invalidValue', // MariaDB ER_JSON_SYNTAX
  1048: 'constraintViolation', // ER_BAD_NULL_ERROR
  1364: 'constraintViolation', // ER_NO_DEFAULT_FOR_FIELD
  1451: 'constraintViolation', // ER_ROW_IS_REFERENCED_2
  1452: 'constraintViolation', // ER_NO_REFERENCED_ROW_2
  3819: 'constraintViolation', // MySQL ER_CHECK_CONSTRAINT_VIOLATED
  4025: 'constraintViolation', // MariaDB ER_CONSTRAINT_FAILED
  1146: 'undefinedObject', // ER_NO_SUCH_TABLE
  1054: 'undefinedObject', // ER_BAD_FIELD_ERROR
  1049: 'undefinedObject', // ER_BAD_DB_ERROR
  1305: 'undefinedObject', // ER_SP_DOES_NOT_EXIST
  1044: 'permissionDenied', // ER_DBACCESS_DENIED_ERROR
  1045: 'permissionDenied', // ER_ACCESS_DENIED_ERROR
  1142: 'permissionDenied', // ER_TABLEACCESS_DENIED_ERROR
  1143: 'permissionDenied', // ER_COLUMNACCESS_DENIED_ERROR
};

/** `mysql2` client and network error codes (`err.code`) of a lost or refused connection. */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
]);

/** Classifies an error of the `mysql2` driver. */
export function classifyMysqlError(error: unknown): SqlErrorKind {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const e = error as { errno?: unknown; code?: unknown; fatal?: unknown; message?: unknown };
  if (typeof e.errno === 'number' && ERRNO[e.errno]) return ERRNO[e.errno] as SqlErrorKind;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return 'connectionLost';
  // Client-side: the pool gave up waiting for a connection, or the connection closed under us.
  const message = String(e.message ?? '');
  if (
    /Pool is closed|Can't add new command when connection is in closed state|Connection lost|connect ETIMEDOUT/i.test(message)
  ) {
    return 'connectionLost';
  }
  if (e.fatal === true) return 'connectionLost';
  return 'unknown';
}

const NAME = '([A-Za-z_][A-Za-z0-9_$]{0,63})';

/**
 * Where the server's messages name the column of a refused value. Each is anchored at the end of
 * the message, which the server writes after any value it quotes, so text inside a value cannot
 * pose as a column name.
 */
const COLUMN_MESSAGES: readonly RegExp[] = [
  new RegExp(`^Data too long for column '${NAME}' at row \\d+$`), // 1406
  new RegExp(`^Out of range value for column '${NAME}' at row \\d+$`), // 1264
  new RegExp(`^Column '${NAME}' cannot be null$`), // 1048
  new RegExp(`^Field '${NAME}' doesn't have a default value$`), // 1364
  // 1366, 1292: MariaDB names `db`.`table`.`column`, MySQL 'column'.
  new RegExp(`for column (?:\`[^\`]*\`\\.\`${NAME}\`\\.\`${NAME}\`|'${NAME}') at row \\d+$`),
  // 1451, 1452: the foreign key's column.
  new RegExp(`FOREIGN KEY \\(\`${NAME}\`\\) REFERENCES [^()]*\\([^()]*\\)(?: ON [A-Z ]+)?\\)$`),
];

/** The column a refused value was for, when the server's message names it (names only, never the value). */
export function mysqlErrorColumn(error: unknown): { table?: string; column: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const message = String((error as { message?: unknown }).message ?? '');
  for (const re of COLUMN_MESSAGES) {
    const m = re.exec(message);
    if (!m) continue;
    const [, a, b, c] = m;
    if (b !== undefined) return { table: a as string, column: b };
    if (c !== undefined) return { column: c };
    if (a !== undefined) return { column: a };
  }
  return undefined;
}

/** True when the error means the connection cannot be used again. */
export function breaksConnection(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && (error as { fatal?: unknown }).fatal === true) return true;
  const kind = classifyMysqlError(error);
  return kind === 'connectionLost' || kind === 'unavailable';
}
