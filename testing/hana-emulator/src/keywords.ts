/**
 * Words of SAP HANA SQL the translator knows: reserved words (SAP HANA SQL Reference, "Reserved
 * Words": not usable as undelimited names), other keywords of the statements it implements, the
 * built-in functions it implements, the data types, and words of other dialects that HANA does not
 * have (refused with 257, so that a connector speaking PostgreSQL, MySQL or T-SQL fails here).
 */

/** HANA's reserved words. */
export const RESERVED = new Set(
  `ALL ALTER AS BEFORE BEGIN BOTH CASE CHAR CONDITION CONNECT CROSS CUBE CURRENT_CONNECTION CURRENT_DATE
  CURRENT_SCHEMA CURRENT_TIME CURRENT_TIMESTAMP CURRENT_TRANSACTION_ISOLATION_LEVEL CURRENT_USER CURRENT_UTCDATE
  CURRENT_UTCTIME CURRENT_UTCTIMESTAMP CURRVAL CURSOR DECLARE DISTINCT ELSE ELSEIF END EXCEPT EXCEPTION EXEC FALSE
  FOR FROM FULL GROUP HAVING IF IN INNER INOUT INTERSECT INTO IS JOIN LATERAL LEADING LEFT LIMIT LOOP MINUS
  NATURAL NCHAR NEXTVAL NULL ON ORDER OUT PRIOR RETURN RETURNS REVERSE RIGHT ROLLUP ROWID SELECT SESSION_USER SET
  SQL START SYSUUID TABLESAMPLE TOP TRAILING TRUE UNION UNKNOWN USING UTCTIMESTAMP VALUES WHEN WHERE WHILE WITH`.split(/\s+/),
);

/** Non-reserved keywords of the statements the emulator implements. */
export const KEYWORDS = new Set(
  `AND OR NOT LIKE ESCAPE EXISTS BETWEEN ASC DESC NULLS FIRST LAST OFFSET BY INSERT UPDATE DELETE MERGE MATCHED
  THEN CREATE TABLE COLUMN ROW INDEX UNIQUE PRIMARY KEY FOREIGN REFERENCES CASCADE RESTRICT DEFAULT GENERATED
  ALWAYS IDENTITY CONSTRAINT DROP DO COLUMNS PATH OUTER COUNT ANY SOME UPDATE SHARE NOWAIT LOCK MODE EXCLUSIVE
  TRANSACTION COMMIT ROLLBACK`.split(/\s+/),
);

/** Words of other dialects HANA does not have: refused wherever they appear undelimited. */
export const FOREIGN_WORDS = new Map<string, string>([
  ['ILIKE', 'ILIKE is PostgreSQL'],
  ['RETURNING', 'RETURNING is PostgreSQL'],
  ['CONFLICT', 'ON CONFLICT is PostgreSQL'],
  ['OUTPUT', 'OUTPUT is T-SQL'],
  ['FETCH', 'HANA has LIMIT … OFFSET, not OFFSET … FETCH'],
  ['AUTO_INCREMENT', 'AUTO_INCREMENT is MySQL'],
  ['SERIAL', 'SERIAL is PostgreSQL'],
  ['BIGSERIAL', 'BIGSERIAL is PostgreSQL'],
  ['COLLATE', 'HANA compares binary; it has no COLLATE clause'],
  ['ISNULL', 'ISNULL is T-SQL (HANA: IFNULL)'],
  ['GETDATE', 'GETDATE is T-SQL'],
  ['HOLDLOCK', 'HOLDLOCK is T-SQL'],
  ['OPENJSON', 'OPENJSON is T-SQL'],
  ['JSONB', 'JSONB is PostgreSQL'],
  ['REGEXP', 'REGEXP is MySQL (HANA: LIKE_REGEXPR)'],
  ['DUPLICATE', 'ON DUPLICATE KEY is MySQL'],
  ['IGNORE', 'INSERT IGNORE is MySQL'],
  ['ILIKE', 'ILIKE is PostgreSQL'],
]);

/** Built-in functions the emulator implements: HANA name → PostgreSQL function (null: same name). */
export const FUNCTIONS = new Map<string, string | null>([
  ['LOWER', null],
  ['UPPER', null],
  ['COALESCE', null],
  ['IFNULL', 'COALESCE'],
  ['NULLIF', null],
  ['COUNT', null],
  ['MIN', null],
  ['MAX', null],
  ['SUM', null],
  ['AVG', null],
  ['ABS', null],
  ['ROUND', null],
  ['FLOOR', null],
  ['CEIL', null],
  ['LENGTH', 'hana_builtin.length'],
  ['LEFT', null],
  ['RIGHT', null],
  ['LTRIM', null],
  ['RTRIM', null],
  ['TRIM', null],
  ['SUBSTRING', 'hana_builtin.substring'],
  ['REPLACE', null],
  ['CONCAT', null],
  ['LPAD', null],
  ['RPAD', null],
  ['LOCATE', 'hana_builtin.locate'],
  ['TO_NVARCHAR', 'hana_builtin.to_nvarchar'],
  ['TO_VARCHAR', 'hana_builtin.to_nvarchar'],
  ['TO_DOUBLE', 'hana_builtin.to_double'],
  ['TO_BIGINT', 'hana_builtin.to_bigint'],
  ['TO_INTEGER', 'hana_builtin.to_bigint'],
  ['NOW', 'LOCALTIMESTAMP'],
  ['CURRENT_IDENTITY_VALUE', 'lastval'],
  ['JSON_VALUE', 'hana_builtin.json_value'],
  ['ROW_NUMBER', null],
  ['CAST', null],
]);

/** Functions that take no parentheses' arguments in PostgreSQL (`NOW()` → `LOCALTIMESTAMP`). */
export const BARE_IN_POSTGRES = new Set(['LOCALTIMESTAMP']);

/** HANA's longest NVARCHAR/VARCHAR. */
const MAX_VARCHAR = 5000;

/** A HANA data type and its PostgreSQL counterpart; undefined for names that are no HANA type. */
export function pgType(name: string, args: string[]): string | undefined {
  const n = args[0] === undefined ? undefined : Number(args[0]);
  switch (name) {
    case 'NVARCHAR':
    case 'VARCHAR':
    case 'NCHAR':
    case 'ALPHANUM':
    case 'SHORTTEXT':
      if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > MAX_VARCHAR)) return undefined;
      return `varchar(${n ?? 1})`;
    case 'NCLOB':
    case 'CLOB':
      return 'text';
    case 'BIGINT':
      return 'bigint';
    case 'INTEGER':
    case 'INT':
      return 'integer';
    case 'SMALLINT':
    case 'TINYINT':
      return 'smallint';
    case 'BOOLEAN':
      return 'boolean';
    case 'TIMESTAMP':
      return 'timestamp(6)';
    case 'SECONDDATE':
      return 'timestamp(0)';
    case 'DATE':
      return 'date';
    case 'DOUBLE':
      return 'double precision';
    case 'REAL':
      return 'real';
    case 'DECIMAL':
    case 'DEC':
      return args.length ? `numeric(${args.join(', ')})` : 'numeric';
    case 'VARBINARY':
    case 'BLOB':
      return 'bytea';
    default:
      return undefined;
  }
}
