/**
 * The `@sap/hana-client` driver behind the SQL layer (table mode): a pool of connections, every
 * value bound to a `?` parameter (never spliced into SQL text), transactions with autocommit off
 * on the connection that runs them (and back on afterwards), a per-statement query timeout, and
 * HANA's error codes left on the errors for the dialect to classify. Retries of transient errors
 * are the SQL layer's (`endpoint.retry`), not this driver's.
 */
import type { Logger } from '@scimgw/core';
import { CommitError, type QueryResult, type RunStatement, type SqlDriver } from '@scimgw/sql';
import { IDENTITY_MARK } from './dialect.js';
import { breaksConnection, hanaErrorCode, MergeConflictError } from './errors.js';
import type { HanaModule, HanaNativeConnection, HanaNativeStatement } from './native.js';
import { promised } from './native.js';
import { HanaPool, type HanaPoolOptions } from './pool.js';

/** Options of {@link hanaDriver}. */
export interface HanaDriverOptions {
  /** `@sap/hana-client` (or the emulator's stand-in). */
  hana: HanaModule;
  /** Connection properties passed to `connect` as they are (`serverNode`, `uid`, `pwd`, `encrypt` …). */
  connect: Record<string, unknown>;
  pool: HanaPoolOptions;
  /** Query timeout of each statement in ms (0: none); rounded up to whole seconds. */
  statementTimeoutMs: number;
  log?: Logger | undefined;
}

/** A value as `@sap/hana-client` binds it: Dates as ISO text HANA reads as a TIMESTAMP, big integers as text. */
function bindValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '');
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** Column types whose values the client returns as text (`2026-12-06 01:02:03.456000000`) and the SQL layer wants as `Date`s. */
const DATETIME_TYPES = new Set(['TIMESTAMP', 'SECONDDATE', 'DATE', 'LONGDATE']);

/** HANA datetime text (UTC, as this connector writes it) → Date. */
function toDate(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?)?$/.exec(v);
  if (!m) return v;
  const ms = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  return new Date(`${m[1]}T${m[2] ?? '00:00:00'}.${ms}Z`);
}

/**
 * Prepares and runs one statement (so that the query timeout and the result's column types are
 * known); datetime columns become `Date`s.
 */
async function runStatement(conn: HanaNativeConnection, text: string, values: unknown[], timeoutS: number): Promise<unknown> {
  const stmt = await promised<HanaNativeStatement>((cb) => conn.prepare(text, cb));
  try {
    if (timeoutS > 0) stmt.setTimeout?.(timeoutS);
    const result = await promised<unknown>((cb) => stmt.exec(values, cb));
    if (!Array.isArray(result) || result.length === 0) return result;
    const dates = (stmt.getColumnInfo?.() ?? []).filter((c) => DATETIME_TYPES.has(c.typeName)).map((c) => c.columnName);
    if (dates.length === 0) return result;
    for (const row of result as Record<string, unknown>[]) for (const c of dates) row[c] = toDate(row[c]);
    return result;
  } finally {
    stmt.drop(() => {});
  }
}

/** Runs one statement; an INSERT marked by the dialect reads its identity value back on the same connection. */
async function execute(
  conn: HanaNativeConnection,
  text: string,
  values: readonly unknown[],
  timeoutS: number,
): Promise<QueryResult> {
  const result = await runStatement(conn, text, values.map(bindValue), timeoutS);
  const rows = Array.isArray(result) ? (result as Record<string, unknown>[]) : [];
  const rowCount = Array.isArray(result) ? rows.length : typeof result === 'number' ? result : 0;
  if (!text.startsWith(IDENTITY_MARK)) return { rows, rowCount };
  const key = (await promised<unknown>((cb) => conn.exec('SELECT CURRENT_IDENTITY_VALUE() AS "key" FROM DUMMY', [], cb))) as
    | Record<string, unknown>[]
    | undefined;
  return { rows: [], rowCount, insertId: key?.[0]?.key };
}

/**
 * Creates the driver. Connections are opened on demand.
 *
 * @example
 * const driver = hanaDriver({ hana: await loadHanaModule(), connect: { serverNode: 'hana:443', uid: 'SCIM', pwd, encrypt: true },
 *   pool: { max: 10, idleTimeoutMs: 30_000, connectionTimeoutMs: 10_000 }, statementTimeoutMs: 30_000 });
 */
export function hanaDriver(options: HanaDriverOptions): SqlDriver {
  const pool = new HanaPool(options.hana, options.connect, options.pool);
  const timeoutS = Math.ceil(options.statementTimeoutMs / 1000);
  return {
    async run(fn, runOptions = {}) {
      const conn = await pool.acquire(runOptions.signal);
      let broken = false;
      const run: RunStatement = async (s) => {
        try {
          return await execute(conn, s.text, s.values, timeoutS);
        } catch (e) {
          if (breaksConnection(e)) broken = true;
          if (hanaErrorCode(e) === 301 && s.text.startsWith('MERGE INTO ')) throw new MergeConflictError(e);
          throw e;
        }
      };
      const tx = runOptions.transaction !== undefined;
      try {
        if (!tx) return await fn(run);
        // Autocommit off starts a transaction on this connection; COMMIT or ROLLBACK ends it.
        conn.setAutoCommit(false);
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn(run);
        } catch (e) {
          if (!broken)
            await promised<void>((cb) => conn.rollback(cb)).catch((r: unknown) => {
              broken = true;
              options.log?.warn('SAP HANA rollback failed', { error: r instanceof Error ? r.message : String(r) });
            });
          throw e;
        }
        try {
          await promised<void>((cb) => conn.commit(cb));
        } catch (e) {
          broken = broken || breaksConnection(e);
          throw new CommitError(e);
        }
        return result;
      } finally {
        if (tx && !broken) {
          try {
            conn.setAutoCommit(true);
          } catch {
            broken = true;
          }
        }
        pool.release(conn, broken);
      }
    },
    close: () => pool.close(),
  };
}
