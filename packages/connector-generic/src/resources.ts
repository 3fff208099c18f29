/** User and Group operations against one collection (`/Users`, `/Groups`) of the target. */
import {
  type Change,
  errors,
  type GetOptions,
  type QueryRequest,
  type QueryResult,
  type RequestContext,
  type ResourceHandler,
  type ScimResource,
} from '@scimgw/core';
import { matchesFilter, type PathResolver, sortResources } from '@scimgw/core/filter';
import { type HelperRest, type RequestOptions, RestError, restErrorToScimError, UpstreamError } from '@scimgw/helper-rest';
import type { Mapper } from '@scimgw/mapper';
import type { TargetScimVersion, TargetSupport } from './config.js';
import { KeptResources } from './kept.js';
import { pathsOf, projectionCache, type TargetProjection } from './projection.js';
import type { KnownById } from './known.js';
import { listRanges, loneObject, type ObjectRange } from './scan.js';
import { planTargetQuery, queryString } from './query.js';
import { keysToResolve, resolveRemovals } from './removals-11.js';
import { fromTarget, keyFor, patch11, patch20, toTarget } from './scim-version.js';
import { isObject } from './json.js';

/** What one collection needs. */
export interface CollectionDeps {
  rest: HelperRest;
  mapper: Mapper;
  resourceType: 'User' | 'Group';
  /** Path at the target, e.g. `/Users`. */
  path: string;
  versionFor(tenant: string | undefined): TargetScimVersion;
  supportFor(tenant: string | undefined): Required<TargetSupport>;
  pageSize: number;
  /** Resolver of the connector's (generated) schemas, for local filtering and sorting. */
  resolver(): PathResolver;
}

/**
 * The mapped resource, with the target's `meta.version` when it has one: a version of the whole
 * target record stays right for any projection of it, and spares the core hashing every answer.
 */
function withVersion(resource: ScimResource | undefined, rec: Record<string, unknown>): ScimResource | undefined {
  const meta = rec.meta;
  if (!resource || !isObject(meta) || typeof meta.version !== 'string' || meta.version === '') return resource;
  // The mapper built this resource: its meta object is its own to extend.
  if (isObject(resource.meta)) resource.meta.version = meta.version;
  else resource.meta = { version: meta.version };
  return resource;
}

const decoder = new TextDecoder();

/** What stands for a list's elements when the text around them is parsed. */
const EMPTY_LIST = Buffer.from('[]');

/** Bytes that are no JSON (a parse that failed), as distinct from JSON that is no resource. */
const INVALID: unique symbol = Symbol('invalid JSON');

/** JSON text of `bytes` parsed, or {@link INVALID} (the helper's decoding: UTF-8, invalid bytes replaced). */
function parseBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return INVALID;
  }
}

/**
 * A Buffer over the same memory (undici hands out Buffers, a fetch transport Uint8Arrays), or
 * undefined for a body already parsed (a `rest` client of the caller's that ignores `responseType`).
 */
function asBuffer(b: unknown): Buffer | undefined {
  if (Buffer.isBuffer(b)) return b;
  if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return undefined;
}

/**
 * An HTML page: what a proxy, a sign-in portal or a web server's unknown path answers, never a
 * SCIM service. Taken for "no such resource" or "no match", it would make an IdP create again
 * what exists (Entra ID looks up before it creates), or pass a connection test against a wrong URL.
 */
function isHtml(headers: Headers | undefined, body: unknown): boolean {
  const head = typeof body === 'string' ? body.slice(0, 64) : asBuffer(body)?.subarray(0, 64).toString('latin1');
  // Nothing is no page, whatever the content type says (some servers send text/html on a 204).
  if (head === undefined || head.trim() === '') return false;
  return head.trimStart().startsWith('<') || /html/i.test(headers?.get('content-type') ?? '');
}

/** A 404/410 that is the target's own: any body but an HTML page (see {@link isHtml}). */
function isGone(e: unknown): boolean {
  return e instanceof RestError && (e.status === 404 || e.status === 410) && !isHtml(e.headers, e.body);
}

/** The 502 for an answer that is an HTML page or not a SCIM answer at all. */
function notScim(what: string, e?: RestError, hint?: string): UpstreamError {
  const status = e ? ` (HTTP ${e.status})` : '';
  return new UpstreamError(
    502,
    `The target answered the ${what}${status} with something that is not a SCIM answer${hint ? `: ${hint}` : ''}`,
    { ...(e ? { cause: e } : {}) },
  );
}

/** What to do about a target that has no PUT. */
const PUT_HINT = 'a target without PUT needs endpoint.targetSupport.put set to false (PUT is then sent as a PATCH)';

/** A resource or record with an id (SCIM ids are strings; a number is taken as the target wrote it). */
function hasId(r: Record<string, unknown>): boolean {
  return (typeof r.id === 'string' && r.id !== '') || (typeof r.id === 'number' && Number.isFinite(r.id));
}

/** A list answer: an object with a `Resources` array or an integer `totalResults` (RFC 7644 §3.4.2). */
function isListAnswer(body: unknown): boolean {
  return isObject(body) && (Array.isArray(body.Resources) || toInt(body.totalResults) !== undefined);
}

/** Attributes whose elements carry a `$ref` to another resource at the target. */
const REF_LISTS = ['members', 'groups'] as const;

/** The resource type a target's member `$ref` names (`…/Users/<id>`, `…/Groups/<id>`), if either. */
const REF_TYPE = /\/(Users|Groups)\/[^/?#]+\/?(?:[?#].*)?$/;

/**
 * The resource without the target's `$ref`s in `members` and `groups`: they are URLs at the
 * target, which clients of this gateway must not see or follow. The core gives each element a
 * `$ref` of this gateway's own (to a member that names its `type`, and to each of a user's
 * groups). A member whose target gave a `$ref` but no `type` (many services leave `type` out, and
 * SCIM 1.1 has none) is given the `type` its `$ref` names, so it keeps a `$ref` here too. Returns
 * the resource itself when it has no `$ref`s.
 */
export function withoutTargetRefs<T extends Record<string, unknown> | undefined>(r: T): T {
  if (r === undefined) return r;
  let out: Record<string, unknown> | undefined;
  for (const k of REF_LISTS) {
    const list = r[k];
    if (!Array.isArray(list) || !list.some((e) => e !== null && typeof e === 'object' && '$ref' in e)) continue;
    out ??= { ...r };
    out[k] = list.map((e) => {
      if (e === null || typeof e !== 'object' || !('$ref' in e)) return e;
      const { $ref: ref, ...rest } = e as Record<string, unknown>;
      if (k === 'members' && rest.type === undefined && typeof ref === 'string') {
        const named = REF_TYPE.exec(ref)?.[1];
        if (named !== undefined) rest.type = named === 'Users' ? 'User' : 'Group';
      }
      return rest;
    });
  }
  return (out ?? r) as T;
}

function isNotFound(e: unknown): boolean {
  return e instanceof RestError && e.status === 404 && !isHtml(e.headers, e.body);
}

function toInt(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Headers of a request without a body (a GET, a DELETE): what it accepts, and no content type. */
const SCIM_HEADERS = { accept: 'application/scim+json, application/json' };
/** Headers of a request with a body. */
const SCIM_BODY_HEADERS = { ...SCIM_HEADERS, 'content-type': 'application/scim+json' };

/** Reads are answered as bytes: the connector finds its resources in them (see scan.ts). */
const READ_OPTIONS = { headers: SCIM_HEADERS, responseType: 'bytes' as const };

/**
 * Values (records and their mapped resources counted together) a collection keeps mapped between
 * reads: about 10,000 users of a usual size.
 */
const KEPT_WEIGHT = 200_000;

/** Builds the operations of one collection. */
export function collectionOperations(d: CollectionDeps): ResourceHandler {
  const { rest, mapper } = d;
  const url = (id?: string) => (id === undefined ? d.path : `${d.path}/${encodeURIComponent(id)}`);
  const mapped = (rec: Record<string, unknown>) => withVersion(withoutTargetRefs(mapper.toScim(rec)), rec);
  const targetProjection = projectionCache(mapper);
  const kept = new KeptResources(KEPT_WEIGHT);

  const send = async (ctx: RequestContext, method: string, path: string, body?: unknown) => {
    let res: Awaited<ReturnType<HelperRest['doRequest']>>;
    try {
      res = await rest.doRequest(ctx.tenant, method, path, body, ctx, {
        headers: body === undefined ? SCIM_HEADERS : SCIM_BODY_HEADERS,
      });
    } catch (e) {
      // A 404 page (not a SCIM 404) or a refused method: the target has no such route, and the
      // resource is not gone. A client told 404 would take it as deleted and create it again.
      if (e instanceof RestError && ((e.status === 404 && isHtml(e.headers, e.body)) || e.status === 405 || e.status === 501))
        throw notScim(`${method} write`, e, method === 'PUT' ? PUT_HINT : undefined);
      throw restErrorToScimError(e);
    }
    // A 2xx HTML page is a proxy's or a sign-in portal's, not the target's: a DELETE taken as done
    // would tell the IdP a user is gone that is not.
    if (isHtml(res.headers, res.body)) throw notScim(method === 'DELETE' ? 'delete' : `${method} write`);
    return res;
  };

  /** The target's answer to a read of one resource (its body), or undefined when it does not exist. */
  const readOne = async (
    id: string,
    ctx: RequestContext,
    projection: TargetProjection,
    options: RequestOptions,
  ): Promise<{ body: unknown } | undefined> => {
    let res: { body: unknown; headers: Headers };
    try {
      res = await rest.doRequest(ctx.tenant, 'GET', `${url(id)}${queryString({ ...projection })}`, undefined, ctx, options);
    } catch (e) {
      if (isGone(e)) return undefined;
      if (e instanceof RestError && (e.status === 404 || e.status === 410)) throw notScim(`read of ${d.resourceType} "${id}"`, e);
      throw restErrorToScimError(e);
    }
    if (isHtml(res.headers, res.body)) throw notScim(`read of ${d.resourceType} "${id}"`);
    return res;
  };

  /** The target's record (2.0 JSON), or undefined when it does not exist. */
  const readRecord = async (
    id: string,
    ctx: RequestContext,
    projection: TargetProjection = {},
  ): Promise<Record<string, unknown> | undefined> => {
    const res = await readOne(id, ctx, projection, { headers: SCIM_HEADERS });
    return res && fromTarget(res.body, d.versionFor(ctx.tenant));
  };

  const view = (body: unknown, ctx: RequestContext): ScimResource | undefined => {
    const rec = fromTarget(body, d.versionFor(ctx.tenant));
    return rec ? mapped(rec) : undefined;
  };

  /**
   * A record a read returned, mapped: the same frozen resource as last time when the target sent
   * the same record again (see {@link KeptResources}; writes map what they get back afresh).
   */
  const readView = (body: unknown, ctx: RequestContext): ScimResource | undefined => {
    const rec = fromTarget(body, d.versionFor(ctx.tenant));
    return rec ? kept.resolve(ctx.tenant, rec, mapped) : undefined;
  };

  /**
   * The record at `r` in an answer's bytes, mapped; {@link INVALID} when its bytes are no JSON.
   * Bytes the kept resource of its id was mapped from are neither decoded nor parsed again.
   */
  const rangeView = (
    buf: Buffer,
    r: ObjectRange<ScimResource | undefined>,
    ctx: RequestContext,
  ): ScimResource | undefined | typeof INVALID => {
    if (r.known) return r.value;
    const bytes = buf.subarray(r.start, r.end);
    const parse = () => {
      const body = parseBytes(bytes);
      return body === INVALID ? INVALID : fromTarget(body, d.versionFor(ctx.tenant));
    };
    if (r.idStart < 0) {
      const rec = parse();
      return rec === INVALID || rec === undefined ? rec : kept.resolve(ctx.tenant, rec, mapped);
    }
    const id = decoder.decode(buf.subarray(r.idStart, r.idEnd));
    return kept.resolveBytes(ctx.tenant, id, bytes, parse, mapped);
  };

  /** Kept resources of the tenant, found in an answer by their bytes: neither scanned nor parsed (see known.ts). */
  const knownIn =
    (tenant: string | undefined): KnownById<ScimResource | undefined> =>
    (b, idStart, idEnd) =>
      kept.knownById(tenant, b, idStart, idEnd);

  /** A read by id's answer (bytes), mapped. */
  const bytesView = (body: unknown, ctx: RequestContext): ScimResource | undefined => {
    const buf = asBuffer(body);
    if (buf === undefined) return readView(body, ctx);
    const r = loneObject(buf, knownIn(ctx.tenant));
    const out = r ? rangeView(buf, r, ctx) : INVALID;
    if (out !== INVALID) return out;
    const whole = parseBytes(buf);
    return whole === INVALID ? undefined : readView(whole, ctx);
  };

  /**
   * A list answer (bytes): its `totalResults` and resources. The text around `Resources` is parsed
   * with the list left empty, each element on its own (or not at all: a record known by its bytes,
   * see known.ts and rangeView); anything the scan does not find as expected is parsed whole, as
   * the helper would have.
   */
  const listView = (body: unknown, ctx: RequestContext): { body: Record<string, unknown>; resources: ScimResource[] } => {
    const buf = asBuffer(body);
    const ranges = buf && listRanges(buf, knownIn(ctx.tenant));
    if (buf && ranges) {
      const around = parseBytes(Buffer.concat([buf.subarray(0, ranges.open), EMPTY_LIST, buf.subarray(ranges.close)]));
      if (isObject(around)) {
        const resources: ScimResource[] = [];
        let invalid = false;
        for (const r of ranges.elements) {
          const v = rangeView(buf, r, ctx);
          if (v === INVALID) {
            invalid = true;
            break;
          }
          if (v !== undefined) resources.push(v);
        }
        if (!invalid) return { body: around, resources };
      }
    }
    const whole = buf ? parseBytes(buf) : body;
    const parsed = isObject(whole) ? whole : {};
    const list = Array.isArray(parsed.Resources) ? parsed.Resources : [];
    return {
      body: parsed,
      resources: list.map((r) => readView(r, ctx)).filter((r): r is ScimResource => r !== undefined),
    };
  };

  const mustView = (body: unknown, ctx: RequestContext, what: string): ScimResource => {
    const r = view(body, ctx);
    // The target's fault, not the gateway's: 502 with what happened (an Error here became an opaque 500).
    if (!r) throw new UpstreamError(502, `The target answered the ${what} without a usable resource`);
    return r;
  };

  /** Reads the resource as clients see it; a valueMap-hidden resource does not exist. */
  const get = async (id: string, ctx: RequestContext, options: GetOptions = {}): Promise<ScimResource | undefined> => {
    const version = d.versionFor(ctx.tenant);
    const res = await readOne(id, ctx, targetProjection(options, version, d.supportFor(ctx.tenant)), READ_OPTIONS);
    if (!res) return undefined;
    const r = bytesView(res.body, ctx);
    if (r !== undefined ? !hasId(r) : !hiddenRecord(res.body, ctx)) {
      // An empty 200, text, a list, an object without an id: not the resource, and not its absence.
      throw new UpstreamError(502, `The target answered the read of ${d.resourceType} "${id}" without a usable resource`);
    }
    return r;
  };

  /** True when `body` is a record with an id that the mapping hides (a valueMap allowlist): absent for clients. */
  const hiddenRecord = (body: unknown, ctx: RequestContext): boolean => {
    const buf = asBuffer(body);
    const rec = fromTarget(buf ? parseBytes(buf) : body, d.versionFor(ctx.tenant));
    return rec !== undefined && hasId(rec) && mapper.toScim(rec) === undefined;
  };

  // Attributes that decide visibility: single-valued entries with a hiding valueMap.
  const visibilityKeys = mapper.attributes.filter((a) => a.hides).map((a) => a.endpoint);

  const mustBeVisible = async (id: string, ctx: RequestContext) => {
    // Only allowlists can hide a resource; without one, the target's own 404 is enough. Read just the
    // deciding attributes, so a membership change never reads the member list.
    if (!mapper.hidesResources) return;
    const attributes = visibilityKeys.map((k) => keyFor(k, d.versionFor(ctx.tenant))).join(',');
    const rec = await readRecord(id, ctx, { attributes });
    if (!rec || !mapper.toScim(rec)) throw new errors.NotFoundError(`${d.resourceType} "${id}" not found`);
  };

  const query = async (req: QueryRequest, ctx: RequestContext): Promise<QueryResult> => {
    const version = d.versionFor(ctx.tenant);
    const support = d.supportFor(ctx.tenant);
    const plan = planTargetQuery(mapper, req, version, support);
    if (plan.none) return { resources: [], totalResults: 0 };
    const sortOk = !req.sort || plan.sortBy !== undefined;
    const exact = plan.exact && sortOk && (support.paging || req.count === undefined);
    // What the connector filters or sorts itself must come back from the target whatever the client projected.
    const projection = targetProjection(req, version, support, exact ? [] : pathsOf(req.filter, req.sort));
    const base = { filter: plan.filter, sortBy: plan.sortBy, sortOrder: plan.sortOrder, ...projection };
    // A SCIM 1.1 service (and the odd 2.0 one) answers a filter that matches nothing with 404;
    // RFC 7644 §3.4.2 wants 200 and an empty list, which is what Entra's lookup-before-create expects.
    const filtered = plan.filter !== undefined;

    if (exact) {
      const page = support.paging ? { startIndex: req.startIndex, count: req.count } : {};
      let res: Awaited<ReturnType<typeof send>>;
      try {
        res = await rest.doRequest(
          ctx.tenant,
          'GET',
          `${d.path}${queryString({ ...base, ...page })}`,
          undefined,
          ctx,
          READ_OPTIONS,
        );
      } catch (e) {
        if (filtered && isNotFound(e)) return { resources: [], totalResults: 0 };
        if (e instanceof RestError && e.status === 404 && isHtml(e.headers, e.body)) throw notScim('query', e);
        throw restErrorToScimError(e);
      }
      if (isHtml(res.headers, res.body)) throw notScim('query');
      const { body, resources } = listView(res.body, ctx);
      // An empty 200 or any other JSON is not "no match": an IdP told so creates what may exist.
      if (!isListAnswer(body)) throw notScim('query');
      return { resources, totalResults: toInt(body.totalResults) ?? resources.length };
    }

    // The target cannot answer exactly: read every page it can narrow down, finish here.
    let all: unknown[];
    try {
      all = support.paging
        ? await rest.getAllPagesScim(ctx.tenant, `${d.path}${queryString(base)}`, ctx, {
            pageSize: d.pageSize,
            headers: SCIM_HEADERS,
            notFoundIsEmpty: filtered,
          })
        : ((b) => {
            if (!isListAnswer(b)) throw notScim('query');
            return Array.isArray((b as Record<string, unknown>).Resources)
              ? ((b as Record<string, unknown>).Resources as unknown[])
              : [];
          })(
            (await rest.doRequest(ctx.tenant, 'GET', `${d.path}${queryString(base)}`, undefined, ctx, { headers: SCIM_HEADERS }))
              .body,
          );
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      if (e instanceof RestError && e.status === 404 && isHtml(e.headers, e.body)) throw notScim('query', e);
      if (!(filtered && isNotFound(e))) throw restErrorToScimError(e);
      all = [];
    }
    const resolve = d.resolver();
    let matched = all
      .map((r) => readView(r, ctx))
      .filter((r): r is ScimResource => r !== undefined && (plan.exact || !req.filter || matchesFilter(req.filter, r, resolve)));
    if (req.sort && !plan.sortBy) matched = sortResources(matched, req.sort.path, req.sort.order, resolve);
    const start = Math.max(1, req.startIndex ?? 1) - 1;
    const end = req.count === undefined ? matched.length : start + req.count;
    return { resources: matched.slice(start, end), totalResults: matched.length };
  };

  const modify = async (id: string, changes: Change[], ctx: RequestContext): Promise<ScimResource | undefined> => {
    await mustBeVisible(id, ctx);
    let current: ScimResource | undefined;
    if (mapper.needsCurrent(changes)) {
      current = await get(id, ctx);
      if (!current) throw new errors.NotFoundError(`${d.resourceType} "${id}" not found`);
    }
    const version = d.versionFor(ctx.tenant);
    let mod = mapper.changesToEndpoint(changes, { current });
    const toResolve = version === '1.1' ? keysToResolve(mapper, mod.remove) : [];
    if (toResolve.length) {
      // 1.1 deletes an element by its value: read the elements a selector means (see removals-11.ts).
      const rec = await readRecord(id, ctx, { attributes: toResolve.map((k) => keyFor(k, version)).join(',') });
      if (!rec) throw new errors.NotFoundError(`${d.resourceType} "${id}" not found`);
      mod = { ...mod, remove: resolveRemovals(mapper, mod.remove, rec) };
    }
    const empty = !mod.clear.length && ![mod.set, mod.add, mod.remove].some((o) => Object.keys(o).length);
    if (empty) return current;
    const body = version === '1.1' ? patch11(mapper, mod) : patch20(mapper, mod);
    const res = await send(ctx, 'PATCH', url(id), body);
    // 204 (or a body without the resource): let the core read it back when the client needs it.
    return res.status === 204 || !isObject(res.body) || res.body.id === undefined ? undefined : view(res.body, ctx);
  };

  const replace = async (id: string, resource: ScimResource, ctx: RequestContext): Promise<ScimResource> => {
    const cur = await readRecord(id, ctx);
    if (!cur || !mapper.toScim(cur)) throw new errors.NotFoundError(`${d.resourceType} "${id}" not found`);
    // PUT replaces what the mapping covers; target attributes the mapping does not know are kept.
    const next = structuredClone(cur);
    for (const a of mapper.attributes) if (!a.readOnly) mapper.deleteEndpointValue(next, a.endpoint);
    delete next.meta;
    for (const [k, v] of Object.entries(mapper.toEndpoint(resource))) {
      if (isObject(v) && isObject(next[k])) Object.assign(next[k] as object, v);
      else next[k] = v;
    }
    const version = d.versionFor(ctx.tenant);
    const res = await send(ctx, 'PUT', url(id), toTarget(next, d.resourceType, version));
    return isObject(res.body) && res.body.id !== undefined ? mustView(res.body, ctx, 'PUT') : ((await get(id, ctx)) ?? resource);
  };

  return {
    query,
    async get(id, ctx, options) {
      return get(id, ctx, options);
    },
    async create(resource, ctx) {
      const version = d.versionFor(ctx.tenant);
      const res = await send(ctx, 'POST', d.path, toTarget(mapper.toEndpoint(resource), d.resourceType, version));
      return mustView(res.body, ctx, 'POST');
    },
    modify,
    replace,
    async delete(id, ctx) {
      await mustBeVisible(id, ctx);
      await send(ctx, 'DELETE', url(id));
    },
  };
}
