/**
 * Resource endpoints (`/Users`, `/Groups`, `/Roles`, `/Entitlements`): read,
 * search, create, replace, patch, delete — with ETag preconditions.
 */
import type { Change, RequestContext, ResourceHandler, ScimResource } from '../contract/types.js';
import {
  InvalidSyntaxError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  PreconditionFailedError,
} from '../errors.js';
import { applyChanges } from '../patch/apply.js';
import { patchToChanges } from '../patch/normalize.js';
import { Projection } from '../query/projection.js';
import { normalizeResource } from '../resource/normalize.js';
import { unknownAttributeHandler } from '../resource/validate.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { ResourceTypeDefinition } from '../schema/types.js';
import { etagMatches } from '../contract/etag.js';
import { foldDerivedMeta } from './derived-meta.js';
import { isObject } from '../util/object.js';
import { ownContext } from './context.js';
import { runQuery } from './list.js';
import { canonicalFilter, canonicalSortPath, type ListParams, parseFilterParam } from './params.js';
import type { ResourceLanes } from './lanes.js';
import { connectorTags, finishResource, listResponse } from './shape.js';
import type { ScimHandlerOptions, ScimRequest, ScimResponse } from './types.js';

/** Per-request state shared by the resource operations. */
export interface ResourceCall {
  registry: SchemaRegistry;
  options: ScimHandlerOptions;
  rt: ResourceTypeDefinition;
  ops: ResourceHandler;
  ctx: RequestContext;
  /** Base for `meta.location` (origin + prefix), undefined when skipped. */
  base: string | undefined;
  headers: Record<string, string>;
  request: ScimRequest;
  /** The handler's lanes for read-modify-write of one resource. */
  lanes: ResourceLanes;
}

const READ_ONLY_TYPES = new Set(['Role', 'Entitlement']);

/**
 * Throws unless the connector has operation `op`. Callers then call it as a method of `c.ops`
 * (no bound function made per request).
 */
function need<K extends Exclude<keyof ResourceHandler, 'capabilities'>>(
  c: ResourceCall,
  op: K,
): asserts c is ResourceCall & { ops: { [P in K]-?: NonNullable<ResourceHandler[P]> } } {
  if (typeof c.ops[op] !== 'function') {
    if (READ_ONLY_TYPES.has(c.rt.id) && op !== 'query' && op !== 'get') {
      throw new MethodNotAllowedError(`${c.rt.name} resources are read-only`);
    }
    throw new NotImplementedError(`${c.rt.name} ${String(op)} is not supported by this connector`);
  }
}

function header(req: ScimRequest, name: string): string | undefined {
  const v = req.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

function finish(c: ResourceCall, r: ScimResource, withVersion = true): ScimResource {
  return finishResource(c.registry, c.rt, r, c.base, withVersion);
}

async function current(c: ResourceCall, id: string): Promise<ScimResource> {
  need(c, 'get');
  const r = await c.ops.get(id, c.ctx, {});
  if (!r) throw new NotFoundError(`${c.rt.name} "${id}" not found`);
  return finish(c, r);
}

/**
 * Checks `If-Match`; returns the current resource when it had to be read. A resource that keeps
 * versions itself (`capabilities.etag`) gets the condition as `ctx.ifMatch` and applies it with
 * the write, atomically; the others are checked here by reading first.
 */
async function checkIfMatch(c: ResourceCall, id: string): Promise<ScimResource | undefined> {
  const ifMatch = header(c.request, 'if-match');
  const ifNoneMatch = header(c.request, 'if-none-match');
  if (ifNoneMatch) {
    // RFC 9110 §13.1.2: a write on condition that the resource has no version listed (`*`: that it
    // does not exist) fails when it has one. Read first, then any If-Match as below.
    const cur = await current(c, id);
    if (etagMatches(ifNoneMatch, cur.meta?.version)) throw new PreconditionFailedError();
    if (!ifMatch) return cur;
  }
  if (!ifMatch) return undefined;
  if (c.ops.capabilities?.etag) {
    // The host's context is not the core's to change (see ownContext): the condition goes on a copy.
    // The connector compares its own versions: the digest of `groups` a served ETag carries
    // (servedVersion) is not part of them.
    const ctx = ownContext(c.ctx);
    ctx.ifMatch = connectorTags(ifMatch);
    c.ctx = ctx;
    c.request = { ...c.request, context: ctx };
    // One tag (or `*`), as clients send it, is the connector's to apply; a list is also checked here.
    if (!ifMatch.includes(',')) return undefined;
  }
  const cur = await current(c, id);
  const version = cur.meta?.version;
  if (!etagMatches(connectorTags(ifMatch), version === undefined ? undefined : connectorTags(version)))
    throw new PreconditionFailedError();
  return cur;
}

function single(c: ResourceCall, r: ScimResource, status: number, projection?: Projection, withVersion = true): ScimResponse {
  const done = finish(c, r, withVersion);
  const headers = { ...c.headers };
  if (done.meta?.version) headers.etag = done.meta.version;
  if (status === 201 && done.meta?.location) headers.location = done.meta.location;
  return { status, headers, body: projection ? projection.apply(done) : done };
}

/** Binds list parameters to a resource type (filter canonicalized, page clamped). */
function bind(c: ResourceCall, p: ListParams) {
  const limits = c.options.pagination ?? {};
  const max = limits.maxPageSize ?? 1000;
  let count = p.count;
  if (count !== undefined) count = Math.min(Math.max(count, 0), max);
  else count = limits.defaultPageSize ?? 100;
  const startIndex = p.startIndex === undefined ? undefined : Math.max(1, p.startIndex);
  const folded =
    p.filter !== undefined && p.filter.trim() !== ''
      ? foldDerivedMeta(canonicalFilter(c.registry, c.rt, parseFilterParam(p.filter, c.options.filterLimits)), c.rt, c.base)
      : true;
  const filter = typeof folded === 'boolean' ? undefined : folded;
  const sort = p.sortBy
    ? { path: canonicalSortPath(c.registry, c.rt, p.sortBy), order: p.sortOrder ?? ('ascending' as const) }
    : undefined;
  return {
    filter,
    /** The filter matches nothing whatever is stored (`meta.resourceType eq "Group"` on /Users). */
    none: folded === false,
    sort,
    startIndex,
    count,
    cursor: p.cursor,
    attributes: p.attributes,
    excludedAttributes: p.excludedAttributes,
  };
}

/** GET /Users, POST /Users/.search. */
export async function listOp(c: ResourceCall, p: ListParams): Promise<ScimResponse> {
  need(c, 'query');
  const q = bind(c, p);
  const projection = new Projection(c.registry, c.rt, p);
  const page = q.none ? { resources: [], totalResults: 0 } : await runQuery(c.ops, q, c.registry.resolver(c.rt), c.ctx);
  const extra: Record<string, unknown> = {};
  if (page.nextCursor) extra.nextCursor = page.nextCursor;
  if (page.previousCursor) extra.previousCursor = page.previousCursor;
  const resources = page.resources.map((r) => finishResource(c.registry, c.rt, r, c.base, false, projection));
  return {
    status: 200,
    headers: { ...c.headers },
    body: listResponse(resources, page.totalResults, q.cursor === undefined ? (page.startIndex ?? 1) : undefined, extra),
  };
}

/** GET /Users/{id}. */
export async function getOp(c: ResourceCall, id: string, p: ListParams): Promise<ScimResponse> {
  const projection = new Projection(c.registry, c.rt, p);
  need(c, 'get');
  const r = await c.ops.get(id, c.ctx, { attributes: p.attributes, excludedAttributes: p.excludedAttributes });
  if (!r) throw new NotFoundError(`${c.rt.name} "${id}" not found`);
  // A version the gateway computes covers what the connector returned. Asked for part of the
  // resource, a connector may return only that part, and a tag of the part would never match the
  // whole resource a write's If-Match is checked against: such a read carries no ETag (a connector
  // that keeps its own versions, in meta.version, still gives one).
  const partial = (p.attributes?.length ?? 0) > 0 || (p.excludedAttributes?.length ?? 0) > 0;
  const res = single(c, r, 200, projection, !partial || (isObject(r.meta) && r.meta.version !== undefined));
  const inm = header(c.request, 'if-none-match');
  if (inm && etagMatches(inm, res.headers.etag)) return { status: 304, headers: res.headers };
  // RFC 9110 §13.1.1: a read on condition of a version the resource does not have fails.
  const im = header(c.request, 'if-match');
  // (A part of the resource carries no version to compare: only `*` is decided then.)
  if (im && (res.headers.etag !== undefined || im.trim() === '*') && !etagMatches(im, res.headers.etag))
    throw new PreconditionFailedError();
  return res;
}

function parseBody(c: ResourceCall): unknown {
  const b = c.request.body;
  if (b === undefined || b === null || b === '') throw new InvalidSyntaxError('Request body is empty');
  return b;
}

/** POST /Users. */
export async function createOp(c: ResourceCall, p: ListParams): Promise<ScimResponse> {
  need(c, 'create');
  const doc = normalizeResource(c.registry, c.rt, parseBody(c), quirkOpts(c));
  const created = await c.ops.create(doc, c.ctx);
  return single(c, created, 201, new Projection(c.registry, c.rt, p));
}

/** The client-dialect callback and the unknown-attribute policy of this request. */
function quirkOpts(c: ResourceCall) {
  const cb = c.options.onQuirk;
  const seen = c.options.onUnknownAttribute;
  const request = c.request;
  // Runs for every write: two fixed-shape literals rather than a conditional spread, and no
  // reporting closure when nobody listens.
  const onUnknownAttribute = unknownAttributeHandler(
    c.options.unknownAttributes ?? 'ignore',
    seen ? (path) => seen(path, request) : undefined,
  );
  return cb ? { onQuirk: (q: Parameters<typeof cb>[0]) => cb(q, request), onUnknownAttribute } : { onUnknownAttribute };
}

/** Shallow-merges `body` over `cur` (extensions merged one level down) for `usePutSoftSync`. */
function softMerge(cur: ScimResource, body: ScimResource): ScimResource {
  const out: ScimResource = { ...cur };
  delete out.meta;
  for (const [k, v] of Object.entries(body)) {
    out[k] = isObject(v) && isObject(out[k]) && /^urn:/i.test(k) ? { ...(out[k] as object), ...v } : v;
  }
  return out;
}

/** Changes that turn `cur` into `next` (used when a connector has `modify` but no `replace`). */
function diffToChanges(registry: SchemaRegistry, rt: ResourceTypeDefinition, cur: ScimResource, next: ScimResource): Change[] {
  const changes: Change[] = [];
  const walk = (from: Record<string, unknown>, to: Record<string, unknown>, extension?: string) => {
    const keys = new Set([...Object.keys(from), ...Object.keys(to)]);
    for (const k of keys) {
      if (!extension && (k === 'id' || k === 'meta' || k === 'schemas')) continue;
      const ext = extension ? undefined : registry.canonicalUrn(rt, k);
      if (ext && ext !== rt.schema) {
        walk(isObject(from[k]) ? from[k] : {}, isObject(to[k]) ? to[k] : {}, ext);
        continue;
      }
      const def = registry.resolve(rt, extension ? { uri: extension, attr: k } : { attr: k })?.attrDef;
      if (def?.mutability === 'readOnly') continue;
      const path = extension ? { extension, attr: k } : { attr: k };
      // A write-only attribute (`password`) left out of a PUT is kept: no client can send back
      // what it never reads.
      if (to[k] === undefined && (def?.mutability === 'writeOnly' || def?.returned === 'never')) continue;
      if (to[k] === undefined) changes.push({ op: 'remove', path });
      else if (JSON.stringify(from[k]) !== JSON.stringify(to[k])) changes.push({ op: 'replace', path, value: to[k] });
    }
  };
  walk(cur, next);
  return changes;
}

/**
 * Runs a read-modify-write of one resource in its lane (see ResourceLanes): writes that the core
 * itself merges into what it read are ordered per resource, so none writes away another.
 */
function inLane<T>(c: ResourceCall, id: string, work: () => Promise<T>): Promise<T> {
  return c.lanes.run(`${c.ctx.tenant ?? ''}\u0000${c.rt.id}\u0000${id}`, work);
}

/** PUT /Users/{id}. */
export async function replaceOp(c: ResourceCall, id: string, p: ListParams): Promise<ScimResponse> {
  const body = normalizeResource(c.registry, c.rt, parseBody(c), quirkOpts(c));
  const soft = c.options.usePutSoftSync === true;
  const merges = soft || !c.ops.replace;
  const write = async (): Promise<ScimResource | undefined> => {
    let cur = await checkIfMatch(c, id);
    if (merges && !cur) cur = await current(c, id);
    const doc: ScimResource = { ...(soft && cur ? softMerge(cur, body) : body), id };
    if (c.ops.replace) return c.ops.replace(id, doc, c.ctx);
    if (c.ops.modify && cur) return c.ops.modify(id, diffToChanges(c.registry, c.rt, cur, doc), c.ctx);
    need(c, 'replace');
  };
  const result = merges ? await inLane(c, id, write) : await write();
  return single(c, result ?? (await current(c, id)), 200, new Projection(c.registry, c.rt, p));
}

/** PATCH /Users/{id}. */
export async function patchOp(c: ResourceCall, id: string, p: ListParams): Promise<ScimResponse> {
  const changes = patchToChanges(c.registry, c.rt, parseBody(c), quirkOpts(c));
  let result: ScimResource | undefined;
  if (c.ops.modify) {
    await checkIfMatch(c, id);
    result = await c.ops.modify(id, changes, c.ctx);
  } else if (c.ops.replace && c.ops.get) {
    // Called as a method of the connector's handler, as everywhere (see need).
    const ops = c.ops as ResourceHandler & Required<Pick<ResourceHandler, 'replace'>>;
    result = await inLane(c, id, async () => {
      const base = (await checkIfMatch(c, id)) ?? (await current(c, id));
      const next = applyChanges(base, changes, { registry: c.registry, resourceType: c.rt }).resource;
      delete next.meta;
      return ops.replace(id, next, c.ctx);
    });
  } else {
    await checkIfMatch(c, id);
    need(c, 'modify');
  }
  const groupStatus = c.options.groupPatchStatus ?? 204;
  if (c.rt.id === 'Group' && groupStatus === 204 && p.attributes === undefined) {
    return { status: 204, headers: { ...c.headers } };
  }
  return single(c, result ?? (await current(c, id)), 200, new Projection(c.registry, c.rt, p));
}

/** DELETE /Users/{id}. */
export async function deleteOp(c: ResourceCall, id: string): Promise<ScimResponse> {
  need(c, 'delete');
  await checkIfMatch(c, id);
  await c.ops.delete(id, c.ctx);
  return { status: 204, headers: { ...c.headers } };
}
