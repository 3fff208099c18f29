/**
 * The T-SQL dialect of `@scimgw/sql`: `@pN` parameters, bracketed names, `TOP (@p)` and
 * `OFFSET … FETCH` with bound windows, NULLs last through `CASE`, `MERGE … WITH (HOLDLOCK)` for
 * upserts, `OUTPUT INSERTED` for database-made keys, `OPENJSON` for JSON columns, `LIKE … ESCAPE`
 * with `[` escaped too, and a binary collation (`Latin1_General_100_BIN2`) on every text column of
 * the default layout so that text compares exactly; case-insensitive indexes are persisted
 * computed `LOWER(column)` columns.
 */
import { type JsonElements, join, likePattern, raw, type SelectParts, type Sql, type SqlDialect, sql } from '@scimgw/sql';
import { classifyMssqlError } from './errors.js';

/** Binary code-point collation of text columns (exact, case-sensitive comparison). */
export const BINARY_COLLATION = 'Latin1_General_100_BIN2';

const quote = (name: string) => `[${name.replace(/]/g, ']]')}]`;
const qualified = (name: string) => name.split('.').map(quote).join('.');
/** A name inside an N'…' literal (names passed the identifier check; quotes doubled anyway). */
const literalName = (name: string) => `N'${qualified(name).replace(/'/g, "''")}'`;

function int(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer`);
  return n;
}

/** Most bound values of one `sp_executesql` call: 2,100 parameters, two of them the statement and its declarations. */
export const MAX_PARAMETERS = 2098;

const text = `NVARCHAR(255) COLLATE ${BINARY_COLLATION}`;

/** `IF <object missing> <statement>`: SQL Server has no `CREATE … IF NOT EXISTS`. */
function indexStatement(table: string, name: string, body: string): string {
  return `IF INDEXPROPERTY(OBJECT_ID(${literalName(table)}), N'${name.replace(/'/g, "''")}', 'IndexID') IS NULL ${body}`;
}

/**
 * The SQL Server dialect.
 *
 * @example
 * const { connector } = await createSqlConnector({ name: 'connector-mssql', dialect: mssqlDialect, driver });
 */
export const mssqlDialect: SqlDialect = {
  name: 'mssql',
  quoteIdentifier: quote,
  placeholder: (i) => `@p${i}`,
  maxParameters: MAX_PARAMETERS,
  storesNul: true,
  pageWithLists: false,

  select(p: SelectParts): Sql {
    const offset = p.offset ? int(p.offset, 'offset') : 0;
    const top = p.limit !== undefined && !offset ? sql`TOP (${int(p.limit, 'limit')}) ` : raw('');
    const parts = [sql`SELECT ${top}${p.columns} FROM ${p.from}`];
    if (p.where) parts.push(sql` WHERE ${p.where}`);
    if (p.orderBy?.length) parts.push(sql` ORDER BY ${join(p.orderBy)}`);
    else if (offset) parts.push(raw(' ORDER BY (SELECT NULL)')); // OFFSET needs an ORDER BY
    if (offset) {
      parts.push(sql` OFFSET ${offset} ROWS`);
      if (p.limit !== undefined) parts.push(sql` FETCH NEXT ${int(p.limit, 'limit')} ROWS ONLY`);
    }
    return join(parts, '');
  },
  orderBy: (e, descending) => sql`CASE WHEN ${e} IS NULL THEN 1 ELSE 0 END, ${e} ${raw(descending ? 'DESC' : 'ASC')}`,
  lower: (e) => sql`LOWER(${e})`,
  like(e, value, match, lowerPattern) {
    // `[` opens a character class in SQL Server's LIKE: escaped like `%` and `_`.
    const pattern = likePattern(value, match, '!', '%_[');
    return lowerPattern ? sql`${e} LIKE LOWER(${pattern}) ESCAPE '!'` : sql`${e} LIKE ${pattern} ESCAPE '!'`;
  },
  numeric: (n) => sql`${n}`,
  numberText: (e) => sql`CAST(${e} AS NVARCHAR(64))`,
  timestampText: (e) =>
    sql`CONCAT(CONVERT(NVARCHAR(19), ${e}, 126), '.', RIGHT(CONCAT('00', DATEPART(MILLISECOND, ${e})), 3), 'Z')`,
  textToNumber: (e) => sql`TRY_CAST(${e} AS FLOAT)`,
  ordered: (e) => sql`(${e} COLLATE ${raw(BINARY_COLLATION)})`,

  jsonElements(column, alias, fields, object): JsonElements {
    const doc = object
      ? sql`CASE WHEN ISJSON(${column}) = 1 AND LEFT(LTRIM(${column}), 1) = '{' THEN CONCAT('[', ${column}, ']') ELSE '[]' END`
      : sql`CASE WHEN ISJSON(${column}) = 1 AND LEFT(LTRIM(${column}), 1) = '[' THEN ${column} ELSE '[]' END`;
    // Member names come from schemas (checked against /^[A-Za-z_$][A-Za-z0-9_$-]*$/), so they can
    // stand in a JSON path literal; OPENJSON's WITH clause takes no bound paths.
    const cols = ["[v] NVARCHAR(MAX) '$'", ...fields.map((f, i) => `[f${i}] NVARCHAR(MAX) '$."${f}"'`)];
    return {
      from: sql`OPENJSON(${doc}) WITH (${raw(cols.join(', '))}) AS ${raw(quote(alias))}`,
      field(name) {
        if (name === undefined) return raw(`${quote(alias)}.[v]`);
        const i = fields.indexOf(name);
        return i < 0 ? raw('NULL') : raw(`${quote(alias)}.[f${i}]`);
      },
    };
  },
  jsonValue: (value) => sql`${JSON.stringify(value)}`,
  readJson: (v) => (typeof v === 'string' ? JSON.parse(v) : Buffer.isBuffer(v) ? JSON.parse(v.toString('utf8')) : v),

  insert: ({ table, columns, rows }) =>
    sql`INSERT INTO ${table} (${join(columns)}) VALUES ${join(rows.map((r) => sql`(${join(r)})`))}`,
  upsert({ table, columns, rows, conflict, update }) {
    // HOLDLOCK: the key range stays locked from the match to the insert, so two writers adding the
    // same row cannot both miss it and collide on the unique index.
    const src = (c: Sql) => sql`[scimgw_s].${c}`;
    const on = join(
      conflict.map((c) => sql`[scimgw_t].${c} = ${src(c)}`),
      ' AND ',
    );
    const matched = update.length
      ? sql` WHEN MATCHED THEN UPDATE SET ${join(update.map((c) => sql`${c} = COALESCE(${src(c)}, [scimgw_t].${c})`))}`
      : raw('');
    return sql`MERGE INTO ${table} WITH (HOLDLOCK) AS [scimgw_t] USING (VALUES ${join(rows.map((r) => sql`(${join(r)})`))}) AS [scimgw_s] (${join(columns)}) ON ${on}${matched} WHEN NOT MATCHED THEN INSERT (${join(columns)}) VALUES (${join(columns.map(src))});`;
  },
  insertReturningKey: ({ table, columns, values, key }) =>
    sql`INSERT INTO ${table} (${join(columns)}) OUTPUT INSERTED.${key} VALUES (${join(values)})`,

  classifyError: classifyMssqlError,

  listColumns(tables) {
    const conds = tables.map((t) =>
      t.schema === undefined
        ? sql`(TABLE_SCHEMA = SCHEMA_NAME() AND TABLE_NAME = ${t.table})`
        : sql`(TABLE_SCHEMA = ${t.schema} AND TABLE_NAME = ${t.table})`,
    );
    return sql`SELECT TABLE_NAME AS [table_name], COLUMN_NAME AS [column_name], DATA_TYPE AS [data_type] FROM INFORMATION_SCHEMA.COLUMNS WHERE ${conds.length ? join(conds, ' OR ') : raw('1=0')}`;
  },

  ddl: {
    terminator: ';',
    type(kind) {
      switch (kind) {
        case 'key':
        case 'text':
          return text;
        case 'longText':
          return `NVARCHAR(MAX) COLLATE ${BINARY_COLLATION}`;
        case 'bigint':
          return 'BIGINT';
        case 'serial':
          return 'BIGINT IDENTITY(1,1) NOT NULL';
        case 'boolean':
          return 'BIT';
        case 'timestamp':
          return 'DATETIME2(3)';
        case 'json':
          return `NVARCHAR(MAX) COLLATE ${BINARY_COLLATION}`;
      }
    },
    createTable: (table, columns, constraints) =>
      `IF OBJECT_ID(${literalName(table)}, N'U') IS NULL CREATE TABLE ${qualified(table)} (\n  ${[...columns, ...constraints].join(',\n  ')}\n)`,
    index(table, name, column, { unique, lowerCase }) {
      const u = unique ? 'UNIQUE ' : '';
      if (!lowerCase)
        return {
          columns: [],
          statements: [indexStatement(table, name, `CREATE ${u}INDEX ${quote(name)} ON ${qualified(table)} (${quote(column)})`)],
        };
      // SQL Server indexes no expressions: a persisted computed column holds LOWER(column).
      const lower = `${column}_lower`;
      return {
        columns: [`${quote(lower)} AS LOWER(${quote(column)}) PERSISTED`],
        statements: [indexStatement(table, name, `CREATE ${u}INDEX ${quote(name)} ON ${qualified(table)} (${quote(lower)})`)],
        lowerColumn: lower,
      };
    },
    plainIndex: (table, name, columns) =>
      indexStatement(table, name, `CREATE INDEX ${quote(name)} ON ${qualified(table)} (${columns.map(quote).join(', ')})`),
    pageIndex() {
      throw new Error('page indexes are not available on SQL Server (endpoint.pageIndex must be false)');
    },
  },
};
