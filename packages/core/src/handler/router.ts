/** Path routing for SCIM URLs: tenant prefix, `/scim/v2` prefix, endpoint, id. */

/**
 * SCIM endpoints the core serves, lower-cased → canonical. A `Map`, not an object literal: a path
 * segment such as `constructor` or `__proto__` must not find `Object.prototype`'s members.
 */
const ENDPOINTS: ReadonlyMap<string, string> = new Map([
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['roles', 'Roles'],
  ['entitlements', 'Entitlements'],
  ['schemas', 'Schemas'],
  ['resourcetypes', 'ResourceTypes'],
  ['serviceproviderconfig', 'ServiceProviderConfig'],
  ['serviceproviderconfigs', 'ServiceProviderConfig'],
  ['bulk', 'Bulk'],
  ['.search', '.search'],
]);

/** A routed SCIM path. */
export interface ScimRoute {
  /** `baseEntity` from the path, if any. */
  tenant?: string;
  /** `'1.1'` for `/v1/…`, `'2.0'` for `/v2/…`, undefined when unversioned. */
  version?: '1.1' | '2.0';
  /** Everything before the endpoint segment, e.g. `/client-a/scim/v2`. */
  prefix: string;
  /** Canonical endpoint name: `Users`, `Groups`, `Schemas`, `.search` … */
  endpoint: string;
  /** Segment after the endpoint: resource id, schema URN or resource type name. */
  id?: string;
  /** True for `POST /Users/.search`. */
  search?: boolean;
  /** True when the client used `ServiceProviderConfigs` (SCIM 1.1 spelling). */
  plural?: boolean;
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * Routes a URL path. Returns `undefined` when the path is not a SCIM endpoint
 * (so the host can answer 404).
 *
 * @example
 * routeScimPath('/client-a/scim/v2/Users/bjensen')
 * // { tenant: 'client-a', version: '2.0', prefix: '/client-a/scim/v2', endpoint: 'Users', id: 'bjensen' }
 */
export function routeScimPath(path: string): ScimRoute | undefined {
  const q = path.indexOf('?');
  const clean = q === -1 ? path : path.slice(0, q);
  const direct = routeDirect(clean);
  if (direct !== NOT_DIRECT) return direct;
  const segs = clean.split('/').filter((s) => s !== '');
  let at = -1;
  let endpoint: string | undefined;
  for (let i = 0; i < segs.length && endpoint === undefined; i++) {
    endpoint = ENDPOINTS.get((segs[i] as string).toLowerCase());
    at = i;
  }
  if (endpoint === undefined) return undefined;
  const pre = segs.slice(0, at);
  const rest = segs.slice(at + 1);
  let version: ScimRoute['version'];
  const last = pre[pre.length - 1]?.toLowerCase();
  if (last === 'v2' || last === 'v1') {
    version = last === 'v1' ? '1.1' : '2.0';
    pre.pop();
  }
  if (pre[pre.length - 1]?.toLowerCase() === 'scim') pre.pop();
  if (pre.length > 1) return undefined;
  const route: ScimRoute = {
    prefix: at === 0 ? '' : `/${segs.slice(0, at).join('/')}`,
    endpoint,
  };
  if ((segs[at] as string).toLowerCase() === 'serviceproviderconfigs') route.plural = true;
  if (version) route.version = version;
  if (pre.length === 1) {
    const t = decode(pre[0] as string);
    if (t === undefined) return undefined;
    route.tenant = t;
  }
  if (rest.length > 1) {
    // Schema URNs never contain '/', ids may be URL-encoded; more segments → not ours.
    return undefined;
  }
  return rest.length === 1 ? below(route, rest[0] as string) : route;
}

/** {@link routeDirect}'s answer when the path is not of its simple shape. */
const NOT_DIRECT = null;

/**
 * The common shape `/<Endpoint>` or `/<Endpoint>/<segment>` (no tenant, no `/scim/v2`, no empty
 * segment), routed without splitting the path: what every request of a gateway served at its root
 * pays. Any other path gets {@link NOT_DIRECT}, and the general routing above.
 */
function routeDirect(path: string): ScimRoute | undefined | typeof NOT_DIRECT {
  if (path.charCodeAt(0) !== 47 /* / */) return NOT_DIRECT;
  const slash = path.indexOf('/', 1);
  const first = slash === -1 ? path.slice(1) : path.slice(1, slash);
  const endpoint = ENDPOINTS.get(first.toLowerCase());
  if (endpoint === undefined) return NOT_DIRECT;
  const seg = slash === -1 ? '' : path.slice(slash + 1);
  if (slash !== -1 && (seg === '' || seg.includes('/'))) return NOT_DIRECT;
  const route: ScimRoute = { prefix: '', endpoint };
  if (endpoint === 'ServiceProviderConfig' && first.length === 'serviceproviderconfigs'.length) route.plural = true;
  return slash === -1 ? route : below(route, seg);
}

/** The route of `<endpoint>/<seg>`: a resource id, a schema URN or `.search`; `undefined` when none. */
function below(route: ScimRoute, seg: string): ScimRoute | undefined {
  const endpoint = route.endpoint;
  // `/Bulk`, `/.search` and `/ServiceProviderConfig` have nothing below them, and discovery
  // endpoints cannot be searched: such paths are not routes (404), whatever the method.
  if (endpoint === 'Bulk' || endpoint === '.search' || endpoint === 'ServiceProviderConfig') return undefined;
  if (seg.toLowerCase() === '.search') {
    if (endpoint === 'Schemas' || endpoint === 'ResourceTypes') return undefined;
    route.search = true;
  } else {
    const id = decode(seg);
    if (id === undefined) return undefined;
    route.id = id;
  }
  return route;
}
