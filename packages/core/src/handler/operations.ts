/**
 * The one table of what each SCIM route does for each HTTP method. The handler dispatches from it
 * and hosts authorize from it (a read-only credential may run only `read` operations), so the two
 * can never disagree about what a request is.
 */
import type { ScimRoute } from './router.js';

/** Whether an operation only reads or may change something. */
export type Access = 'read' | 'write';

/** The operation a (route, method) pair runs. */
export type ScimOperationName =
  | 'discovery'
  | 'list'
  | 'get'
  | 'create'
  | 'replace'
  | 'modify'
  | 'delete'
  | 'search'
  | 'rootSearch'
  | 'bulk';

/** One entry of the operation table. */
export interface ScimOperation {
  readonly name: ScimOperationName;
  readonly access: Access;
}

/** The shapes of path the router produces (see {@link routeShape}). */
export type RouteShape = 'discovery' | 'collection' | 'item' | 'search' | 'rootSearch' | 'bulk';

const op = (name: ScimOperationName, access: Access): ScimOperation => Object.freeze({ name, access });

/** Route shape → method → operation. Anything not listed is not allowed (405). */
const TABLE: Readonly<Record<RouteShape, ReadonlyMap<string, ScimOperation>>> = {
  discovery: new Map([['GET', op('discovery', 'read')]]),
  collection: new Map([
    ['GET', op('list', 'read')],
    ['POST', op('create', 'write')],
  ]),
  item: new Map([
    ['GET', op('get', 'read')],
    ['PUT', op('replace', 'write')],
    ['PATCH', op('modify', 'write')],
    ['DELETE', op('delete', 'write')],
  ]),
  search: new Map([['POST', op('search', 'read')]]),
  rootSearch: new Map([['POST', op('rootSearch', 'read')]]),
  bulk: new Map([['POST', op('bulk', 'write')]]),
};

const DISCOVERY: ReadonlySet<string> = new Set(['Schemas', 'ResourceTypes', 'ServiceProviderConfig']);

/** The shape of a routed path. */
export function routeShape(route: Pick<ScimRoute, 'endpoint' | 'id' | 'search'>): RouteShape {
  if (DISCOVERY.has(route.endpoint)) return 'discovery';
  if (route.endpoint === '.search') return 'rootSearch';
  if (route.endpoint === 'Bulk') return 'bulk';
  if (route.search) return 'search';
  return route.id === undefined ? 'collection' : 'item';
}

/**
 * The operation `method` runs on `route`, or `undefined` when the method is not allowed there.
 *
 * @example operationFor(routeScimPath('/Users/.search')!, 'POST') // { name: 'search', access: 'read' }
 */
export function operationFor(route: Pick<ScimRoute, 'endpoint' | 'id' | 'search'>, method: string): ScimOperation | undefined {
  return TABLE[routeShape(route)].get(method.toUpperCase());
}

/**
 * What a request on `route` with `method` needs: `read` only for operations that read. A method the
 * route does not allow counts as `write`, the stricter answer (it is refused either way).
 */
export function accessFor(route: Pick<ScimRoute, 'endpoint' | 'id' | 'search'>, method: string): Access {
  return operationFor(route, method)?.access ?? 'write';
}

/** The methods a route allows, for an `Allow` header. */
export function allowedMethods(route: Pick<ScimRoute, 'endpoint' | 'id' | 'search'>): string[] {
  return [...TABLE[routeShape(route)].keys()];
}
