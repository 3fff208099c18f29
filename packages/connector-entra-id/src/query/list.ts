/**
 * List queries against a Graph collection, page by page: the SCIM window (`startIndex`/`count`
 * or an RFC 9865 cursor) is read through `$top` and `@odata.nextLink`, one Graph page in memory
 * at a time. What Graph cannot filter exactly is narrowed here while streaming; only a sort
 * Graph cannot do holds results in memory (bounded by `maxLocalResults`).
 */
import { errors, type QueryRequest, type QueryResult, type RequestContext, type ScimResource, type SortSpec } from '@scimgw/core';
import { type FilterNode, matchesFilter, type PathResolver, sortResources } from '@scimgw/core/filter';
import type { GraphClient, GraphTenant } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { GraphOperation } from '../graph/permissions.js';
import type { ODataFilter } from './odata.js';

/** A Graph collection and how its records become SCIM resources. */
export interface CollectionSpec {
  /** `/users`, `/groups`, or a relationship such as `/users/{id}/memberOf/microsoft.graph.group`. */
  path: string;
  /** Relationship collections (and casts) answer filters and sorting only as advanced queries. */
  relationship: boolean;
  select: readonly string[];
  /** `$expand` for plain queries (advanced queries cannot expand). */
  expand?: string | undefined;
  op: GraphOperation;
  toScim(record: Record<string, unknown>): ScimResource | undefined;
  /** Adds relations (groups, roles …) to one page of resources. */
  complete?(resources: ScimResource[], ctx: RequestContext): Promise<void>;
}

/** How a query runs. */
export interface ListPlan {
  odata: ODataFilter;
  /** The SCIM filter to apply again here when Graph's filter is wider. */
  residual?: FilterNode | undefined;
  /** `$orderby` when Graph sorts. */
  orderBy?: string | undefined;
  /** A sort Graph cannot do. */
  localSort?: SortSpec | undefined;
}

/** What {@link runList} needs. */
export interface ListDeps {
  graph: GraphClient;
  pageSize: number;
  maxLocalResults: number;
  resolver: PathResolver;
}

const MAX_TOP = 999;

interface Cursor {
  /** `$skiptoken` of Graph's next page. */
  s?: string;
  /** Offset into the matches (when the connector filters or sorts itself). */
  o?: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new errors.InvalidCursorError(`Invalid cursor "${text.slice(0, 40)}"`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new errors.InvalidCursorError('Invalid cursor');
  const c = parsed as Record<string, unknown>;
  if (c.s !== undefined && (typeof c.s !== 'string' || c.s.length > 4096)) throw new errors.InvalidCursorError('Invalid cursor');
  if (c.o !== undefined && (typeof c.o !== 'number' || !Number.isSafeInteger(c.o) || c.o < 0))
    throw new errors.InvalidCursorError('Invalid cursor');
  return { ...(typeof c.s === 'string' ? { s: c.s } : {}), ...(typeof c.o === 'number' ? { o: c.o } : {}) };
}

function skiptokenOf(nextLink: string): string | undefined {
  try {
    const params = new URL(nextLink).searchParams;
    return params.get('$skiptoken') ?? params.get('$skipToken') ?? undefined;
  } catch {
    return undefined;
  }
}

function isAdvanced(spec: CollectionSpec, plan: ListPlan): boolean {
  if (plan.odata.advanced) return true;
  if (plan.orderBy && plan.odata.filter) return true;
  return (
    spec.relationship &&
    (plan.odata.filter !== undefined || plan.orderBy !== undefined || spec.path.includes('/microsoft.graph.'))
  );
}

function queryString(
  spec: CollectionSpec,
  plan: ListPlan,
  top: number | undefined,
  advanced: boolean,
  skiptoken?: string,
): string {
  const parts: string[] = [];
  if (spec.select.length) parts.push(`$select=${spec.select.join(',')}`);
  if (plan.odata.filter) parts.push(`$filter=${encodeURIComponent(plan.odata.filter)}`);
  if (plan.orderBy) parts.push(`$orderby=${encodeURIComponent(plan.orderBy)}`);
  if (advanced) parts.push('$count=true');
  else if (spec.expand) parts.push(`$expand=${encodeURIComponent(spec.expand)}`);
  if (top !== undefined) parts.push(`$top=${Math.max(1, Math.min(MAX_TOP, top))}`);
  if (skiptoken !== undefined) parts.push(`$skiptoken=${encodeURIComponent(skiptoken)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Pages of SCIM resources (mapped, completed), with Graph's count and next link. */
async function* resourcePages(
  deps: ListDeps,
  tenant: GraphTenant,
  spec: CollectionSpec,
  path: string,
  advanced: boolean,
  ctx: RequestContext,
  cursorMode: boolean,
): AsyncGenerator<{ resources: ScimResource[]; count: number | undefined; nextLink: string | undefined }> {
  try {
    for await (const page of deps.graph.pages(
      tenant,
      { path, op: spec.op, ...(advanced ? { headers: { ConsistencyLevel: 'eventual' } } : {}) },
      ctx,
    )) {
      const resources: ScimResource[] = [];
      for (const item of page.items) {
        const r = spec.toScim(item);
        if (r) resources.push(r);
      }
      yield { resources, count: page.count, nextLink: page.nextLink };
    }
  } catch (e) {
    // A stale or forged skiptoken is Graph's 400 on the first call.
    if (cursorMode && e instanceof errors.InvalidValueError) throw new errors.InvalidCursorError(e.detail);
    throw e;
  }
}

async function totalOf(
  deps: ListDeps,
  tenant: GraphTenant,
  spec: CollectionSpec,
  plan: ListPlan,
  ctx: RequestContext,
): Promise<number> {
  const filter = plan.odata.filter ? `?$filter=${encodeURIComponent(plan.odata.filter)}` : '';
  const res = await deps.graph.call<unknown>(
    tenant,
    { method: 'GET', path: `${spec.path}/$count${filter}`, op: spec.op, headers: { ConsistencyLevel: 'eventual' } },
    ctx,
  );
  const n = Number(typeof res.body === 'string' ? res.body.trim() : res.body);
  if (!Number.isSafeInteger(n) || n < 0) throw new errors.ScimError(502, 'Microsoft Graph answered a count that is not a number');
  return n;
}

/** Graph filters and pages exactly: the SCIM window maps onto Graph pages. */
async function native(
  deps: ListDeps,
  tenant: GraphTenant,
  spec: CollectionSpec,
  plan: ListPlan,
  request: QueryRequest,
  ctx: RequestContext,
): Promise<QueryResult> {
  const advanced = isAdvanced(spec, plan);
  const count = request.count;
  if (request.cursor !== undefined) {
    const cursor = decodeCursor(request.cursor);
    if (cursor.o !== undefined) throw new errors.InvalidCursorError('Invalid cursor for this query');
    const top = count === undefined || count === 0 ? deps.pageSize : count;
    const path = `${spec.path}${queryString(spec, plan, top, advanced, cursor.s)}`;
    const first = await resourcePages(deps, tenant, spec, path, advanced, ctx, cursor.s !== undefined).next();
    const page = first.done ? { resources: [], count: 0, nextLink: undefined } : first.value;
    const token = page.nextLink ? skiptokenOf(page.nextLink) : undefined;
    const total =
      page.count ??
      (cursor.s === undefined && !page.nextLink ? page.resources.length : await totalOf(deps, tenant, spec, plan, ctx));
    const resources = count === 0 ? [] : page.resources;
    await spec.complete?.(resources, ctx);
    return { resources, totalResults: total, ...(token && count !== 0 ? { nextCursor: encodeCursor({ s: token }) } : {}) };
  }
  const start = (request.startIndex ?? 1) - 1;
  const want = count ?? deps.maxLocalResults;
  const top = count === 0 ? 1 : Math.min(MAX_TOP, start + want);
  const out: ScimResource[] = [];
  let seen = 0;
  let total: number | undefined;
  let ended = false;
  const path = `${spec.path}${queryString(spec, plan, top, advanced)}`;
  for await (const page of resourcePages(deps, tenant, spec, path, advanced, ctx, false)) {
    total ??= page.count;
    for (const r of page.resources) {
      if (seen >= start && out.length < want) out.push(r);
      seen++;
    }
    if (!page.nextLink) ended = true;
    if (out.length >= want || count === 0) break;
  }
  if (count === undefined && !ended && total === undefined) {
    throw new errors.TooManyError(`More than ${deps.maxLocalResults} results; page the query with count`);
  }
  total ??= ended ? seen : await totalOf(deps, tenant, spec, plan, ctx);
  await spec.complete?.(out, ctx);
  return { resources: out, totalResults: total };
}

/** Graph returns a superset: stream it, keep the matches in the window, count them all. */
async function scan(
  deps: ListDeps,
  tenant: GraphTenant,
  spec: CollectionSpec,
  plan: ListPlan,
  request: QueryRequest,
  ctx: RequestContext,
): Promise<QueryResult> {
  const advanced = isAdvanced(spec, plan);
  const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
  if (cursor?.s !== undefined) throw new errors.InvalidCursorError('Invalid cursor for this query');
  const offset = cursor ? (cursor.o ?? 0) : (request.startIndex ?? 1) - 1;
  const want = request.count ?? deps.maxLocalResults;
  const out: ScimResource[] = [];
  let matches = 0;
  const path = `${spec.path}${queryString(spec, plan, deps.pageSize, advanced)}`;
  for await (const page of resourcePages(deps, tenant, spec, path, advanced, ctx, false)) {
    for (const r of page.resources) {
      if (plan.residual && !matchesFilter(plan.residual, r, deps.resolver)) continue;
      if (matches >= offset && out.length < want) out.push(r);
      matches++;
    }
  }
  if (request.count === undefined && matches > deps.maxLocalResults) {
    throw new errors.TooManyError(`More than ${deps.maxLocalResults} results; page the query with count`);
  }
  await spec.complete?.(out, ctx);
  const result: QueryResult = { resources: request.count === 0 ? [] : out, totalResults: matches };
  if (cursor && offset + out.length < matches && request.count !== 0)
    result.nextCursor = encodeCursor({ o: offset + out.length });
  if (cursor && offset > 0) result.previousCursor = encodeCursor({ o: Math.max(0, offset - want) });
  return result;
}

/** A sort Graph cannot do: hold the matches (bounded), sort, cut the window. */
async function sorted(
  deps: ListDeps,
  tenant: GraphTenant,
  spec: CollectionSpec,
  plan: ListPlan,
  request: QueryRequest,
  ctx: RequestContext,
): Promise<QueryResult> {
  const advanced = isAdvanced(spec, plan);
  const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
  if (cursor?.s !== undefined) throw new errors.InvalidCursorError('Invalid cursor for this query');
  const all: ScimResource[] = [];
  const path = `${spec.path}${queryString(spec, plan, deps.pageSize, advanced)}`;
  for await (const page of resourcePages(deps, tenant, spec, path, advanced, ctx, false)) {
    for (const r of page.resources) {
      if (plan.residual && !matchesFilter(plan.residual, r, deps.resolver)) continue;
      all.push(r);
      if (all.length > deps.maxLocalResults) {
        throw new errors.TooManyError(
          `Sorting by this attribute needs every match in memory; more than ${deps.maxLocalResults} match. Narrow the filter or sort by userName/displayName`,
        );
      }
    }
  }
  const sort = plan.localSort as SortSpec;
  const ordered = sortResources(all, sort.path, sort.order, deps.resolver);
  const offset = cursor ? (cursor.o ?? 0) : (request.startIndex ?? 1) - 1;
  const want = request.count ?? ordered.length;
  const out = ordered.slice(offset, offset + want);
  await spec.complete?.(out, ctx);
  const result: QueryResult = { resources: request.count === 0 ? [] : out, totalResults: ordered.length };
  if (cursor && offset + out.length < ordered.length && request.count !== 0)
    result.nextCursor = encodeCursor({ o: offset + out.length });
  if (cursor && offset > 0) result.previousCursor = encodeCursor({ o: Math.max(0, offset - want) });
  return result;
}

/** Runs a list query: Graph pages natively where it can, the connector narrows or sorts otherwise. */
export async function runList(
  deps: ListDeps,
  tenant: GraphTenant,
  spec: CollectionSpec,
  plan: ListPlan,
  request: QueryRequest,
  ctx: RequestContext,
): Promise<QueryResult> {
  if (plan.odata.none) return { resources: [], totalResults: 0 };
  try {
    if (plan.localSort) return await sorted(deps, tenant, spec, plan, request, ctx);
    if (plan.residual) return await scan(deps, tenant, spec, plan, request, ctx);
    return await native(deps, tenant, spec, plan, request, ctx);
  } catch (e) {
    throw e instanceof GraphError ? deps.graph.translate(e, tenant, spec.op) : e;
  }
}
