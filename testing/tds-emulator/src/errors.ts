/**
 * SQL Server error numbers the emulator raises, and the mapping of PostgreSQL errors (from
 * executing the translated statement) onto the numbers SQL Server gives for the same condition.
 */

/** An error as SQL Server reports it: number, severity (class), state, text. */
export class TsqlError extends Error {
  constructor(
    readonly number: number,
    message: string,
    readonly severity = number === 1205 ? 13 : number === 18456 ? 14 : 16,
    readonly state = 1,
  ) {
    super(message);
  }
}

interface PgError {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  detail?: string;
  message?: string;
}

/**
 * The SQL Server error for a PostgreSQL error. `constraints` tells whether a unique index backs a
 * declared constraint (2627) or is a plain unique index (2601).
 */
export function fromPostgres(error: unknown, isConstraint: (name: string) => boolean): TsqlError {
  const e = (error ?? {}) as PgError;
  const table = `dbo.${e.table ?? '?'}`;
  const dup = /\((.*)\)=\((.*)\)/.exec(e.detail ?? '')?.[2] ?? '';
  switch (e.code) {
    case '23505':
      return isConstraint(e.constraint ?? '')
        ? new TsqlError(
            2627,
            `Violation of UNIQUE KEY constraint '${e.constraint}'. Cannot insert duplicate key in object '${table}'. The duplicate key value is (${dup}).`,
            14,
          )
        : new TsqlError(
            2601,
            `Cannot insert duplicate key row in object '${table}' with unique index '${e.constraint}'. The duplicate key value is (${dup}).`,
            14,
          );
    case '23502':
      return new TsqlError(
        515,
        `Cannot insert the value NULL into column '${e.column}', table '${table}'; column does not allow nulls. INSERT fails.`,
      );
    case '23503':
    case '23514':
      return new TsqlError(547, `The statement conflicted with the constraint "${e.constraint}".`);
    case '22001':
      return new TsqlError(2628, `String or binary data would be truncated in table '${table}'.`);
    case '22003':
      return new TsqlError(8115, 'Arithmetic overflow error converting expression to data type.');
    case '22P02':
    case '22007':
    case '22008':
      return new TsqlError(245, `Conversion failed: ${e.message ?? ''}`);
    case '22021':
      return new TsqlError(245, 'Conversion failed: invalid character.');
    case '40P01':
      return new TsqlError(
        1205,
        'Transaction (Process ID 51) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.',
        13,
        45,
      );
    case '40001':
      return new TsqlError(3960, 'Snapshot isolation transaction aborted due to update conflict.');
    case '55P03':
      return new TsqlError(1222, 'Lock request time out period exceeded.');
    case '42P01':
      return new TsqlError(208, `Invalid object name '${/relation "([^"]+)"/.exec(e.message ?? '')?.[1] ?? ''}'.`);
    case '42703':
      return new TsqlError(
        207,
        `Invalid column name '${/column "?([^" ]+)"? does not exist/.exec(e.message ?? '')?.[1] ?? ''}'.`,
      );
    case '42P07':
      return new TsqlError(2714, `There is already an object named in the database: ${e.message ?? ''}`);
    case '428C9':
      return new TsqlError(
        544,
        `Cannot insert explicit value for identity column in table '${table}' when IDENTITY_INSERT is set to OFF.`,
      );
    case '42501':
      return new TsqlError(229, `The permission was denied: ${e.message ?? ''}`, 14);
    case '57014':
      return new TsqlError(3617, 'The query was canceled.', 25);
    default:
      // Anything the emulator's translation let through but PostgreSQL refused: a syntax error to the client.
      return new TsqlError(102, `Incorrect syntax (emulator: ${e.code ?? ''} ${e.message ?? String(error)})`, 15);
  }
}
