/**
 * The PostgreSQL side: one database per emulator (created with the C collation, so that text
 * compares by code point as HANA compares NVARCHAR, and a UTF-8 character type, so that
 * LOWER/UPPER map every letter as HANA's do), a schema per login (HANA's default schema is
 * the user's own), `DUMMY`, the `SYS` catalog views the emulator implements (`TABLES`, `INDEXES`,
 * `TABLE_COLUMNS`, with HANA's column and type names), and HANA's built-in functions PostgreSQL
 * lacks, in schema `hana_builtin`.
 */
import pg from 'pg';

const BUILTINS = String.raw`
CREATE SCHEMA hana_builtin;
-- HANA converts strings to the column's type on assignment (a bound string into a BOOLEAN,
-- TIMESTAMP or BIGINT column) and where a string meets a number; PostgreSQL does so only for
-- untyped literals and parameters.
CREATE CAST (text AS boolean) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS timestamp) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS bigint) WITH INOUT AS IMPLICIT;
CREATE CAST (text AS integer) WITH INOUT AS ASSIGNMENT;
CREATE CAST (text AS double precision) WITH INOUT AS ASSIGNMENT;
CREATE SCHEMA "SYS";
CREATE VIEW hana_builtin."DUMMY" AS SELECT CAST('X' AS varchar(1)) AS "DUMMY";
-- Catalog views from pg_catalog (information_schema is slow enough to trip short statement timeouts).
CREATE VIEW "SYS"."TABLES" AS
  SELECT CAST(n.nspname AS varchar(256)) AS "SCHEMA_NAME", CAST(c.relname AS varchar(256)) AS "TABLE_NAME"
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p');
CREATE VIEW "SYS"."INDEXES" AS
  SELECT CAST(n.nspname AS varchar(256)) AS "SCHEMA_NAME", CAST(t.relname AS varchar(256)) AS "TABLE_NAME",
         CAST(i.relname AS varchar(256)) AS "INDEX_NAME"
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace;
CREATE VIEW "SYS"."TABLE_COLUMNS" AS
  SELECT CAST(n.nspname AS varchar(256)) AS "SCHEMA_NAME", CAST(c.relname AS varchar(256)) AS "TABLE_NAME",
         CAST(a.attname AS varchar(256)) AS "COLUMN_NAME",
         CAST(CASE a.atttypid WHEN 1043 THEN 'NVARCHAR' WHEN 25 THEN 'NCLOB' WHEN 20 THEN 'BIGINT' WHEN 23 THEN 'INTEGER'
           WHEN 21 THEN 'SMALLINT' WHEN 16 THEN 'BOOLEAN' WHEN 1114 THEN 'TIMESTAMP' WHEN 1082 THEN 'DATE'
           WHEN 701 THEN 'DOUBLE' WHEN 700 THEN 'REAL' WHEN 1700 THEN 'DECIMAL' WHEN 17 THEN 'VARBINARY'
           ELSE upper(format_type(a.atttypid, NULL)) END AS varchar(256)) AS "DATA_TYPE_NAME"
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v');
-- The elements of a JSON array ('$[*]') or the document itself ('$'); error HJ001 for text that is not JSON.
CREATE FUNCTION hana_builtin.json_items(doc text, path text) RETURNS SETOF jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE j jsonb;
BEGIN
  IF doc IS NULL THEN RETURN; END IF;
  BEGIN j := doc::jsonb; EXCEPTION WHEN others THEN RAISE EXCEPTION 'the document is not valid JSON' USING ERRCODE = 'HJ001'; END;
  IF path = '$[*]' THEN
    IF jsonb_typeof(j) = 'array' THEN RETURN QUERY SELECT e FROM jsonb_array_elements(j) e; END IF;
  ELSIF path = '$' THEN RETURN NEXT j;
  ELSE RAISE EXCEPTION 'JSON_TABLE path % is not implemented by the emulator', path USING ERRCODE = 'HJ001'; END IF;
END $$;
-- A lax JSON path ('$', '$.a', '$."a-b"'): scalars as text; objects, arrays, null and missing members as NULL.
CREATE FUNCTION hana_builtin.json_path(v jsonb, path text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE rest text := path; name text; m text[];
BEGIN
  IF left(rest, 1) <> '$' THEN RAISE EXCEPTION 'invalid JSON path %', path USING ERRCODE = 'HJ001'; END IF;
  rest := substr(rest, 2);
  WHILE rest <> '' AND v IS NOT NULL LOOP
    m := regexp_match(rest, '^\."((?:[^"\\]|\\.)*)"(.*)$');
    IF m IS NOT NULL THEN name := m[1]; rest := m[2];
    ELSE
      m := regexp_match(rest, '^\.([A-Za-z_$][A-Za-z0-9_$]*)(.*)$');
      IF m IS NULL THEN RAISE EXCEPTION 'invalid JSON path %', path USING ERRCODE = 'HJ001'; END IF;
      name := m[1]; rest := m[2];
    END IF;
    IF jsonb_typeof(v) <> 'object' THEN RETURN NULL; END IF;
    v := v -> name;
  END LOOP;
  IF v IS NULL OR jsonb_typeof(v) IN ('object', 'array', 'null') THEN RETURN NULL; END IF;
  RETURN v #>> '{}';
END $$;
CREATE FUNCTION hana_builtin.json_value(doc text, path text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE j jsonb;
BEGIN
  IF doc IS NULL THEN RETURN NULL; END IF;
  BEGIN j := doc::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END;
  RETURN hana_builtin.json_path(j, path);
END $$;
-- TO_NVARCHAR: HANA's text of a value; with a format, datetime formats (FF3: milliseconds).
CREATE FUNCTION hana_builtin.to_nvarchar(v anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT v::text $$;
CREATE FUNCTION hana_builtin.to_nvarchar(v timestamp) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(v, 'YYYY-MM-DD HH24:MI:SS.US') || '0' $$;
CREATE FUNCTION hana_builtin.to_nvarchar(v double precision) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v = trunc(v) AND abs(v) < 1e15 THEN trunc(v)::bigint::text ELSE v::text END $$;
CREATE FUNCTION hana_builtin.to_nvarchar(v timestamp, fmt text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(v, replace(replace(replace(fmt, 'FF3', 'MS'), 'FF6', 'US'), 'FF7', 'US"0"')) $$;
CREATE FUNCTION hana_builtin.to_double(v text) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT v::double precision $$;
CREATE FUNCTION hana_builtin.to_double(v double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ SELECT v $$;
CREATE FUNCTION hana_builtin.to_bigint(v text) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT v::numeric::bigint $$;
CREATE FUNCTION hana_builtin.length(v text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT length(v) $$;
CREATE FUNCTION hana_builtin.substring(v text, s integer, n integer DEFAULT NULL) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN n IS NULL THEN substr(v, s) ELSE substr(v, s, n) END $$;
CREATE FUNCTION hana_builtin.locate(v text, s text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(v, s) $$;
`;

/** Where PostgreSQL is (the machine's server by default). */
export interface PostgresTarget {
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  password?: string | undefined;
  /** An existing database to connect to for CREATE DATABASE. */
  adminDatabase?: string | undefined;
}

export function clientBase(target: PostgresTarget) {
  return {
    host: target.host ?? process.env.PGHOST ?? '127.0.0.1',
    port: target.port ?? Number(process.env.PGPORT ?? 5432),
    user: target.user ?? process.env.PGUSER ?? 'postgres',
    password: target.password ?? process.env.PGPASSWORD,
  };
}

/** Creates the emulator's database with the built-ins and one schema per login; returns its name. */
export async function createBackend(target: PostgresTarget, schemas: readonly string[]): Promise<string> {
  const database = `hana_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
  const admin = new pg.Client({ ...clientBase(target), database: target.adminDatabase ?? 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'`);
  } finally {
    await admin.end();
  }
  const c = new pg.Client({ ...clientBase(target), database });
  await c.connect();
  try {
    await c.query(BUILTINS);
    for (const s of schemas) await c.query(`CREATE SCHEMA "${s.replace(/"/g, '""')}"`);
  } finally {
    await c.end();
  }
  return database;
}

/** Drops the emulator's database. */
export async function dropBackend(target: PostgresTarget, database: string): Promise<void> {
  const admin = new pg.Client({ ...clientBase(target), database: target.adminDatabase ?? 'postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
