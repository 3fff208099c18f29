/** `createConnector` for the gateway and `createPostgresConnector` for direct use. */
import type { Connector, ConnectorFactoryContext, Logger, SchemaRegistry } from '@scimgw/core';
import { createSqlConnector, sqlSectionOptions, type SqlConnector } from '@scimgw/sql';
import { configSchema, type PostgresConfig } from './config.js';
import { postgresDialect } from './dialect.js';
import { postgresDriver } from './driver.js';
import { prepareSchema } from './schema.js';

/** Options of {@link createPostgresConnector}. */
export interface PostgresConnectorOptions {
  /** The `endpoint` section (validated here; defaults filled in). */
  config: unknown;
  /** The host's registry (custom schemas included). */
  registry?: SchemaRegistry | undefined;
  log?: Logger | undefined;
  /** Directory TLS file names are relative to. */
  baseDir?: string | undefined;
}

/** Validates the `endpoint` section, naming every problem with its path. */
export function parseConfig(value: unknown, path = 'endpoint'): PostgresConfig {
  const r = configSchema.validate(value ?? {});
  if (!r.ok) {
    const lines = r.issues.map((i) => `${[path, ...i.path].join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return r.value;
}

/**
 * Creates the PostgreSQL connector (and returns the SQL layer's catalog and database with it).
 *
 * @example
 * const { connector } = await createPostgresConnector({
 *   config: { connection: { host: '127.0.0.1', database: 'test', schema: 'scim' }, createTables: true },
 * });
 */
export async function createPostgresConnector(options: PostgresConnectorOptions): Promise<SqlConnector> {
  const config = parseConfig(options.config);
  const c = config.connection;
  const driver = postgresDriver({
    connectionString: c.connectionString,
    host: c.host,
    port: c.port,
    database: c.database,
    user: c.user,
    password: c.password,
    schema: c.schema,
    applicationName: c.applicationName,
    tls: c.tls,
    pool: config.pool,
    statementTimeoutMs: config.statementTimeoutMs,
    baseDir: options.baseDir,
    log: options.log,
  });
  if (c.schema !== undefined) {
    try {
      await prepareSchema(driver, c.schema, config.createTables === true && !config.layout, 'endpoint');
    } catch (e) {
      await driver.close().catch(() => {});
      throw e;
    }
  }
  return createSqlConnector({
    name: 'connector-postgres',
    dialect: postgresDialect,
    driver,
    ...sqlSectionOptions(config),
    registry: options.registry,
    log: options.log,
  });
}

/** The package entry the gateway calls: the connector from the `endpoint` section. */
export async function createConnector(context: ConnectorFactoryContext<unknown>): Promise<Connector> {
  const { connector } = await createPostgresConnector({
    config: context.config,
    registry: context.registry,
    log: context.log,
    baseDir: context.baseDir,
  });
  return connector;
}
