/** The LDAP connector value: per-tenant directories behind the core Connector contract. */
import {
  type Connector,
  type ConnectorFactoryContext,
  defineConnector,
  errors,
  type Logger,
  type ResourceCapabilities,
  type SchemaDefinition,
  SchemaRegistry,
  URN,
} from '@scimgw/core';
import { connectorSchemas } from '@scimgw/mapper';
import type { LdapConfig } from './config.js';
import { isConnectionError, ServiceBindError } from './errors.js';
import { resolveConfig } from './settings.js';
import { groupOperations } from './groups.js';
import type { ClientFactory } from './pool.js';
import { Tenant } from './tenant.js';
import { userOperations } from './users.js';

/** Options of {@link createLdapConnector}. */
export interface LdapConnectorOptions {
  /** The `endpoint` section. */
  config: LdapConfig;
  /** Base for relative certificate paths. Default `process.cwd()`. */
  baseDir?: string;
  log?: Logger;
  /** The host's schemas (custom schemas included); the mapping's generated schemas are added. */
  registry?: SchemaRegistry;
  /**
   * Membership is changed through the user's `groups` (the gateway's `scim.groupMemberOfUser`).
   * Default: whether `groups` of User is writable in `registry`.
   */
  groupMemberOfUser?: boolean;
  /** Replaces `new Client(options)` (tests capture or fake the LDAP traffic with it). */
  clientFactory?: ClientFactory;
}

/** The connector plus access to per-tenant internals (operation counters, pools). */
export type LdapConnector = Connector & {
  /** The runtime of a tenant (`undefined` for the default one). */
  tenant(key?: string): Tenant;
  /**
   * The startup check: opens and binds one connection per tenant. It never throws, so one
   * tenant's directory cannot keep the gateway (and the other tenants) from starting: a bind the
   * directory refuses is logged as an error naming the settings to check, an unreachable
   * directory as a warning, and that tenant's requests answer 503 with `Retry-After` until the
   * directory accepts the service account.
   */
  open(): Promise<void>;
};

/** With `groupMemberOfUser`, clients change membership through the user's `groups`: the schema must allow it. */
function writableGroups(schemas: SchemaDefinition[]): void {
  const user = schemas.find((s) => s.id === URN.User);
  const groups = user?.attributes.find((a) => a.name === 'groups');
  if (!groups) return;
  groups.mutability = 'readWrite';
  for (const sub of groups.subAttributes ?? []) if (sub.name === 'value') sub.mutability = 'readWrite';
}

/** Whether `groups` of User may be written in `registry` (the host's `scim.groupMemberOfUser`). */
function groupsWritable(registry: SchemaRegistry): boolean {
  const user = registry.resourceType('User');
  return user !== undefined && registry.resolve(user, { attr: 'groups' })?.attrDef?.mutability !== 'readOnly';
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Creates the LDAP connector. Configuration errors throw `LdapConfigError`
 * here, at startup; connections open on first use.
 *
 * @example
 * const connector = createLdapConnector({
 *   config: { ldap: { baseUrls: ['ldaps://dc1.example.com'], username: 'CN=svc,…', password: '…',
 *     userBase: 'OU=Users,DC=example,DC=com', isActiveDirectory: true } },
 * });
 */
export function createLdapConnector(options: LdapConnectorOptions): LdapConnector {
  const log = options.log ?? silent;
  const settings = resolveConfig(options.config, options.baseDir ?? process.cwd());
  const tenants = new Map<string | undefined, Tenant>();
  for (const [key, s] of settings) tenants.set(key, new Tenant(s, log, options.clientFactory));
  // /Schemas shows what the mapping serves. Tenants share one schema set: the default tenant's
  // (or the first one's) mapping defines it.
  const lead = (tenants.get(undefined) ?? [...tenants.values()][0]) as Tenant;
  const generated = connectorSchemas([lead.users.mapper, lead.groups.mapper]);
  const base = options.registry ?? new SchemaRegistry();
  const groupMemberOfUser = options.groupMemberOfUser ?? groupsWritable(base);
  if (groupMemberOfUser) writableGroups(generated.schemas);
  const registry = base.extend(generated);
  for (const t of tenants.values()) t.bind(registry);

  const tenantOf = (key: string | undefined): Tenant => {
    const t = tenants.get(key);
    if (!t) throw new errors.NotFoundError(`Unknown tenant "${String(key)}"`);
    return t;
  };

  // Filterable paths, per resource type: what any tenant maps, plus the structural ones. A path a
  // tenant does not map still works there: the connector re-checks inexact terms itself.
  const userPaths = new Set<string>(['id', 'meta.created', 'meta.lastModified']);
  const groupPaths = new Set<string>(['id', 'members', 'members.value', 'meta.created', 'meta.lastModified']);
  for (const t of tenants.values()) {
    for (const p of t.users.filterPaths()) userPaths.add(p);
    for (const p of t.groups.filterPaths()) groupPaths.add(p);
    if (t.memberOfAttr) for (const p of ['groups', 'groups.value']) userPaths.add(p);
  }
  const capabilities = (paths: Set<string>): ResourceCapabilities => ({
    filter: {
      operators: ['eq', 'sw', 'ew', 'co', 'pr', 'gt', 'ge', 'lt', 'le'],
      attributes: [...paths],
      logical: ['and', 'or', 'not'],
      valuePath: true,
    },
    // Pages are read as pages (VLV or DN snapshots), never the whole directory per request.
    paging: { index: true },
  });

  const connector = defineConnector({
    name: 'connector-ldap',
    coreVersion: '^1.0.0',
    registry,
    resources: {
      User: { capabilities: capabilities(userPaths), ...userOperations(tenantOf, { groupMemberOfUser }) },
      Group: { capabilities: capabilities(groupPaths), ...groupOperations(tenantOf) },
    },
    async close() {
      await Promise.all([...tenants.values()].map((t) => t.close()));
    },
    tenant(key?: string) {
      return tenantOf(key);
    },
    async open() {
      await Promise.all([...tenants.values()].map((t) => checkTenant(t, log)));
    },
  });
  return connector;
}

/** One tenant's startup check (see {@link LdapConnector.open}). */
async function checkTenant(t: Tenant, log: Logger): Promise<void> {
  const tenant = t.s.tenant ?? 'undefined';
  try {
    await t.dir.pool.check();
    log.info('ldap: connected to the directory', { tenant, url: t.dir.pool.currentUrl });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    if (e instanceof ServiceBindError) {
      // The refusal itself was logged as an error, with the settings to check.
      log.warn('ldap: starting anyway; requests answer 503 until the directory accepts the service account', {
        tenant,
        check: e.configPath,
      });
    } else if (isConnectionError(e)) {
      log.warn('ldap: the directory is not reachable at startup; requests answer 503 until it is', { tenant, error });
    } else {
      log.warn('ldap: the startup check of the directory failed; starting anyway', { tenant, error });
    }
  }
}

/**
 * Package entry for the gateway: builds the connector from the `endpoint`
 * configuration section, then binds once per tenant ({@link LdapConnector.open}), so a wrong
 * service-account password is reported at startup, not by the first request.
 *
 * @example
 * // connector-ldap.json: { "scimgateway": { … }, "endpoint": { "entity": { "undefined": { "ldap": { … } } }, "map": { … } } }
 */
export async function createConnector(context: ConnectorFactoryContext<LdapConfig>): Promise<Connector> {
  const connector = createLdapConnector({
    config: context.config,
    baseDir: context.baseDir,
    log: context.log,
    registry: context.registry,
  });
  await connector.open();
  return connector;
}
