/**
 * The MySQL / MariaDB dialect of `@scimgw/sql`: `?` placeholders, back-quoted names, `LIMIT/OFFSET`,
 * NULLs-last ordering by `expr IS NULL`, `ON DUPLICATE KEY UPDATE`, the driver's insert id,
 * `JSON_TABLE`, and binary NO PAD collations so that text compares exactly (`'a' <> 'a '`,
 * `'ａ' <> 'a'`); case-insensitive indexes are generated `LOWER(column)` columns.
 */
import { type JsonElements, join, likePattern, raw, type SelectParts, type Sql, type SqlDialect, sql } from '@scimgw/sql';
import { classifyMysqlError, mysqlErrorColumn } from './errors.js';

/** The server family: their binary NO PAD collations have different names. */
export type MysqlFlavor = 'mariadb' | 'mysql';

const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const qualified = (name: string) => name.split('.').map(quote).join('.');

function int(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer`);
  return n;
}

/** The binary collation without trailing-space padding of each flavor. */
export function binaryCollation(flavor: MysqlFlavor): string {
  return flavor === 'mariadb' ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

/** Most rows `LIMIT` can name (MySQL needs a LIMIT before an OFFSET). */
const NO_LIMIT = '18446744073709551615';

/**
 * The dialect for one server family.
 *
 * @example
 * const dialect = mysqlDialect('mariadb');
 */
export function mysqlDialect(flavor: MysqlFlavor): SqlDialect {
  const collation = binaryCollation(flavor);
  const text = `VARCHAR(255) CHARACTER SET utf8mb4 COLLATE ${collation}`;
  return {
    name: flavor,
    quoteIdentifier: quote,
    placeholder: () => '?',
    maxParameters: 65_535,
    storesNul: true,
    pageWithLists: false,
    // An ORDER BY over the lists' UNION ALL is a temporary table, on disk (Aria) because a branch
    // selects TEXT columns: one created and dropped per read, a third to a half of the server's CPU
    // of a `userName eq` at a million users.
    sortListsInGateway: true,

    select(p: SelectParts): Sql {
      const parts = [sql`SELECT ${p.columns} FROM ${p.from}`];
      if (p.where) parts.push(sql` WHERE ${p.where}`);
      if (p.orderBy?.length) parts.push(sql` ORDER BY ${join(p.orderBy)}`);
      if (p.limit !== undefined) parts.push(sql` LIMIT ${int(p.limit, 'limit')}`);
      else if (p.offset) parts.push(raw(` LIMIT ${NO_LIMIT}`));
      if (p.offset) parts.push(sql` OFFSET ${int(p.offset, 'offset')}`);
      return join(parts, '');
    },
    orderBy: (e, descending) => sql`${e} IS NULL, ${e} ${raw(descending ? 'DESC' : 'ASC')}`,
    lower: (e) => sql`LOWER(${e})`,
    like(e, value, match, lowerPattern) {
      const pattern = likePattern(value, match, '!', '%_');
      return lowerPattern ? sql`${e} LIKE LOWER(${pattern}) ESCAPE '!'` : sql`${e} LIKE ${pattern} ESCAPE '!'`;
    },
    numeric: (n) => sql`${n}`,
    numberText: (e) => sql`CAST(${e} AS CHAR)`,
    timestampText: (e) =>
      sql`CONCAT(DATE_FORMAT(${e}, '%Y-%m-%dT%H:%i:%s.'), LPAD(FLOOR(MICROSECOND(${e}) / 1000), 3, '0'), 'Z')`,
    textToNumber: (e) =>
      sql`(CASE WHEN ${e} REGEXP '^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$' THEN CAST(${e} AS DOUBLE) END)`,
    ordered: (e) => e,

    jsonElements(column, alias, fields, object): JsonElements {
      const doc = object
        ? sql`CASE WHEN JSON_TYPE(${column}) = 'OBJECT' THEN CONCAT('[', ${column}, ']') ELSE '[]' END`
        : sql`CASE WHEN JSON_TYPE(${column}) = 'ARRAY' THEN ${column} ELSE '[]' END`;
      const type = `LONGTEXT CHARACTER SET utf8mb4 COLLATE ${collation}`;
      // Member names come from schemas (checked against /^[A-Za-z_$][A-Za-z0-9_$-]*$/), so they
      // can stand in a JSON path literal; JSON_TABLE takes no bound paths.
      const cols = [`\`v\` ${type} PATH '$'`, ...fields.map((f, i) => `\`f${i}\` ${type} PATH '$."${f}"'`)];
      return {
        from: sql`JSON_TABLE(${doc}, '$[*]' COLUMNS (${raw(cols.join(', '))})) AS ${raw(quote(alias))}`,
        field(name) {
          if (name === undefined) return raw(`${quote(alias)}.\`v\``);
          const i = fields.indexOf(name);
          if (i < 0) return raw('NULL');
          return raw(`${quote(alias)}.\`f${i}\``);
        },
      };
    },
    jsonValue: (value) => sql`${JSON.stringify(value)}`,
    readJson: (v) => (typeof v === 'string' ? JSON.parse(v) : Buffer.isBuffer(v) ? JSON.parse(v.toString('utf8')) : v),

    insert: ({ table, columns, rows }) =>
      sql`INSERT INTO ${table} (${join(columns)}) VALUES ${join(rows.map((r) => sql`(${join(r)})`))}`,
    upsert({ table, columns, rows, conflict, update }) {
      // The server reports "Duplicates: n" only for a statement of several rows, and the driver
      // needs it to count the rows changed (see mysqlDriver); a single row is sent twice, the second
      // a duplicate of the first that changes nothing.
      const all = rows.length === 1 ? [rows[0] as Sql[], rows[0] as Sql[]] : rows;
      const insert = sql`INSERT INTO ${table} (${join(columns)}) VALUES ${join(all.map((r) => sql`(${join(r)})`))}`;
      const set = update.length
        ? update.map((c) => sql`${c} = COALESCE(VALUES(${c}), ${c})`)
        : [sql`${conflict[0] as Sql} = ${conflict[0] as Sql}`];
      return sql`${insert} ON DUPLICATE KEY UPDATE ${join(set)}`;
    },
    insertReturningKey: ({ table, columns, values }) => sql`INSERT INTO ${table} (${join(columns)}) VALUES (${join(values)})`,

    classifyError: classifyMysqlError,
    errorColumn: mysqlErrorColumn,

    listColumns(tables) {
      const conds = tables.map((t) =>
        t.schema === undefined
          ? sql`(TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${t.table})`
          : sql`(TABLE_SCHEMA = ${t.schema} AND TABLE_NAME = ${t.table})`,
      );
      // A TEXT column's CHARACTER_MAXIMUM_LENGTH is its length in bytes: only VARCHAR and CHAR count characters.
      return sql`SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, DATA_TYPE AS data_type, CASE WHEN DATA_TYPE IN ('varchar', 'char') THEN CHARACTER_MAXIMUM_LENGTH END AS max_length FROM information_schema.COLUMNS WHERE ${conds.length ? join(conds, ' OR ') : raw('1=0')}`;
    },

    ddl: {
      terminator: ';',
      type(kind) {
        switch (kind) {
          case 'key':
          case 'text':
            return text;
          case 'longText':
            return `TEXT CHARACTER SET utf8mb4 COLLATE ${collation}`;
          case 'bigint':
            return 'BIGINT';
          case 'serial':
            return 'BIGINT NOT NULL AUTO_INCREMENT';
          case 'boolean':
            return 'BOOLEAN';
          case 'timestamp':
            return 'DATETIME(3)';
          case 'json':
            return 'JSON';
        }
      },
      createTable: (table, columns, constraints) =>
        `CREATE TABLE IF NOT EXISTS ${qualified(table)} (\n  ${[...columns, ...constraints].join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
      index(_table, name, column, { unique, lowerCase }) {
        if (!lowerCase)
          return {
            columns: [],
            constraints: [`${unique ? 'UNIQUE ' : ''}KEY ${quote(name)} (${quote(column)})`],
            statements: [],
          };
        // MariaDB cannot index LOWER(column) itself: a stored generated column holds it.
        const lower = `${column}_lower`;
        return {
          columns: [`${quote(lower)} ${text} GENERATED ALWAYS AS (LOWER(${quote(column)})) STORED`],
          constraints: [`${unique ? 'UNIQUE ' : ''}KEY ${quote(name)} (${quote(lower)})`],
          statements: [],
          lowerColumn: lower,
        };
      },
      plainIndex: (table, name, columns) =>
        `CREATE INDEX IF NOT EXISTS ${quote(name)} ON ${qualified(table)} (${columns.map(quote).join(', ')})`,
      pageIndex(table, orderColumn, indexTable, bucketSize) {
        const size = int(bucketSize, 'bucketSize');
        const base = indexTable.split('.').pop() as string;
        const p = qualified(indexTable);
        const t = qualified(table);
        const o = quote(orderColumn);
        return [
          `CREATE TABLE IF NOT EXISTS ${p} (\n  \`bucket\` BIGINT NOT NULL PRIMARY KEY,\n  \`n\` BIGINT NOT NULL\n) ENGINE=InnoDB`,
          `CREATE TRIGGER IF NOT EXISTS ${quote(`${base}_ins`)} AFTER INSERT ON ${t} FOR EACH ROW INSERT INTO ${p} (\`bucket\`, \`n\`) VALUES (NEW.${o} DIV ${size}, 1) ON DUPLICATE KEY UPDATE \`n\` = \`n\` + 1`,
          `CREATE TRIGGER IF NOT EXISTS ${quote(`${base}_del`)} AFTER DELETE ON ${t} FOR EACH ROW UPDATE ${p} SET \`n\` = \`n\` - 1 WHERE \`bucket\` = OLD.${o} DIV ${size}`,
          // Rows that were there before the triggers: counted once, when the index is new.
          `INSERT INTO ${p} (\`bucket\`, \`n\`) SELECT ${o} DIV ${size}, COUNT(*) FROM ${t} GROUP BY 1 ON DUPLICATE KEY UPDATE \`n\` = \`n\``,
        ];
      },
    },
  };
}
