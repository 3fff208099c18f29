/**
 * The `mysql2` driver behind the SQL layer: a pool of connections using prepared statements (the
 * binary protocol: values never pass through SQL text), UTC timestamps, strict SQL mode, READ
 * COMMITTED, a statement timeout, TLS; a connection whose socket broke is destroyed instead of
 * going back to the pool.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '@scimgw/core';
import { CommitError, type QueryResult, type RunStatement, type SqlDriver } from '@scimgw/sql';
import mysql from 'mysql2/promise';
import { breaksConnection } from './errors.js';

/** TLS settings (files relative to `baseDir`). */
export interface MysqlTls {
  enabled?: boolean;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  passphrase?: string | undefined;
  rejectUnauthorized?: boolean;
  servername?: string | undefined;
}

/** Options of {@link mysqlDriver}. */
export interface MysqlDriverOptions {
  uri?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  database?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  tls?: MysqlTls | undefined;
  pool?: { max?: number; idleTimeoutMs?: number; connectionTimeoutMs?: number } | undefined;
  /** Statement timeout of every session, in ms (MariaDB `max_statement_time`, MySQL `max_execution_time`; 0: none). */
  statementTimeoutMs?: number | undefined;
  baseDir?: string | undefined;
  log?: Logger | undefined;
}

function tlsOptions(tls: MysqlTls | undefined, baseDir: string): mysql.SslOptions | undefined {
  if (!tls || tls.enabled === false) return undefined;
  const file = (f: string | undefined) => (f === undefined ? undefined : readFileSync(resolve(baseDir, f), 'utf8'));
  return {
    rejectUnauthorized: tls.rejectUnauthorized !== false,
    ...(tls.ca ? { ca: file(tls.ca) } : {}),
    ...(tls.cert ? { cert: file(tls.cert) } : {}),
    ...(tls.key ? { key: file(tls.key) } : {}),
    ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
  };
}

/** Session settings run on every new connection; a server that lacks one (MySQL vs MariaDB) skips it. */
function sessionStatements(statementTimeoutMs: number): string[] {
  const out = [
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'",
    'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
    "SET SESSION time_zone = '+00:00'",
  ];
  if (statementTimeoutMs > 0) {
    out.push(`SET SESSION max_statement_time = ${(statementTimeoutMs / 1000).toFixed(3)}`); // MariaDB
    out.push(`SET SESSION max_execution_time = ${Math.round(statementTimeoutMs)}`); // MySQL (SELECT only)
  }
  return out;
}

/** Values as the binary protocol takes them. */
function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/**
 * The rows a statement inserted or changed. With `FOUND_ROWS` (needed so that an UPDATE counts the
 * rows it matched) an `INSERT … ON DUPLICATE KEY UPDATE` counts 1 per row inserted, 2 per row
 * changed and 1 per row left as it was; each of the last two is one of the "Duplicates" the server
 * reports for a statement of several rows, so the rows inserted or changed are the affected rows
 * less the duplicates.
 */
export function rowsWritten(header: { affectedRows: number; info?: string | undefined }): number {
  const duplicates = /\bDuplicates:\s*(\d+)/.exec(header.info ?? '');
  return duplicates ? Math.max(0, header.affectedRows - Number(duplicates[1])) : header.affectedRows;
}

/**
 * Creates the driver. Connections are made lazily, on the first operation.
 *
 * @example
 * const driver = mysqlDriver({ host: '127.0.0.1', user: 'root', database: 'scim' });
 */
export function mysqlDriver(options: MysqlDriverOptions): SqlDriver & { pool: mysql.Pool } {
  const baseDir = options.baseDir ?? process.cwd();
  const ssl = tlsOptions(options.tls, baseDir);
  const pool = mysql.createPool({
    ...(options.uri ? { uri: options.uri } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.database !== undefined ? { database: options.database } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(ssl ? { ssl } : {}),
    connectionLimit: options.pool?.max ?? 10,
    maxIdle: options.pool?.max ?? 10,
    idleTimeout: options.pool?.idleTimeoutMs ?? 30_000,
    connectTimeout: options.pool?.connectionTimeoutMs ?? 10_000,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
    charset: 'utf8mb4_general_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: false,
    multipleStatements: false,
    // Each connection keeps its prepared statements; the server's total is bounded (max_prepared_stmt_count).
    maxPreparedStatements: 256,
    flags: ['FOUND_ROWS'],
    // mysql2 captures a stack trace on every statement by default, to add the caller to errors; the
    // SQL layer wraps and classifies every driver error itself, and the capture was a large part of
    // what a statement allocated (each allocation brings the next young-generation pause closer).
    trace: false,
  });
  const session = sessionStatements(options.statementTimeoutMs ?? 0);
  // The pool hands new connections to this event as callback-style connections; the settings are
  // queued on the connection ahead of anything an operation runs on it.
  pool.on('connection', (conn) => {
    const core = conn as unknown as { query(sql: string, cb: (err: Error | null) => void): void };
    for (const s of session) {
      core.query(s, (err) => {
        if (err) options.log?.debug('session setting skipped', { statement: s, error: err.message });
      });
    }
  });

  return {
    pool,
    async run(fn, runOptions = {}) {
      const conn = await pool.getConnection();
      let broken = false;
      const fail = (e: unknown) => {
        if (breaksConnection(e)) broken = true;
        return e;
      };
      const control = async (text: string) => {
        try {
          await conn.query(text);
        } catch (e) {
          throw fail(e);
        }
      };
      const run: RunStatement = async (s): Promise<QueryResult> => {
        try {
          const [result] = await conn.execute(s.text, s.values.map(bindable) as never[]);
          if (Array.isArray(result)) return { rows: result as Record<string, unknown>[], rowCount: result.length };
          const header = result as mysql.ResultSetHeader;
          return { rows: [], rowCount: rowsWritten(header), insertId: header.insertId };
        } catch (e) {
          throw fail(e);
        }
      };
      const tx = runOptions.transaction;
      try {
        if (tx) await control(tx.readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn(run);
        } catch (e) {
          if (tx && !broken) await control('ROLLBACK').catch(() => (broken = true));
          throw e;
        }
        if (tx) {
          try {
            await control('COMMIT');
          } catch (e) {
            throw new CommitError(e);
          }
        }
        return result;
      } finally {
        if (broken) conn.destroy();
        else conn.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
