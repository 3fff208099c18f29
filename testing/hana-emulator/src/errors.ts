/**
 * Errors as `@sap/hana-client` reports them: an `Error` with `code` (HANA's error code: positive
 * from the server, negative from the client), `sqlState` and `message`; and the mapping of
 * PostgreSQL errors (from running the translated statement) onto the codes HANA gives for the
 * same condition.
 */

/** An error in the client's shape. */
export class HanaError extends Error {
  override name = 'Error';
  constructor(
    readonly code: number,
    message: string,
    readonly sqlState = 'HY000',
  ) {
    super(message);
  }
}

/** HANA's codes the emulator raises. */
export const CODES = {
  authenticationFailed: 10,
  lockWaitTimeout: 131,
  deadlock: 133,
  syntax: 257,
  insufficientPrivilege: 258,
  invalidTable: 259,
  invalidColumn: 260,
  valueTooLarge: 274,
  duplicateTable: 288,
  duplicateIndex: 289,
  notNull: 287,
  uniqueViolated: 301,
  invalidDatetime: 303,
  numericOverflow: 314,
  wrongArguments: 316,
  invalidFunction: 328,
  invalidNumber: 339,
  fkNotFound: 461,
  timeout: 613,
  connectionFailed: -10709,
  connectionDown: -10807,
} as const;

/** `sql syntax error: incorrect syntax near "…"` (257). */
export function syntaxError(near: string, detail = ''): HanaError {
  return new HanaError(CODES.syntax, `sql syntax error: incorrect syntax near "${near}"${detail ? `: ${detail}` : ''}`, '42000');
}

/** A HANA feature the emulator does not implement (refused as a syntax error, naming the emulator). */
export function notImplemented(what: string): HanaError {
  return new HanaError(CODES.syntax, `sql syntax error: ${what} (not implemented by the HANA emulator)`, '42000');
}

interface PgError {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  message?: string;
}

/** The HANA error for a PostgreSQL error. */
export function fromPostgres(error: unknown): HanaError {
  const e = (error ?? {}) as PgError;
  const m = e.message ?? String(error);
  switch (e.code) {
    case '23505':
      return new HanaError(
        CODES.uniqueViolated,
        `unique constraint violated: Table(${e.table ?? '?'}), Index(${e.constraint ?? '?'})`,
        '23000',
      );
    case '23502':
      return new HanaError(CODES.notNull, `cannot insert NULL or update to NULL: ${e.column ?? '?'}`, '23000');
    case '23503':
      return new HanaError(CODES.fkNotFound, `foreign key constraint violation: ${e.constraint ?? ''}`, '23000');
    case '22001':
      return new HanaError(CODES.valueTooLarge, `inserted value too large for column: ${m}`, '22001');
    case '22003':
      return new HanaError(CODES.numericOverflow, `numeric overflow: ${m}`, '22003');
    case '22P02':
      return new HanaError(CODES.invalidNumber, `invalid number: ${m}`, '22018');
    case '22007':
    case '22008':
      return new HanaError(CODES.invalidDatetime, `invalid DATE, TIME or TIMESTAMP value: ${m}`, '22007');
    case '22021':
      // PostgreSQL cannot hold U+0000 in text (see README: a limit of the emulator, not of HANA).
      return new HanaError(
        CODES.valueTooLarge,
        `inserted value too large for column: U+0000 cannot be stored (emulator)`,
        '22001',
      );
    case '40P01':
      return new HanaError(CODES.deadlock, 'transaction rolled back by detected deadlock', '40001');
    case '55P03':
      return new HanaError(CODES.lockWaitTimeout, 'transaction rolled back by lock wait timeout', 'HY000');
    case '40001':
      return new HanaError(CODES.lockWaitTimeout, 'transaction rolled back by lock wait timeout', 'HY000');
    case '42P01':
      return new HanaError(
        CODES.invalidTable,
        `invalid table name: ${m.replace(/^relation "(.*)" does not exist$/, '$1')}`,
        'HY000',
      );
    case '42703':
      return new HanaError(CODES.invalidColumn, `invalid column name: ${m}`, 'HY000');
    case '42P07':
      return new HanaError(CODES.duplicateTable, `cannot use duplicate table name: ${m}`, 'HY000');
    case '42501':
      return new HanaError(CODES.insufficientPrivilege, 'insufficient privilege: Not authorized', 'HY000');
    case '42883':
      return new HanaError(CODES.invalidFunction, `invalid name of function or procedure: ${m}`, 'HY000');
    case '57014':
      return new HanaError(CODES.timeout, 'execution aborted by timeout', 'HY000');
    case '57P01':
    case '57P02':
    case '57P03':
    case '08006':
    case '08003':
      return new HanaError(CODES.connectionDown, 'Connection down: socket closed', 'HY000');
    case 'HJ001':
      return new HanaError(2950, `JSON error: ${m}`, 'HY000');
    default:
      // What the translation let through but PostgreSQL refused: a syntax error to the client.
      return new HanaError(CODES.syntax, `sql syntax error: ${m} (emulator: PostgreSQL ${e.code ?? ''})`, '42000');
  }
}
