/** `createConnector` for the gateway and `createHanaConnector` for direct use (and tests, with a client of their own). */
import type { Connector, ConnectorFactoryContext, Logger, SchemaRegistry } from '@scimgw/core';
import { type HanaClient, nativeHanaClient } from './client.js';
import { configSchema, type HanaConfig, type HanaUsersConfig } from './config.js';
import { createHanaTableConnector } from './tables/connector.js';
import { type HanaModule, loadHanaModule } from './tables/native.js';
import { createHanaUserConnector } from './users.js';

/** Validates the `endpoint` section, naming every problem with its path. */
export function parseConfig(value: unknown, path = 'endpoint'): HanaConfig {
  const r = configSchema.validate(value ?? {});
  if (!r.ok) {
    const lines = r.issues.map((i) => `${[path, ...i.path].join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return r.value;
}

/** Options of {@link createHanaConnector}. */
export interface HanaConnectorOptions {
  config: unknown;
  registry?: SchemaRegistry | undefined;
  log?: Logger | undefined;
  /** User mode: the driver boundary; default: `@sap/hana-client` with the configured connection. */
  client?: HanaClient | undefined;
  /** Table mode: the `@sap/hana-client` module; default: the installed one. */
  hana?: HanaModule | undefined;
}

async function userMode(config: HanaUsersConfig, options: HanaConnectorOptions): Promise<Connector> {
  const c = config.connection;
  const client =
    options.client ??
    (await nativeHanaClient({
      serverNode: `${c.host}:${c.port}`,
      uid: c.user,
      pwd: c.password,
      encrypt: c.encrypt,
      sslValidateCertificate: c.sslValidateCertificate,
      sslTrustStore: c.sslTrustStore,
    }));
  return createHanaUserConnector({
    client,
    samlProvider: config.users.samlProvider,
    rolePattern: new RegExp(config.users.rolePattern),
    dropCascade: config.users.dropCascade,
    registry: options.registry,
    log: options.log,
  });
}

/**
 * Creates the SAP HANA connector in the configured mode.
 *
 * @example
 * // database users (mode "users", the default)
 * const connector = await createHanaConnector({ config: {
 *   connection: { host: 'hana.example.com', port: 443, user: 'SCIM_ADMIN', password: 'process.env.HANA_PASSWORD' },
 *   users: { samlProvider: 'CORP_IDP' } } });
 * // users, groups and memberships in tables
 * const tables = await createHanaConnector({ config: {
 *   connection: { host: 'hana.example.com', port: 443, user: 'SCIM_APP', password: 'process.env.HANA_PASSWORD' },
 *   mode: 'tables', createTables: true } });
 */
export async function createHanaConnector(options: HanaConnectorOptions): Promise<Connector> {
  const config = parseConfig(options.config);
  if (config.mode === 'users') return userMode(config, options);
  const { connector } = await createHanaTableConnector({
    config,
    hana: options.hana ?? (await loadHanaModule()),
    registry: options.registry,
    log: options.log,
  });
  return connector;
}

/** The package entry the gateway calls. */
export async function createConnector(context: ConnectorFactoryContext<unknown>): Promise<Connector> {
  return createHanaConnector({ config: context.config, registry: context.registry, log: context.log });
}
