/**
 * The Connector contract: what a backend package implements so the gateway
 * can serve SCIM for it. Small, typed and stable — third parties build on it.
 */
import type { AttrPath, FilterNode, FilterOperator } from '../filter/ast.js';
import type { SchemaDefinition } from '../schema/types.js';

/** A SCIM resource as JSON. Attribute names use their schema's canonical casing. */
export type ScimResource = { [attribute: string]: unknown; id?: string; meta?: ResourceMeta };

/** `meta` of a resource (RFC 7643 §3.1). */
export interface ResourceMeta {
  resourceType?: string;
  created?: string;
  lastModified?: string;
  location?: string;
  version?: string;
  [k: string]: unknown;
}

/** Minimal logger a host may inject; connectors never import a logging library themselves. */
export interface ConnectorLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
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
   * The inbound `Authorization` header. Present only when pass-through is
   * enabled in config *and* the connector declares `capabilities.passThroughAuth`.
   */
  authorization?: string | undefined;
  /** Aborted when the client goes away or the host shuts down. */
  signal?: AbortSignal | undefined;
  /** Request-scoped logger. */
  log?: ConnectorLogger | undefined;
}

/** Sort instruction handed to a connector that declared `capabilities.sort`. */
export interface SortSpec {
  path: AttrPath;
  order: 'ascending' | 'descending';
}

/** A query as handed to {@link ResourceOperations.query}. */
export interface QueryRequest {
  /**
   * The part of the client's filter the connector declared it evaluates
   * natively (canonical attribute names). `undefined` means "all resources".
   * The core evaluates whatever it did not push down.
   */
  filter?: FilterNode | undefined;
  /** Present only when the connector declared `capabilities.sort` and the query was fully pushed down. */
  sort?: SortSpec | undefined;
  /** 1-based; present only when paging was pushed down (`capabilities.paging.index`). */
  startIndex?: number | undefined;
  /** Page size; present only when paging was pushed down. `0` asks for totals only. */
  count?: number | undefined;
  /** Opaque cursor (RFC 9865), only with `capabilities.paging.cursor`. Empty string asks for the first page. */
  cursor?: string | undefined;
  /** Attributes the client asked for (hint; the core projects anyway). */
  attributes?: string[] | undefined;
  /** Attributes the client excluded (hint: e.g. skip reading `members`). */
  excludedAttributes?: string[] | undefined;
}

/** What {@link ResourceOperations.query} returns. */
export interface QueryResult {
  resources: ScimResource[];
  /** Total matches when paging was pushed down; otherwise computed by the core. */
  totalResults?: number;
  nextCursor?: string | undefined;
  previousCursor?: string | undefined;
}

/** Options for {@link ResourceOperations.get}. */
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
  /** Selects elements of a multi-valued attribute (filter relative to one element). */
  where?: FilterNode;
}

/**
 * One normalized modification. Every client dialect (Entra, Okta, 1.1 …) is
 * reduced to these by the core, so connectors never see quirks.
 *
 * - `add` on a multi-valued attribute: merge `value` (an array) into it — existing equal elements are kept once.
 * - `add`/`replace` on a single-valued attribute or sub-attribute: set it.
 * - `replace` on a multi-valued attribute without `where`: swap the whole list for `value` (possibly `[]`).
 * - `remove` with `value` (an array): remove exactly the listed elements (matched by `value`).
 * - `remove` with `path.where`: remove the matching elements (or their `path.sub`).
 * - `remove` with neither: clear the attribute.
 */
export type Change =
  | { op: 'add'; path: ChangePath; value: unknown }
  | { op: 'replace'; path: ChangePath; value: unknown }
  | { op: 'remove'; path: ChangePath; value?: unknown[] };

/** Operations for one resource type. Absent operations answer 501 (or 405 for read-only types). */
export interface ResourceOperations {
  /** List/search. */
  query?(request: QueryRequest, ctx: RequestContext): Promise<QueryResult>;
  /** Read one; `undefined` when it does not exist. */
  get?(id: string, ctx: RequestContext, options: GetOptions): Promise<ScimResource | undefined>;
  /** Create; returns the stored resource with its `id`. */
  create?(resource: ScimResource, ctx: RequestContext): Promise<ScimResource>;
  /**
   * Apply normalized changes (PATCH). Returns the updated resource, or
   * `undefined` to let the core read it back only when the client needs it.
   */
  modify?(id: string, changes: Change[], ctx: RequestContext): Promise<ScimResource | undefined>;
  /** Full replace (PUT). */
  replace?(id: string, resource: ScimResource, ctx: RequestContext): Promise<ScimResource>;
  delete?(id: string, ctx: RequestContext): Promise<void>;
}

/** Read-only resource types (Role, Entitlement). */
export type ReadOnlyOperations = Pick<ResourceOperations, 'query' | 'get'>;

/** What the connector can evaluate natively. */
export interface FilterCapabilities {
  /** Operators evaluated natively, e.g. `['eq']`. */
  operators: FilterOperator[];
  /**
   * Attribute paths filterable natively (`userName`, `members.value`,
   * `urn:…:enterprise:2.0:User:employeeNumber`), case-insensitive; `'*'` for all.
   */
  attributes: string[] | '*';
  /** Logical operators evaluated natively; default none. */
  logical?: ('and' | 'or' | 'not')[];
  /** Whether value-path filters (`emails[type eq "work"]`) are evaluated natively. */
  valuePath?: boolean;
}

/** Connector capabilities; anything not declared is done by the core. */
export interface Capabilities {
  filter?: FilterCapabilities;
  /** Sorts natively by any attribute. */
  sort?: boolean;
  paging?: { index?: boolean; cursor?: boolean };
  /** Maintains `meta.version` itself. */
  etag?: boolean;
  /** May receive the inbound `Authorization` header (`ctx.authorization`). */
  passThroughAuth?: boolean;
}

/** Resource operations by resource type id. */
export interface ConnectorResources {
  User?: ResourceOperations;
  Group?: ResourceOperations;
  Role?: ReadOnlyOperations;
  Entitlement?: ReadOnlyOperations;
  [resourceType: string]: ResourceOperations | undefined;
}

/** API-gateway operations (`/api`), bodies passed through as-is. */
export interface ApiOperations {
  get?(id: string | undefined, query: Record<string, string>, ctx: RequestContext): Promise<unknown>;
  post?(body: unknown, ctx: RequestContext): Promise<unknown>;
  put?(id: string, body: unknown, ctx: RequestContext): Promise<unknown>;
  patch?(id: string, body: unknown, ctx: RequestContext): Promise<unknown>;
  delete?(id: string, ctx: RequestContext): Promise<unknown>;
  /** Unauthenticated `GET /pub/api`. */
  publicGet?(query: Record<string, string>, ctx: RequestContext): Promise<unknown>;
}

/** An unauthenticated JSON document served by the gateway for a connector. */
export interface PublicRoute {
  path: string;
  document(): Promise<unknown> | unknown;
}

/** What a connector author writes and passes to `defineConnector`. */
export interface ConnectorDefinition {
  /** Package-like name, e.g. `connector-loki`. */
  name: string;
  /** Semver range of `@scimgw/core` this connector was written against, e.g. `>=0.1.0 <1`. */
  coreVersion: string;
  capabilities?: Capabilities;
  resources: ConnectorResources;
  /** Custom schemas/extensions this connector serves. */
  schemas?: SchemaDefinition[];
  /** Extension URNs per resource type id that the connector stores, e.g. `{ User: [URN.EnterpriseUser] }`. */
  extensions?: Record<string, string[]>;
  api?: ApiOperations;
  /**
   * Unauthenticated `GET` documents the connector needs the gateway to serve, such as the
   * OpenID configuration and JWKS of federated credentials that an identity provider fetches.
   * Paths are absolute (`/fed/.well-known/jwks.json`); bodies are served as JSON.
   */
  publicRoutes?(): PublicRoute[];
  /** Flush and release resources (called on shutdown). */
  close?(): Promise<void>;
}

/** A validated, frozen connector value. */
export interface Connector extends Readonly<ConnectorDefinition> {
  readonly capabilities: Capabilities;
}

/** Sends e-mail through the gateway's configured mail facility. */
export interface ConnectorMailer {
  sendMail(message: {
    to?: string | string[];
    cc?: string | string[];
    subject: string;
    text?: string;
    html?: string;
  }): Promise<unknown>;
}

/**
 * What the host passes to a connector package's `createConnector(context)`.
 * Every connector package exports a function of this name and shape, so the
 * gateway can load connectors by package name.
 */
export interface ConnectorFactoryContext<Config = unknown> {
  /** The `endpoint` section of the configuration, secrets already resolved. */
  config: Config;
  /** Directory relative paths in the configuration resolve against. */
  baseDir: string;
  /** Tenants (`baseEntity` values) configured under `endpoint.entity`, if any. */
  tenants: string[];
  /** Selected gateway (`scimgateway` section) settings connectors may honour. */
  gateway: { groupMemberOfUser?: boolean; scimVersion?: '1.1' | '2.0' };
  log: ConnectorLogger;
  mailer?: ConnectorMailer | undefined;
}

/** The function every connector package exports as `createConnector`. */
export type ConnectorFactory<Config = unknown> = (context: ConnectorFactoryContext<Config>) => Connector | Promise<Connector>;
