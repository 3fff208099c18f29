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
  return flavorOf(version);
}

const flavorOf = (version: string): MysqlFlavor => (/mariadb/i.test(version) ? 'mariadb' : 'mysql');

/**
 * The first statement at startup: the server's flavor, and whether the connection has a database.
 * A database that does not exist (1049), or none for the default layout's unqualified tables, would
 * otherwise surface later as an opaque "Internal server error" (or "No database selected") from
 * the first CREATE TABLE; here it stops startup naming the configuration key. `createTables`
 * creates tables, never the database.
 */
async function probe(
  driver: SqlDriver,
  configPath: string,
  database: string | undefined,
  needsDatabase: boolean,
): Promise<{ flavor: MysqlFlavor }> {
  const key = `${configPath}.connection.database`;
  let row: Record<string, unknown> | undefined;
  try {
    row = await driver.run(async (run) => (await run({ text: 'SELECT VERSION() AS v, DATABASE() AS db', values: [] })).rows[0]);
  } catch (e) {
    if ((e as { errno?: unknown }).errno === 1049) {
      const which = database === undefined ? 'the database named' : `database "${database}"`;
      const create = database === undefined ? 'CREATE DATABASE …' : `CREATE DATABASE \`${database.replace(/`/g, '``')}\``;
      throw new Error(
        `${key}: ${which} does not exist on the server (${(e as Error).message}); create it (${create} CHARACTER SET utf8mb4) or correct ${key} — ${configPath}.createTables creates the tables, not the database`,
        { cause: e },
      );
    }
    throw e;
  }
  // A custom layout may name every table with its database (`app.people`); the default one names none.
  if (needsDatabase && (row?.db === null || row?.db === undefined)) {
    throw new Error(`${key}: no database is selected; name the one the tables are in (${key}, or the path of connection.uri)`);
  }
  return { flavor: flavorOf(String(row?.v ?? '')) };
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
    const found = await probe(driver, 'endpoint', c.database, !config.layout);
    flavor = c.flavor === 'auto' ? found.flavor : c.flavor;
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
