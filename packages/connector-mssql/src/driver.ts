/**
 * The `mssql` (tedious) driver behind the SQL layer: a connection pool, every statement an
 * `sp_executesql` call with typed parameters (values never pass through SQL text), transactions
 * at READ COMMITTED through TDS transaction-manager requests, a request timeout, and TLS settings
 * passed explicitly (`encrypt`, `trustServerCertificate`, a CA) rather than left to the driver's
 * defaults.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '@scimgw/core';
import { CommitError, type QueryResult, type RunStatement, type SqlDriver } from '@scimgw/sql';
import sql from 'mssql';
import { Connection } from 'tedious';
import type { MssqlAuthentication } from './config.js';

/**
 * tedious 19.2.2: when the server closes a connection while a request is in flight (a failover),
 * the connection reaches its Final state first and the request's read then dispatches
 * `socketError` there, which throws inside an unawaited async function: an unhandled rejection
 * that ends the Node process. The request itself has already failed with ECONNCLOSED, so Final
 * ignoring `socketError` loses nothing. Checked by the failover test against the TDS emulator.
 */
function ignoreSocketErrorWhenClosed(): void {
  const states = (Connection.prototype as unknown as { STATE?: Record<string, { events: Record<string, unknown> }> }).STATE;
  const final = states?.FINAL;
  if (final && !final.events.socketError) final.events.socketError = () => {};
}
ignoreSocketErrorWhenClosed();

/** Options of {@link mssqlDriver}. */
export interface MssqlDriverOptions {
  server: string;
  port?: number | undefined;
  instanceName?: string | undefined;
  database: string;
  authentication: MssqlAuthentication;
  /** TLS: true, `'strict'` (TDS 8.0) or false. Always passed to the driver. */
  encrypt: boolean | 'strict';
  /** Accept any server certificate. Always passed to the driver. */
  trustServerCertificate: boolean;
  /** CA certificate file (PEM), relative to `baseDir`. */
  ca?: string | undefined;
  serverName?: string | undefined;
  appName?: string | undefined;
  connectTimeoutMs?: number | undefined;
  pool?: { max?: number; idleTimeoutMs?: number; connectionTimeoutMs?: number } | undefined;
  /** Request timeout in ms (0: none). */
  statementTimeoutMs?: number | undefined;
  baseDir?: string | undefined;
  log?: Logger | undefined;
}

/** The `authentication` part of tedious' configuration. */
function authentication(a: MssqlAuthentication): Pick<sql.config, 'user' | 'password' | 'domain' | 'authentication'> {
  switch (a.type) {
    case 'sql':
      return { user: a.user, password: a.password };
    case 'ntlm':
      return { authentication: { type: 'ntlm', options: { domain: a.domain, userName: a.user, password: a.password } } };
    case 'azure-active-directory-access-token':
      return { authentication: { type: 'azure-active-directory-access-token', options: { token: a.token } } };
    case 'azure-active-directory-service-principal-secret':
      return {
        authentication: {
          type: 'azure-active-directory-service-principal-secret',
          options: { clientId: a.clientId, clientSecret: a.clientSecret, tenantId: a.tenantId },
        },
      };
    case 'azure-active-directory-default':
      return { authentication: { type: 'azure-active-directory-default', options: a.clientId ? { clientId: a.clientId } : {} } };
  }
}

/** The `mssql` configuration for the options (exported for tests: nothing is left to driver defaults). */
export function mssqlConfig(options: MssqlDriverOptions): sql.config {
  const baseDir = options.baseDir ?? process.cwd();
  const ca = options.ca ? readFileSync(resolve(baseDir, options.ca), 'utf8') : undefined;
  return {
    server: options.server,
    ...(options.instanceName ? {} : { port: options.port ?? 1433 }),
    database: options.database,
    ...authentication(options.authentication),
    connectionTimeout: options.connectTimeoutMs ?? 15_000,
    requestTimeout: options.statementTimeoutMs ?? 30_000,
    pool: {
      max: options.pool?.max ?? 10,
      min: 0,
      idleTimeoutMillis: options.pool?.idleTimeoutMs ?? 30_000,
      acquireTimeoutMillis: options.pool?.connectionTimeoutMs ?? 10_000,
    },
    options: {
      encrypt: options.encrypt,
      trustServerCertificate: options.trustServerCertificate,
      ...(options.instanceName ? { instanceName: options.instanceName } : {}),
      ...(options.serverName ? { serverName: options.serverName } : {}),
      ...(ca ? { cryptoCredentialsDetails: { ca } } : {}),
      appName: options.appName ?? 'scimgw',
      useUTC: true,
      enableArithAbort: true,
      abortTransactionOnError: false,
      connectionIsolationLevel: sql.ISOLATION_LEVEL.READ_COMMITTED,
    },
  };
}

/** Binds one value with an explicit type, so that the statement's declaration (and plan) is stable. */
function bind(request: sql.Request, name: string, v: unknown): void {
  if (v === undefined || v === null) request.input(name, sql.NVarChar(4000), null);
  else if (typeof v === 'string') request.input(name, v.length > 4000 ? sql.NVarChar(sql.MAX) : sql.NVarChar(4000), v);
  else if (typeof v === 'boolean') request.input(name, sql.Bit, v);
  else if (typeof v === 'bigint') request.input(name, sql.BigInt, v.toString());
  else if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) <= 2_147_483_647) request.input(name, sql.Int, v);
    else if (Number.isSafeInteger(v)) request.input(name, sql.BigInt, v);
    else request.input(name, sql.Float, v);
  } else if (v instanceof Date) request.input(name, sql.DateTime2(3), v);
  else if (Buffer.isBuffer(v)) request.input(name, sql.VarBinary(sql.MAX), v);
  else request.input(name, sql.NVarChar(sql.MAX), JSON.stringify(v));
}

/** `@p1 … @pN` → named inputs `p1 … pN`. */
async function execute(request: sql.Request, text: string, values: readonly unknown[]): Promise<QueryResult> {
  values.forEach((v, i) => {
    bind(request, `p${i + 1}`, v);
  });
  const r = await request.query(text);
  const rows = (r.recordset ?? []) as unknown as Record<string, unknown>[];
  const affected = r.rowsAffected.reduce((n, x) => n + x, 0);
  return { rows: [...rows], rowCount: r.recordset ? rows.length : affected };
}

/**
 * Creates the driver. The pool connects on the first operation.
 *
 * @example
 * const driver = mssqlDriver({ server: 'sql.example.com', database: 'scim', encrypt: true, trustServerCertificate: false,
 *   authentication: { type: 'sql', user: 'scim', password: process.env.MSSQL_PASSWORD ?? '' } });
 */
export function mssqlDriver(options: MssqlDriverOptions): SqlDriver & { pool: sql.ConnectionPool } {
  const pool = new sql.ConnectionPool(mssqlConfig(options));
  pool.on('error', (e: Error) => options.log?.warn('SQL Server pool error', { error: e.message }));
  let connecting: Promise<sql.ConnectionPool> | undefined;
  const ready = async () => {
    if (pool.connected) return pool;
    connecting ??= pool.connect().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  return {
    pool,
    async run(fn, runOptions = {}) {
      await ready();
      const tx = runOptions.transaction;
      if (!tx) {
        const run: RunStatement = (s) => execute(pool.request(), s.text, s.values);
        return fn(run);
      }
      const transaction = new sql.Transaction(pool);
      await transaction.begin(sql.ISOLATION_LEVEL.READ_COMMITTED);
      let aborted = false;
      transaction.on('rollback', (a: boolean) => {
        // The server rolled the transaction back itself (deadlock victim, severe error).
        if (a) aborted = true;
      });
      const run: RunStatement = (s) => execute(new sql.Request(transaction), s.text, s.values);
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(run);
      } catch (e) {
        if (!aborted) await transaction.rollback().catch(() => {});
        throw e;
      }
      try {
        await transaction.commit();
      } catch (e) {
        throw new CommitError(e);
      }
      return result;
    },
    async close() {
      await pool.close();
    },
  };
}
