/**
 * Tenants (`baseEntity`): with tenancy "database" each tenant has its own database (optionally on
 * its own server), with tenancy "field" all tenants share one set of collections and every document
 * carries the tenant in `tenantField`. One `MongoClient` per distinct connection, shared by the
 * tenants on it, connected (again, after a failed attempt) before an operation uses it; each tenant's
 * indexes (and example data) are set up once, at startup or by the first operation that can.
 */
import { errors, type Logger } from '@scimgw/core';
import { type Collection, type Document, MongoClient } from 'mongodb';
import { clientOptions, redactUrl } from './client-options.js';
import { credentialsRefused, isAuthenticationFailure, isConnectionError, serverCodeOf } from './errors.js';
import { type CallerEntry, CallerClients } from './pass-through.js';
import type { MongoConfig, MongoConnectionConfig } from './config.js';
import { type CollectionRole, ensureIndexes, indexDefinitions } from './indexes.js';
import { ClientConnection } from './reconnect.js';
import { patternCondition } from './regex.js';

/** The collections and scope of one tenant. */
export interface Tenant {
  /** The tenant as in the URL; `undefined` for the default tenant. */
  name: string | undefined;
  users: Collection<Document>;
  groups: Collection<Document>;
  roles: Collection<Document>;
  entitlements: Collection<Document>;
  /** With tenancy "field": the field and the value documents of this tenant carry. */
  field?: { name: string; value: string | null };
  /** The condition every query of this tenant includes (`{}` with tenancy "database"). */
  scope(collated: boolean): Document;
}

/**
 * One operation's access to its tenant: the gateway's own client, or (with pass-through) the
 * caller's, held until `release`.
 */
export interface Lease {
  /** The tenant, its indexes in place where this client may create them. */
  open(): Promise<Tenant>;
  /** Set when the caller's own credentials open MongoDB. */
  caller: boolean;
  /** MongoDB refused the caller's credentials: forget its client. */
  evict(): void;
  release(): void;
}

/** A caller's tenant, and whether its index setup has been tried with the caller's client. */
interface CallerTenant {
  tenant: Tenant;
  tried: boolean;
}

/** What {@link TenantRegistry} needs beyond the configuration. */
export interface TenantOptions {
  config: MongoConfig;
  /** Tenants the host serves (`endpoint.entity` keys). */
  tenants: readonly string[];
  log: Logger;
  resolvePath?: (p: string) => string;
  /** Runs once per tenant after its indexes exist (example data). */
  seed?: (tenant: Tenant) => Promise<void>;
}

/** The `entity` key of the default tenant (no baseEntity in the URL). */
const DEFAULT_TENANT_KEY = 'undefined';

const DB_NAME = /^[^/\\. "$*<>:|?\u0000]{1,63}$/;

/** A tenant on the gateway's own client. */
interface OwnTenant {
  tenant: Tenant;
  connection: ClientConnection;
}

/** Resolves tenants to their collections, opening clients as needed. */
export class TenantRegistry {
  private readonly clients = new Map<string, ClientConnection>();
  private readonly tenants = new Map<string, OwnTenant>();
  private readonly ready = new Map<string, Promise<void>>();
  private readonly known: ReadonlySet<string>;
  /** With pass-through: the callers' clients, and the connections they are on (by key). */
  private readonly callers: CallerClients<CallerTenant> | undefined;
  private readonly connections = new Map<string, MongoConnectionConfig>();
  private readonly connectionKeys = new Map<string, string>();
  private closed = false;

  constructor(private readonly opts: TenantOptions) {
    // `entity.undefined` holds the default tenant's settings (the older product's convention).
    this.known = new Set([...opts.tenants, ...Object.keys(opts.config.entity)].filter((t) => t !== DEFAULT_TENANT_KEY));
    this.checkTenants();
    const pt = opts.config.passThrough;
    if (pt.enabled) {
      this.callers = new CallerClients<CallerTenant>({
        maxClients: pt.maxClients,
        idleMs: pt.idleSeconds * 1000,
        log: opts.log,
        connect: (credentials, key) => {
          const c = this.connections.get(key) as MongoConnectionConfig;
          const o = clientOptions(c, this.opts.resolvePath);
          // The caller's user name and password replace the gateway's; mechanism and authSource stay.
          return new ClientConnection(new MongoClient(c.url, { ...o, auth: credentials, maxPoolSize: pt.maxPoolSize }));
        },
      });
    }
  }

  /** Fails at startup for a tenant whose database name would be invalid, or tenants only case apart. */
  private checkTenants(): void {
    const { config } = this.opts;
    if (config.tenancy === 'database') {
      for (const t of this.known) {
        const db = this.databaseOf(t);
        if (!DB_NAME.test(db)) {
          throw new Error(
            `endpoint.entity.${t}: the tenant's database name "${db}" is not a valid MongoDB database name; set endpoint.entity.${t}.database`,
          );
        }
      }
    }
    const lower = new Map<string, string>();
    for (const t of this.known) {
      const other = lower.get(t.toLowerCase());
      if (other !== undefined) {
        throw new Error(
          `endpoint.entity: tenants "${other}" and "${t}" differ only in case; MongoDB database names and the case-insensitive indexes cannot tell them apart`,
        );
      }
      lower.set(t.toLowerCase(), t);
    }
  }

  private databaseOf(tenant: string | undefined): string {
    const { config } = this.opts;
    if (config.tenancy === 'field') return config.database;
    if (tenant === undefined) return config.entity[DEFAULT_TENANT_KEY]?.database ?? config.database;
    return config.entity[tenant]?.database ?? `${config.database}_${tenant}`;
  }

  private connectionOf(tenant: string | undefined): MongoConnectionConfig {
    const { config } = this.opts;
    return config.entity[tenant ?? DEFAULT_TENANT_KEY]?.connection ?? config.connection;
  }

  /** Where a tenant's connection is configured, for messages: `endpoint.connection` or its own. */
  private connectionPathOf(tenant: string | undefined): string {
    const key = tenant ?? DEFAULT_TENANT_KEY;
    return this.opts.config.entity[key]?.connection ? `endpoint.entity.${key}.connection` : 'endpoint.connection';
  }

  private clientFor(c: MongoConnectionConfig): ClientConnection {
    const key = JSON.stringify(c);
    let connection = this.clients.get(key);
    if (!connection) {
      const where = { url: redactUrl(c.url), replicaSet: c.replicaSet };
      connection = new ClientConnection(new MongoClient(c.url, clientOptions(c, this.opts.resolvePath)), () =>
        this.opts.log.info('mongodb: connected', where),
      );
      this.clients.set(key, connection);
      this.opts.log.info('mongodb: client created', where);
    }
    return connection;
  }

  /** The tenant of a request on the gateway's own client; 404 for a tenant that is not configured. */
  private ownTenant(name: string | undefined): OwnTenant {
    this.check(name);
    const key = name ?? '';
    const hit = this.tenants.get(key);
    if (hit) return hit;
    const connection = this.clientFor(this.connectionOf(name));
    const own = { tenant: this.build(name, connection.client), connection };
    this.tenants.set(key, own);
    return own;
  }

  /** 503 once closed; 404 for a tenant that is not configured. */
  private check(name: string | undefined): void {
    if (this.closed)
      throw new errors.ServiceUnavailableError('The connector is shutting down', this.opts.config.retryAfterSeconds);
    if (name !== undefined && !this.known.has(name)) throw new errors.NotFoundError(`Tenant "${name}" is not configured`);
  }

  /** A tenant's collections and scope on `client`. */
  private build(name: string | undefined, client: MongoClient): Tenant {
    const { config } = this.opts;
    const db = client.db(this.databaseOf(name));
    const c = config.collections;
    const field = config.tenancy === 'field' ? { name: config.tenantField, value: name ?? null } : undefined;
    return {
      name,
      users: db.collection(c.users),
      groups: db.collection(c.groups),
      roles: db.collection(c.roles),
      entitlements: db.collection(c.entitlements),
      ...(field ? { field } : {}),
      scope(collated) {
        if (!field) return {};
        // Under the case-insensitive collation `{ _tenant: "a" }` would also match tenant "A": a
        // case-exact pattern (no collation affects patterns) keeps tenants apart.
        if (collated && field.value !== null) {
          return { [field.name]: { $eq: field.value, ...patternCondition('eq', field.value, false) } };
        }
        return { [field.name]: field.value };
      },
    };
  }

  /**
   * One operation's access to tenant `name`. With pass-through enabled and the caller's
   * `Authorization` handed on, MongoDB is opened with the caller's credentials (401 for a header
   * without a user name and password); otherwise with the gateway's own connection.
   */
  lease(name: string | undefined, authorization: string | undefined): Lease {
    if (!authorization || !this.callers) {
      return { caller: false, open: () => this.open(name), evict() {}, release() {} };
    }
    this.check(name);
    const key = this.connectionKeyOf(name);
    const callers = this.callers;
    const held = callers.hold(authorization, key);
    return {
      caller: true,
      open: () => this.openAsCaller(name, held.entry),
      evict: () => callers.evict(held.id),
      release: held.release,
    };
  }

  /** The key of a tenant's connection (its settings as JSON), worked out once per tenant. */
  private connectionKeyOf(name: string | undefined): string {
    const tenant = name ?? '';
    let key = this.connectionKeys.get(tenant);
    if (key === undefined) {
      const connection = this.connectionOf(name);
      key = JSON.stringify(connection);
      this.connections.set(key, connection);
      this.connectionKeys.set(tenant, key);
    }
    return key;
  }

  /**
   * The caller's tenant. Until the tenant's indexes are in place, the caller's client tries to
   * create them (once per caller): a caller MongoDB does not allow to (13 Unauthorized, a read-only
   * user, say) goes on without, and the next caller tries.
   */
  private async openAsCaller(name: string | undefined, entry: CallerEntry<CallerTenant>): Promise<Tenant> {
    const key = name ?? '';
    let ct = entry.tenants.get(key);
    if (!ct) {
      ct = { tenant: this.build(name, entry.connection.client), tried: false };
      entry.tenants.set(key, ct);
    }
    // MongoDB refusing the caller's credentials surfaces here (18): the caller's 401, not configuration.
    await entry.connection.ready();
    if (ct.tried || this.prepared.has(key)) return ct.tenant;
    ct.tried = true;
    try {
      await this.ensurePrepared(key, ct.tenant);
    } catch (e) {
      if (serverCodeOf(e) !== 13 && serverCodeOf((e as { cause?: unknown }).cause) !== 13) throw e;
      this.opts.log.warn('mongodb: this pass-through user may not create the indexes; the next caller tries', {
        tenant: name ?? '(default)',
      });
    }
    return ct.tenant;
  }

  /**
   * The tenant, connected, with its indexes in place (created once; retried after a failure, so
   * the first operation after MongoDB became reachable creates what startup could not).
   */
  async open(name: string | undefined): Promise<Tenant> {
    const { tenant, connection } = this.ownTenant(name);
    try {
      await connection.ready();
      await this.ensurePrepared(name ?? '', tenant);
    } catch (e) {
      if (!isAuthenticationFailure(e)) throw e;
      throw credentialsRefused(this.connectionPathOf(name), this.connectionOf(name), name, e);
    }
    return tenant;
  }

  /** Tenants whose indexes (and example data) are in place. */
  private readonly prepared = new Set<string>();

  /** Sets up tenant `key` with `tenant`'s client, once (a failure is tried again by the next call). */
  private async ensurePrepared(key: string, tenant: Tenant): Promise<void> {
    let p = this.ready.get(key);
    if (!p) {
      p = this.prepare(tenant).then(() => {
        this.prepared.add(key);
      });
      this.ready.set(key, p);
      p.catch(() => this.ready.delete(key));
    }
    await p;
  }

  private async prepare(tenant: Tenant): Promise<void> {
    const { config, log } = this.opts;
    if (config.indexes.create) {
      const tenantField = tenant.field?.name;
      const opts = { uniqueGroupDisplayName: config.indexes.uniqueGroupDisplayName };
      for (const role of ['users', 'groups', 'roles', 'entitlements'] as CollectionRole[]) {
        const coll = tenant[role];
        try {
          await ensureIndexes(coll, indexDefinitions(role, opts), tenantField, config.connection.timeouts.operationMS);
        } catch (e) {
          // Not the indexes' fault: the caller says what it is (503, the credentials).
          if (isConnectionError(e) || isAuthenticationFailure(e)) throw e;
          // Duplicates the new unique index refuses, or an index of the same name or key with
          // other options: the data or the database needs attention, not the request.
          throw new Error(
            `mongodb: cannot create the indexes of ${coll.dbName}.${coll.collectionName} (tenant ${tenant.name ?? '(default)'}): ${
              e instanceof Error ? e.message : String(e)
            } — see the connector's documentation, "Indexes"`,
            { cause: e },
          );
        }
      }
      log.debug('mongodb: indexes in place', { tenant: tenant.name ?? '(default)' });
    }
    if (this.opts.seed) await this.opts.seed(tenant);
  }

  /** Tenants configured at startup (the default one included). */
  configured(): (string | undefined)[] {
    return [undefined, ...this.known];
  }

  /** Whether requests open MongoDB with their callers' credentials. */
  get passThrough(): boolean {
    return this.callers !== undefined;
  }

  /** Closes every client. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.clients.values()];
    this.clients.clear();
    this.tenants.clear();
    this.ready.clear();
    await Promise.all([...all.map((c) => c.close()), this.callers?.close()]);
  }
}
