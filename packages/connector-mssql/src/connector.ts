/** `createConnector` for the gateway and `createMssqlConnector` for direct use. */
import type { Connector, ConnectorFactoryContext, Logger, SchemaRegistry } from '@scimgw/core';
import { createSqlConnector, sqlSectionOptions, type SqlConnector } from '@scimgw/sql';
import { configSchema, type MssqlConfig } from './config.js';
import { mssqlDialect } from './dialect.js';
import { mssqlDriver } from './driver.js';

/** Options of {@link createMssqlConnector}. */
export interface MssqlConnectorOptions {
  /** The `endpoint` section (validated here; defaults filled in). */
  config: unknown;
  registry?: SchemaRegistry | undefined;
  log?: Logger | undefined;
  /** Directory the CA file name is relative to. */
  baseDir?: string | undefined;
}

/** Validates the `endpoint` section, naming every problem with its path. */
export function parseConfig(value: unknown, path = 'endpoint'): MssqlConfig {
  const r = configSchema.validate(value ?? {});
  if (!r.ok) {
    const lines = r.issues.map((i) => `${[path, ...i.path].join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return r.value;
}

/**
 * Creates the SQL Server connector (and returns the SQL layer's catalog and database with it).
 *
 * @example
 * const { connector } = await createMssqlConnector({
 *   config: {
 *     connection: { server: 'sql.example.com', database: 'scim',
 *       authentication: { type: 'sql', user: 'scim', password: 'process.env.MSSQL_PASSWORD' } },
 *     createTables: true,
 *   },
 * });
 */
export async function createMssqlConnector(options: MssqlConnectorOptions): Promise<SqlConnector> {
  const config = parseConfig(options.config);
  const c = config.connection;
  const driver = mssqlDriver({
    server: c.server,
    port: c.port,
    instanceName: c.instanceName,
    database: c.database,
    authentication: c.authentication,
    encrypt: c.encrypt,
    trustServerCertificate: c.trustServerCertificate,
    ca: c.ca,
    serverName: c.serverName,
    appName: c.appName,
    connectTimeoutMs: c.connectTimeoutMs,
    pool: config.pool,
    statementTimeoutMs: config.statementTimeoutMs,
    baseDir: options.baseDir,
    log: options.log,
  });
  return createSqlConnector({
    name: 'connector-mssql',
    dialect: mssqlDialect,
    driver,
    ...sqlSectionOptions(config),
    // Page indexes are not supported on SQL Server (see README).
    pageIndex: false,
    registry: options.registry,
    log: options.log,
  });
}

/** The package entry the gateway calls: the connector from the `endpoint` section. */
export async function createConnector(context: ConnectorFactoryContext<unknown>): Promise<Connector> {
  const { connector } = await createMssqlConnector({
    config: context.config,
    registry: context.registry,
    log: context.log,
    baseDir: context.baseDir,
  });
  return connector;
}
