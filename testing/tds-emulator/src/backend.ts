/**
 * The PostgreSQL side: one database per emulator instance (schema `dbo` for the tables, schema
 * `tsql` for the built-ins SQL Server has and PostgreSQL lacks), and a client per TDS session.
 */
import pg from 'pg';

/** Built-in functions of SQL Server, written in PL/pgSQL with SQL Server's results. */
const BUILTINS = String.raw`
CREATE SCHEMA IF NOT EXISTS dbo;
CREATE SCHEMA IF NOT EXISTS tsql;
-- SQL Server converts nvarchar to a number implicitly where a number is compared (data type precedence).
CREATE CAST (varchar AS bigint) WITH INOUT AS IMPLICIT;
-- jsonb refuses the escape \u0000; SQL Server's JSON functions accept it. It becomes the emulator's
-- own escape of U+0000 (U+E000 U+E001, see session.ts), which the output turns back into U+0000.
CREATE OR REPLACE FUNCTION tsql.json_text(doc text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(doc, '((?:^|[^\\])(?:\\\\)*)\\u0000', '\1\\ue000\\ue001', 'g') $$;
CREATE OR REPLACE FUNCTION tsql.isjson(doc text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE j jsonb;
BEGIN
  IF doc IS NULL THEN RETURN NULL; END IF;
  BEGIN j := tsql.json_text(doc)::jsonb; EXCEPTION WHEN others THEN RETURN 0; END;
  RETURN CASE WHEN jsonb_typeof(j) IN ('object', 'array') THEN 1 ELSE 0 END;
END $$;
-- OPENJSON: the elements of an array or the property values of an object; error 13609 otherwise.
CREATE OR REPLACE FUNCTION tsql.openjson(doc text) RETURNS SETOF jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE j jsonb;
BEGIN
  IF doc IS NULL THEN RETURN; END IF;
  BEGIN j := tsql.json_text(doc)::jsonb; EXCEPTION WHEN others THEN RAISE EXCEPTION 'JSON text is not properly formatted.' USING ERRCODE = 'TS609'; END;
  IF jsonb_typeof(j) = 'array' THEN RETURN QUERY SELECT e FROM jsonb_array_elements(j) e;
  ELSIF jsonb_typeof(j) = 'object' THEN RETURN QUERY SELECT e.value FROM jsonb_each(j) e;
  ELSE RAISE EXCEPTION 'JSON text is not properly formatted.' USING ERRCODE = 'TS609'; END IF;
END $$;
-- A lax JSON path ('$', '$.a', '$."a"'): scalars as text; objects, arrays and missing members as NULL.
CREATE OR REPLACE FUNCTION tsql.json_path(v jsonb, path text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE rest text := path; name text; m text[];
BEGIN
  IF left(rest, 1) <> '$' THEN RAISE EXCEPTION 'JSON path is not properly formatted.' USING ERRCODE = 'TS607'; END IF;
  rest := substr(rest, 2);
  WHILE rest <> '' AND v IS NOT NULL LOOP
    m := regexp_match(rest, '^\."((?:[^"\\]|\\.)*)"(.*)$');
    IF m IS NOT NULL THEN name := m[1]; rest := m[2];
    ELSE
      m := regexp_match(rest, '^\.([A-Za-z_$][A-Za-z0-9_$]*)(.*)$');
      IF m IS NULL THEN RAISE EXCEPTION 'JSON path is not properly formatted.' USING ERRCODE = 'TS607'; END IF;
      name := m[1]; rest := m[2];
    END IF;
    IF jsonb_typeof(v) <> 'object' THEN RETURN NULL; END IF;
    v := v -> name;
  END LOOP;
  IF v IS NULL OR jsonb_typeof(v) IN ('object', 'array', 'null') THEN RETURN NULL; END IF;
  RETURN v #>> '{}';
END $$;
CREATE OR REPLACE FUNCTION tsql.json_value(doc text, path text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT tsql.json_path(tsql.json_text(doc)::jsonb, path) $$;
-- SQL Server's LIKE language ('%', '_', '[abc]', '[^a-c]', an ESCAPE character) as an anchored regular expression.
CREATE OR REPLACE FUNCTION tsql.like_re(p text, esc text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE out text := '^'; i int := 1; c text; n int := length(p); j int; cls text;
BEGIN
  IF p IS NULL THEN RETURN NULL; END IF;
  WHILE i <= n LOOP
    c := substr(p, i, 1);
    IF esc IS NOT NULL AND c = esc AND i < n THEN
      i := i + 1; out := out || regexp_replace(substr(p, i, 1), '([^A-Za-z0-9])', '\\\1', 'g');
    ELSIF c = '%' THEN out := out || '.*';
    ELSIF c = '_' THEN out := out || '.';
    ELSIF c = '[' AND strpos(substr(p, i + 1), ']') > 0 THEN
      j := strpos(substr(p, i + 1), ']');
      cls := substr(p, i + 1, j - 1);
      IF left(cls, 1) = '^' THEN out := out || '[^' || regexp_replace(substr(cls, 2), '([\\\]\[^])', '\\\1', 'g') || ']';
      ELSE out := out || '[' || regexp_replace(cls, '([\\\]\[^])', '\\\1', 'g') || ']'; END IF;
      i := i + j;
    ELSE out := out || regexp_replace(c, '([^A-Za-z0-9])', '\\\1', 'g');
    END IF;
    i := i + 1;
  END LOOP;
  RETURN out || '$';
END $$;
CREATE OR REPLACE FUNCTION tsql.try_number(t text) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$' THEN CAST(t AS double precision) END $$;
CREATE OR REPLACE FUNCTION tsql.len(t text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT length(rtrim(t, ' ')) $$;
CREATE OR REPLACE FUNCTION tsql.sysutcdatetime() RETURNS timestamp LANGUAGE sql AS $$ SELECT clock_timestamp() AT TIME ZONE 'UTC' $$;
CREATE OR REPLACE FUNCTION tsql.getutcdate() RETURNS timestamp LANGUAGE sql AS $$ SELECT clock_timestamp() AT TIME ZONE 'UTC' $$;
CREATE OR REPLACE FUNCTION tsql.newid() RETURNS uuid LANGUAGE sql AS $$ SELECT gen_random_uuid() $$;
CREATE OR REPLACE FUNCTION tsql.schema_name() RETURNS text LANGUAGE sql AS $$ SELECT 'dbo'::text $$;
CREATE OR REPLACE FUNCTION tsql.db_name() RETURNS text LANGUAGE sql AS $$ SELECT current_database()::text $$;
-- OBJECT_ID('[dbo].[t]'[, 'U']): an id for a table (or index-less object) that exists, else NULL.
CREATE OR REPLACE FUNCTION tsql.object_id(name text, kind text DEFAULT NULL) RETURNS integer LANGUAGE plpgsql STABLE AS $$
DECLARE parts text[]; s text := 'dbo'; t text;
BEGIN
  parts := regexp_split_to_array(replace(replace(name, '[', ''), ']', ''), '\.');
  IF array_length(parts, 1) = 2 THEN s := parts[1]; t := parts[2]; ELSE t := parts[1]; END IF;
  RETURN (SELECT c.oid::integer FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = s AND c.relname = t AND c.relkind IN ('r', 'p', 'v'));
END $$;
CREATE OR REPLACE FUNCTION tsql.indexproperty(obj integer, ix text, prop text) RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = obj::oid AND c.relname = ix $$;
CREATE OR REPLACE FUNCTION tsql.convert_style(v timestamp, style integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN style IN (126, 127) THEN to_char(v, 'YYYY-MM-DD"T"HH24:MI:SS.MS') ELSE to_char(v, 'YYYY-MM-DD HH24:MI:SS.MS') END $$;
CREATE OR REPLACE FUNCTION tsql.convert_style(v anyelement, style integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT v::text $$;
CREATE OR REPLACE FUNCTION tsql.datepart(part text, v timestamp) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE upper(part)
    WHEN 'MILLISECOND' THEN floor(extract(milliseconds FROM v))::integer % 1000
    WHEN 'SECOND' THEN floor(extract(second FROM v))::integer
    WHEN 'YEAR' THEN extract(year FROM v)::integer WHEN 'MONTH' THEN extract(month FROM v)::integer
    WHEN 'DAY' THEN extract(day FROM v)::integer WHEN 'HOUR' THEN extract(hour FROM v)::integer
    WHEN 'MINUTE' THEN extract(minute FROM v)::integer END $$;
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

/** Every value as PostgreSQL's text: the emulator encodes TDS values itself. */
const TEXT_TYPES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

/** Creates the instance's database with the built-ins; returns its name. */
export async function createBackend(target: PostgresTarget): Promise<string> {
  const database = `tds_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
  const admin = new pg.Client({ ...clientBase(target), database: target.adminDatabase ?? 'test' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  const c = await connectSession(target, database);
  try {
    await c.query(BUILTINS);
  } finally {
    await c.end();
  }
  return database;
}

/** Drops the instance's database (sessions must be closed). */
export async function dropBackend(target: PostgresTarget, database: string): Promise<void> {
  const admin = new pg.Client({ ...clientBase(target), database: target.adminDatabase ?? 'test' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

function clientBase(target: PostgresTarget) {
  return {
    host: target.host ?? process.env.PGHOST ?? '127.0.0.1',
    port: target.port ?? Number(process.env.PGPORT ?? 5432),
    user: target.user ?? process.env.PGUSER ?? 'postgres',
    password: target.password ?? process.env.PGPASSWORD,
  };
}

/**
 * A PostgreSQL session for one TDS session: UTC, `dbo` then `tsql` on the search path. When the
 * PostgreSQL connection fails later (the instance's database dropped with sessions open, the server
 * restarted), `onLost` runs: a lost backend must end the TDS session as a real server's end would,
 * never surface as an unhandled `error` event of the client.
 */
export async function connectSession(
  target: PostgresTarget,
  database: string,
  onLost: () => void = () => {},
): Promise<pg.Client> {
  const c = new pg.Client({ ...clientBase(target), database, types: TEXT_TYPES });
  c.on('error', onLost);
  await c.connect();
  await c.query(`SET search_path = dbo, tsql; SET TIME ZONE 'UTC'; SET lock_timeout = 0`);
  return c;
}

/** Whether a unique index belongs to a declared constraint (SQL Server 2627) or stands alone (2601). */
export async function uniqueConstraintNames(c: pg.Client): Promise<Set<string>> {
  const r = await c.query(`SELECT conname FROM pg_constraint WHERE contype IN ('u', 'p')`);
  return new Set(r.rows.map((x) => String(x.conname)));
}
