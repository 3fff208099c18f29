/**
 * A dialect and a driver together: renders fragments, runs operations with or without a
 * transaction, retries transient failures a bounded number of times, and turns what is left into
 * SCIM errors.
 */
import { errors, type Logger } from '@scimgw/core';
import type { SqlDialect, SqlErrorKind, TransactionOptions } from './dialect.js';
import { CommitError, type QueryResult, type SqlDriver } from './driver.js';
import { commitOutcomeUnknown, ruleFor } from './errors.js';
import type { ColumnNamer } from './layout/columns.js';
import { type RenderedStatement, render, Sql } from './sql.js';

/** Bounded retry of transient failures (deadlock, serialization failure, lost connection). */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 3. */
  attempts: number;
  /** Delay before the first retry; doubled each time, with jitter. Default 50 ms. */
  baseDelayMs: number;
  /** Upper bound of one delay. Default 1,000 ms. */
  maxDelayMs: number;
  /** `Retry-After` seconds sent with a 503. Default 5. */
  retryAfterSeconds: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 3, baseDelayMs: 50, maxDelayMs: 1000, retryAfterSeconds: 5 };

/** Runs fragments on the connection an operation holds. */
export interface Session {
  readonly dialect: SqlDialect;
  /** Runs a fragment, or a statement a `StatementCache` rendered for this session's dialect. */
  query(fragment: Sql | RenderedStatement): Promise<QueryResult>;
}

/** Per-operation options. */
export interface OperationOptions {
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
  /** Detail of the 409 when a unique index refuses the change. */
  uniqueDetail?: string | undefined;
  /** Names the attribute a column holds, for the 400 of a value the database refused (see `columnNamer`). */
  nameColumn?: ColumnNamer | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** A statement the database refused (wraps the driver's error). */
class DriverFailure extends Error {
  override name = 'DriverFailure';
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** A fragment rendered for `dialect`, or a statement rendered for it already. */
function rendered(dialect: SqlDialect, fragment: Sql | RenderedStatement): { text: string; values: unknown[] } {
  if (fragment instanceof Sql) return render(dialect, fragment);
  if (fragment.style !== dialect) throw new Error('a statement rendered for another dialect');
  return fragment;
}

/** A database: a dialect, a driver, the retry policy and a logger. */
export class Database {
  readonly dialect: SqlDialect;
  readonly driver: SqlDriver;
  private readonly retry: RetryOptions;
  private readonly log: Logger | undefined;

  constructor(dialect: SqlDialect, driver: SqlDriver, options: { retry?: Partial<RetryOptions>; log?: Logger } = {}) {
    this.dialect = dialect;
    this.driver = driver;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.log = options.log;
  }

  /** Reads: statements on one connection, each committed on its own. */
  read<T>(fn: (session: Session) => Promise<T>, options: OperationOptions = {}): Promise<T> {
    return this.attempt(fn, undefined, options);
  }

  /** Writes: one transaction; run again from the start after a transient failure. */
  write<T>(fn: (session: Session) => Promise<T>, options: OperationOptions = {}, tx: TransactionOptions = {}): Promise<T> {
    return this.attempt(fn, tx, options);
  }

  private async attempt<T>(
    fn: (session: Session) => Promise<T>,
    tx: TransactionOptions | undefined,
    options: OperationOptions,
  ): Promise<T> {
    const log = options.log ?? this.log;
    for (let attempt = 1; ; attempt++) {
      // Errors of this layer's own code inside `fn` (a 404, a layout check) pass through as they are;
      // only what the driver and the database raise is classified.
      let own: { error: unknown } | undefined;
      try {
        return await this.driver.run(
          async (run) => {
            try {
              return await fn({
                dialect: this.dialect,
                query: (fragment) =>
                  run(rendered(this.dialect, fragment)).catch((e: unknown) => {
                    throw new DriverFailure(e);
                  }),
              });
            } catch (e) {
              if (!(e instanceof DriverFailure)) own = { error: e };
              throw e;
            }
          },
          { transaction: tx, signal: options.signal },
        );
      } catch (e) {
        if (own) throw own.error;
        if (errors.isScimError(e)) throw e;
        const inCommit = e instanceof CommitError;
        const cause = inCommit ? e.cause : e instanceof DriverFailure ? e.cause : e;
        const kind = this.dialect.classifyError(cause);
        const rule = ruleFor(kind);
        const message = cause instanceof Error ? cause.message : String(cause);
        if (inCommit && (kind === 'connectionLost' || kind === 'unavailable')) {
          log?.error('database connection lost during COMMIT; outcome unknown', { dialect: this.dialect.name, error: message });
          throw commitOutcomeUnknown(cause, this.retry.retryAfterSeconds);
        }
        if (rule.retry && attempt < this.retry.attempts && !options.signal?.aborted) {
          const delay = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
          log?.warn('transient database error; retrying', { kind, attempt, error: message });
          await sleep(delay / 2 + Math.random() * (delay / 2), options.signal);
          continue;
        }
        if (rule.log) log?.error('database error', { kind, attempts: attempt, error: message });
        throw rule.toScim(this.detailOf(kind, cause, options), cause, this.retry.retryAfterSeconds);
      }
    }
  }

  /** The client's detail of a refusal: the 409's, or the attribute and column a refused value was for. */
  private detailOf(kind: SqlErrorKind, cause: unknown, options: OperationOptions): string | undefined {
    if (kind === 'uniqueViolation') return options.uniqueDetail;
    const about = ruleFor(kind).about;
    const at = about ? this.dialect.errorColumn?.(cause) : undefined;
    if (!about || !at) return undefined;
    return about(options.nameColumn?.(at.table, at.column) ?? `column ${at.column}`);
  }

  /** Closes the driver's pool. */
  close(): Promise<void> {
    return this.driver.close();
  }
}
