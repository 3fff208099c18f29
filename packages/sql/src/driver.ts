/**
 * The driver side of a SQL connector: a pool of connections that runs statements, alone or inside a
 * transaction. Connector packages implement it over their client library (`pg`, `mysql2`, `mssql`,
 * `@sap/hana-client`); pooling, TLS and statement timeouts live there.
 */
import type { TransactionOptions } from './dialect.js';
import type { RenderedSql } from './sql.js';

/** What a statement returned. */
export interface QueryResult {
  rows: Record<string, unknown>[];
  /**
   * Rows inserted, updated or deleted (for UPDATE: rows matched by the WHERE clause; for an upsert:
   * rows inserted or changed, see `SqlDialect.upsert`).
   */
  rowCount: number;
  /** The generated key of an INSERT, for drivers that report it outside the rows (MySQL `insertId`). */
  insertId?: unknown;
}

/** Runs one statement on the connection a {@link SqlDriver.run} call holds. */
export type RunStatement = (statement: RenderedSql) => Promise<QueryResult>;

/** Options of {@link SqlDriver.run}. */
export interface RunOptions {
  /** Run inside a transaction (committed when `fn` resolves, rolled back when it throws). */
  transaction?: TransactionOptions | undefined;
  /** Aborted when the client went away: drivers may cancel the wait for a connection. */
  signal?: AbortSignal | undefined;
}

/**
 * A pool of connections. `run` checks out one connection, runs `fn` on it (inside a transaction
 * when asked), and returns it to the pool (or discards it when it broke).
 *
 * A failure of the COMMIT itself must be thrown as a {@link CommitError}: the SQL layer never
 * retries those when the connection broke, because the transaction may have been committed.
 */
export interface SqlDriver {
  run<T>(fn: (run: RunStatement) => Promise<T>, options?: RunOptions): Promise<T>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** A COMMIT that failed; `cause` is the driver's error. */
export class CommitError extends Error {
  override name = 'CommitError';
  constructor(cause: unknown) {
    super(`COMMIT failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
