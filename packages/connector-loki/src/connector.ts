/** The Loki connector value: per-tenant stores behind the core Connector contract. */
import { join, resolve as resolvePath } from 'node:path';
import {
  type Connector,
  type ConnectorFactoryContext,
  defineConnector,
  errors,
  type Logger,
  type QueryRequest,
  type ReadOnlyResourceHandler,
  type ResourceCapabilities,
  SchemaRegistry,
  type ScimResource,
} from '@scimgw/core';
import type { LokiConfig } from './config.js';
import type { HostTelemetry } from '@scimgw/core/host';
import { seedExampleData } from './example-data.js';
import { groupOperations } from './groups.js';
import { importLegacyLokiFile } from './legacy-import.js';
import { runQuery } from './query.js';
import { type CollectionName, type Doc, TenantStore } from './store/tenant-store.js';
import { userOperations } from './users.js';

/** Options of {@link createLokiConnector}. */
export interface LokiConnectorOptions extends LokiConfig {
  /** Base directory for a relative `directory`. */
  baseDir?: string;
  /**
   * Id generator for new resources (it receives the resource being created). Default
   * `crypto.randomUUID`, or with `idStrategy: 'legacy'` the userName / displayName.
   */
  newId?: (resource: ScimResource) => string;
  /** The schemas served: the host's registry (custom schemas included). Default the built-in schemas. */
  registry?: SchemaRegistry;
  /** Where the store says what it imported. */
  log?: Logger;
  /**
   * Bound, in bytes per tenant, of the read cache: resources decoded for reads are kept (frozen,
   * the same objects while unchanged) so pages and reads by id need not parse them again. Default
   * 16 MiB; 0 turns it off.
   */
  readCacheBytes?: number;
}

/** `idStrategy: 'legacy'`: the id the older plugin-loki gave (userName, else externalId, for users; displayName for groups). */
function legacyId(resource: ScimResource): string {
  const v = resource.userName ?? resource.displayName ?? resource.externalId;
  if (typeof v !== 'string' || v === '')
    throw new errors.InvalidValueError('idStrategy "legacy" needs a userName (users) or displayName (groups)');
  return v;
}

/** Every resource of the store: filters, sorting, paging and versions are all evaluated natively. */
const CAPABILITIES: ResourceCapabilities = {
  filter: {
    operators: ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'],
    attributes: '*',
    logical: ['and', 'or', 'not'],
    valuePath: true,
  },
  sort: true,
  paging: { index: true },
  etag: true,
};

/** A size in MiB from the `endpoint` config; a wrong one fails startup naming its path. */
function sizeOption(v: unknown, name: string, fallback: number, zeroAllowed: boolean): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!zeroAllowed && v === 0)) {
    throw new Error(
      `endpoint.${name}: must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of MiB (got ${JSON.stringify(v)})`,
    );
  }
  return v;
}

function fileName(tenant: string | undefined): string {
  return tenant === undefined ? 'loki' : `loki-${encodeURIComponent(tenant)}`;
}

/**
 * Creates the embedded LokiJS connector.
 *
 * @example
 * const connector = createLokiConnector({ directory: '/var/lib/scimgw' });
 */
export function createLokiConnector(
  options: LokiConnectorOptions = {},
): Connector & { flush(): Promise<void>; open(tenants?: string[]): Promise<void> } {
  const registry = options.registry ?? new SchemaRegistry();
  const users = registry.resourceType('User');
  const groups = registry.resourceType('Group');
  const roles = registry.resourceType('Role');
  const ents = registry.resourceType('Entitlement');
  if (!users || !groups || !roles || !ents) throw new Error('core registry lacks default resource types');
  const compactMiB = sizeOption(options.compactMiB, 'compactMiB', 64, false);
  const preallocateMiB = sizeOption(options.preallocateMiB, 'preallocateMiB', 1, true);
  const dir = resolvePath(options.baseDir ?? process.cwd(), options.directory ?? 'data');
  const persist = options.persistence !== false;
  const stores = new Map<string, Promise<TenantStore>>();
  const newId = options.newId ?? (options.idStrategy === 'legacy' ? legacyId : () => crypto.randomUUID());
  const importFile = (tenant: string | undefined): string | undefined => {
    const entry = options.entity?.[tenant ?? 'undefined'];
    const f = entry?.importLokiFile;
    return typeof f === 'string' ? resolvePath(options.baseDir ?? process.cwd(), f) : undefined;
  };
  const seedFor = (tenant: string | undefined): ((store: TenantStore) => void) | undefined => {
    const file = importFile(tenant);
    if (file) {
      const at = `endpoint.entity.${tenant ?? 'undefined'}.importLokiFile`;
      return (store) => {
        const r = importLegacyLokiFile(store, file, at);
        options.log?.info(`imported ${r.users} users, ${r.groups} groups and ${r.memberships} memberships from ${file}`, {
          tenant: tenant ?? 'undefined',
        });
      };
    }
    return options.exampleData === false ? undefined : seedExampleData;
  };
  // The host's metrics, once it attaches (after the stores of configured tenants are open: the
  // callbacks read this when a batch is synced, not when the store is opened).
  let telemetry: HostTelemetry | undefined;

  const storeFor = (tenant: string | undefined): Promise<TenantStore> => {
    const key = tenant ?? '';
    let s = stores.get(key);
    if (!s) {
      s = TenantStore.open({
        file: persist ? join(dir, fileName(tenant)) : undefined,
        fsync: options.fsync,
        compactBytes: compactMiB * 1024 * 1024,
        preallocateBytes: Math.round(preallocateMiB * 1024 * 1024),
        seed: seedFor(tenant),
        onSync: (seconds, bytes) => telemetry?.durableWrite({ tenant, seconds, bytes }),
        // Nothing is lost when a compaction fails (the journals still hold everything), and the next
        // one retries: logged where a logger is given, an unhandled rejection where not.
        onCompactError: options.log
          ? (e) =>
              options.log?.error('compaction of the embedded store failed; its journal keeps growing until one succeeds', {
                tenant: tenant ?? 'undefined',
                code: (e as NodeJS.ErrnoException).code,
                error: (e as Error).message,
              })
          : undefined,
        readCacheBytes: options.readCacheBytes,
        // Writes are refused from then on (503, see TenantStore.persist): logged once, with why.
        onLockLost: options.log
          ? (e) => options.log?.error(e.message, { tenant: tenant ?? 'undefined', code: e.code })
          : undefined,
      });
      stores.set(key, s);
      s.catch(() => stores.delete(key));
    }
    return s;
  };

  const readOnly = (coll: CollectionName, rt: NonNullable<typeof roles>): ReadOnlyResourceHandler => {
    const resolve = registry.resolver(rt);
    const view = (d: Doc): ScimResource => {
      const { $loki: _l, ...doc } = d as Doc & { $loki?: number };
      return { ...doc };
    };
    return {
      capabilities: CAPABILITIES,
      async query(req: QueryRequest, ctx) {
        return runQuery(await storeFor(ctx.tenant), coll, req, view, resolve);
      },
      async get(id, ctx) {
        const d = (await storeFor(ctx.tenant)).read(coll, id);
        return d ? view(d) : undefined;
      },
    };
  };

  const connector = defineConnector({
    name: 'connector-loki',
    coreVersion: '^1.0.0',
    registry,
    resources: {
      User: { capabilities: CAPABILITIES, ...userOperations(storeFor, registry, users, newId) },
      Group: { capabilities: CAPABILITIES, ...groupOperations(storeFor, registry, groups, newId) },
      Role: readOnly('roles', roles),
      Entitlement: readOnly('entitlements', ents),
    },
    host: {
      attach(services) {
        telemetry = services.telemetry;
      },
    },
    async close() {
      for (const s of stores.values()) await (await s).close();
      stores.clear();
    },
    /** Writes a snapshot of every open tenant and empties its journal. */
    async flush() {
      for (const s of stores.values()) await (await s).compact();
    },
    /** Opens the stores of the default tenant and of `tenants` now rather than on first use. */
    async open(tenants: string[] = []) {
      await Promise.all([storeFor(undefined), ...tenants.map((t) => storeFor(t))]);
    },
  });
  return connector;
}

/**
 * Package entry for the gateway: builds the connector from the `endpoint` config section and
 * loads the stores before the gateway reports ready (a corrupt store fails startup, not a request).
 */
export async function createConnector(context: ConnectorFactoryContext<LokiConfig>): Promise<Connector> {
  const connector = createLokiConnector({
    ...(context.config ?? {}),
    baseDir: context.baseDir,
    registry: context.registry,
    log: context.log,
  });
  try {
    await connector.open([...context.tenants]);
  } catch (e) {
    // A store of another tenant failed (in use by another process, corrupt): the stores opened
    // already are closed, their locks released.
    await connector.close?.().catch(() => {});
    throw e;
  }
  return connector;
}
