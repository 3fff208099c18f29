/**
 * Two dialects for the SQL layer's own tests, written the way a new connector would: an ANSI one
 * with `$n` placeholders and LIMIT/OFFSET, and a T-SQL-like one with `@pN` placeholders, `TOP` and
 * `OFFSET … FETCH` — the paging styles SQL Server needs — to show that only the dialect changes.
 */
import { join, likePattern, raw, type SelectParts, type Sql, type SqlDialect, type SqlErrorKind, sql } from '../../src/index.js';

const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;

function base(name: string, placeholder: (i: number) => string, select: (p: SelectParts) => Sql): SqlDialect {
  return {
    name,
    quoteIdentifier: quote,
    placeholder,
    maxParameters: name === 'tsql' ? 2100 : 65_535,
    storesNul: name === 'tsql',
    pageWithLists: name === 'ansi',
    select,
    orderBy: (e, desc) => sql`CASE WHEN ${e} IS NULL THEN 1 ELSE 0 END, ${e} ${raw(desc ? 'DESC' : 'ASC')}`,
    lower: (e) => sql`LOWER(${e})`,
    like(e, value, match, lowerPattern) {
      const specials = name === 'tsql' ? '%_[' : '%_';
      const pattern = likePattern(value, match, '!', specials);
      return lowerPattern ? sql`${e} LIKE LOWER(${pattern}) ESCAPE '!'` : sql`${e} LIKE ${pattern} ESCAPE '!'`;
    },
    numeric: (n) => sql`${n}`,
    numberText: (e) => sql`CAST(${e} AS VARCHAR(64))`,
    timestampText: (e) => sql`ISO_TEXT(${e})`,
    textToNumber: (e) => sql`TRY_NUMBER(${e})`,
    ordered: (e) => e,
    jsonElements(column, alias, fields) {
      return {
        from: sql`JSON_ROWS(${column}) AS ${raw(quote(alias))}`,
        field: (f) => (f === undefined ? raw(`${quote(alias)}."v"`) : raw(`${quote(alias)}.${quote(`f${fields.indexOf(f)}`)}`)),
      };
    },
    jsonValue: (v) => sql`${JSON.stringify(v)}`,
    readJson: (v) => (typeof v === 'string' ? JSON.parse(v) : v),
    insert: ({ table, columns, rows }) =>
      sql`INSERT INTO ${table} (${join(columns)}) VALUES ${join(rows.map((r) => sql`(${join(r)})`))}`,
    upsert: ({ table, columns, rows, conflict }) =>
      sql`INSERT INTO ${table} (${join(columns)}) VALUES ${join(rows.map((r) => sql`(${join(r)})`))} ON CONFLICT (${join(conflict)}) DO NOTHING`,
    insertReturningKey: ({ table, columns, values, key }) =>
      sql`INSERT INTO ${table} (${join(columns)}) VALUES (${join(values)}) RETURNING ${key}`,
    classifyError: (e) => ((e as { kind?: SqlErrorKind }).kind ?? 'unknown') as SqlErrorKind,
    listColumns: () => sql`SELECT table_name, column_name FROM information_schema.columns`,
    ddl: {
      terminator: name === 'tsql' ? '\nGO' : ';',
      type: (kind) =>
        ({
          key: 'VARCHAR(255)',
          text: 'VARCHAR(255)',
          longText: 'TEXT',
          bigint: 'BIGINT',
          serial: 'BIGINT IDENTITY',
          boolean: 'BOOLEAN',
          timestamp: 'TIMESTAMP',
          json: 'JSON',
        })[kind],
      createTable: (t, cols, cons) => `CREATE TABLE IF NOT EXISTS ${quote(t)} (${[...cols, ...cons].join(', ')})`,
      index: (t, n, c, o) => ({
        columns: [],
        statements: [
          `CREATE ${o.unique ? 'UNIQUE ' : ''}INDEX ${quote(n)} ON ${quote(t)} (${o.lowerCase ? `LOWER(${quote(c)})` : quote(c)})`,
        ],
      }),
      plainIndex: (t, n, cols) => `CREATE INDEX ${quote(n)} ON ${quote(t)} (${cols.map(quote).join(', ')})`,
      pageIndex: (t, o, p, size) => [
        `CREATE TABLE ${quote(p)} ("bucket" BIGINT, "n" BIGINT)`,
        `-- triggers counting ${quote(t)}.${quote(o)} per ${size}`,
      ],
    },
  };
}

export const ansiDialect = base(
  'ansi',
  (i) => `$${i}`,
  (p) => {
    const parts = [sql`SELECT ${p.columns} FROM ${p.from}`];
    if (p.where) parts.push(sql` WHERE ${p.where}`);
    if (p.orderBy?.length) parts.push(sql` ORDER BY ${join(p.orderBy)}`);
    if (p.limit !== undefined) parts.push(raw(` LIMIT ${p.limit}`));
    if (p.offset) parts.push(raw(` OFFSET ${p.offset}`));
    return join(parts, '');
  },
);

/** T-SQL paging: TOP without an offset, OFFSET … FETCH with one (which needs an ORDER BY). */
export const tsqlDialect = base(
  'tsql',
  (i) => `@p${i}`,
  (p) => {
    const top = p.limit !== undefined && !p.offset ? raw(`TOP (${p.limit}) `) : raw('');
    const parts = [sql`SELECT ${top}${p.columns} FROM ${p.from}`];
    if (p.where) parts.push(sql` WHERE ${p.where}`);
    if (p.orderBy?.length) parts.push(sql` ORDER BY ${join(p.orderBy)}`);
    if (p.offset) {
      parts.push(raw(` OFFSET ${p.offset} ROWS`));
      if (p.limit !== undefined) parts.push(raw(` FETCH NEXT ${p.limit} ROWS ONLY`));
    }
    return join(parts, '');
  },
);
