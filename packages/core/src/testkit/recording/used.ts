/**
 * The resources a recording used but did not create: ids that first appear in an answer that did
 * not create them (a list's `Resources[i]`, a read, a PUT/PATCH answer) or in a request path before
 * any answer gave them, each with the body an answer of the recording showed for it. What
 * `replayFromRecording(input, { seed: true })` creates on the target before the replay.
 */
import { routeScimPath, type ScimRoute } from '../../handler/router.js';
import { URN } from '../../schema/urns.js';
import type { Located } from './parse.js';
import { isDiscovery, pathId, RESOURCE_ENDPOINTS } from './template.js';
import type { RecordedExchange } from './types.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A resource the recording used but did not create, and the body it is seeded with. */
export interface UsedResource {
  id: string;
  /** Its `meta.resourceType` as the chosen answer gave it (names its variable). */
  resourceType: unknown;
  /** Where it is created: `Users`, `Groups`, `Roles`, `Entitlements`. */
  endpoint: string;
  /** The path before the endpoint of the request it first appeared in (`/t1/scim/v2`, or ''). */
  prefix: string;
  /** The resource as an answer showed it (`id`, `meta`, `groups` still in it). */
  body: Json;
  /** The index (in arrival order) of the exchange whose answer showed `body`. */
  shownAt: number;
  /** Whether `body` is the state after a PUT or PATCH of the recording changed the resource. */
  afterWrite: boolean;
  /**
   * No answer showed it: it is known only by its id, from a request's path or a member it added
   * (an IdP's later cycle names what it made earlier). Created as a stand-in named by its id.
   */
  placeholder?: boolean;
}

/** The endpoints a stand-in can be made at, and the attribute naming it there. */
const STAND_IN: Readonly<Record<string, { name: string; schema: string }>> = {
  Users: { name: 'userName', schema: URN.User },
  Groups: { name: 'displayName', schema: URN.Group },
};

/** A stand-in for a resource known only by its id: the id as its name. */
function standIn(id: string, endpoint: string): Json | undefined {
  const s = STAND_IN[endpoint];
  return s ? { schemas: [s.schema], [s.name]: id } : undefined;
}

/** The member ids a request body adds to a group: `members` values of a POST/PUT body or a PATCH add/replace. */
export function addedMembers(x: RecordedExchange): { id: string; endpoint: string }[] {
  if (!isObject(x.body)) return [];
  const out: { id: string; endpoint: string }[] = [];
  const take = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const m of list)
      if (isObject(m) && typeof m.value === 'string' && m.value !== '' && !m.value.startsWith('bulkId:'))
        out.push({ id: m.value, endpoint: typeof m.type === 'string' && m.type.toLowerCase() === 'group' ? 'Groups' : 'Users' });
  };
  const members = (o: Json) => Object.entries(o).find(([k]) => k.toLowerCase() === 'members')?.[1];
  if (x.method === 'POST' || x.method === 'PUT') take(members(x.body));
  if (x.method === 'PATCH' && Array.isArray(x.body.Operations))
    for (const op of x.body.Operations) {
      if (!isObject(op) || typeof op.op !== 'string' || !/^(add|replace)$/i.test(op.op)) continue;
      if (typeof op.path === 'string' && op.path.toLowerCase() === 'members') take(op.value);
      else if (op.path === undefined && isObject(op.value)) take(members(op.value));
    }
  return out;
}

/** Query parameters (and `.search` body members) that make an answer show part of a resource. */
const PROJECTION = new Set(['attributes', 'excludedattributes']);
/** Attributes a client cannot write, left out of a seed body (and not counted as its content). */
export const READ_ONLY = new Set(['id', 'meta', 'groups']);

/** Whether the request asked for some attributes only (an answer then shows part of a resource). */
function projected(x: RecordedExchange): boolean {
  const q = x.url.indexOf('?');
  if (q !== -1)
    for (const key of new URLSearchParams(x.url.slice(q + 1)).keys()) if (PROJECTION.has(key.toLowerCase())) return true;
  return isObject(x.body) && Object.keys(x.body).some((k) => PROJECTION.has(k.toLowerCase()));
}

/** Whether `body` holds anything a create can send (not only `id`, `meta`, `schemas`). */
const hasContent = (body: Json) =>
  Object.keys(body).some((k) => !READ_ONLY.has(k.toLowerCase()) && k.toLowerCase() !== 'schemas');

/**
 * The id a created resource's `location` ends with: its last segment, decoded. Not routed: a
 * pseudonymized recording keeps the id as the answers gave it but not the word `Users`.
 */
function locationId(location: string): string | undefined {
  const segment = location.split('?')[0]?.replace(/\/+$/, '').split('/').pop();
  try {
    return segment ? decodeURIComponent(segment) : undefined;
  } catch {
    return undefined;
  }
}

/** The ids a 2xx answer says its request created: a POST to a resource endpoint; a Bulk POST's `location`s. */
function createdIds(x: RecordedExchange, route: ScimRoute | undefined): string[] {
  if (x.method !== 'POST' || route === undefined || !isObject(x.response)) return [];
  if (route.endpoint === 'Bulk') {
    const ops = Array.isArray(x.response.Operations) ? x.response.Operations : [];
    return ops.flatMap((op) => {
      const id = isObject(op) && typeof op.location === 'string' ? locationId(op.location) : undefined;
      return id === undefined ? [] : [id];
    });
  }
  const creates = RESOURCE_ENDPOINTS.has(route.endpoint) && route.id === undefined && !route.search;
  return creates && typeof x.response.id === 'string' ? [x.response.id] : [];
}

/** The resources an answer shows: a list's `Resources`, else the answer itself; each with an id. */
function shownResources(response: unknown): (Json & { id: string })[] {
  if (!isObject(response)) return [];
  const all = Array.isArray(response.Resources) ? response.Resources : [response];
  return all.filter((r): r is Json & { id: string } => isObject(r) && typeof r.id === 'string' && r.id !== '');
}

/** Where a resource is created: from `meta.resourceType`, else its core schema, else the request's endpoint. */
function endpointOf(resource: Json, route: ScimRoute | undefined): string | undefined {
  const type = isObject(resource.meta) ? resource.meta.resourceType : undefined;
  if (typeof type === 'string') {
    const plural = `${type}s`.toLowerCase();
    for (const endpoint of RESOURCE_ENDPOINTS) if (endpoint.toLowerCase() === plural) return endpoint;
  }
  const schemas = Array.isArray(resource.schemas) ? resource.schemas : [];
  if (schemas.includes(URN.User)) return 'Users';
  if (schemas.includes(URN.Group)) return 'Groups';
  return route && RESOURCE_ENDPOINTS.has(route.endpoint) ? route.endpoint : undefined;
}

/**
 * An answer's body for a resource, ranked (lower is better): one from before any PUT/PATCH of the
 * recording changed it before one after; a whole resource before one the request projected.
 */
interface Shown {
  body: Json;
  at: number;
  rank: number;
  afterWrite: boolean;
}

/**
 * The resources `located` used but did not create, in order of first appearance, each with a body
 * to create it from. An id whose first appearance is a create, or a path answered 404 (it did not
 * exist then), is not one; nor is one no answer shows (only named in paths), or whose endpoint is
 * not known.
 */
export function usedResources(located: readonly Located[]): UsedResource[] {
  // id → the route of the request it first appeared in; null when it was created, or missing then.
  const first = new Map<string, ScimRoute | undefined | null>();
  // id → where a stand-in for it is made, when it is first named as a member a request adds.
  const member = new Map<string, { endpoint: string; at: number }>();
  const firstAt = new Map<string, number>();
  const written = new Set<string>();
  const shown = new Map<string, Shown>();
  located.forEach(({ exchange: x }, at) => {
    if (isDiscovery(x.url)) return;
    const path = x.url.split('?')[0] as string;
    const route = routeScimPath(path);
    const used = pathId(path);
    if (used && !first.has(used.id)) {
      first.set(used.id, x.status === 404 ? null : route);
      firstAt.set(used.id, at);
    }
    if (x.status < 200 || x.status > 299) return;
    for (const m of addedMembers(x))
      if (!first.has(m.id)) {
        first.set(m.id, route);
        member.set(m.id, { endpoint: m.endpoint, at });
      }
    if (used && (x.method === 'PUT' || x.method === 'PATCH')) written.add(used.id);
    for (const id of createdIds(x, route)) if (!first.has(id)) first.set(id, null);
    const partial = projected(x);
    for (const resource of shownResources(x.response)) {
      if (!first.has(resource.id)) first.set(resource.id, route);
      const afterWrite = written.has(resource.id);
      const rank = (afterWrite ? 2 : 0) + (partial ? 1 : 0);
      const best = shown.get(resource.id);
      if (hasContent(resource) && (best === undefined || rank < best.rank))
        shown.set(resource.id, { body: resource, at, rank, afterWrite });
    }
  });
  const out: UsedResource[] = [];
  for (const [id, route] of first) {
    const seen = shown.get(id);
    if (route === null) continue;
    if (seen === undefined) {
      // Known only by its id: a stand-in, at the endpoint its path or its member entry says.
      const endpoint = member.get(id)?.endpoint ?? (route && RESOURCE_ENDPOINTS.has(route.endpoint) ? route.endpoint : undefined);
      const body = endpoint === undefined ? undefined : standIn(id, endpoint);
      if (endpoint === undefined || body === undefined) continue;
      out.push({
        id,
        resourceType: endpoint === 'Users' ? 'User' : 'Group',
        endpoint,
        prefix: route?.prefix ?? '',
        body,
        shownAt: member.get(id)?.at ?? firstAt.get(id) ?? 0,
        afterWrite: false,
        placeholder: true,
      });
      continue;
    }
    const endpoint = endpointOf(seen.body, route);
    if (endpoint === undefined) continue;
    const meta = isObject(seen.body.meta) ? seen.body.meta : {};
    out.push({
      id,
      resourceType: meta.resourceType,
      endpoint,
      prefix: route?.prefix ?? '',
      body: seen.body,
      shownAt: seen.at,
      afterWrite: seen.afterWrite,
    });
  }
  return out;
}
