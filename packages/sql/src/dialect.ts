/**
 * The dialect of one database: everything the SQL layer writes differently per server. A new SQL
 * connector (SQL Server, SAP HANA …) supplies one of these and a {@link SqlDriver}; the rest
 * (filters, paging, cursors, PATCH, concurrency) is shared.
 */
import type { Sql } from './sql.js';

/**
 * What went wrong, in database-neutral terms. A dialect classifies its driver's errors into these;
 * the SQL layer maps each to a SCIM error through one table (see `errors.ts`).
 */
export type SqlErrorKind =
  /** A unique index refused the row (`userName` taken): 409 `uniqueness`. */
  | 'uniqueViolation'
  /** Deadlock victim: retried, then 503. */
  | 'deadlock'
  /** Serialization failure / lock wait timeout: retried, then 503. */
  | 'serializationFailure'
  /** The connection broke or could not be made (server restart, network): retried, then 503. */
  | 'connectionLost'
  /** The server refuses more connections / is starting up or shutting down: retried, then 503. */
  | 'unavailable'
  /** The statement ran past the configured statement timeout: 503. */
  | 'statementTimeout'
  /** A value the column cannot hold (too long, out of range, bad encoding such as U+0000): 400. */
  | 'invalidValue'
  /** A NOT NULL, CHECK or foreign key constraint refused the row: 400. */
  | 'constraintViolation'
  /** A table or column is missing (layout and database disagree): 500, logged. */
  | 'undefinedObject'
  /** The database user may not do this: 500, logged. */
  | 'permissionDenied'
  /** Anything else: 500, logged. */
  | 'unknown';

/** The parts of a SELECT a dialect assembles with its paging syntax. */
export interface SelectParts {
  columns: Sql;
  from: Sql;
  where?: Sql | undefined;
  /** ORDER BY items, already directed; required when `limit` or `offset` is set. */
  orderBy?: Sql[] | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** One row source that yields the elements of a JSON array column. */
export interface JsonElements {
  /** The FROM item (`jsonb_array_elements(...) AS e(v)`, `JSON_TABLE(...) AS e`). */
  from: Sql;
  /**
   * The text of one member of each element (`e.v ->> 'type'`); `undefined` field: the element
   * itself (arrays of strings). NULL when absent.
   */
  field(name: string | undefined): Sql;
}

/** Options of a transaction. */
export interface TransactionOptions {
  readOnly?: boolean;
}

/** Column types of the default layout's DDL. */
export type ColumnKind = 'key' | 'text' | 'longText' | 'bigint' | 'serial' | 'boolean' | 'timestamp' | 'json';

/** DDL a dialect writes for the default layout (see `ddl.ts`). */
export interface DialectDdl {
  /** SQL type of a column kind (`serial` is an auto-numbered bigint; `key` is the resource id). */
  type(kind: ColumnKind): string;
  /** `CREATE TABLE IF NOT EXISTS` statement for one table; `columns` are complete column definitions. */
  createTable(table: string, columns: string[], constraints: string[]): string;
  /**
   * An index on a column, case-insensitive (`lower(...)`) when `lowerCase`; `unique` for
   * `userName`. Returns extra column definitions the table needs (a generated lower-case column)
   * and statements to run after the table exists.
   */
  index(
    table: string,
    name: string,
    column: string,
    opts: { unique?: boolean | undefined; lowerCase?: boolean | undefined },
  ): {
    /** Extra column definitions (a generated lower-case column). */
    columns: string[];
    /** Table constraints (`UNIQUE KEY …`) for dialects that declare indexes inside CREATE TABLE. */
    constraints?: string[];
    /** Statements to run after CREATE TABLE (`CREATE INDEX IF NOT EXISTS …`). */
    statements: string[];
    /** The generated column holding `LOWER(column)`, when the dialect needs one. */
    lowerColumn?: string;
  };
  /** A plain (non-unique) index on several columns. */
  plainIndex(table: string, name: string, columns: string[]): string;
  /**
   * Statements that keep a page index (bucket counts of `orderColumn`) up to date with triggers.
   * See `PageIndex` in the layout.
   */
  pageIndex(table: string, orderColumn: string, indexTable: string, bucketSize: number): string[];
  /** Statement terminator / batch separator for printed DDL (`;`). */
  readonly terminator: string;
}

/**
 * Everything the SQL layer writes differently per database. Implementations live in the connector
 * packages (`@scimgw/connector-postgres`, `@scimgw/connector-mysql`); see the SQL layer's README
 * for a checklist when writing one.
 */
export interface SqlDialect {
  /** Short name for logs and errors (`postgres`, `mysql`). */
  readonly name: string;
  /** Quotes one identifier part that already passed the identifier check. */
  quoteIdentifier(name: string): string;
  /** Placeholder of the `index`-th bound value, 1-based: `$1`, `?`, `@p1`. */
  placeholder(index: number): string;
  /** Most bound values one statement may carry (SQL Server: 2,100; PostgreSQL: 65,535). */
  readonly maxParameters: number;
  /**
   * Whether text columns can hold U+0000. Where they cannot (PostgreSQL), a filter value holding
   * it matches nothing instead of failing, and removing such a value is a no-op.
   */
  readonly storesNul: boolean;
  /**
   * Read a page and its lists in one statement (a UNION ALL whose list branches join the page's
   * keys). Worth it where the planner handles the page subquery well (PostgreSQL); otherwise the
   * lists are read with a second statement by key (`IN (…)`).
   */
  readonly pageWithLists: boolean;
  /**
   * Order the rows of the lists statement (the UNION ALL of the child tables read by key) in the
   * gateway instead of with `ORDER BY` in the database: by branch, owner, element order, then first
   * element column, NULLs first, numbers as numbers and text by code point. For MariaDB, where an
   * `ORDER BY` over a UNION ALL is sorted in a temporary table, and one that holds a TEXT column is
   * an Aria table on disk: one created and dropped per read. Default false.
   */
  readonly sortListsInGateway?: boolean | undefined;

  /**
   * A whole SELECT with this dialect's paging (`LIMIT/OFFSET`, `OFFSET … FETCH`, `TOP`). Bind the
   * window where the database allows it, so that one statement text serves every page.
   */
  select(parts: SelectParts): Sql;
  /** One ORDER BY item with NULLs last in either direction (as the core sorts missing values). */
  orderBy(expression: Sql, descending: boolean): Sql;

  /** Lower-cases text for case-insensitive comparison (`LOWER(x)`). */
  lower(expression: Sql): Sql;
  /**
   * `expression LIKE <pattern> ESCAPE …`, where the bound pattern is built from `value` so that
   * every character of it matches literally (`%`, `_`, the escape character, `[` on SQL Server).
   * `lowerPattern`: the pattern is lower-cased too (`LIKE LOWER(?)`), for case-insensitive matching
   * against an already lower-cased expression.
   */
  like(expression: Sql, value: string, match: 'contains' | 'prefix' | 'suffix', lowerPattern: boolean): Sql;
  /** A bound number compared with numeric columns of any kind (`CAST($1 AS numeric)` where types are inferred). */
  numeric(value: number): Sql;
  /** A number as text, for `co`/`sw`/`ew` on numbers. */
  numberText(expression: Sql): Sql;
  /** A timestamp as RFC 3339 text with milliseconds and `Z`, as SCIM shows it (`co`/`sw`/`ew`). */
  timestampText(expression: Sql): Sql;
  /** A number from text, or NULL when the text is not a number (values inside JSON). */
  textToNumber(expression: Sql): Sql;
  /** Byte-wise / code point comparison of text for `gt`/`lt` (`COLLATE "C"`), or the expression as is. */
  ordered(expression: Sql): Sql;

  /**
   * The elements of a JSON array column as rows (`fields` are the members compared; names are
   * schema names matching `^[A-Za-z_$][A-Za-z0-9_$-]*$`). With `object`, the column holds one
   * object, seen as a single element. Anything that is not an array (or object) yields no rows.
   */
  jsonElements(column: Sql, alias: string, fields: readonly string[], object: boolean): JsonElements;
  /** A bound JSON document (`CAST($1 AS jsonb)`, `?`). */
  jsonValue(value: unknown): Sql;
  /** The driver's representation of a JSON column value → the JSON value. */
  readJson(raw: unknown): unknown;

  /** INSERT of one or more rows (multi-row VALUES, or what the database offers instead). */
  insert(args: { table: Sql; columns: Sql[]; rows: Sql[][] }): Sql;
  /**
   * INSERT of one or more rows; a row whose `conflict` key exists already is left alone, except
   * that each `update` column takes the new value when that is not NULL (a merge:
   * `c = COALESCE(new.c, c)`). With no `update` columns existing rows are left as they are.
   * The statement's `rowCount` should be the rows inserted or changed, not those left as they were
   * (`DO UPDATE … WHERE … IS DISTINCT FROM …`): a member added again then leaves the group's
   * version as it was. A count that includes unchanged rows only costs a needless new version.
   */
  upsert(args: { table: Sql; columns: Sql[]; rows: Sql[][]; conflict: Sql[]; update: Sql[] }): Sql;
  /** INSERT of one row returning the database-generated key as column `key` of the first row (or via the driver's insert id). */
  insertReturningKey(args: { table: Sql; columns: Sql[]; values: Sql[]; key: Sql }): Sql;

  /** Classifies a driver error. */
  classifyError(error: unknown): SqlErrorKind;
  /**
   * The column a refused value was for, when the driver's error names it (a value too long, out of
   * range, NULL where the column may not be): the SQL layer names the attribute in the 400 from it.
   * Only names, never anything of the value; `undefined` when the error does not say.
   */
  errorColumn?(error: unknown): { table?: string | undefined; column: string } | undefined;

  /**
   * A query listing the columns of the given tables, with columns `table_name`, `column_name` and
   * `data_type` (as the database names them), for the startup check of the layout; optionally
   * `max_length`: the most characters a bounded text column (`varchar(n)`) holds, NULL for others,
   * so that a longer value is refused naming its attribute (see `errorColumn`).
   */
  listColumns(tables: readonly { schema?: string | undefined; table: string }[]): Sql;

  /** DDL of the default layout. */
  readonly ddl: DialectDdl;
}

/** Escapes `value` for a LIKE pattern: `specials` and the escape character itself get the escape character before them. */
export function escapeLikeValue(value: string, escapeChar: string, specials: string): string {
  let out = '';
  for (const ch of value) out += ch === escapeChar || specials.includes(ch) ? escapeChar + ch : ch;
  return out;
}

/** A LIKE pattern for a match kind. */
export function likePattern(
  value: string,
  match: 'contains' | 'prefix' | 'suffix',
  escapeChar: string,
  specials: string,
): string {
  const v = escapeLikeValue(value, escapeChar, specials);
  return match === 'contains' ? `%${v}%` : match === 'prefix' ? `${v}%` : `%${v}`;
}
