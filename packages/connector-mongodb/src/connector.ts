/** The MongoDB connector value: users, groups, roles and entitlements of each tenant, in MongoDB. */
import { resolve as resolvePath } from 'node:path';
import {
  type Connector,
  type ConnectorFactoryContext,
  defineConnector,
  type Logger,
  type ResourceCapabilities,
  SchemaRegistry,
} from '@scimgw/core';
import { formatConfigPath } from '@scimgw/config';
import { configSchema, type MongoConfig, type MongoConfigInput } from './config.js';
import type { Env } from './env.js';
import { isConnectionError } from './errors.js';
import { seedExampleData } from './example-data.js';
import { kindOf } from './kind.js';
import { readOnlyHandler, readOperations, writeOperations } from './operations.js';
import { TenantRegistry } from './tenancy.js';
import { ObservedVersions } from './versions.js';

/**
 * Every resource type: all filters, sorting, index and cursor paging, and versions are evaluated by
 * the connector (in MongoDB; what MongoDB cannot evaluate exactly, on a bounded candidate set).
 */
export const CAPABILITIES: ResourceCapabilities = Object.freeze({
  filter: {
    operators: ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'],
    attributes: '*',
    logical: ['and', 'or', 'not'],
    valuePath: true,
  },
  sort: true,
  paging: { index: true, cursor: true },
  etag: true,
}) as ResourceCapabilities;

/** Options of {@link createMongoConnector}: the `endpoint` configuration plus what a host provides. */
export interface MongoConnectorOptions extends MongoConfigInput {
  /** The schemas served (the host's registry, custom schemas included). Default the built-in schemas. */
  registry?: SchemaRegistry;
  /** Tenants (`baseEntity` values) the host serves, besides those under `entity`. */
  tenants?: readonly string[];
  /** Directory relative certificate paths resolve against. Default the working directory. */
  baseDir?: string;
  log?: Logger;
  /** Id generator for new resources. Default `crypto.randomUUID`. */
  newId?: () => string;
}

/** The connector, with the tenant setup exposed for hosts and tests. */
export type MongoConnector = Connector & {
  /** Connects and creates the indexes (and example data) of the default and the configured tenants now. */
  open(): Promise<void>;
};

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function parseConfig(options: MongoConfigInput): MongoConfig {
  const r = configSchema.validate(options);
  if (!r.ok) {
    throw new Error(
      `Invalid MongoDB connector configuration: ${r.issues.map((i) => `${formatConfigPath(i.path, 'endpoint')}: ${i.message}`).join('; ')}`,
    );
  }
  return r.value;
}

/**
 * Creates the MongoDB connector.
 *
 * @example
 * const connector = createMongoConnector({ connection: { url: 'mongodb://db1,db2,db3/?replicaSet=rs0', username: 'scim', password } });
 * await connector.open();
 */
export function createMongoConnector(options: MongoConnectorOptions): MongoConnector {
  const { registry: givenRegistry, tenants = [], baseDir, log = SILENT, newId, ...endpoint } = options;
  const config = parseConfig(endpoint);
  const registry = givenRegistry ?? new SchemaRegistry();
  const rt = (id: string) => {
    const t = registry.resourceType(id);
    if (!t) throw new Error(`The schema registry has no ${id} resource type`);
    return t;
  };
  const users = kindOf('User', 'users', registry, rt('User'), config, 'groups');
  const groups = kindOf('Group', 'groups', registry, rt('Group'), config);
  const roles = kindOf('Role', 'roles', registry, rt('Role'), config);
  const entitlements = kindOf('Entitlement', 'entitlements', registry, rt('Entitlement'), config);
  const maxTimeMS = config.connection.timeouts.operationMS;
  const tenantRegistry = new TenantRegistry({
    config,
    tenants,
    log,
    resolvePath: (p) => resolvePath(baseDir ?? process.cwd(), p),
    ...(config.exampleData
      ? {
          seed: async (tenant) => {
            if (await seedExampleData(tenant, maxTimeMS))
              log.info('mongodb: example data seeded', { tenant: tenant.name ?? '(default)' });
          },
        }
      : {}),
  });
  const env: Env = {
    tenants: tenantRegistry,
    versions: new ObservedVersions(),
    log,
    newId: newId ?? (() => crypto.randomUUID()),
    retryAfter: config.retryAfterSeconds,
  };

  return defineConnector({
    name: 'connector-mongodb',
    coreVersion: '^1.0.0',
    registry,
    resources: {
      User: { capabilities: CAPABILITIES, ...readOperations(env, users), ...writeOperations(env, users) },
      Group: { capabilities: CAPABILITIES, ...readOperations(env, groups), ...writeOperations(env, groups) },
      Role: readOnlyHandler(env, roles, CAPABILITIES),
      Entitlement: readOnlyHandler(env, entitlements, CAPABILITIES),
    },
    // With endpoint.passThrough: the gateway hands on the caller's Authorization (auth.passThrough).
    passThroughAuth: config.passThrough.enabled,
    async close() {
      await tenantRegistry.close();
    },
    async open() {
      if (config.passThrough.enabled && config.connection.username === undefined) {
        // No account of the gateway's own: the first caller allowed to creates each tenant's indexes.
        log.info('mongodb: pass-through without an account of the gateway: indexes are created by the first caller allowed to');
        return;
      }
      for (const t of tenantRegistry.configured()) await tenantRegistry.open(t);
    },
  }) as MongoConnector;
}

/**
 * Package entry for the gateway: builds the connector from the validated `endpoint` section and sets
 * up the tenants before the gateway reports ready. A database that cannot be reached yet does not
 * stop the gateway (requests answer 503 until it can); wrong credentials or conflicting indexes do.
 */
export async function createConnector(context: ConnectorFactoryContext<MongoConfig>): Promise<Connector> {
  const connector = createMongoConnector({
    ...context.config,
    registry: context.registry,
    tenants: context.tenants,
    baseDir: context.baseDir,
    log: context.log,
  });
  try {
    await connector.open();
  } catch (e) {
    if (!isConnectionError(e)) {
      await connector.close?.();
      throw e;
    }
    context.log.warn('mongodb: the database is not reachable yet; requests answer 503 until it is', {
      error: e instanceof Error ? e.message : String(e),
    });
  }
  return connector;
}
