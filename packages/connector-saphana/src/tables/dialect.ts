/**
 * The SAP HANA dialect of `@scimgw/sql` (table mode): `?` parameters, double-quoted names,
 * `LIMIT n OFFSET m`, `NULLS LAST`, `LIKE … ESCAPE`, `MERGE INTO` for upserts (the source rows
 * selected `FROM DUMMY`), `JSON_TABLE` for JSON columns, and `CURRENT_IDENTITY_VALUE()` for
 * database-made keys. HANA compares NVARCHAR binary, so text needs no collation clause.
 *
 * Needs SAP HANA 2.0 SPS 04 or later, or SAP HANA Cloud (`JSON_TABLE`, `JSON_VALUE`).
 */
import { type JsonElements, join, likePattern, raw, type SelectParts, type Sql, type SqlDialect, sql } from '@scimgw/sql';
import { hanaDdl, NVARCHAR_MAX, quote } from './ddl.js';
import { classifyHanaError } from './errors.js';

/**
 * Leading comment of an INSERT whose identity value the driver reads back afterwards
 * (`SELECT CURRENT_IDENTITY_VALUE() FROM DUMMY` on the same connection): HANA has no `RETURNING`.
 */
export const IDENTITY_MARK = '/* scimgw:identity */ ';

/** Most bound values of one statement this dialect writes (rows are split into chunks below it). */
export const MAX_PARAMETERS = 2000;

/** HANA needs a LIMIT before an OFFSET: the largest it takes. */
const NO_LIMIT = 2_147_483_647;

function int(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer`);
  return n;
}

/** A JSON path to one member (names come from schemas: `^[A-Za-z_$][A-Za-z0-9_$-]*$`). */
const memberPath = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `'$.${name}'` : `'$."${name}"'`);

/** Rows as a query: `SELECT ?, ? FROM DUMMY UNION ALL …`, the first row naming the columns. */
function rowsQuery(rows: Sql[][], columns: Sql[]): Sql {
  return join(
    rows.map((r, i) => sql`SELECT ${join(i === 0 ? r.map((v, j) => sql`${v} AS ${columns[j] as Sql}`) : r)} FROM DUMMY`),
    ' UNION ALL ',
  );
}

/**
 * The SAP HANA dialect.
 *
 * @example
 * const { connector } = await createSqlConnector({ name: 'connector-saphana', dialect: hanaDialect, driver });
 */
export const hanaDialect: SqlDialect = {
  name: 'saphana',
  quoteIdentifier: quote,
  placeholder: () => '?',
  maxParameters: MAX_PARAMETERS,
  // Not known to hold for every HANA release, and the emulator (PostgreSQL) cannot: values holding
  // U+0000 are refused on write and match nothing in filters.
  storesNul: false,
  pageWithLists: false,

  select(p: SelectParts): Sql {
    const parts = [sql`SELECT ${p.columns} FROM ${p.from}`];
    if (p.where) parts.push(sql` WHERE ${p.where}`);
    if (p.orderBy?.length) parts.push(sql` ORDER BY ${join(p.orderBy)}`);
    // The window is inlined (checked integers): HANA's LIMIT takes an unsigned integer literal.
    if (p.limit !== undefined) parts.push(raw(` LIMIT ${int(p.limit, 'limit')}`));
    else if (p.offset) parts.push(raw(` LIMIT ${NO_LIMIT}`));
    if (p.offset) parts.push(raw(` OFFSET ${int(p.offset, 'offset')}`));
    return join(parts, '');
  },
  orderBy: (e, descending) => sql`${e} ${raw(descending ? 'DESC' : 'ASC')} NULLS LAST`,
  lower: (e) => sql`LOWER(${e})`,
  like(e, value, match, lowerPattern) {
    const pattern = likePattern(value, match, '!', '%_');
    return lowerPattern ? sql`${e} LIKE LOWER(${pattern}) ESCAPE '!'` : sql`${e} LIKE ${pattern} ESCAPE '!'`;
  },
  numeric: (n) => sql`${n}`,
  numberText: (e) => sql`TO_NVARCHAR(${e})`,
  timestampText: (e) => sql`REPLACE(TO_NVARCHAR(${e}, 'YYYY-MM-DD HH24:MI:SS.FF3'), ' ', 'T') || 'Z'`,
  textToNumber: (e) =>
    sql`(CASE WHEN ${e} LIKE_REGEXPR '^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$' THEN TO_DOUBLE(${e}) END)`,
  ordered: (e) => e,

  jsonElements(column, alias, fields, object): JsonElements {
    const doc = object
      ? sql`CASE WHEN LEFT(LTRIM(${column}), 1) = '{' THEN '[' || ${column} || ']' ELSE '[]' END`
      : sql`CASE WHEN LEFT(LTRIM(${column}), 1) = '[' THEN ${column} ELSE '[]' END`;
    const type = `NVARCHAR(${NVARCHAR_MAX})`;
    // JSON_TABLE takes no bound paths: member names are schema names (see memberPath).
    const cols = [`"v" ${type} PATH '$'`, ...fields.map((f, i) => `"f${i}" ${type} PATH ${memberPath(f)}`)];
    return {
      from: sql`JSON_TABLE(${doc}, '$[*]' COLUMNS (${raw(cols.join(', '))})) AS ${raw(quote(alias))}`,
      field(name) {
        if (name === undefined) return raw(`${quote(alias)}."v"`);
        const i = fields.indexOf(name);
        return i < 0 ? raw('NULL') : raw(`${quote(alias)}."f${i}"`);
      },
    };
  },
  jsonValue: (value) => sql`${JSON.stringify(value)}`,
  readJson: (v) => (typeof v === 'string' ? JSON.parse(v) : Buffer.isBuffer(v) ? JSON.parse(v.toString('utf8')) : v),

  insert({ table, columns, rows }) {
    // HANA's VALUES clause holds one row: more rows are a query of rows.
    if (rows.length === 1) return sql`INSERT INTO ${table} (${join(columns)}) VALUES (${join(rows[0] as Sql[])})`;
    return sql`INSERT INTO ${table} (${join(columns)}) ${rowsQuery(rows, columns)}`;
  },
  upsert({ table, columns, rows, conflict, update }) {
    const src = (c: Sql) => sql`"scimgw_s".${c}`;
    const on = join(
      conflict.map((c) => sql`"scimgw_t".${c} = ${src(c)}`),
      ' AND ',
    );
    const matched = update.length
      ? sql` WHEN MATCHED THEN UPDATE SET ${join(update.map((c) => sql`${c} = COALESCE(${src(c)}, "scimgw_t".${c})`))}`
      : raw('');
    return sql`MERGE INTO ${table} AS "scimgw_t" USING (${rowsQuery(rows, columns)}) AS "scimgw_s" ON (${on})${matched} WHEN NOT MATCHED THEN INSERT (${join(columns)}) VALUES (${join(columns.map(src))})`;
  },
  insertReturningKey: ({ table, columns, values }) =>
    sql`${raw(IDENTITY_MARK)}INSERT INTO ${table} (${join(columns)}) VALUES (${join(values)})`,

  classifyError: classifyHanaError,

  listColumns(tables) {
    const conds = tables.map((t) =>
      t.schema === undefined
        ? sql`(SCHEMA_NAME = CURRENT_SCHEMA AND TABLE_NAME = ${t.table})`
        : sql`(SCHEMA_NAME = ${t.schema} AND TABLE_NAME = ${t.table})`,
    );
    return sql`SELECT TABLE_NAME AS "table_name", COLUMN_NAME AS "column_name", DATA_TYPE_NAME AS "data_type" FROM SYS.TABLE_COLUMNS WHERE ${conds.length ? join(conds, ' OR ') : raw('1 = 0')}`;
  },

  ddl: hanaDdl,
};
