/**
 * The Connector contract, version 1.0: what a backend package implements so that a host can serve
 * SCIM for it. Everything here is a semver promise to connector authors (see the contract guide,
 * "Stability"). Host extensions (API-gateway routes, public documents, mail) are not part of it:
 * they live in `@scimgw/core/host`.
 */
import type { AttrPath, FilterNode, FilterOperator } from '../filter/ast.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { HostExtensions } from './host.js';
import type { Logger } from './logger.js';

/** A SCIM resource as JSON. Attribute names use their schema's canonical casing. */
export type ScimResource = { [attribute: string]: unknown; id?: string; meta?: ResourceMeta };

/** `meta` of a resource (RFC 7643 §3.1). A connector sets `version` when it keeps versions itself. */
export interface ResourceMeta {
  resourceType?: string;
  created?: string;
  lastModified?: string;
  location?: string;
  version?: string;
  [k: string]: unknown;
}

/** Who is calling and for which tenant. Passed to every operation. */
export interface RequestContext {
  /** The tenant (`baseEntity`) from the URL path; `undefined` for the default tenant. */
  tenant?: string | undefined;
  /** The authenticated principal, as established by the host. */
  principal?: { name: string; method: string } | undefined;
  /** Request id for log correlation. */
  requestId?: string | undefined;
  /**
   * The inbound `Authorization` header: only with pass-through enabled, and only on a tenant for
   * which the connector declares `passThroughAuth`.
   */
  authorization?: string | undefined;
  /**
   * The client's `If-Match` on a write (RFC 7644 §3.14). A resource that declares
   * `capabilities.etag` makes it a condition of the write itself (`errors.PreconditionFailedError`
   * when the stored version differs; `etagMatches` tells), so a lost race answers 412 and never
   * overwrites; for other resources the core checks it by reading the resource first.
   */
  ifMatch?: string | undefined;
  /**
   * On reads: aborted when the client goes away before its answer is written (it hung up, or the
   * host closed the connection while shutting down). Writes get none: they run to their end so a
   * backend is never left half-changed.
   */
  signal?: AbortSignal | undefined;
  /** Request-scoped logger. */
  log?: Logger | undefined;
}

/** Sort instruction, given to a resource that declared `capabilities.sort`. */
export interface SortSpec {
  path: AttrPath;
  order: 'ascending' | 'descending';
}

/** A query as handed to {@link ResourceHandler.query}. */
export interface QueryRequest {
  /** The part of the client's filter this resource declared it evaluates (canonical names); `undefined`: all. */
  filter?: FilterNode | undefined;
  /** Only with `capabilities.sort`, when the whole filter was pushed down. */
  sort?: SortSpec | undefined;
  /** 1-based; only with `capabilities.paging.index`. */
  startIndex?: number | undefined;
  /** Page size; only when paging was pushed down. `0` asks for the total only. */
  count?: number | undefined;
  /** Opaque RFC 9865 cursor, only with `capabilities.paging.cursor`; `''` asks for the first page. */
  cursor?: string | undefined;
  /** Attributes the client asked for (a hint; the core projects anyway). */
  attributes?: string[] | undefined;
  /** Attributes the client excluded (a hint: e.g. skip reading `members`). */
  excludedAttributes?: string[] | undefined;
}

/** What {@link ResourceHandler.query} returns. */
export interface QueryResult {
  resources: ScimResource[];
  /** Total matches when paging was pushed down; otherwise the core counts. */
  totalResults?: number;
  nextCursor?: string | undefined;
  previousCursor?: string | undefined;
}

/** Options of {@link ResourceHandler.get}. */
export interface GetOptions {
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
}

/** Where a change applies. Names are canonical (schema casing, extension URN resolved). */
export interface ChangePath {
  /** Extension schema URN; absent for core attributes. */
  extension?: string;
  attr: string;
  sub?: string;
  /** Selects elements of a multi-valued attribute (a filter relative to one element). */
  where?: FilterNode;
}

/**
 * One normalized modification. Every client dialect is reduced to these by the core.
 *
 * - `add` on a multi-valued attribute: merge `value` (an array); equal elements are kept once.
 * - `add`/`replace` on a single-valued attribute or sub-attribute: set it.
 * - `replace` on a multi-valued attribute without `where`: swap the whole list (possibly `[]`).
 * - `remove` with `value` (an array): remove exactly the listed elements (matched by `value`).
 * - `remove` with `path.where`: remove the matching elements (or their `path.sub`).
 * - `remove` with neither: clear the attribute.
 */
export type Change =
  | { op: 'add'; path: ChangePath; value: unknown }
  | { op: 'replace'; path: ChangePath; value: unknown }
  | { op: 'remove'; path: ChangePath; value?: unknown[] };

/** What a resource evaluates itself; the core does everything not declared. */
export interface ResourceCapabilities {
  /** Filters evaluated natively. Without it the core filters what `query()` returns unfiltered. */
  filter?: FilterCapabilities;
  /** Sorts by any attribute. */
  sort?: boolean;
  /** Pages by `startIndex`/`count` (`index`) and/or RFC 9865 cursors (`cursor`). */
  paging?: { index?: boolean; cursor?: boolean };
  /** Keeps `meta.version` itself (otherwise the core computes one from the content), and applies `ctx.ifMatch`. */
  etag?: boolean;
}

/** Filter operators and attributes a resource evaluates natively. */
export interface FilterCapabilities {
  /** Operators, e.g. `['eq']`. */
  operators: FilterOperator[];
  /** Attribute paths (`userName`, `members.value`, extension URN paths), case-insensitive; `'*'` for all. */
  attributes: string[] | '*';
  /** Logical operators evaluated natively; default none. */
  logical?: ('and' | 'or' | 'not')[];
  /** Whether value-path filters (`emails[type eq "work"]`) are evaluated natively. */
  valuePath?: boolean;
}

/** The operations of one resource type. Absent operations answer 501 (405 for read-only types). */
export interface ResourceHandler {
  capabilities?: ResourceCapabilities;
  /** List/search. */
  query?(request: QueryRequest, ctx: RequestContext): Promise<QueryResult>;
  /** Read one; `undefined` when it does not exist. */
  get?(id: string, ctx: RequestContext, options: GetOptions): Promise<ScimResource | undefined>;
  /** Create; returns the stored resource with its `id`. */
  create?(resource: ScimResource, ctx: RequestContext): Promise<ScimResource>;
  /** Apply normalized changes (PATCH); return the resource, or `undefined` to let the core read it back when needed. */
  modify?(id: string, changes: Change[], ctx: RequestContext): Promise<ScimResource | undefined>;
  /** Full replace (PUT). */
  replace?(id: string, resource: ScimResource, ctx: RequestContext): Promise<ScimResource>;
  delete?(id: string, ctx: RequestContext): Promise<void>;
}

/** Read-only resource types (Role, Entitlement). */
export type ReadOnlyResourceHandler = Pick<ResourceHandler, 'capabilities' | 'query' | 'get'>;

/** Resource handlers by resource type id; the types present are the types served. */
export interface ConnectorResources {
  User?: ResourceHandler;
  Group?: ResourceHandler;
  Role?: ReadOnlyResourceHandler;
  Entitlement?: ReadOnlyResourceHandler;
  [resourceType: string]: ResourceHandler | undefined;
}

/** Whether a connector checks the passed-through credentials of a tenant (`undefined`: the default one). */
export type PassThroughTenants = (tenant: string | undefined) => boolean;

/** What a connector author writes and passes to `defineConnector`. */
export interface ConnectorDefinition {
  /** Package-like name, e.g. `connector-loki`. */
  name: string;
  /** Semver range of `@scimgw/core` this connector was written against, e.g. `^1.0.0`. */
  coreVersion: string;
  resources: ConnectorResources;
  /**
   * The schemas served: `context.registry`, or `context.registry.extend({...})` when the connector
   * adds schemas or extensions (mapped attributes, say). Default: the built-in schemas.
   */
  registry?: SchemaRegistry;
  /**
   * Checks the callers' own credentials, received as `ctx.authorization` (with `auth.passThrough`):
   * `true` for every tenant, or a function of the tenant (`undefined` for the default one) when
   * tenants differ, e.g. one signs in to its backend with the caller's credentials and another
   * with an account of its own. A host passes a credential through only to a tenant declared
   * here, since anywhere else nothing would check it (see {@link checksPassThrough}).
   */
  passThroughAuth?: boolean | PassThroughTenants;
  /** Optional host extensions (see `@scimgw/core/host`); hosts that do not know them ignore them. */
  host?: HostExtensions;
  /** Flush and release resources (called on shutdown). */
  close?(): Promise<void>;
}

/** A validated, frozen connector. */
export type Connector = Readonly<ConnectorDefinition>;

/**
 * What a host passes to a connector package's `createConnector(context)`. Every connector package
 * exports a function of this name and shape, and the validator of its configuration as
 * `configSchema` (see {@link ConnectorConfigSchema}).
 */
export interface ConnectorFactoryContext<Config = unknown> {
  /** The `endpoint` section of the configuration: secrets resolved, validated by `configSchema`. */
  config: Config;
  /** Directory relative paths in the configuration resolve against. */
  baseDir: string;
  /** Tenants (`baseEntity` values) configured under `endpoint.entity`. */
  tenants: readonly string[];
  /** Folder relative certificate and key file names in the configuration resolve against. */
  certsDir: string;
  /** The host's schemas: the built-in ones plus the configuration's custom schemas. */
  registry: SchemaRegistry;
  log: Logger;
}

/** The function every connector package exports as `createConnector`. */
export type ConnectorFactory<Config = unknown> = (context: ConnectorFactoryContext<Config>) => Connector | Promise<Connector>;

/** One problem found in a configuration section. */
export interface ConfigIssue {
  /** Where, below the section (`['servers', 0, 'url']`). */
  path: (string | number)[];
  message: string;
}

/**
 * The validator of a connector's `endpoint` section, exported by its package as `configSchema`.
 * Hosts run it before `createConnector`, in `start` and `check-config` alike.
 */
export interface ConnectorConfigSchema<Config = unknown> {
  validate(value: unknown): { ok: true; value: Config } | { ok: false; issues: ConfigIssue[] };
  /** JSON Schema (draft 2020-12) of the section, for editors and published config schemas. */
  readonly jsonSchema: Record<string, unknown>;
  /**
   * Whether a connector built from this validated section checks passed-through credentials for
   * at least one tenant (declares `passThroughAuth`), so that `check-config` can refuse
   * `auth.passThrough.enabled` where nothing would check them, as `start` does. Leave it out, or
   * answer `undefined`, when only the built connector knows (the host then checks at startup).
   */
  passThroughAuth?(config: Config): boolean | undefined;
}
