/** Plain request/response objects of the framework-free handler. */
import type { Connector, RequestContext } from '../contract/types.js';
import type { FilterLimits } from '../filter/parser.js';
import type { PatchQuirk } from '../patch/normalize.js';
import type { ScimRoute } from './router.js';
import type { SchemaRegistry } from '../schema/registry.js';

/** One HTTP request, as the host hands it to the core. */
export interface ScimRequest {
  /** HTTP method, any case. */
  method: string;
  /** Path and query string, e.g. `/client-a/Users?filter=userName%20eq%20%22x%22`. */
  url: string;
  /** Request headers with lower-case names. */
  headers?: Record<string, string | string[] | undefined>;
  /** Raw body text, or JSON already parsed by the host. */
  body?: unknown;
  /** Scheme and authority for `meta.location`, e.g. `https://gw.example.com`. */
  origin?: string;
  /** Caller context; `tenant` is filled from the path when absent. */
  context?: RequestContext;
  /**
   * `routeScimPath(url)`, when the host already routed the path (saves parsing it twice). Must be
   * the route of this request's `url`; omit it and the handler routes `url` itself.
   */
  route?: ScimRoute;
}

/** The handler's answer. `body` is JSON-serializable; absent for 204/304. */
export interface ScimResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Pagination settings advertised in ServiceProviderConfig. */
export interface PaginationOptions {
  /** Default page size when `count` is absent. Default 100. */
  defaultPageSize?: number;
  /** Largest page served (`filter.maxResults`). Default 1000. */
  maxPageSize?: number;
}

/** An authentication scheme advertised in ServiceProviderConfig. */
export interface AuthenticationScheme {
  type: string;
  name: string;
  description: string;
  primary?: boolean;
  specUri?: string;
  documentationUri?: string;
}

/** Options of {@link createScimHandler}. */
export interface ScimHandlerOptions {
  connector: Connector;
  /** Schemas; default the connector's `registry` (or the built-in schemas). Limited to the connector's resource types. */
  registry?: SchemaRegistry;
  /** Protocol spoken on unversioned paths. Default `'2.0'`. */
  scimVersion?: '2.0' | '1.1';
  /** Omit `meta.location` (behind reverse proxies). */
  skipMetaLocation?: boolean;
  /** PUT keeps attributes the body omits. */
  usePutSoftSync?: boolean;
  /** Status of a successful group PATCH: 204 (default) or 200 with the group. */
  groupPatchStatus?: 200 | 204;
  pagination?: PaginationOptions;
  /**
   * Bulk limits; Bulk is off when `maxOperations` is 0. `maxPayloadSize` is advertised in
   * ServiceProviderConfig; the host enforces it when it reads the body.
   */
  bulk?: { maxOperations?: number; maxPayloadSize?: number };
  filterLimits?: FilterLimits;
  /** Advertised in ServiceProviderConfig. */
  authenticationSchemes?: AuthenticationScheme[];
  documentationUri?: string;
  /**
   * Attributes no served schema defines, in POST, PUT, PATCH and Bulk alike: `'ignore'` (default)
   * leaves them out of the write and reports each through {@link onUnknownAttribute}; `'reject'`
   * answers 400 (`invalidValue`, or `invalidPath` for a PATCH path). Either way they are never
   * stored.
   */
  unknownAttributes?: 'ignore' | 'reject';
  /** Called for each attribute left out under `unknownAttributes: 'ignore'` (the host logs a warning). */
  onUnknownAttribute?: (path: string, request: ScimRequest) => void;
  /** Called when a client-dialect rule is applied. */
  onQuirk?: (quirk: PatchQuirk, request: ScimRequest) => void;
}
