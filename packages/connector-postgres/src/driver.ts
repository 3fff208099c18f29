/**
 * The `pg` driver behind the SQL layer: a `pg.Pool` with TLS, a statement timeout and the schema
 * on the search path; one pooled client per operation; a client whose connection broke is
 * discarded instead of going back to the pool.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '@scimgw/core';
import { CommitError, type QueryResult, type RunStatement, type SqlDriver } from '@scimgw/sql';
import pg from 'pg';
import { breaksConnection } from './errors.js';

/** TLS settings (files relative to `baseDir`). */
export interface PostgresTls {
  enabled?: boolean;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  passphrase?: string | undefined;
  rejectUnauthorized?: boolean;
  servername?: string | undefined;
}

/** Options of {@link postgresDriver}. */
export interface PostgresDriverOptions {
  connectionString?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  database?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  /** Schema put first on the search path (unqualified table names resolve there). */
  schema?: string | undefined;
  applicationName?: string | undefined;
  tls?: PostgresTls | undefined;
  pool?: { max?: number; idleTimeoutMs?: number; connectionTimeoutMs?: number } | undefined;
  /** `statement_timeout` of every session, in ms (0: none). */
  statementTimeoutMs?: number | undefined;
  /** Directory TLS file names are relative to. */
  baseDir?: string | undefined;
  log?: Logger | undefined;
}

/** Statements prepared per connection, by connection: at most this many each. */
const MAX_PREPARED = 500;
const prepared = new WeakMap<object, Set<string>>();

/**
 * A name for the statement, so that PostgreSQL parses and plans it once per connection instead of
 * on every request (planning a page-with-lists statement costs more than running it). Statements
 * differ only by their text; past {@link MAX_PREPARED} names a connection runs new texts unnamed.
 */
function preparedName(client: object, text: string): { name?: string } {
  let names = prepared.get(client);
  if (!names) prepared.set(client, (names = new Set()));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  // Two texts could share a 32-bit hash; the length and a second hash make that practically impossible.
  let h2 = 5381;
  for (let i = 0; i < text.length; i++) h2 = (Math.imul(h2, 33) ^ text.charCodeAt(i)) | 0;
  const name = `scimgw_${(h >>> 0).toString(36)}_${(h2 >>> 0).toString(36)}_${text.length.toString(36)}`;
  if (names.has(name)) return { name };
  if (names.size >= MAX_PREPARED || text === 'BEGIN' || text === 'COMMIT' || text === 'ROLLBACK' || text.startsWith('BEGIN'))
    return {};
  names.add(name);
  return { name };
}

function tlsOptions(tls: PostgresTls | undefined, baseDir: string): pg.ConnectionConfig['ssl'] {
  if (!tls || tls.enabled === false) return false;
  const file = (f: string | undefined) => (f === undefined ? undefined : readFileSync(resolve(baseDir, f), 'utf8'));
  return {
    rejectUnauthorized: tls.rejectUnauthorized !== false,
    ...(tls.ca ? { ca: file(tls.ca) } : {}),
    ...(tls.cert ? { cert: file(tls.cert) } : {}),
    ...(tls.key ? { key: file(tls.key) } : {}),
    ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
}

/**
 * Creates the driver. Connections are made lazily, on the first operation.
 *
 * @example
 * const driver = postgresDriver({ host: '127.0.0.1', database: 'test', schema: 'scim' });
 */
export function postgresDriver(options: PostgresDriverOptions): SqlDriver & { pool: pg.Pool } {
  const baseDir = options.baseDir ?? process.cwd();
  const config: pg.PoolConfig = {
    ...(options.connectionString ? { connectionString: options.connectionString } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.database !== undefined ? { database: options.database } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    application_name: options.applicationName ?? 'scimgw',
    ssl: tlsOptions(options.tls, baseDir),
    max: options.pool?.max ?? 10,
    idleTimeoutMillis: options.pool?.idleTimeoutMs ?? 30_000,
    connectionTimeoutMillis: options.pool?.connectionTimeoutMs ?? 10_000,
    // A session stuck in an open transaction (its gateway died) must not hold its locks for long.
    idle_in_transaction_session_timeout: 60_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.schema ? { options: `-c search_path="${options.schema}"` } : {}),
  };
  const pool = new pg.Pool(config);
  // An idle client whose server went away emits 'error'; unhandled, it would end the process.
  pool.on('error', (err) => options.log?.warn('idle PostgreSQL connection failed', { error: err.message }));

  return {
    pool,
    async run(fn, runOptions = {}) {
      const client = await pool.connect();
      let broken = false;
      // A connection that breaks while the client is checked out but between statements raises
      // 'error' on the client; unheard, it would end the process. The next statement fails anyway.
      const onError = (err: Error) => {
        broken = true;
        options.log?.warn('PostgreSQL connection failed', { error: err.message });
      };
      client.on('error', onError);
      const exec = async (text: string, values: unknown[]): Promise<QueryResult> => {
        try {
          const r = await client.query({ text, values, ...preparedName(client, text) });
          return { rows: r.rows as Record<string, unknown>[], rowCount: r.rowCount ?? 0 };
        } catch (e) {
          if (breaksConnection(e)) broken = true;
          throw e;
        }
      };
      const run: RunStatement = (s) => exec(s.text, s.values);
      const tx = runOptions.transaction;
      try {
        if (tx) await exec(tx.readOnly ? 'BEGIN READ ONLY' : 'BEGIN', []);
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await fn(run);
        } catch (e) {
          if (tx && !broken) await exec('ROLLBACK', []).catch(() => (broken = true));
          throw e;
        }
        if (tx) {
          try {
            await exec('COMMIT', []);
          } catch (e) {
            throw new CommitError(e);
          }
        }
        return result;
      } finally {
        client.off('error', onError);
        client.release(broken ? true : undefined);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
