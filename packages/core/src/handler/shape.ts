/** Shapes connector output into SCIM responses: schemas, meta, ETag, projection. */
import type { ResourceMeta, ScimResource } from '../contract/types.js';
import { ScimError } from '../errors.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { ResourceTypeDefinition } from '../schema/types.js';
import { URN } from '../schema/urns.js';
import { isObject, withoutForbiddenKeys } from '../util/object.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** 53-bit string hash (cyrb53) — fast, pure JS, good enough for weak ETags. */
export function hash53(str: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** A weak ETag for a resource's content (meta excluded). */
export function computeVersion(resource: ScimResource): string {
  const { meta: _meta, ...rest } = resource;
  return `W/"${hash53(JSON.stringify(rest))}"`;
}

/** Separates a connector's version from the digest of `groups` in the version clients see. */
const GROUPS_MARK = '~g';
/** The digest part of a served version: `~g` and a base-36 hash53 at the end of a tag. */
const GROUPS_PART = /~g[0-9a-z]{1,11}(?="?\s*$)/;

/**
 * The version clients see of a resource whose connector keeps versions: the connector's own, with
 * a digest of the resource's `groups` when it has any. A user's `groups` is computed from the
 * groups' members, so adding the user to a group changes the user as served but not the version
 * the connector keeps for it: without the digest, `If-None-Match` with the old ETag would answer
 * 304 for a stale `groups`, and two different representations would share one ETag.
 *
 * @example servedVersion('W/"3"', [{ value: 'g1' }]) // 'W/"3~g<digest>"'
 */
export function servedVersion(version: string, groups: unknown): string {
  if (!Array.isArray(groups) || groups.length === 0) return version;
  const digest = `${GROUPS_MARK}${hash53(JSON.stringify(groups))}`;
  return version.endsWith('"') ? `${version.slice(0, -1)}${digest}"` : `${version}${digest}`;
}

/**
 * An `If-Match` value as the connector's versions read it: each tag without the digest of `groups`
 * {@link servedVersion} added. `groups` is read-only and changes through the groups, so a change of
 * membership alone does not fail a conditional write of the user; the user's own attributes do.
 */
export function connectorTags(list: string): string {
  if (!list.includes(GROUPS_MARK)) return list;
  return list
    .split(',')
    .map((t) => t.replace(GROUPS_PART, ''))
    .join(',');
}

/**
 * Adds `schemas` and `meta` (resourceType, location, version) to a connector resource.
 * `withVersion` false skips computing a version (list responses carry no ETag header).
 *
 * A deeply frozen resource (a connector that hands out the same frozen object while the resource
 * is unchanged, as the embedded store does) is shaped once per resource type and base: the result
 * is frozen too and kept for that object (see {@link shapedOf}), so a host that keeps the JSON of
 * frozen objects (@scimgw/server) reuses that as well.
 */
export function finishResource(
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  resource: ScimResource,
  locationBase: string | undefined,
  withVersion = true,
  projection?: ResourceProjection,
): ScimResource {
  if (!Object.isFrozen(resource)) {
    const out = shape(registry, rt, resource, locationBase, withVersion);
    return projection === undefined ? out : projection.apply(out);
  }
  const kept = shapedOf.get(resource);
  if (
    kept !== undefined &&
    kept.base === locationBase &&
    kept.rt === rt &&
    kept.registry === registry &&
    (kept.withVersion === withVersion || kept.ownVersion)
  ) {
    return projection === undefined ? kept.out : projectKept(kept, projection);
  }
  const out = shape(registry, rt, resource, locationBase, withVersion);
  const plain = projection === undefined ? out : projection.apply(out);
  if (kept === undefined && notShapedOnce.has(resource)) return plain;
  // Kept from the second time an object is shaped: one read of a resource costs no more than before.
  if (kept === undefined && !shapedOnce.has(resource)) {
    shapedOnce.add(resource);
    return plain;
  }
  // Checked once per object: a frozen object holding something mutable is shaped every time.
  if (kept === undefined && !deeplyFrozen(resource, 0)) {
    notShapedOnce.add(resource);
    return plain;
  }
  freezeNew(out);
  const ownVersion = isObject(resource.meta) && resource.meta.version !== undefined;
  const entry: KeptShape = { registry, rt, base: locationBase, withVersion, ownVersion, out, shownBy: undefined };
  shapedOf.set(resource, entry);
  return projection === undefined ? out : projectKept(entry, projection);
}

/** What {@link finishResource} needs of a projection (core's `Projection`). */
export interface ResourceProjection {
  /** No attribute lists: only what is never returned by default is dropped. */
  readonly plain: boolean;
  /** The attributes not returned by default (a key test, the same function while the registry and type are). */
  readonly hiddenTest: (key: string) => boolean;
  apply(resource: ScimResource): ScimResource;
}

/**
 * A kept shaped resource through a projection. Without attribute lists (a plain page) the answer
 * is the shaped resource itself unless it holds an attribute not returned by default; its keys
 * cannot change (it is frozen), so that is found once and remembered in its entry, with the test
 * it was found with: a page of the same users neither looks through their keys again nor looks
 * anything else up.
 */
function projectKept(kept: KeptShape, projection: ResourceProjection): ScimResource {
  if (!projection.plain) return projection.apply(kept.out);
  const hidden = projection.hiddenTest;
  if (kept.shownBy === hidden) return kept.out;
  const out = projection.apply(kept.out);
  if (out === kept.out) kept.shownBy = hidden;
  return out;
}

interface KeptShape {
  readonly registry: SchemaRegistry;
  readonly rt: ResourceTypeDefinition;
  readonly base: string | undefined;
  readonly withVersion: boolean;
  readonly ownVersion: boolean;
  readonly out: ScimResource;
  /** The hidden-attribute test `out` was found to pass unchanged (see {@link projectKept}). */
  shownBy: ((key: string) => boolean) | undefined;
}

/**
 * Per deeply frozen connector resource, its shaped form for the last resource type, base and
 * `withVersion` it was shaped with (one per object: the entry lives as long as the object does).
 * `ownVersion`: the version is the resource's own, so `withVersion` makes no difference.
 */
const shapedOf = new WeakMap<object, KeptShape>();
/** Frozen objects that hold something mutable: shaped every time, not checked again. */
const notShapedOnce = new WeakSet<object>();
/** Frozen objects shaped once (see {@link finishResource}). */
const shapedOnce = new WeakSet<object>();

/** True when `v` is a primitive or a frozen object or array of such values (JSON-like, not too deep). */
function deeplyFrozen(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'function';
  if (depth > 16 || !Object.isFrozen(v) || (v as { toJSON?: unknown }).toJSON !== undefined) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!deeplyFrozen(v[i], depth + 1)) return false;
    return true;
  }
  for (const k in v) if (!deeplyFrozen((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

/** Freezes what shaping made (the values it took from the frozen resource are frozen already). */
function freezeNew(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  for (const k in v) freezeNew((v as Record<string, unknown>)[k]);
  Object.freeze(v);
}

function shape(
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  resource: ScimResource,
  locationBase: string | undefined,
  withVersion: boolean,
): ScimResource {
  // A target's `__proto__`, `constructor` or `prototype` keys go no further than here: the copies
  // below (and projections, and the 1.1 form) are made by assignment. Checked on every shaping of
  // a resource that can change; a frozen one is shaped once (finishResource).
  resource = withoutForbiddenKeys(resource);
  // Every resource has an id (RFC 7643 §3.1; Entra ID drops a resource without one). A connector
  // that returns one without it has read something that is not the resource (an empty answer, an
  // error page): a 502 saying so, not a 200 nobody can refer to. A number is the id as text.
  if (typeof resource.id !== 'string' || resource.id === '') {
    if (typeof resource.id !== 'number' || !Number.isFinite(resource.id)) {
      throw new ScimError(502, `The connector returned a ${rt.name} without an id`);
    }
    resource = { ...resource, id: String(resource.id) };
  }
  // Built with a spread and fixed-shape literals, not key by key: this runs for every resource of
  // every list page, and V8 copies a spread in one step where per-key stores are ten times slower.
  const schemas = [rt.schema];
  const out: ScimResource = resource.id === undefined ? { schemas, ...resource } : { schemas, id: resource.id, ...resource };
  out.schemas = schemas;
  const keys = Object.keys(resource);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const c = key.charCodeAt(0);
    if (c !== 117 && c !== 85) continue; // extension keys are URNs ("urn:…")
    const ext = registry.canonicalUrn(rt, key);
    if (ext && ext !== rt.schema && isObject(resource[key])) schemas.push(ext);
  }
  const src = isObject(resource.meta) ? resource.meta : undefined;
  const meta: ResourceMeta = { resourceType: rt.name };
  let copied = 0;
  if (src?.created !== undefined) {
    meta.created = src.created as string;
    copied++;
  }
  if (src?.lastModified !== undefined) {
    meta.lastModified = src.lastModified as string;
    copied++;
  }
  if (locationBase && resource.id !== undefined) {
    // Most ids need no escaping (a test, not encodeURIComponent's runtime call, on every write).
    const id = String(resource.id);
    meta.location = `${locationBase}${rt.endpoint}/${URL_SAFE.test(id) ? id : encodeURIComponent(id)}`;
  }
  if (src?.version !== undefined) {
    meta.version = servedVersion(src.version as string, resource.groups);
    copied++;
  }
  // Anything else a connector put in meta is kept (resourceType and location are the gateway's).
  if (src && Object.keys(src).length > copied) {
    for (const k of Object.keys(src)) if (!META_OWN.has(k)) (meta as Record<string, unknown>)[k] = src[k];
  }
  if (!meta.version && withVersion) meta.version = computeVersion(resource);
  out.meta = meta;
  if (locationBase) {
    if (Array.isArray(resource.members)) out.members = withRefs(resource.members, locationBase, registry, undefined);
    if (Array.isArray(resource.groups)) out.groups = withRefs(resource.groups, locationBase, registry, 'Group');
  }
  return out;
}

/**
 * `$ref` (RFC 7643 §4.2: the URI of the member or group) on each element that names its resource
 * type, or whose type is implied (a user's `groups`); elements with a `$ref` already keep it.
 */
function withRefs(list: unknown[], base: string, registry: SchemaRegistry, implied: string | undefined): unknown[] {
  if (list.length < MIN_KEPT_REFS) return addRefs(list, base, registry, implied);
  // A large list handed out frozen (the embedded store's members of a group, the same array until
  // the membership changes) gets its `$ref`s once per base: the result is kept for that array, and
  // frozen too, so a host that caches the JSON of frozen arrays (@scimgw/server) reuses it as well.
  const kept = refsOf.get(list);
  if (kept !== undefined && kept.base === base && kept.registry === registry && kept.implied === implied) return kept.out;
  const out = addRefs(list, base, registry, implied);
  if (kept === undefined && notKept.has(list)) return out;
  // Checked once per list (on Bun, Object.isFrozen walks the whole array).
  if (kept === undefined && !(Object.isFrozen(list) && list.every((el) => Object.isFrozen(el)))) {
    notKept.add(list);
    return out;
  }
  if (out !== list) {
    // Only the elements made here (those given a `$ref`); the others are the list's, frozen already.
    for (let i = 0; i < out.length; i++) if (out[i] !== list[i]) Object.freeze(out[i]);
    Object.freeze(out);
  }
  refsOf.set(list, { base, registry, implied, out });
  // At most MAX_KEPT_LISTS lists keep a copy with `$ref`s, the most recently built.
  keptOrder.push(new WeakRef(list));
  if (keptOrder.length > MAX_KEPT_LISTS) {
    const oldest = keptOrder.shift()?.deref();
    if (oldest !== undefined && oldest !== list) refsOf.delete(oldest);
  }
  return out;
}

/** Lists at least this long have their `$ref`s kept while they are unchanged (see {@link withRefs}). */
const MIN_KEPT_REFS = 64;

/** How many lists keep their `$ref` copy at most (each costs an object per member). */
const MAX_KEPT_LISTS = 256;
const keptOrder: WeakRef<readonly unknown[]>[] = [];
/** Lists that can change (not frozen, or holding elements that are not): never kept. */
const notKept = new WeakSet<readonly unknown[]>();

/**
 * Per frozen list, the list with `$ref`s for the last base it was read with (one base per list:
 * the entry lives as long as the list does, and a different origin replaces it).
 */
const refsOf = new WeakMap<
  readonly unknown[],
  { base: string; registry: SchemaRegistry; implied: string | undefined; out: unknown[] }
>();

function addRefs(list: unknown[], base: string, registry: SchemaRegistry, implied: string | undefined): unknown[] {
  let out: unknown[] | undefined;
  // Resolved once per list, not per element: a big group has many members and two kinds.
  let users: string | null | undefined;
  let groups: string | null | undefined;
  const prefix = (kind: string): string | null => {
    const rt = registry.resourceType(kind);
    return rt ? `${base}${rt.endpoint}/` : null;
  };
  for (let i = 0; i < list.length; i++) {
    const el = list[i];
    if (!isObject(el) || el.$ref !== undefined || typeof el.value !== 'string') continue;
    const kind = el.type === 'User' || el.type === 'Group' ? el.type : implied;
    let at: string | null | undefined;
    if (kind === 'User') at = users === undefined ? (users = prefix('User')) : users;
    else if (kind === 'Group') at = groups === undefined ? (groups = prefix('Group')) : groups;
    if (!at) continue;
    out ??= list.slice();
    // Object.assign, not a spread with an extra key: V8 copies it on its fast path (about ten
    // times faster for a 100 000-member group); most ids need no escaping.
    const withRef: Record<string, unknown> = Object.assign({}, el);
    withRef.$ref = at + (URL_SAFE.test(el.value) ? el.value : encodeURIComponent(el.value));
    out[i] = withRef;
  }
  return out ?? list;
}

/** Characters encodeURIComponent leaves as they are (some of them): an id of only these is its own URI component. */
const URL_SAFE = /^[A-Za-z0-9._~-]*$/;

const META_OWN = new Set(['resourceType', 'created', 'lastModified', 'location', 'version']);

/** A ListResponse body (RFC 7644 §3.4.2). Paging fields are integers (Okta requires it). */
export function listResponse(
  resources: unknown[],
  totalResults: number,
  startIndex: number | undefined,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: [URN.ListResponse], totalResults, itemsPerPage: resources.length };
  if (startIndex !== undefined) body.startIndex = startIndex;
  Object.assign(body, extra);
  body.Resources = resources;
  return body;
}
