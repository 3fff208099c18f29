/**
 * Query execution: pushes to the connector what it declared it can do and
 * does the rest (filter residual, `or` unions, sort, paging, cursors) in core.
 */
import type { QueryRequest, RequestContext, ResourceHandler, ScimResource, SortSpec } from '../contract/types.js';
import { InvalidCursorError } from '../errors.js';
import type { FilterNode } from '../filter/ast.js';
import { matchesFilter, type PathResolver } from '../filter/evaluate.js';
import { type FilterPlan, planFilter } from '../filter/pushdown.js';
import { sortResources } from '../query/sort.js';

/** Bound query, ready to run against one resource type. */
export interface BoundQuery {
  filter?: FilterNode | undefined;
  sort?: SortSpec | undefined;
  /** 1-based; undefined means "from the start". */
  startIndex?: number | undefined;
  /** Page size (already clamped); undefined means "all". */
  count?: number | undefined;
  /** Cursor paging (RFC 9865): defined (possibly '') when the client asked for cursors. */
  cursor?: string | undefined;
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
}

/** A page of results. */
export interface Page {
  resources: ScimResource[];
  totalResults: number;
  startIndex?: number;
  nextCursor?: string;
  previousCursor?: string;
}

const CURSOR_PREFIX = 'o';

function encodeCursor(offset: number): string {
  return `${CURSOR_PREFIX}${offset.toString(36)}`;
}

function decodeCursor(c: string): number {
  if (c === '') return 0;
  if (!c.startsWith(CURSOR_PREFIX)) throw new InvalidCursorError(`Invalid cursor "${c}"`);
  const n = Number.parseInt(c.slice(1), 36);
  if (!Number.isSafeInteger(n) || n < 0 || encodeCursor(n) !== c) throw new InvalidCursorError(`Invalid cursor "${c}"`);
  return n;
}

/**
 * Gathers every resource matching `filter`, using the resource's native filtering where declared.
 * `plan` is the plan already made for this filter, when the caller made one.
 */
export async function collectMatching(
  handler: ResourceHandler,
  filter: FilterNode | undefined,
  resolve: PathResolver,
  hints: Pick<QueryRequest, 'attributes' | 'excludedAttributes'>,
  ctx: RequestContext,
  plan: FilterPlan = planFilter(filter, handler.capabilities?.filter),
): Promise<ScimResource[]> {
  const query = handler.query as NonNullable<ResourceHandler['query']>;
  if (plan.kind === 'native') {
    return (await query.call(handler, { filter: plan.pushed, ...hints }, ctx)).resources;
  }
  if (plan.kind === 'union') {
    const seen = new Set<string>();
    const out: ScimResource[] = [];
    for (const branch of plan.branches) {
      for (const r of (await query.call(handler, { filter: branch, ...hints }, ctx)).resources) {
        const key = r.id === undefined ? JSON.stringify(r) : String(r.id);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(r);
        }
      }
    }
    return out;
  }
  const candidates = (await query.call(handler, { filter: plan.pushed, ...hints }, ctx)).resources;
  return candidates.filter((r) => matchesFilter(plan.residual, r, resolve));
}

/**
 * A cursor page (RFC 9865) from a connector that pages by index but keeps no cursors: the core's
 * cursors are offsets, so the page is the connector's own window at that offset (its index, its
 * sort), never a walk over every match — on a directory of a million, a cursor page costs what
 * a `startIndex` page does.
 */
async function offsetCursorPage(
  handler: ResourceHandler,
  q: BoundQuery,
  filter: FilterNode | undefined,
  hints: Pick<QueryRequest, 'attributes' | 'excludedAttributes'>,
  ctx: RequestContext,
): Promise<Page> {
  const offset = decodeCursor(q.cursor as string);
  const query = handler.query as NonNullable<ResourceHandler['query']>;
  const res = await query.call(handler, { filter, sort: q.sort, startIndex: offset + 1, count: q.count, ...hints }, ctx);
  const total = res.totalResults ?? res.resources.length;
  if (offset > total) throw new InvalidCursorError('Cursor is past the end of the result set', true);
  const count = q.count ?? total;
  // A connector that ignored the page window still gets paged correctly.
  const resources = res.totalResults === undefined ? res.resources.slice(offset, offset + count) : res.resources.slice(0, count);
  const page: Page = { resources, totalResults: total };
  if (offset + count < total) page.nextCursor = encodeCursor(offset + count);
  if (offset > 0) page.previousCursor = encodeCursor(Math.max(0, offset - count));
  return page;
}

/** Runs a list query and returns one page. */
export async function runQuery(
  handler: ResourceHandler,
  q: BoundQuery,
  resolve: PathResolver,
  ctx: RequestContext,
): Promise<Page> {
  const hints = { attributes: q.attributes, excludedAttributes: q.excludedAttributes };
  const query = handler.query as NonNullable<ResourceHandler['query']>;
  const caps = handler.capabilities ?? {};
  const plan = planFilter(q.filter, caps.filter);
  const sortOk = !q.sort || caps.sort === true;

  if (plan.kind === 'native' && sortOk) {
    if (q.cursor !== undefined && caps.paging?.cursor) {
      const res = await query.call(
        handler,
        { filter: plan.pushed, sort: q.sort, cursor: q.cursor, count: q.count, ...hints },
        ctx,
      );
      const page: Page = { resources: res.resources, totalResults: res.totalResults ?? res.resources.length };
      if (res.nextCursor) page.nextCursor = res.nextCursor;
      if (res.previousCursor) page.previousCursor = res.previousCursor;
      return page;
    }
    if (q.cursor !== undefined && caps.paging?.index) return offsetCursorPage(handler, q, plan.pushed, hints, ctx);
    if (q.cursor === undefined && caps.paging?.index) {
      const startIndex = q.startIndex ?? 1;
      const res = await query.call(handler, { filter: plan.pushed, sort: q.sort, startIndex, count: q.count, ...hints }, ctx);
      const total = res.totalResults ?? res.resources.length;
      // A connector that ignored the page window still gets paged correctly.
      const resources =
        res.totalResults === undefined && q.count !== undefined
          ? res.resources.slice(startIndex - 1, startIndex - 1 + q.count)
          : res.resources;
      return { resources: q.count === 0 ? [] : resources, totalResults: total, startIndex };
    }
  }

  let all = await collectMatching(handler, q.filter, resolve, hints, ctx, plan);
  if (q.sort) all = sortResources(all, q.sort.path, q.sort.order, resolve);
  const total = all.length;
  if (q.cursor !== undefined) {
    const offset = decodeCursor(q.cursor);
    if (offset > total) throw new InvalidCursorError('Cursor is past the end of the result set', true);
    const count = q.count ?? total;
    const page: Page = { resources: all.slice(offset, offset + count), totalResults: total };
    if (offset + count < total) page.nextCursor = encodeCursor(offset + count);
    if (offset > 0) page.previousCursor = encodeCursor(Math.max(0, offset - count));
    return page;
  }
  const startIndex = q.startIndex ?? 1;
  const count = q.count ?? total;
  return { resources: all.slice(startIndex - 1, startIndex - 1 + count), totalResults: total, startIndex };
}
