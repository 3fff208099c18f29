import fc from 'fast-check';
import sql from 'mssql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deobfuscatePassword,
  MessageReader,
  obfuscatePassword,
  packets,
  startTdsEmulator,
  type TdsEmulator,
} from '../src/index.js';

let tds: TdsEmulator;
const TOKEN = 'eyJ0eXAiOiJKV1QifQ.emulator-test-token.sig';
const config = (extra: Partial<sql.config> = {}): sql.config => ({
  server: tds.host,
  port: tds.port,
  database: tds.database,
  user: 'scim',
  password: 'S3cret!pw',
  options: { encrypt: false, trustServerCertificate: false },
  connectionTimeout: 5000,
  ...extra,
});
beforeAll(async () => {
  tds = await startTdsEmulator({ logins: { scim: 'S3cret!pw' }, accessTokens: [TOKEN] });
});
afterAll(async () => {
  await tds?.close();
});

describe('login', () => {
  it('a wrong password is refused with 18456', async () => {
    const e = await new sql.ConnectionPool(config({ password: 'wrong' })).connect().catch((x: unknown) => x);
    expect(String((e as Error).message)).toMatch(/Login failed for user 'scim'/);
  });
  it('an unknown database is refused with 4060', async () => {
    const e = await new sql.ConnectionPool(config({ database: 'other' })).connect().catch((x: unknown) => x);
    expect(String((e as Error).message)).toMatch(/Cannot open database "other"/);
  });
  it('an Entra ID access token logs in through FEDAUTH; a wrong token does not', async () => {
    const ok = await new sql.ConnectionPool(
      config({
        user: undefined,
        password: undefined,
        authentication: { type: 'azure-active-directory-access-token', options: { token: TOKEN } },
      }),
    ).connect();
    expect((await ok.request().query('SELECT 1 AS [one]')).recordset).toEqual([{ one: 1 }]);
    await ok.close();
    const e = await new sql.ConnectionPool(
      config({
        user: undefined,
        password: undefined,
        authentication: { type: 'azure-active-directory-access-token', options: { token: 'forged' } },
      }),
    )
      .connect()
      .catch((x: unknown) => x);
    expect(String((e as Error).message)).toMatch(/Login failed/);
  });
  it('NTLM (integrated security) is refused: the emulator does not implement SSPI', async () => {
    const e = await new sql.ConnectionPool(
      config({
        user: undefined,
        password: undefined,
        authentication: { type: 'ntlm', options: { domain: 'CORP', userName: 'scim', password: 'x' } },
      }),
    )
      .connect()
      .catch((x: unknown) => x);
    expect(String((e as Error).message)).toMatch(/untrusted domain|SSPI/);
  });
  it('observed: tedious 19.2.2 with encrypt: true logs in without TLS when the server answers ENCRYPT_NOT_SUP', async () => {
    // Pinned so that a driver upgrade that closes this downgrade shows up here; the connector
    // guide recommends encrypt: "strict" (TLS before any TDS byte) against servers that support it.
    const pool = await new sql.ConnectionPool(config({ options: { encrypt: true, trustServerCertificate: false } })).connect();
    expect((await pool.request().query('SELECT 1 AS [one]')).recordset).toEqual([{ one: 1 }]);
    await pool.close();
  });
});

describe('errors and faults', () => {
  let pool: sql.ConnectionPool;
  beforeAll(async () => {
    pool = await new sql.ConnectionPool(config()).connect();
    await pool.request().batch('CREATE TABLE [u] ([k] NVARCHAR(20) NOT NULL, CONSTRAINT [u_k] UNIQUE ([k]))');
    await pool.request().batch('CREATE TABLE [v] ([k] NVARCHAR(20) NOT NULL)');
    await pool.request().batch('CREATE UNIQUE INDEX [v_k] ON [v] ([k])');
  });
  afterAll(async () => {
    await pool?.close();
  });
  const number = (e: unknown) => (e as { number?: number }).number;

  it('a duplicate is 2627 on a UNIQUE constraint and 2601 on a unique index', async () => {
    await pool.request().input('p1', sql.NVarChar(20), 'a').query('INSERT INTO [u] ([k]) VALUES (@p1)');
    const e1 = await pool
      .request()
      .input('p1', sql.NVarChar(20), 'a')
      .query('INSERT INTO [u] ([k]) VALUES (@p1)')
      .catch((x: unknown) => x);
    expect(number(e1)).toBe(2627);
    await pool.request().input('p1', sql.NVarChar(20), 'a').query('INSERT INTO [v] ([k]) VALUES (@p1)');
    const e2 = await pool
      .request()
      .input('p1', sql.NVarChar(20), 'a')
      .query('INSERT INTO [v] ([k]) VALUES (@p1)')
      .catch((x: unknown) => x);
    expect(number(e2)).toBe(2601);
  });
  it('an injected deadlock is 1205 and rolls the transaction back', async () => {
    const tx = new sql.Transaction(pool);
    await tx.begin();
    await new sql.Request(tx).input('p1', sql.NVarChar(20), 'in-tx').query('INSERT INTO [u] ([k]) VALUES (@p1)');
    tds.inject({ number: 1205, match: /SELECT/ });
    const e = await new sql.Request(tx).query('SELECT [k] FROM [u]').catch((x: unknown) => x);
    expect(number(e)).toBe(1205);
    await tx.rollback().catch(() => {});
    const r = await pool.request().input('p1', sql.NVarChar(20), 'in-tx').query('SELECT [k] FROM [u] WHERE [k] = @p1');
    expect(r.recordset).toEqual([]);
  });
  it('a failed statement inside a transaction is undone alone (statement atomicity)', async () => {
    const tx = new sql.Transaction(pool);
    await tx.begin();
    await new sql.Request(tx).input('p1', sql.NVarChar(20), 'kept').query('INSERT INTO [u] ([k]) VALUES (@p1)');
    await new sql.Request(tx)
      .input('p1', sql.NVarChar(20), 'kept')
      .query('INSERT INTO [u] ([k]) VALUES (@p1)')
      .catch(() => {});
    await tx.commit();
    const r = await pool.request().input('p1', sql.NVarChar(20), 'kept').query('SELECT [k] FROM [u] WHERE [k] = @p1');
    expect(r.recordset).toEqual([{ k: 'kept' }]);
  });
  it('a dropped connection is a connection error to the driver, and the pool recovers', async () => {
    // Observed: tedious 19.2.2 also raises an unhandled rejection ("No event 'socketError' in state
    // 'Final'") here; @scimgw/connector-mssql works around it. Collected so the test can run.
    const unhandled: unknown[] = [];
    const collect = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', collect);
    tds.inject({ drop: true, match: /dropme/ });
    const e = await pool
      .request()
      .query("SELECT 'dropme' AS [x]")
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((await pool.request().query('SELECT 2 AS [two]')).recordset).toEqual([{ two: 2 }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('unhandledRejection', collect);
    expect(unhandled.every((e) => /socketError/.test(String(e)))).toBe(true);
  });
  it('every statement is recorded with its bound values', async () => {
    await pool.request().input('p1', sql.NVarChar(20), 'recorded').query('SELECT [k] FROM [u] WHERE [k] = @p1');
    expect(tds.statements.at(-1)).toEqual({ sql: 'SELECT [k] FROM [u] WHERE [k] = @p1', params: ['recorded'] });
  });
});

describe('wire helpers', () => {
  it('password obfuscation round-trips (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (p) => {
        expect(deobfuscatePassword(obfuscatePassword(p))).toBe(p);
      }),
    );
  });
  it('a message split into packets of any size reassembles, fed in any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 512, max: 4096 }),
        fc.integer({ min: 1, max: 700 }),
        (data, size, chunk) => {
          const wire = Buffer.concat(packets(0x01, Buffer.from(data), size));
          const r = new MessageReader();
          const out = [];
          for (let i = 0; i < wire.length; i += chunk) out.push(...r.push(wire.subarray(i, i + chunk)));
          expect(out).toHaveLength(1);
          expect(Buffer.compare(out[0]?.payload ?? Buffer.alloc(1), Buffer.from(data))).toBe(0);
        },
      ),
    );
  });
});
