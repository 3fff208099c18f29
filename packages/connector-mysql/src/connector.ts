/** `createConnector` for the gateway and `createMysqlConnector` for direct use. */
import type { Connector, ConnectorFactoryContext, Logger, SchemaRegistry } from '@scimgw/core';
import { createSqlConnector, sqlSectionOptions, type SqlConnector, type SqlDriver } from '@scimgw/sql';
import { configSchema, type MysqlConfig } from './config.js';
import { type MysqlFlavor, mysqlDialect } from './dialect.js';
import { mysqlDriver } from './driver.js';

/** Options of {@link createMysqlConnector}. */
export interface MysqlConnectorOptions {
  /** The `endpoint` section (validated here; defaults filled in). */
  config: unknown;
  registry?: SchemaRegistry | undefined;
  log?: Logger | undefined;
  /** Directory TLS file names are relative to. */
  baseDir?: string | undefined;
}

/** Validates the `endpoint` section, naming every problem with its path. */
export function parseConfig(value: unknown, path = 'endpoint'): MysqlConfig {
  const r = configSchema.validate(value ?? {});
  if (!r.ok) {
    const lines = r.issues.map((i) => `${[path, ...i.path].join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return r.value;
}

/** Asks the server whether it is MariaDB or MySQL. */
export async function detectFlavor(driver: SqlDriver): Promise<MysqlFlavor> {
  const version = await driver.run(async (run) => {
    const r = await run({ text: 'SELECT VERSION() AS v', values: [] });
    return String(r.rows[0]?.v ?? '');
  });
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

/**
 * Creates the MySQL/MariaDB connector (and returns the SQL layer's catalog and database with it).
 *
 * @example
 * const { connector } = await createMysqlConnector({
 *   config: { connection: { host: '127.0.0.1', user: 'root', database: 'scim' }, createTables: true },
 * });
 */
export async function createMysqlConnector(options: MysqlConnectorOptions): Promise<SqlConnector> {
  const config = parseConfig(options.config);
  const c = config.connection;
  const driver = mysqlDriver({
    uri: c.uri,
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    password: c.password,
    tls: c.tls,
    pool: config.pool,
    statementTimeoutMs: config.statementTimeoutMs,
    baseDir: options.baseDir,
    log: options.log,
  });
  let flavor: MysqlFlavor;
  try {
    flavor = c.flavor === 'auto' ? await detectFlavor(driver) : c.flavor;
  } catch (e) {
    await driver.close().catch(() => {});
    throw e;
  }
  return createSqlConnector({
    name: 'connector-mysql',
    dialect: mysqlDialect(flavor),
    driver,
    ...sqlSectionOptions(config),
    registry: options.registry,
    log: options.log,
  });
}

/** The package entry the gateway calls: the connector from the `endpoint` section. */
export async function createConnector(context: ConnectorFactoryContext<unknown>): Promise<Connector> {
  const { connector } = await createMysqlConnector({
    config: context.config,
    registry: context.registry,
    log: context.log,
    baseDir: context.baseDir,
  });
  return connector;
}
