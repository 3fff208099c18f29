/**
 * List queries: filter, sort and paging pushed into one SELECT (plus a COUNT when the page does not
 * tell the total), keyset cursors for RFC 9865, the page index for deep pages of unfiltered lists,
 * and an in-memory path for the rare filters SQL cannot answer exactly here.
 */
import { errors, type QueryRequest, type QueryResult, type ScimResource, type SchemaRegistry } from '@scimgw/core';
import { type FilterNode, matchesFilter, parseAttrPath, serializeFilter, sortResources } from '@scimgw/core/filter';
import { type CursorState, cursorSignature, decodeCursor, encodeCursor, type KeysetPosition } from './cursor.js';
import type { Session } from './database.js';
import { UnsupportedFilter } from './filter/compare.js';
import type { WhereCompiler } from './filter/where.js';
import type { ResourceCatalog } from './layout/catalog.js';
import { loadLists, mainColumnList, type PageQuery, type Row, resourceOf, selectWithLists } from './read.js';
import { orderItems, type SortPlan, sortPlan } from './sort.js';
import { ident, join, raw, type Sql, sql } from './sql.js';

/** What a list query needs besides the session. */
export interface ListEnv {
  catalog: ResourceCatalog;
  where: WhereCompiler;
  /** The registry served (for the in-memory path's filter and sort). */
  registry: SchemaRegistry;
  /** Most rows the in-memory path reads before answering 400 `tooMany`. */
  maxScan: number;
}

const T = 't';
const SORT_ALIAS = 'scimgw_sort';
const ORDER_ALIAS = 'scimgw_order';

/** The endpoint keys of multi-valued attributes a response needs (`undefined`: all). */
export function wantedLists(
  catalog: ResourceCatalog,
  attributes: readonly string[] | undefined,
  excluded: readonly string[] | undefined,
): Set<string> | undefined {
  if (!attributes?.length && !excluded?.length) return undefined;
  const top = (list: readonly string[] | undefined) =>
    (list ?? []).map((a) => {
      try {
        return parseAttrPath(a).attr.toLowerCase();
      } catch {
        return a.toLowerCase();
      }
    });
  const want = attributes?.length ? top(attributes) : undefined;
  const drop = top(excluded);
  const out = new Set<string>();
  for (const s of catalog.lists) {
    const names = (catalog.mapper.attributes.find((a) => a.endpoint === s.key)?.targets ?? []).map((t) => t.attr.toLowerCase());
    if (names.some((n) => drop.includes(n))) continue;
    if (want && !names.some((n) => want.includes(n))) continue;
    out.add(s.key);
  }
  return out;
}

/** The filter in endpoint terms, AND the mapper's visibility filter; `null`: nothing can match. */
function endpointFilter(catalog: ResourceCatalog, filter: FilterNode | undefined): { node?: FilterNode; exact: boolean } | null {
  const t = catalog.mapper.translateFilter(filter);
  if (t.kind === 'none') return null;
  const parts: FilterNode[] = [];
  if (t.kind === 'filter') parts.push(t.filter);
  const visible = catalog.mapper.visibilityFilter();
  if (visible) parts.push(visible);
  const node = parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : ({ type: 'and', filters: parts } as FilterNode);
  return { ...(node ? { node } : {}), exact: t.exact };
}

async function toResources(
  session: Session,
  env: ListEnv,
  rows: Row[],
  wanted: Set<string> | undefined,
): Promise<ScimResource[]> {
  const lists = await loadLists(session, env.catalog, rows, wanted);
  const out: ScimResource[] = [];
  for (const row of rows) {
    const r = resourceOf(env.catalog, row, lists.get(String(row[env.catalog.key])), (v) => session.dialect.readJson(v));
    if (r) out.push(r);
  }
  return out;
}

async function countRows(session: Session, env: ListEnv, where: Sql | undefined): Promise<number> {
  const { catalog } = env;
  if (!where && catalog.pageIndex) {
    const res = await session.query(sql`SELECT SUM(${ident('n')}) AS ${ident('n')} FROM ${ident(catalog.pageIndex.table)}`);
    return Number(res.rows[0]?.n ?? 0);
  }
  const res = await session.query(
    sql`SELECT COUNT(*) AS ${ident('n')} FROM ${ident(catalog.table)} ${ident(T)}${where ? sql` WHERE ${where}` : raw('')}`,
  );
  return Number(res.rows[0]?.n ?? 0);
}

/** Rows after a keyset position, in the order of `plan` then the order column. */
function afterPosition(session: Session, env: ListEnv, plan: SortPlan | null, p: KeysetPosition): Sql {
  const d = session.dialect;
  const order = ident(T, env.catalog.order);
  const orderAfter = sql`${order} > ${p.order}`;
  if (!plan) return orderAfter;
  if (p.sortValue === null) return sql`(${plan.expr} IS NULL AND ${orderAfter})`;
  const v = plan.text ? d.ordered(sql`${p.sortValue}`) : sql`${p.sortValue}`;
  const beyond = plan.descending ? sql`${plan.expr} < ${v}` : sql`${plan.expr} > ${v}`;
  return sql`(${beyond} OR (${plan.expr} = ${v} AND ${orderAfter}) OR ${plan.expr} IS NULL)`;
}

function selectList(env: ListEnv, plan: SortPlan | null, wanted: Set<string> | undefined): Sql[] {
  const cols = [...mainColumnList(env.catalog, T, wanted), sql`${ident(T, env.catalog.order)} AS ${ident(ORDER_ALIAS)}`];
  if (plan) cols.push(sql`${plan.expr} AS ${ident(SORT_ALIAS)}`);
  return cols;
}

/** A page of rows with their lists, in one statement, and the resources of its first `take` rows. */
async function page(
  session: Session,
  env: ListEnv,
  q: Omit<PageQuery, 'key' | 'from'> & { from?: Sql },
  wanted: Set<string> | undefined,
  take?: number,
): Promise<{ rows: Row[]; resources: ScimResource[] }> {
  const { catalog } = env;
  const { rows, lists } = await selectWithLists(
    session,
    catalog,
    { ...q, from: q.from ?? sql`${ident(catalog.table)} ${ident(T)}`, key: ident(T, catalog.key) },
    wanted,
  );
  const resources: ScimResource[] = [];
  for (const row of take === undefined ? rows : rows.slice(0, take)) {
    const r = resourceOf(catalog, row, lists.get(String(row[catalog.key])), (v) => session.dialect.readJson(v));
    if (r) resources.push(r);
  }
  return { rows, resources };
}

/** Runs a list query natively; `undefined` when it has to be evaluated in memory. */
export async function listResources(session: Session, env: ListEnv, req: QueryRequest): Promise<QueryResult> {
  const d = session.dialect;
  const { catalog } = env;
  const ef = endpointFilter(catalog, req.filter);
  if (!ef) return { resources: [], totalResults: 0 };
  let where: Sql | undefined;
  let exact = ef.exact;
  try {
    where = ef.node ? env.where.compile(ef.node, T) : undefined;
  } catch (e) {
    if (!(e instanceof UnsupportedFilter)) throw e;
    exact = false;
    where = undefined;
  }
  const plan = sortPlan(d, catalog, req.sort, T);
  if (!exact || plan === 'unsupported') return inMemory(session, env, req, where);
  const wanted = wantedLists(catalog, req.attributes, req.excludedAttributes);
  const order = orderItems(d, catalog, plan, T);

  if (req.cursor !== undefined) {
    const signature = cursorSignature([req.filter ? serializeFilter(req.filter) : '', req.sort ?? null]);
    const state: CursorState | undefined = req.cursor === '' ? undefined : decodeCursor(req.cursor, signature, plan !== null);
    if (state?.kind === 'offset') throw new errors.InvalidCursorError('Invalid cursor');
    const conditions = [...(where ? [where] : []), ...(state ? [afterPosition(session, env, plan, state.position)] : [])];
    const count = req.count;
    const total = await countRows(session, env, where);
    if (count === 0) return { resources: [], totalResults: total };
    const { rows: all, resources } = await page(
      session,
      env,
      {
        columns: selectList(env, plan, wanted),
        where: conditions.length ? join(conditions, ' AND ') : undefined,
        orderBy: order,
        ...(count !== undefined ? { limit: count + 1 } : {}),
      },
      wanted,
      count,
    );
    const more = count !== undefined && all.length > count;
    const rows = more ? all.slice(0, count) : all;
    const last = rows[rows.length - 1];
    const result: QueryResult = { resources, totalResults: total };
    if (more && last) {
      const sortValue = plan ? ((last[SORT_ALIAS] ?? null) as KeysetPosition['sortValue']) : null;
      result.nextCursor = encodeCursor(
        { kind: 'keyset', position: { sorted: plan !== null, sortValue, order: keysetValue(last[ORDER_ALIAS]) } },
        signature,
      );
    }
    return result;
  }

  const offset = Math.max(0, (req.startIndex ?? 1) - 1);
  const count = req.count;
  if (count === 0) return { resources: [], totalResults: await countRows(session, env, where) };
  if (!where && !plan && catalog.pageIndex && offset > 0) return deepPage(session, env, offset, count, wanted);
  const { rows, resources } = await page(
    session,
    env,
    { columns: selectList(env, plan, wanted), where, orderBy: order, limit: count, offset },
    wanted,
  );
  const n = rows.length;
  // The page itself tells the total when it is the last one; otherwise count.
  const known = count === undefined ? n > 0 || offset === 0 : n < count && (n > 0 || offset === 0);
  const total = known ? offset + n : await countRows(session, env, where);
  return { resources, totalResults: total };
}

function keysetValue(v: unknown): string | number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return String(v);
  return String(v);
}

/** A page deep inside an unfiltered list: the page index says where it starts. */
async function deepPage(
  session: Session,
  env: ListEnv,
  offset: number,
  count: number | undefined,
  wanted: Set<string> | undefined,
): Promise<QueryResult> {
  const { catalog } = env;
  const index = catalog.pageIndex as NonNullable<ResourceCatalog['pageIndex']>;
  // The bucket holding the row at `offset`, the rows before it and the total, in one row: the
  // database adds up the bucket counts (about a thousand for a million rows).
  const d = session.dialect;
  const cum = ident('scimgw_cum');
  const n = ident('n');
  const bucket = ident('bucket');
  const located = await session.query(
    d.select({
      columns: sql`${bucket}, ${cum} - ${n} AS ${ident('scimgw_before')}, ${ident('scimgw_total')}`,
      from: sql`(SELECT ${bucket}, ${n}, SUM(${n}) OVER (ORDER BY ${bucket}) AS ${cum}, SUM(${n}) OVER () AS ${ident('scimgw_total')} FROM ${ident(index.table)} WHERE ${n} > 0) ${ident('scimgw_b')}`,
      where: sql`${cum} > ${offset}`,
      orderBy: [sql`${bucket} ASC`],
      limit: 1,
    }),
  );
  const hit = located.rows[0];
  if (!hit) return { resources: [], totalResults: await countRows(session, env, undefined) };
  const start = Number(hit.bucket) * index.bucketSize;
  const before = Number(hit.scimgw_before);
  const total = Number(hit.scimgw_total);
  // The rows skipped inside the bucket are walked in the order column's index alone (it holds the
  // key), and only the page's own rows are read: InnoDB would otherwise fetch every skipped row.
  const positions = d.select({
    columns: sql`${ident('s', catalog.order)} AS ${ident('scimgw_pos')}`,
    from: sql`${ident(catalog.table)} ${ident('s')}`,
    where: sql`${ident('s', catalog.order)} >= ${start}`,
    orderBy: [sql`${ident('s', catalog.order)} ASC`],
    limit: count,
    offset: offset - before,
  });
  const { resources } = await page(
    session,
    env,
    {
      columns: selectList(env, null, wanted),
      from: sql`${ident(catalog.table)} ${ident(T)} JOIN (${positions}) ${ident('scimgw_d')} ON ${ident('scimgw_d', 'scimgw_pos')} = ${ident(T, catalog.order)}`,
      orderBy: [sql`${ident(T, catalog.order)} ASC`],
    },
    wanted,
  );
  return { resources, totalResults: total };
}

/**
 * The in-memory path: read the rows the SQL part of the filter selects (a superset), then filter,
 * sort and page as the core does. Bounded by `maxScan`.
 */
async function inMemory(session: Session, env: ListEnv, req: QueryRequest, where: Sql | undefined): Promise<QueryResult> {
  const { catalog } = env;
  const total = await countRows(session, env, where);
  if (total > env.maxScan) {
    throw new errors.TooManyError(
      `This filter or sort is evaluated by the gateway and would read ${total} rows (the limit is ${env.maxScan}); narrow it with attributes the database filters on`,
    );
  }
  const res = await session.query(
    session.dialect.select({
      columns: join(selectList(env, null, undefined)),
      from: sql`${ident(catalog.table)} ${ident(T)}`,
      where,
      orderBy: [sql`${ident(T, catalog.order)} ASC`],
    }),
  );
  const resolve = env.registry.resolver(catalog.rt);
  let all = await toResources(session, env, res.rows, undefined);
  if (req.filter) all = all.filter((r) => matchesFilter(req.filter as FilterNode, r, resolve));
  if (req.sort) all = sortResources(all, req.sort.path, req.sort.order, resolve);
  const count = req.count ?? all.length;
  if (req.cursor !== undefined) {
    const signature = cursorSignature(['memory', req.filter ? serializeFilter(req.filter) : '', req.sort ?? null]);
    const state = req.cursor === '' ? undefined : decodeCursor(req.cursor, signature, false);
    if (state && state.kind !== 'offset') throw new errors.InvalidCursorError('Invalid cursor');
    const offset = state?.offset ?? 0;
    if (offset > all.length) throw new errors.InvalidCursorError('Cursor is past the end of the result set', true);
    const out: QueryResult = { resources: all.slice(offset, offset + count), totalResults: all.length };
    if (offset + count < all.length) out.nextCursor = encodeCursor({ kind: 'offset', offset: offset + count }, signature);
    return out;
  }
  const offset = Math.max(0, (req.startIndex ?? 1) - 1);
  return { resources: all.slice(offset, offset + count), totalResults: all.length };
}
