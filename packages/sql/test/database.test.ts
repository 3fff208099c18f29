import { errors } from '@scimgw/core';
import { describe, expect, it } from 'vitest';
import {
  CommitError,
  Database,
  type RunStatement,
  type SqlDriver,
  type SqlErrorKind,
  StatementCache,
  sql,
} from '../src/index.js';
import { ansiDialect, tsqlDialect } from './helpers/dialects.js';

/** A driver that fails the first `failures` runs with errors of `kind`, then answers. */
function flaky(failures: number, kind: SqlErrorKind, where: 'statement' | 'commit' = 'statement') {
  const calls = { runs: 0 };
  const driver: SqlDriver = {
    async run<T>(fn: (run: RunStatement) => Promise<T>) {
      calls.runs++;
      const fail = calls.runs <= failures;
      const result = await fn(async () => {
        if (fail && where === 'statement') throw Object.assign(new Error(`${kind}!`), { kind });
        return { rows: [{ n: 1 }], rowCount: 1 };
      });
      if (fail && where === 'commit') throw new CommitError(Object.assign(new Error(`${kind}!`), { kind }));
      return result;
    },
    async close() {},
  };
  return { driver, calls };
}

const logs: string[] = [];
const log = { debug() {}, info() {}, warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, retryAfterSeconds: 7 };

describe('Database', () => {
  it('runs a statement a StatementCache rendered for its dialect as it is, and refuses one of another dialect', async () => {
    const seen: { text: string; values: unknown[] }[] = [];
    const driver: SqlDriver = {
      run: (fn) =>
        fn(async (s) => {
          seen.push({ text: s.text, values: s.values });
          return { rows: [], rowCount: 0 };
        }),
      async close() {},
    };
    const db = new Database(ansiDialect, driver, { retry: fast, log });
    const cache = new StatementCache();
    const build = ([k]: readonly unknown[]) => sql`SELECT 1 WHERE a = ${k}`;
    await db.read((s) => s.query(cache.statement(ansiDialect, 'one', ['k1'], build)));
    await db.read((s) => s.query(cache.statement(ansiDialect, 'one', ['k2'], build)));
    expect(seen).toEqual([
      { text: 'SELECT 1 WHERE a = $1', values: ['k1'] },
      { text: 'SELECT 1 WHERE a = $1', values: ['k2'] },
    ]);
    await expect(db.read((s) => s.query(cache.statement(tsqlDialect, 'one', ['k'], build)))).rejects.toThrow(/another dialect/);
    expect(seen).toHaveLength(2);
  });

  it('retries transient failures and succeeds within the bound', async () => {
    for (const kind of ['deadlock', 'serializationFailure', 'connectionLost', 'unavailable'] as const) {
      const { driver, calls } = flaky(2, kind);
      const db = new Database(ansiDialect, driver, { retry: fast, log });
      const rows = await db.write((s) => s.query(sql`SELECT 1`));
      expect(rows.rows).toEqual([{ n: 1 }]);
      expect(calls.runs, kind).toBe(3);
    }
  });

  it('gives up after the bound with 503 and Retry-After', async () => {
    const { driver, calls } = flaky(10, 'deadlock');
    const db = new Database(ansiDialect, driver, { retry: fast, log });
    const e = await db.write((s) => s.query(sql`SELECT 1`)).catch((x) => x);
    expect(e).toBeInstanceOf(errors.ServiceUnavailableError);
    expect(e.headers['retry-after']).toBe('7');
    expect(calls.runs).toBe(3);
  });

  it('never retries a COMMIT that lost its connection (the outcome is unknown)', async () => {
    const { driver, calls } = flaky(1, 'connectionLost', 'commit');
    const db = new Database(ansiDialect, driver, { retry: fast, log });
    const e = await db.write((s) => s.query(sql`SELECT 1`)).catch((x) => x);
    expect(e.status).toBe(503);
    expect(e.detail).toMatch(/may or may not have been applied/);
    expect(calls.runs).toBe(1);
  });

  it('retries a COMMIT refused for serialization (nothing was committed)', async () => {
    const { driver, calls } = flaky(1, 'serializationFailure', 'commit');
    const db = new Database(ansiDialect, driver, { retry: fast, log });
    await db.write((s) => s.query(sql`SELECT 1`));
    expect(calls.runs).toBe(2);
  });

  it('maps the other kinds once, without retrying', async () => {
    const expected: [SqlErrorKind, number, string | undefined][] = [
      ['uniqueViolation', 409, 'uniqueness'],
      ['invalidValue', 400, 'invalidValue'],
      ['constraintViolation', 400, 'invalidValue'],
      ['statementTimeout', 503, undefined],
      ['undefinedObject', 500, undefined],
      ['permissionDenied', 500, undefined],
      ['unknown', 500, undefined],
    ];
    for (const [kind, status, scimType] of expected) {
      const { driver, calls } = flaky(1, kind);
      const db = new Database(ansiDialect, driver, { retry: fast, log });
      const e = await db.write((s) => s.query(sql`SELECT 1`), { uniqueDetail: 'taken' }).catch((x) => x);
      expect(e.status, kind).toBe(status);
      expect(e.scimType, kind).toBe(scimType);
      expect(calls.runs, kind).toBe(1);
      if (kind === 'uniqueViolation') expect(e.detail).toBe('taken');
    }
  });

  it('names the attribute and column of a refused value when the error names the column, never the value', async () => {
    const dialect = {
      ...ansiDialect,
      errorColumn: (e: unknown) => {
        const column = (e as { column?: string }).column;
        return column ? { table: 'scim_users', column } : undefined;
      },
    };
    const refusing = (kind: SqlErrorKind, column?: string): SqlDriver => ({
      run: (fn) =>
        fn(async () => {
          throw Object.assign(new Error('value too long: "secret value"'), { kind, column });
        }),
      async close() {},
    });
    const nameColumn = (table: string | undefined, column: string) => `"userName" (column ${table}.${column})`;
    const tooLong = await new Database(dialect, refusing('invalidValue', 'user_name'), { retry: fast, log })
      .write((s) => s.query(sql`SELECT 1`), { nameColumn })
      .catch((x) => x);
    expect(tooLong.status).toBe(400);
    expect(tooLong.detail).toMatch(/^The value of "userName" \(column scim_users\.user_name\) cannot be stored/);
    expect(tooLong.detail).not.toContain('secret');
    const notNull = await new Database(dialect, refusing('constraintViolation', 'user_name'), { retry: fast, log })
      .write((s) => s.query(sql`SELECT 1`))
      .catch((x) => x);
    expect(notNull.detail).toMatch(/refused the value of column user_name/);
    const unnamed = await new Database(dialect, refusing('invalidValue'), { retry: fast, log })
      .write((s) => s.query(sql`SELECT 1`), { nameColumn })
      .catch((x) => x);
    expect(unnamed.detail).toBe('A value cannot be stored by the database');
  });

  it('passes SCIM errors thrown inside an operation through untouched', async () => {
    const { driver, calls } = flaky(0, 'unknown');
    const db = new Database(ansiDialect, driver, { retry: fast, log });
    const e = await db
      .write(async () => {
        throw new errors.NotFoundError('gone');
      })
      .catch((x) => x);
    expect(e).toBeInstanceOf(errors.NotFoundError);
    expect(calls.runs).toBe(1);
  });
});
