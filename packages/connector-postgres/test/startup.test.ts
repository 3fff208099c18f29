import { testContext } from '@scimgw/core/testkit';
import { checkRejects } from '@scimgw/testing-sql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresErrorColumn } from '../src/errors.js';
import { createConnector } from '../src/index.js';
import { PG } from './helpers/database.js';

/** A schema name nobody has made yet (dropped after the test, whether or not the connector made it). */
const scratchName = (label: string) =>
  `scimgw_${label}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;

let admin: pg.Client;
const made: string[] = [];
const connection = (schema: string) => ({ ...PG, user: process.env.PGUSER ?? 'root', schema });
const schemaExists = async (schema: string) =>
  (await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rows.length > 0;

beforeAll(async () => {
  admin = new pg.Client({ ...PG, user: process.env.PGUSER ?? 'root' });
  await admin.connect();
});
afterAll(async () => {
  for (const s of made) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

describe('connection.schema at startup', () => {
  it("the README's minimal configuration (schema + createTables) starts from an empty database: the schema is created", async () => {
    const schema = scratchName('mk');
    made.push(schema);
    expect(await schemaExists(schema)).toBe(false);
    const connector = await createConnector(testContext({ connection: connection(schema), createTables: true }));
    try {
      expect(await schemaExists(schema)).toBe(true);
      const users = connector.resources.User;
      if (!users?.create) throw new Error('no User handler');
      const created = await users.create({ schemas: [], userName: 'first' }, {});
      expect(created.userName).toBe('first');
      const tables = await admin.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(tables.rows.map((r) => r.table_name)).toContain('scim_users');
    } finally {
      await connector.close?.();
    }
    // A second start finds it there.
    const again = await createConnector(testContext({ connection: connection(schema), createTables: true }));
    await again.close?.();
  });

  it('a missing schema without createTables stops startup naming the schema and the configuration keys', async () => {
    const schema = scratchName('none');
    made.push(schema);
    const error = await checkRejects(
      createConnector(testContext({ connection: connection(schema) })),
      /endpoint\.connection\.schema/,
      'a missing schema',
    );
    expect(error.message).toContain(`"${schema}" does not exist`);
    expect(error.message).toContain('endpoint.createTables');
    expect(error.message).not.toMatch(/Internal server error/);
    expect(await schemaExists(schema)).toBe(false);
  });

  it('a database error while creating the tables names the key and says what the database said', async () => {
    const schema = scratchName('ro');
    made.push(schema);
    const role = `${schema}_user`;
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(`CREATE ROLE "${role}" LOGIN`);
    try {
      // The role may connect and read the schema, but create nothing in it.
      await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
      const error = await checkRejects(
        createConnector(testContext({ connection: { ...connection(schema), user: role }, createTables: true })),
        /^endpoint\.createTables: creating the tables of the default layout failed: permission denied for schema/,
        'CREATE TABLE without the privilege',
      );
      expect(error.message).not.toMatch(/Internal server error/);
    } finally {
      await admin.query(`DROP OWNED BY "${role}"`);
      await admin.query(`DROP ROLE "${role}"`);
    }
  });
});

describe('postgresErrorColumn', () => {
  it('reads the column PostgreSQL names on a NULL in a NOT NULL column, and nothing from errors that name none', async () => {
    await admin.query('CREATE TEMP TABLE t_cols (a text NOT NULL, b varchar(3))');
    const nullError = await admin.query('INSERT INTO t_cols (a) VALUES (NULL)').catch((e: unknown) => e);
    expect(postgresErrorColumn(nullError)).toEqual({ table: 't_cols', column: 'a' });
    const tooLong = await admin.query("INSERT INTO t_cols (a, b) VALUES ('x', 'abcd')").catch((e: unknown) => e);
    expect((tooLong as { code?: string }).code).toBe('22001');
    expect(postgresErrorColumn(tooLong)).toBeUndefined();
    expect(postgresErrorColumn(new Error('x'))).toBeUndefined();
  });
});
