/** The table mode: `@scimgw/sql` with the HANA dialect and the `@sap/hana-client` driver. */
import type { Logger, SchemaRegistry } from '@scimgw/core';
import { createSqlConnector, type SqlConnector, sqlSectionOptions } from '@scimgw/sql';
import type { HanaTablesConfig } from '../config.js';
import { hanaDialect } from './dialect.js';
import { hanaDriver } from './driver.js';
import type { HanaModule } from './native.js';

/** Options of {@link createHanaTableConnector}. */
export interface HanaTableModeOptions {
  config: HanaTablesConfig;
  /** `@sap/hana-client` (or a stand-in with its API, such as the tests' emulator). */
  hana: HanaModule;
  registry?: SchemaRegistry | undefined;
  log?: Logger | undefined;
}

/** The connection properties `@sap/hana-client` documents, every TLS setting passed explicitly. */
export function connectProperties(c: HanaTablesConfig['connection']): Record<string, unknown> {
  return {
    serverNode: `${c.host}:${c.port}`,
    uid: c.user,
    pwd: c.password,
    encrypt: c.encrypt,
    sslValidateCertificate: c.sslValidateCertificate,
    ...(c.sslTrustStore ? { sslTrustStore: c.sslTrustStore } : {}),
    ...(c.currentSchema ? { currentSchema: c.currentSchema } : {}),
  };
}

/** Creates the table-mode connector (and returns the SQL layer's catalog and database with it). */
export async function createHanaTableConnector(options: HanaTableModeOptions): Promise<SqlConnector> {
  const { config } = options;
  const driver = hanaDriver({
    hana: options.hana,
    connect: connectProperties(config.connection),
    pool: config.pool,
    statementTimeoutMs: config.statementTimeoutMs,
    log: options.log,
  });
  return createSqlConnector({
    name: 'connector-saphana',
    dialect: hanaDialect,
    driver,
    ...sqlSectionOptions(config),
    pageIndex: false,
    registry: options.registry,
    log: options.log,
  });
}
