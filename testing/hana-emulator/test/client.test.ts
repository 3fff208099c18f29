import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedConnection, type EmulatedStatement, type HanaEmulator, startHanaEmulator } from '../src/index.js';

let hana: HanaEmulator;
const login = { uid: 'SCIM', pwd: 'pw-1' };

beforeAll(async () => {
  hana = await startHanaEmulator({ logins: { [login.uid]: login.pwd } });
});
afterAll(async () => {
  await hana?.close();
});

const call = <T>(f: (cb: (err: Error | null, r?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, r) => (err ? reject(err) : resolve(r as T))));

async function connect(options: Record<string, unknown> = {}): Promise<EmulatedConnection> {
  const c = hana.module.createConnection();
  await call<void>((cb) => c.connect({ serverNode: hana.serverNode, ...login, ...options }, cb));
  return c;
}
const exec = <T = unknown>(c: EmulatedConnection, sql: string, params: unknown[] = []) =>
  call<T>((cb) => c.exec(sql, params, cb));

describe('connect', () => {
  it('refuses a wrong password with 10 / 28000', async () => {
    await expect(connect({ pwd: 'wrong' })).rejects.toMatchObject({ code: 10, sqlState: '28000' });
  });
  it('refuses an unknown server with -10709', async () => {
    await expect(connect({ serverNode: 'elsewhere:443' })).rejects.toMatchObject({ code: -10709 });
  });
  it('refuses every connection while the fault is set', async () => {
    hana.refuseConnections(true);
    try {
      await expect(connect()).rejects.toMatchObject({ code: -10709 });
    } finally {
      hana.refuseConnections(false);
    }
  });
});

describe('exec and prepare in the client shapes', () => {
  let c: EmulatedConnection;
  beforeAll(async () => {
    c = await connect();
    await exec(c, 'CREATE COLUMN TABLE "t" ("id" INTEGER PRIMARY KEY, "name" NVARCHAR(20), "at" TIMESTAMP, "ok" BOOLEAN)');
  });
  afterAll(async () => {
    await call<void>((cb) => c.disconnect(cb));
  });

  it('DDL returns nothing, DML the affected rows, a query the rows', async () => {
    expect(await exec(c, 'CREATE COLUMN TABLE "d" ("a" INTEGER)')).toBeUndefined();
    expect(
      await exec(c, 'INSERT INTO "t" ("id", "name", "at", "ok") VALUES (?, ?, ?, ?)', [
        1,
        "o'neil",
        '2026-01-02 03:04:05.678',
        true,
      ]),
    ).toBe(1);
    expect(await exec(c, 'SELECT "id", "name", "at", "ok" FROM "t" WHERE "id" = ?', [1])).toEqual([
      { id: 1, name: "o'neil", at: '2026-01-02 03:04:05.678000000', ok: true },
    ]);
  });
  it('undelimited names are upper case, as HANA folds them', async () => {
    await exec(c, 'CREATE COLUMN TABLE plain (a INTEGER)');
    expect(await exec(c, 'INSERT INTO PLAIN (A) VALUES (?)', [7])).toBe(1);
    expect(await exec(c, 'SELECT a FROM plain')).toEqual([{ A: 7 }]);
  });
  it('a prepared statement reports its result columns with HANA type names', async () => {
    const stmt = await call<EmulatedStatement>((cb) => c.prepare('SELECT "name", "at" FROM "t" WHERE "id" = ?', cb));
    expect(await call((cb) => stmt.exec([1], cb))).toHaveLength(1);
    expect(stmt.getColumnInfo()).toEqual([
      { columnName: 'name', typeName: 'NVARCHAR' },
      { columnName: 'at', typeName: 'TIMESTAMP' },
    ]);
    stmt.drop();
  });
  it('syntax errors surface at prepare', async () => {
    await expect(call((cb) => c.prepare('SELECT "a" FROM "t" LIMIT $1', cb))).rejects.toMatchObject({
      code: 257,
      sqlState: '42000',
    });
  });
  it('a unique violation is 301 / 23000', async () => {
    await expect(exec(c, 'INSERT INTO "t" ("id") VALUES (?)', [1])).rejects.toMatchObject({ code: 301, sqlState: '23000' });
  });
  it('a value too long for its column is 274', async () => {
    await expect(exec(c, 'INSERT INTO "t" ("id", "name") VALUES (?, ?)', [9, 'x'.repeat(21)])).rejects.toMatchObject({
      code: 274,
    });
  });
  it('a missing table is 259, a missing column 260', async () => {
    await expect(exec(c, 'SELECT "a" FROM "nope"')).rejects.toMatchObject({ code: 259 });
    await expect(exec(c, 'SELECT "nope" FROM "t"')).rejects.toMatchObject({ code: 260 });
  });
  it('a wrong number of bound values is refused', async () => {
    await expect(exec(c, 'SELECT "id" FROM "t" WHERE "id" = ?', [])).rejects.toMatchObject({ code: 257 });
  });
  it('the DDL guard block creates once and is idempotent', async () => {
    const block = `DO BEGIN DECLARE found INTEGER; SELECT COUNT(*) INTO found FROM SYS.TABLES WHERE SCHEMA_NAME = CURRENT_SCHEMA AND TABLE_NAME = 'g'; IF :found = 0 THEN EXEC 'CREATE COLUMN TABLE "g" ("a" INTEGER)'; END IF; END`;
    await exec(c, block);
    await exec(c, block);
    expect(await exec(c, `SELECT COUNT(*) AS "n" FROM SYS.TABLES WHERE TABLE_NAME = 'g'`)).toEqual([{ n: 1 }]);
  });
});

describe('transactions', () => {
  it('autocommit off: nothing is visible to others before COMMIT; ROLLBACK undoes', async () => {
    const a = await connect();
    const b = await connect();
    await exec(a, 'CREATE COLUMN TABLE "tx" ("id" INTEGER PRIMARY KEY)');
    a.setAutoCommit(false);
    await exec(a, 'INSERT INTO "tx" ("id") VALUES (?)', [1]);
    expect(await exec(b, 'SELECT "id" FROM "tx"')).toEqual([]);
    await call<void>((cb) => a.commit(cb));
    expect(await exec(b, 'SELECT "id" FROM "tx"')).toEqual([{ id: 1 }]);
    await exec(a, 'INSERT INTO "tx" ("id") VALUES (?)', [2]);
    await call<void>((cb) => a.rollback(cb));
    expect(await exec(b, 'SELECT "id" FROM "tx" ORDER BY "id"')).toEqual([{ id: 1 }]);
    await call<void>((cb) => a.disconnect(cb));
    await call<void>((cb) => b.disconnect(cb));
  });
  it('a failed statement is undone alone; the transaction goes on (as in HANA)', async () => {
    const a = await connect();
    await exec(a, 'CREATE COLUMN TABLE "st" ("id" INTEGER PRIMARY KEY)');
    a.setAutoCommit(false);
    await exec(a, 'INSERT INTO "st" ("id") VALUES (?)', [1]);
    await expect(exec(a, 'INSERT INTO "st" ("id") VALUES (?)', [1])).rejects.toMatchObject({ code: 301 });
    await exec(a, 'INSERT INTO "st" ("id") VALUES (?)', [2]);
    await call<void>((cb) => a.commit(cb));
    expect(await exec(a, 'SELECT "id" FROM "st" ORDER BY "id"')).toEqual([{ id: 1 }, { id: 2 }]);
    await call<void>((cb) => a.disconnect(cb));
  });
});

describe('statement timeout', () => {
  it('a statement waiting past its timeout (seconds) is aborted with 613; the session goes on', async () => {
    const a = await connect();
    const b = await connect();
    await exec(a, 'CREATE COLUMN TABLE "lk" ("id" INTEGER PRIMARY KEY, "n" INTEGER)');
    await exec(a, 'INSERT INTO "lk" ("id", "n") VALUES (?, ?)', [1, 0]);
    a.setAutoCommit(false);
    await exec(a, 'UPDATE "lk" SET "n" = ? WHERE "id" = ?', [1, 1]); // holds the row lock
    const stmt = await call<EmulatedStatement>((cb) => b.prepare('UPDATE "lk" SET "n" = ? WHERE "id" = ?', cb));
    stmt.setTimeout(1);
    await expect(call((cb) => stmt.exec([2, 1], cb))).rejects.toMatchObject({ code: 613 });
    await call<void>((cb) => a.rollback(cb));
    expect(await exec(b, 'SELECT "n" FROM "lk"')).toEqual([{ n: 0 }]);
    await call<void>((cb) => a.disconnect(cb));
    await call<void>((cb) => b.disconnect(cb));
  });
});

describe('faults', () => {
  it('a broken connection answers -10807 on its next call', async () => {
    const a = await connect();
    hana.breakConnections();
    await expect(exec(a, 'SELECT 1 AS "x" FROM DUMMY')).rejects.toMatchObject({ code: -10807 });
    const b = await connect();
    expect(await exec(b, 'SELECT 1 AS "x" FROM DUMMY')).toEqual([{ x: 1 }]);
    await call<void>((cb) => b.disconnect(cb));
  });
});
