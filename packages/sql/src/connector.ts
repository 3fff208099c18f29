/**
 * `createSqlConnector`: a dialect, a driver and the layout become a Connector. The connector
 * packages (`@scimgw/connector-postgres`, `@scimgw/connector-mysql`) call it with their own dialect
 * and driver; so will SQL Server and SAP HANA connectors.
 */
import { randomUUID } from 'node:crypto';
import { type Connector, defineConnector, errors, type Logger, type ResourceHandler, SchemaRegistry } from '@scimgw/core';
import type { MapConfig } from '@scimgw/mapper';
import { Database, type RetryOptions } from './database.js';
import { applyDdl } from './ddl.js';
import type { SqlDialect } from './dialect.js';
import type { SqlDriver } from './driver.js';
import { whereCompiler } from './filter/where.js';
import { type Catalog, compileCatalog } from './layout/catalog.js';
import { defaultSchema } from './layout/default.js';
import type { SqlLayout } from './layout/types.js';
import { sqlResourceHandler } from './resource.js';
import { checkLayout } from './schema-check.js';

/** Options of {@link createSqlConnector}. */
export interface SqlConnectorOptions {
  /** Connector name (`connector-postgres`). */
  name: string;
  dialect: SqlDialect;
  driver: SqlDriver;
  /** Tables; absent: the default layout (see {@link defaultSchema}). */
  layout?: SqlLayout | undefined;
  /** Attribute mapping; absent: the default layout's. Required with a custom `layout`. */
  map?: MapConfig | undefined;
  /** Table prefix of the default layout. Default `scim_`. */
  tablePrefix?: string | undefined;
  /** Default layout: keep page indexes. Default true. */
  pageIndex?: boolean | undefined;
  /** Default layout: create missing tables at startup. Default false. */
  createTables?: boolean | undefined;
  /** Check at startup that the tables and columns exist. Default true. */
  checkLayout?: boolean | undefined;
  /** The host's registry (custom schemas included). */
  registry?: SchemaRegistry | undefined;
  log?: Logger | undefined;
  retry?: Partial<RetryOptions> | undefined;
  /** Most rows the in-memory path reads. Default 100,000. */
  maxScan?: number | undefined;
  /** Ids of new resources (default `crypto.randomUUID`). */
  newId?: (() => string) | undefined;
  /** The clock (default `new Date()`). */
  now?: (() => Date) | undefined;
  /** JSON path of the endpoint section in messages. Default `endpoint`. */
  configPath?: string | undefined;
}

/**
 * Runs a startup step. The database's refusal arrives as the SCIM error a client would get
 * ("Internal server error"), which tells an operator nothing; at startup it becomes an error naming
 * the step, the configuration key and the database's own message (no client reads it).
 */
async function atStartup<T>(key: string, step: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!errors.isScimError(e)) throw e;
    const cause = (e as { cause?: unknown }).cause ?? e;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`${key}: ${step} failed: ${message}`, { cause: e });
  }
}

/** A SQL connector and what it was built from (tools and tests read the catalog). */
export interface SqlConnector {
  connector: Connector;
  catalog: Catalog;
  db: Database;
}

/** Resolves the layout and map: the default layout unless a layout is configured. */
export function resolveLayout(
  dialect: SqlDialect,
  options: Pick<SqlConnectorOptions, 'layout' | 'map' | 'tablePrefix' | 'pageIndex' | 'configPath'>,
): { layout: SqlLayout; map: MapConfig; isDefault: boolean } {
  if (options.layout) {
    if (!options.map) throw new Error(`${options.configPath ?? 'endpoint'}.map: a custom layout needs its map`);
    return { layout: options.layout, map: options.map, isDefault: false };
  }
  const def = defaultSchema(dialect, { prefix: options.tablePrefix ?? 'scim_', pageIndex: options.pageIndex !== false });
  return { layout: def.layout, map: options.map ?? def.map, isDefault: true };
}

/** What an endpoint section built from `sqlEndpointShape` says about the layout, paging and retries. */
export interface SqlSectionSettings {
  layout?: SqlLayout | undefined;
  map?: MapConfig | undefined;
  tablePrefix?: string | undefined;
  pageIndex?: boolean | undefined;
  createTables?: boolean | undefined;
  checkLayout?: boolean | undefined;
  retry?: Partial<RetryOptions> | undefined;
  maxScan?: number | undefined;
}

/**
 * The {@link createSqlConnector} options a parsed endpoint section gives, so every SQL connector
 * passes the shared keys of `sqlEndpointShape` the same way.
 */
export function sqlSectionOptions(config: SqlSectionSettings): SqlSectionSettings {
  const { layout, map, tablePrefix, pageIndex, createTables, checkLayout, retry, maxScan } = config;
  return { layout, map, tablePrefix, pageIndex, createTables, checkLayout, retry, maxScan };
}

/**
 * Builds a connector on a SQL database.
 *
 * @throws for an invalid layout or map (naming the configuration path), or, with `checkLayout`,
 *   when tables or columns are missing
 * @example
 * const { connector } = await createSqlConnector({ name: 'connector-postgres', dialect, driver, createTables: true });
 */
export async function createSqlConnector(options: SqlConnectorOptions): Promise<SqlConnector> {
  const { dialect } = options;
  const { layout, map, isDefault } = resolveLayout(dialect, options);
  const db = new Database(dialect, options.driver, {
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const catalog = compileCatalog({
      layout,
      map,
      registry: options.registry ?? new SchemaRegistry(),
      configPath: options.configPath ?? 'endpoint',
    });
    const path = options.configPath ?? 'endpoint';
    if (options.createTables) {
      if (!isDefault) throw new Error(`${path}.createTables: only the default layout can be created`);
      await atStartup(`${path}.createTables`, 'creating the tables of the default layout', () =>
        applyDdl(db, { prefix: options.tablePrefix ?? 'scim_', pageIndex: options.pageIndex !== false }),
      );
    }
    if (options.checkLayout !== false) {
      await atStartup(path, 'reading the columns of the layout', () => db.read((session) => checkLayout(session, catalog)));
    }
    const resources: Record<string, ResourceHandler> = {};
    for (const [type, c] of catalog.resources) {
      resources[type] = sqlResourceHandler({
        db,
        catalog: c,
        catalogs: catalog.resources,
        registry: catalog.registry,
        where: whereCompiler(dialect, c),
        maxScan: options.maxScan ?? 100_000,
        newId: options.newId ?? randomUUID,
        now: options.now ?? (() => new Date()),
        log: options.log,
      });
    }
    options.log?.info('SQL connector ready', {
      dialect: dialect.name,
      resourceTypes: [...catalog.resources.keys()],
      layout: isDefault ? 'default' : 'configured',
    });
    const connector = defineConnector({
      name: options.name,
      coreVersion: '^1.0.0',
      registry: catalog.registry,
      resources,
      async close() {
        await db.close();
      },
    });
    return { connector, catalog, db };
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}
