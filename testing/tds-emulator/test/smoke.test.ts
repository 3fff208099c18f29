import sql from 'mssql';
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
