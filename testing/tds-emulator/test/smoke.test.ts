import sql from 'mssql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTdsEmulator, type TdsEmulator } from '../src/index.js';

let tds: TdsEmulator;
let pool: sql.ConnectionPool;
beforeAll(async () => {
  tds = await startTdsEmulator({ logins: { scim: 'S3cret!pw' } });
  pool = await new sql.ConnectionPool({
    server: tds.host,
    port: tds.port,
    user: 'scim',
    password: 'S3cret!pw',
    database: tds.database,
    options: { encrypt: false, trustServerCertificate: false },
  }).connect();
});
afterAll(async () => {
  await pool?.close();
  await tds?.close();
});

describe('smoke', () => {
  it('runs a batch and a parameterized query', async () => {
    await pool
      .request()
      .batch(
        'CREATE TABLE [t] ([id] BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY, [name] NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL, [on] BIT NULL, [at] DATETIME2(3) NULL)',
      );
    const r = await pool
      .request()
      .input('p1', sql.NVarChar(4000), 'bob')
      .input('p2', sql.Bit, true)
      .input('p3', sql.DateTime2(3), new Date('2024-01-02T03:04:05.678Z'))
      .query('INSERT INTO [t] ([name], [on], [at]) OUTPUT INSERTED.[id] VALUES (@p1, @p2, @p3)');
    expect(r.recordset[0]).toEqual({ id: '1' });
    const q = await pool
      .request()
      .input('p1', sql.Int, 5)
      .query('SELECT TOP (@p1) [id], [name], [on], [at], COUNT(*) OVER () AS [n] FROM [t] ORDER BY [id]');
    expect(q.recordset).toEqual([{ id: '1', name: 'bob', on: true, at: new Date('2024-01-02T03:04:05.678Z'), n: 1 }]);
  });
});

describe('text', () => {
  it('keeps U+0000 and U+E000', async () => {
    await pool.request().batch('CREATE TABLE [n] ([v] NVARCHAR(50) NULL)');
    await pool.request().input('p1', sql.NVarChar(4000), 'a\u0000b\ue000c').query('INSERT INTO [n] ([v]) VALUES (@p1)');
    const r = await pool
      .request()
      .input('p1', sql.NVarChar(4000), 'a\u0000b\ue000c')
      .query('SELECT [v] FROM [n] WHERE [v] = @p1');
    expect(r.recordset).toEqual([{ v: 'a\u0000b\ue000c' }]);
  });
});

describe('JSON', () => {
  it('OPENJSON reads \\u0000 escapes as SQL Server does', async () => {
    await pool.request().batch('CREATE TABLE [j] ([d] NVARCHAR(MAX) NULL)');
    const doc = JSON.stringify([{ type: 'a\u0000b' }, { type: 'c\\u0000' }]);
    await pool.request().input('p1', sql.NVarChar(sql.MAX), doc).query('INSERT INTO [j] ([d]) VALUES (@p1)');
    const r = await pool
      .request()
      .query(`SELECT [e].[t] FROM [j] CROSS APPLY OPENJSON([j].[d]) WITH ([t] NVARCHAR(MAX) '$."type"') AS [e]`);
    expect(r.recordset.map((x) => x.t)).toEqual(['a\u0000b', 'c\\u0000']);
  });
});

describe('a lost PostgreSQL backend', () => {
  it('ends the TDS session as a server going away would, with no unhandled error', async () => {
    const unhandled: unknown[] = [];
    const onError = (e: unknown) => unhandled.push(e);
    process.on('uncaughtException', onError);
    const own = await startTdsEmulator({ logins: { scim: 'S3cret!pw' } });
    const conn = await new sql.ConnectionPool({
      server: own.host,
      port: own.port,
      user: 'scim',
      password: 'S3cret!pw',
      database: own.database,
      pool: { min: 1, max: 1 },
      options: { encrypt: false, trustServerCertificate: false },
    }).connect();
    conn.on('error', () => {});
    try {
      expect((await conn.request().query('SELECT 1 AS [one]')).recordset).toEqual([{ one: 1 }]);
      // What DROP DATABASE … WITH (FORCE) or a PostgreSQL restart does to the session's backend.
      const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
      await admin.connect();
      try {
        const r = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
          own.backendDatabase,
        ]);
        expect(r.rowCount).toBeGreaterThan(0);
        // Gone from the server: its FATAL message was sent to the session's client.
        for (let i = 0; i < 100; i++) {
          const left = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
            own.backendDatabase,
          ]);
          if (left.rows[0].n === 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await admin.end();
      }
      // The pool finds its connection closed and opens a new session, which works.
      let answer: unknown;
      for (let i = 0; i < 50 && answer === undefined; i++) {
        answer = await conn
          .request()
          .query('SELECT 2 AS [two]')
          .then((x) => x.recordset)
          .catch(() => undefined);
        if (answer === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toEqual([{ two: 2 }]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', onError);
      await conn.close();
      await own.close();
    }
  });
});
