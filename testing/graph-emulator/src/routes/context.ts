/** What every route handler receives, and the lookups they share. */
import { notFound } from '../graph/errors.js';
import type { Caller, GraphRequest, GraphResponse } from '../graph/types.js';
import type { DirectoryObject, UserObject } from '../model/directory.js';
import { isGuid } from '../model/references.js';
import type { Tenant } from '../model/tenant.js';
import type { CollectionRequest } from '../odata/collection.js';
import { type QueryOptions, parseQueryOptions } from '../odata/query-options.js';

/** The context of one routed request. */
export interface RouteContext {
  readonly tenant: Tenant;
  readonly request: GraphRequest;
  /** Decoded `{param}` segments in pattern order. */
  readonly params: readonly string[];
  readonly caller: Caller;
  readonly now: number;
  /** Secret for `$skiptoken` integrity. */
  readonly secret: Buffer;
  /** `ConsistencyLevel: eventual` was sent. */
  readonly eventual: boolean;
  /** Parsed system query options (parsed on first use). */
  options(): QueryOptions;
}

/** A route of the Graph API. */
export interface RouteDef {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** e.g. `/users/{id}/manager/$ref`; literal segments match case-insensitively. */
  readonly pattern: string;
  readonly permissions: readonly string[] | ((ctx: RouteContext) => readonly string[]);
  readonly handle: (ctx: RouteContext) => GraphResponse | Promise<GraphResponse>;
}

/** Memoizes query option parsing for a context. */
export function lazyOptions(query: string): () => QueryOptions {
  let parsed: QueryOptions | undefined;
  return () => {
    parsed ??= parseQueryOptions(query);
    return parsed;
  };
}

/** `https://host/v1.0/$metadata#fragment`. */
export function contextUrl(ctx: RouteContext, fragment: string): string {
  return `${ctx.request.serviceRoot}/$metadata#${fragment}`;
}

/** The collection part of a list request. */
export function collectionRequest(ctx: RouteContext): CollectionRequest {
  return {
    options: ctx.options(),
    eventual: ctx.eventual,
    nextLinkBase: `${ctx.request.serviceRoot}${ctx.request.path}`,
    secret: ctx.secret,
  };
}

/** Any directory object by id, honouring replication delay (a read). */
export function findObject(ctx: RouteContext, id: string): DirectoryObject {
  const lower = id.toLowerCase();
  const object = isGuid(lower) ? ctx.tenant.directory.get(lower) : undefined;
  if (!object || !ctx.tenant.replication.readable(object.id, ctx.now)) throw notFound(id);
  return object;
}

/** A user by id or userPrincipalName, as `/users/{id | userPrincipalName}` addresses it. */
export function findUser(ctx: RouteContext, key: string): UserObject {
  const { directory } = ctx.tenant;
  const id = isGuid(key) ? key.toLowerCase() : key.includes('@') ? directory.userIdByUpn(key) : undefined;
  const user = id ? directory.user(id) : undefined;
  if (!user || !ctx.tenant.replication.readable(user.id, ctx.now)) throw notFound(key);
  return user;
}

/** A group by id. */
export function findGroup(ctx: RouteContext, key: string): DirectoryObject {
  const object = isGuid(key) ? ctx.tenant.directory.group(key.toLowerCase()) : undefined;
  if (!object || !ctx.tenant.replication.readable(object.id, ctx.now)) throw notFound(key);
  return object;
}

/** Whether a list shows an object (replication). */
export function listed(ctx: RouteContext, id: string): boolean {
  return ctx.tenant.replication.listed(id, ctx.now);
}
