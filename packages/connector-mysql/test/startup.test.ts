import { testContext } from '@scimgw/core/testkit';
import { checkRejects } from '@scimgw/testing-sql';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsWritten } from '../src/driver.js';
import { mysqlErrorColumn } from '../src/errors.js';
import { createConnector } from '../src/index.js';
import { createTestDatabase, MY, type TestDatabase } from './helpers/database.js';

const scratchName = (label: string) =>
  `scimgw_${label}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;

describe('connection.database at startup', () => {
  for (const flavor of ['auto', 'mariadb'] as const) {
    it(`a database that does not exist stops startup naming it and the configuration key, with createTables (flavor ${flavor})`, async () => {
      const database = scratchName('none');
      const error = await checkRejects(
        createConnector(testContext({ connection: { ...MY, database, flavor }, createTables: true })),
        /^endpoint\.connection\.database: database "scimgw_none_\w+" does not exist on the server/,
        'a missing database',
      );
      expect(error.message).toContain(database);
      expect(error.message).toContain('endpoint.createTables creates the tables, not the database');
      expect(error.message).not.toMatch(/Internal server error/);
    });
  }

  it('no database at all stops startup for the default layout', async () => {
    await checkRejects(
      createConnector(testContext({ connection: { ...MY, flavor: 'mariadb' }, createTables: true })),
      /^endpoint\.connection\.database: no database is selected/,
      'no database',
    );
  });
});

describe('mysqlErrorColumn and rowsWritten on the real server', () => {
  let db: TestDatabase;
  let conn: mysql.Connection;
  beforeAll(async () => {
    db = await createTestDatabase('errcol');
    conn = await mysql.createConnection({ ...MY, database: db.database, flags: ['FOUND_ROWS'] });
    await conn.query("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
    await conn.query('CREATE TABLE p (id INT PRIMARY KEY) ENGINE=InnoDB');
    await conn.query(
      'CREATE TABLE c (p_id INT NOT NULL, v VARCHAR(3), n TINYINT, d DATETIME, PRIMARY KEY (p_id), FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE) ENGINE=InnoDB',
    );
    await conn.query('INSERT INTO p VALUES (1), (2), (3)');
  });
  afterAll(async () => {
    await conn.end();
    await db.drop();
  });
  const refusal = (text: string, values: unknown[]) =>
    conn.execute(text, values as never[]).then(
      () => undefined,
      (e: unknown) => e,
    );

  it('names the column of a value too long, out of range, NULL, of the wrong type, or without a parent row; never the value', async () => {
    const cases: [string, unknown[], string, string | undefined][] = [
      ['INSERT INTO c (p_id, v) VALUES (?, ?)', [1, "abcd' for column 'secret' at row 9"], 'v', undefined],
      ['INSERT INTO c (p_id, n) VALUES (?, ?)', [1, 1000], 'n', undefined],
      ['INSERT INTO c (p_id, v) VALUES (?, ?)', [null, 'a'], 'p_id', undefined],
      ['INSERT INTO c (p_id, n) VALUES (?, ?)', [1, "x' for column `d`.`t`.`secret` at row 1"], 'n', 'c'],
      ['INSERT INTO c (p_id, d) VALUES (?, ?)', [1, 'not a date'], 'd', 'c'],
      ['INSERT INTO c (p_id) VALUES (?)', [99], 'p_id', undefined],
    ];
    for (const [text, values, column, table] of cases) {
      const e = await refusal(text, values);
      expect(e, text).toBeInstanceOf(Error);
      expect(mysqlErrorColumn(e), `${(e as Error).message}`).toEqual(table ? { table, column } : { column });
    }
    expect(mysqlErrorColumn(new Error("Duplicate entry 'x' for key 'PRIMARY'"))).toBeUndefined();
  });

  it('counts the rows an upsert inserted or changed, not those it left as they were', async () => {
    const upsert = async (rows: [number, string | null][]) => {
      const [r] = await conn.execute(
        `INSERT INTO c (p_id, v) VALUES ${rows.map(() => '(?, ?)').join(', ')} ON DUPLICATE KEY UPDATE v = COALESCE(VALUES(v), v)`,
        rows.flat() as never[],
      );
      return rowsWritten(r as mysql.ResultSetHeader);
    };
    expect(
      await upsert([
        [2, 'a'],
        [2, 'a'],
      ]),
    ).toBe(1); // inserted
    expect(
      await upsert([
        [2, 'a'],
        [2, 'a'],
      ]),
    ).toBe(0); // there already
    expect(
      await upsert([
        [2, null],
        [2, null],
      ]),
    ).toBe(0); // NULL merges to what is there
    expect(
      await upsert([
        [2, 'b'],
        [3, 'c'],
      ]),
    ).toBe(2); // one changed, one inserted
    expect(rowsWritten({ affectedRows: 3, info: 'Rows matched: 3  Changed: 0  Warnings: 0' })).toBe(3);
    expect(rowsWritten({ affectedRows: 1, info: '' })).toBe(1);
  });
});
