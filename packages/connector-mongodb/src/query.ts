/**
 * Queries: filter, sort, paging and totals pushed down to MongoDB. `startIndex`/`count` become
 * `skip`/`limit`, RFC 9865 cursors become keyset range conditions, totals come from `$count`, and the
 * requested attributes become a projection. Filters MongoDB cannot evaluate exactly (see
 * `filter.ts`) read a bounded superset, which the core's evaluator then filters in memory.
 */
import { errors, type QueryRequest, type QueryResult, type ScimResource } from '@scimgw/core';
import { formatPath, matchesFilter, serializeFilter, sortResources } from '@scimgw/core/filter';
import type { CollationOptions, Collection, Document } from 'mongodb';
import { type Cursor, decodeCursor, encodeCursor, type KeyValue, queryHash } from './cursor.js';
import { CASE_INSENSITIVE, type Query, translateFilter } from './filter.js';
import { type Kind, viewsOf } from './kind.js';
import { planProjection } from './projection.js';
import { planSort, SORT_KEY, SORT_MISSING, type SortPlan, sortDocument, sortKeyStages } from './sort.js';
import type { Tenant } from './tenancy.js';

/** Options of one read. */
interface Fetch {
  match: Document;
  /** Keyset condition (on `_k`/`_m` for computed sorts, so applied after they exist). */
  after?: Document;
  skip?: number;
  limit?: number;
  projection?: Record<string, 0 | 1>;
  collation?: CollationOptions;
  reverse?: boolean;
}

function both(a: Document, b: Document | undefined): Document {
  if (!b) return a;
  if (Object.keys(a).length === 0) return b;
  return { $and: [a, b] };
}

function maxTime(kind: Kind): number {
  return kind.config.connection.timeouts.operationMS;
}

/** Reads documents in the plan's order. */
async function fetch(kind: Kind, coll: Collection<Document>, plan: SortPlan, f: Fetch): Promise<Document[]> {
  const maxTimeMS = maxTime(kind);
  if (plan.kind !== 'computed') {
    return coll
      .find(both(f.match, f.after), {
        sort: sortDocument(plan, f.reverse),
        ...(f.skip ? { skip: f.skip } : {}),
        ...(f.limit !== undefined ? { limit: f.limit } : {}),
        ...(f.projection ? { projection: f.projection } : {}),
        ...(f.collation ? { collation: f.collation } : {}),
        maxTimeMS,
      })
      .toArray();
  }
  const pipeline: Document[] = [{ $match: f.match }, ...sortKeyStages(plan)];
  if (f.after) pipeline.push({ $match: f.after });
  pipeline.push({ $sort: sortDocument(plan, f.reverse) });
  if (f.skip) pipeline.push({ $skip: f.skip });
  if (f.limit !== undefined) pipeline.push({ $limit: f.limit });
  if (f.projection) {
    const inclusive = Object.values(f.projection).some((v) => v === 1);
    pipeline.push({ $project: inclusive ? { ...f.projection, [SORT_KEY]: 1, [SORT_MISSING]: 1 } : f.projection });
  }
  return coll
    .aggregate(pipeline, { ...(f.collation ? { collation: f.collation } : {}), maxTimeMS, allowDiskUse: true })
    .toArray();
}

/** `$count` of the matching documents. */
async function countMatching(
  kind: Kind,
  coll: Collection<Document>,
  match: Document,
  collation?: CollationOptions,
): Promise<number> {
  const [row] = await coll
    .aggregate([{ $match: match }, { $count: 'n' }], { ...(collation ? { collation } : {}), maxTimeMS: maxTime(kind) })
    .toArray();
  return typeof row?.n === 'number' ? row.n : 0;
}

function keyValue(v: unknown): KeyValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : null;
}

function valueAt(doc: Document, field: string): unknown {
  let cur: unknown = doc;
  for (const part of field.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Document)[part];
  }
  return cur;
}

/** The cursor position of a document. */
function positionOf(plan: SortPlan, doc: Document, dir: 'next' | 'prev'): Cursor {
  if (plan.kind === 'field') return { kind: 'key', dir, key: keyValue(valueAt(doc, plan.field)), id: doc._id };
  if (plan.kind === 'computed') {
    const missing = doc[SORT_MISSING] === 1 ? 1 : 0;
    return { kind: 'key', dir, missing, key: missing ? null : keyValue(doc[SORT_KEY]), id: doc._id };
  }
  return { kind: 'key', dir, id: doc._id };
}

const GT = (d: 1 | -1) => (d === 1 ? '$gt' : '$lt');

/** Documents after (`next`) or before (`prev`) a cursor position, in the plan's order. */
function keysetCondition(plan: SortPlan, c: Extract<Cursor, { kind: 'key' }>): Document {
  const after = c.dir === 'next';
  const idCond = { _id: { [after ? '$gt' : '$lt']: c.id } };
  if (plan.kind === 'field') {
    const f = plan.field;
    const d = plan.dir;
    const k = c.key ?? null;
    // MongoDB sorts missing values first (ascending) or last (descending); these fields are always present.
    const nullsAfter = (d === 1) !== after; // whether, seen from this position, null keys lie ahead
    if (k === null) {
      const sameNull = { $and: [{ [f]: null }, idCond] };
      return nullsAfter ? sameNull : { $or: [{ [f]: { $ne: null } }, sameNull] };
    }
    const ahead: Document[] = [{ [f]: { [GT(after ? d : (-d as 1 | -1))]: k } }, { $and: [{ [f]: k }, idCond] }];
    if (nullsAfter) ahead.push({ [f]: null });
    return { $or: ahead };
  }
  if (plan.kind === 'computed') {
    const d = plan.dir;
    if (c.missing === 1) {
      return after ? { [SORT_MISSING]: 1, ...idCond } : { $or: [{ [SORT_MISSING]: 0 }, { [SORT_MISSING]: 1, ...idCond }] };
    }
    const k = c.key ?? null;
    const branches: Document[] = [
      { [SORT_MISSING]: 0, [SORT_KEY]: { [GT(after ? d : (-d as 1 | -1))]: k } },
      { [SORT_MISSING]: 0, [SORT_KEY]: k, ...idCond },
    ];
    if (after) branches.unshift({ [SORT_MISSING]: 1 });
    return { $or: branches };
  }
  return idCond;
}

/** Resources of stored documents (sort keys removed). */
async function views(kind: Kind, tenant: Tenant, docs: Document[], withComputed: boolean): Promise<ScimResource[]> {
  for (const d of docs) {
    delete d[SORT_KEY];
    delete d[SORT_MISSING];
  }
  return viewsOf(kind, tenant, docs, withComputed);
}

/** Runs a query of one resource type in one tenant. */
export async function runQuery(kind: Kind, tenant: Tenant, coll: Collection<Document>, req: QueryRequest): Promise<QueryResult> {
  const plan = planSort(req.sort, kind.schema);
  const sortCi = (plan.kind === 'field' || plan.kind === 'computed') && plan.collation;
  const tf = translateFilter(req.filter, kind.schema, sortCi);
  // A case-exact sort cannot run under the case-insensitive collation a filter needs.
  const sortConflict = (plan.kind === 'field' || plan.kind === 'computed') && !plan.collation && tf.collation;
  const memory = !tf.exact || plan.kind === 'memory' || sortConflict;
  const hash = queryHash([
    tenant.name ?? null,
    req.filter ? serializeFilter(req.filter) : null,
    req.sort ? [formatPath(req.sort.path), req.sort.order] : null,
    memory,
  ]);
  if (memory) return inMemory(kind, tenant, coll, req, tf.query, tf.collation, hash);

  const collation = tf.collation ? { ...CASE_INSENSITIVE } : undefined;
  if (tf.query === false) return { resources: [], totalResults: 0 };
  const scope = tenant.scope(tf.collation);
  const match = tf.query === true ? scope : both(scope, tf.query);
  const proj = planProjection(kind.registry, kind.rt, req, kind.computed);
  let projection = proj.projection;
  // Keyset cursors read the sort field from each document.
  if (projection && plan.kind === 'field' && Object.values(projection).some((v) => v === 1)) {
    projection = { ...projection, [plan.field.split('.')[0] as string]: 1 };
  }
  const base: Fetch = { match, ...(projection ? { projection } : {}), ...(collation ? { collation } : {}) };

  if (req.cursor === undefined) {
    const skip = Math.max(0, (req.startIndex ?? 1) - 1);
    const count = req.count;
    const needTotal = count !== undefined || skip > 0;
    if (count === 0) return { resources: [], totalResults: await countMatching(kind, coll, match, collation) };
    const [docs, total] = await Promise.all([
      fetch(kind, coll, plan, { ...base, skip, ...(count === undefined ? {} : { limit: count }) }),
      needTotal ? countMatching(kind, coll, match, collation) : undefined,
    ]);
    const resources = await views(kind, tenant, docs, proj.computed);
    return { resources, totalResults: total ?? resources.length };
  }

  const c = req.cursor === '' ? undefined : decodeCursor(req.cursor, hash);
  if (c?.kind === 'offset') throw new errors.InvalidCursorError('Invalid cursor');
  const count = req.count ?? 100;
  if (count === 0) return { resources: [], totalResults: await countMatching(kind, coll, match, collation) };
  const backwards = c?.dir === 'prev';
  const [docs, totalResults] = await Promise.all([
    fetch(kind, coll, plan, {
      ...base,
      ...(c ? { after: keysetCondition(plan, c) } : {}),
      limit: count + 1,
      reverse: backwards,
    }),
    countMatching(kind, coll, match, collation),
  ]);
  const more = docs.length > count;
  const page = docs.slice(0, count);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  const result: QueryResult = { resources: [], totalResults };
  // Forwards: more after this page if we read one extra; something before if we came from a cursor.
  // Backwards: the reverse.
  if (last && (backwards || more)) result.nextCursor = encodeCursor(positionOf(plan, last, 'next'), hash);
  if (first && (backwards ? more : c !== undefined)) result.previousCursor = encodeCursor(positionOf(plan, first, 'prev'), hash);
  result.resources = await views(kind, tenant, page, proj.computed);
  return result;
}

/** A filter or sort MongoDB cannot evaluate: a bounded superset, filtered, sorted and paged in memory. */
async function inMemory(
  kind: Kind,
  tenant: Tenant,
  coll: Collection<Document>,
  req: QueryRequest,
  superset: Query | boolean,
  collated: boolean,
  hash: string,
): Promise<QueryResult> {
  let all: ScimResource[] = [];
  if (superset !== false) {
    const scope = tenant.scope(collated);
    const limit = kind.config.maxInMemory;
    const docs = await coll
      .find(superset === true ? scope : both(scope, superset), {
        sort: { _id: 1 },
        limit: limit + 1,
        ...(collated ? { collation: { ...CASE_INSENSITIVE } } : {}),
        maxTimeMS: maxTime(kind),
      })
      .toArray();
    if (docs.length > limit) {
      throw new errors.TooManyError(
        `This filter or sort cannot be evaluated by the database and has more than ${limit} candidates; narrow it (e.g. with userName, externalId or displayName)`,
      );
    }
    all = await views(kind, tenant, docs, true);
  }
  const filter = req.filter;
  if (filter) all = all.filter((r) => matchesFilter(filter, r, kind.resolve));
  if (req.sort) all = sortResources(all, req.sort.path, req.sort.order, kind.resolve);
  const total = all.length;
  if (req.cursor === undefined) {
    const start = Math.max(0, (req.startIndex ?? 1) - 1);
    const end = req.count === undefined ? total : start + req.count;
    return { resources: all.slice(start, end), totalResults: total };
  }
  const c = req.cursor === '' ? { kind: 'offset' as const, offset: 0 } : decodeCursor(req.cursor, hash);
  if (c.kind !== 'offset') throw new errors.InvalidCursorError('Invalid cursor');
  if (c.offset > total) throw new errors.InvalidCursorError('Cursor is past the end of the result set', true);
  const count = req.count ?? 100;
  const result: QueryResult = { resources: all.slice(c.offset, c.offset + count), totalResults: total };
  if (c.offset + count < total) result.nextCursor = encodeCursor({ kind: 'offset', offset: c.offset + count }, hash);
  if (c.offset > 0) result.previousCursor = encodeCursor({ kind: 'offset', offset: Math.max(0, c.offset - count) }, hash);
  return result;
}
