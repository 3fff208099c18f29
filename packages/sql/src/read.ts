/**
 * Reading resources: the main table's columns, then, for a page of rows at once, the elements of
 * each multi-valued key (one statement per child table, not one per row), then the mapper's SCIM
 * view with `meta.version` from the version column.
 */
import type { ScimResource } from '@scimgw/core';
import type { Session } from './database.js';
import {
  type ChildStorage,
  type ElementField,
  type MemberOfStorage,
  type ResourceCatalog,
  valueColumnOf,
} from './layout/catalog.js';
import type { SqlDialect } from './dialect.js';
import { sortRows } from './list-order.js';
import { ident, join, type RenderedStatement, raw, type Sql, StatementCache, sql } from './sql.js';
import { etagOf, fromColumn } from './values.js';

export type Row = Record<string, unknown>;

/** Lists of one row, by endpoint key. */
export type Lists = Map<string, unknown[]>;

/** The SELECT list of the main table: every scalar column, the version, and the JSON columns wanted. */
export function mainColumns(catalog: ResourceCatalog, alias: string, jsonKeys: ReadonlySet<string> | undefined): Sql {
  return join(mainColumnList(catalog, alias, jsonKeys));
}

/** {@link mainColumns} as a list. */
export function mainColumnList(catalog: ResourceCatalog, alias: string, jsonKeys: ReadonlySet<string> | undefined): Sql[] {
  const cols: Sql[] = catalog.columns.map((c) => ident(alias, c.column));
  if (catalog.version) cols.push(ident(alias, catalog.version));
  for (const s of catalog.lists) {
    if (s.kind === 'json' && (!jsonKeys || jsonKeys.has(s.key))) cols.push(ident(alias, s.column));
  }
  return cols;
}

/** Chunks of `list` small enough to bind (a few parameters are left for the rest of the statement). */
export function chunks<T>(list: readonly T[], maxParameters: number, perItem = 1): T[][] {
  const size = Math.max(1, Math.floor((maxParameters - 8) / perItem));
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Whose elements a branch reads: the given keys, or the keys a page subquery selects (column `scimgw_key`). */
export type OwnerScope = { keys: readonly unknown[] } | { page: Sql };

/** One SELECT of a multi-valued storage's elements, in the shape every branch of the union shares. */
interface Branch {
  key: string;
  /** Element members read (in field order); empty for scalar lists (`scimgw_f1` is the element). */
  fields: ElementField[];
  scalar?: { type: ElementField['type'] } | undefined;
  memberOf: boolean;
  /**
   * `SELECT <index> AS scimgw_k, <owner> AS scimgw_o, <order> AS scimgw_s, <lead>, scimgw_f1 …`:
   * `lead` are NULLs standing for the main row's columns when the union carries the rows too.
   */
  select(scope: OwnerScope, index: number, width: number, lead: readonly Sql[]): Sql;
}

const K = 'scimgw_k';
const O = 'scimgw_o';
const S = 'scimgw_s';
const F = (i: number) => `scimgw_f${i}`;
/** The order of list rows: by branch, owner, element order, first element column. */
const LIST_ORDER = [K, O, S, F(1)];

/** A column as text, the way its field is typed (timestamps as RFC 3339). */
function asText(d: SqlDialect, expr: Sql, type: ElementField['type']): Sql {
  return type === 'datetime' ? d.timestampText(expr) : d.numberText(expr);
}

function padded(cols: Sql[], width: number): Sql[] {
  const out = [...cols];
  for (let i = cols.length; i < width; i++) out.push(raw('NULL'));
  return out.map((c, i) => sql`${c} AS ${ident(F(i + 1))}`);
}

/** `FROM <table> <alias>` limited to the owners in scope. */
function owned(table: Sql, alias: string, ownerColumn: Sql, scope: OwnerScope, joins: Sql = raw('')): Sql {
  if ('keys' in scope) {
    return sql`${table} ${ident(alias)}${joins} WHERE ${ownerColumn} IN (${join(scope.keys.map((k) => sql`${k}`))})`;
  }
  return sql`${table} ${ident(alias)} JOIN (${scope.page}) ${ident('scimgw_p')} ON ${ident('scimgw_p', 'scimgw_key')} = ${ownerColumn}${joins}`;
}

function head(index: number, owner: Sql, order: Sql, lead: readonly Sql[]): Sql {
  return join([sql`${raw(String(index))} AS ${ident(K)}`, sql`${owner} AS ${ident(O)}`, sql`${order} AS ${ident(S)}`, ...lead]);
}

function childBranch(d: SqlDialect, s: ChildStorage): Branch {
  const fields = s.scalar ? [] : [...s.fields.values()].filter((f) => f.column !== undefined);
  const values = s.scalar
    ? [asText(d, ident('c', s.valueColumn as string), s.scalar.type)]
    : fields.map((f) => asText(d, ident('c', f.column as string), f.type));
  return {
    key: s.key,
    fields,
    scalar: s.scalar,
    memberOf: false,
    select: (scope, index, width, lead) =>
      sql`SELECT ${head(index, d.numberText(ident('c', s.owner)), s.order ? ident('c', s.order) : raw('NULL'), lead)}, ${join(padded(values, width))} FROM ${owned(ident(s.table), 'c', ident('c', s.owner), scope)}`,
  };
}

const MEMBER_OF_FIELDS: ElementField[] = [
  { name: 'value', type: 'string', caseExact: false },
  { name: 'display', type: 'string', caseExact: false },
];

function memberOfBranch(d: SqlDialect, s: MemberOfStorage): Branch | undefined {
  const via = s.via;
  if (!via) return undefined;
  const memberCol = valueColumnOf(via.members) as string;
  const values = [
    d.numberText(ident('m', via.members.owner)),
    via.display ? d.numberText(ident('g', via.display.column)) : raw('NULL'),
  ];
  const groups = sql` JOIN ${ident(via.groups.table)} ${ident('g')} ON ${ident('g', via.groups.key)} = ${ident('m', via.members.owner)}`;
  return {
    key: s.key,
    fields: MEMBER_OF_FIELDS,
    memberOf: true,
    select: (scope, index, width, lead) =>
      sql`SELECT ${head(index, d.numberText(ident('m', memberCol)), raw('NULL'), lead)}, ${join(padded(values, width))} FROM ${owned(ident(via.members.table), 'm', ident('m', memberCol), scope, groups)}`,
  };
}

function elementOf(b: Branch, row: Row): unknown {
  if (b.scalar) return fromColumn(row[F(1)], b.scalar.type);
  const el: Record<string, unknown> = {};
  b.fields.forEach((f, i) => {
    const v = fromColumn(row[F(i + 1)], f.type);
    if (v !== undefined) el[f.name] = v;
  });
  if (b.memberOf && el.value !== undefined) el.type = 'direct';
  return Object.keys(el).length ? el : undefined;
}

/** The branches of the multi-valued storages in `wanted` (child tables and memberships). */
function branchesOf(d: SqlDialect, catalog: ResourceCatalog, wanted: ReadonlySet<string> | undefined): Branch[] {
  const out: Branch[] = [];
  for (const s of catalog.lists) {
    if (wanted && !wanted.has(s.key)) continue;
    if (s.kind === 'child') out.push(childBranch(d, s));
    else if (s.kind === 'memberOf') {
      const b = memberOfBranch(d, s);
      if (b) out.push(b);
    }
  }
  return out;
}

const widthOf = (branches: readonly Branch[]) => Math.max(1, ...branches.map((b) => (b.scalar ? 1 : b.fields.length)));

/** Puts list rows of a union result into `out` (owner → key → elements). */
function collect(branches: readonly Branch[], rows: readonly Row[], out: Map<string, Lists>): void {
  for (const row of rows) {
    const index = Number(row[K]);
    if (index < 0) continue;
    const b = branches[index];
    const lists = out.get(String(row[O]));
    if (!b || !lists) continue;
    const v = elementOf(b, row);
    if (v === undefined) continue;
    const list = lists.get(b.key);
    if (list) list.push(v);
    else lists.set(b.key, [v]);
  }
}

/**
 * Loads the elements of the multi-valued keys in `wanted` (child tables and memberships; JSON
 * columns come with the row) for given rows: one UNION ALL statement for all of them.
 */
export async function loadLists(
  session: Session,
  catalog: ResourceCatalog,
  rows: readonly Row[],
  wanted: ReadonlySet<string> | undefined,
): Promise<Map<string, Lists>> {
  const out = new Map<string, Lists>();
  if (rows.length === 0) return out;
  const keys = rows.map((r) => r[catalog.key]);
  for (const k of keys) out.set(String(k), new Map());
  const d = session.dialect;
  const lists = listsOf(d, catalog, wanted);
  if (lists.branches.length === 0) return out;
  for (const part of chunks(keys, d.maxParameters, lists.branches.length)) {
    const res = await session.query(lists.statement(part));
    collect(lists.branches, d.sortListsInGateway ? sortRows(res.rows, LIST_ORDER) : res.rows, out);
  }
  return out;
}

/** The branches of the lists in `wanted`, and the statement reading them for some keys. */
interface ListsStatement {
  branches: Branch[];
  statement(keys: readonly unknown[]): RenderedStatement | Sql;
}

/** Key counts up to which the lists statement's text is kept (a page of 100 and below): bounded memory. */
const KEPT_KEYS = 100;

/**
 * Per dialect and catalog, by the lists wanted: the branches are built once, and the statement's
 * text once per number of keys (a StatementCache); a read binds only its keys. Building and rendering
 * the union again on every read was most of what a `userName eq` allocated.
 */
const listsStatements = new WeakMap<SqlDialect, WeakMap<ResourceCatalog, Map<string, ListsStatement>>>();

function listsOf(d: SqlDialect, catalog: ResourceCatalog, wanted: ReadonlySet<string> | undefined): ListsStatement {
  let byCatalog = listsStatements.get(d);
  if (!byCatalog) {
    byCatalog = new WeakMap();
    listsStatements.set(d, byCatalog);
  }
  let byWanted = byCatalog.get(catalog);
  if (!byWanted) {
    byWanted = new Map();
    byCatalog.set(catalog, byWanted);
  }
  // The wanted lists the catalog has, in its order: what decides the branches.
  let signature = '';
  for (const s of catalog.lists) if (s.kind !== 'json' && (!wanted || wanted.has(s.key))) signature += `${s.key}\n`;
  const known = byWanted.get(signature);
  if (known) return known;
  const branches = branchesOf(d, catalog, wanted);
  const width = widthOf(branches);
  const texts = new StatementCache(16);
  const build = (keys: readonly unknown[]) => {
    const union = join(
      branches.map((b, i) => b.select({ keys }, i, width, [])),
      ' UNION ALL ',
    );
    return d.sortListsInGateway ? union : sql`${union} ORDER BY ${join(LIST_ORDER.map((c) => ident(c)))}`;
  };
  const made: ListsStatement = {
    branches,
    statement: (keys) => (keys.length <= KEPT_KEYS ? texts.statement(d, String(keys.length), keys, build) : build(keys)),
  };
  // Bounded: the signatures are subsets of a catalog's few lists, but attributes come from clients.
  if (byWanted.size >= 16) byWanted.delete(byWanted.keys().next().value as string);
  byWanted.set(signature, made);
  return made;
}

/** A page query and what {@link selectWithLists} needs to add the page's lists to it. */
export interface PageQuery {
  /** The main columns selected (each an expression with its own name). */
  columns: Sql[];
  from: Sql;
  where?: Sql | undefined;
  orderBy: Sql[];
  limit?: number | undefined;
  offset?: number | undefined;
  /** The key column of the page's rows (`t.id`). */
  key: Sql;
}

/**
 * Reads a page of rows and their lists in one statement: the page itself is the first branch of a
 * UNION ALL (its columns, a row number, NULLs for the element columns), and every list is a branch
 * joined to the page's keys. One round trip for `userName eq`, whatever the resource type holds.
 */
export async function selectWithLists(
  session: Session,
  catalog: ResourceCatalog,
  q: PageQuery,
  wanted: ReadonlySet<string> | undefined,
): Promise<{ rows: Row[]; lists: Map<string, Lists> }> {
  const d = session.dialect;
  const { branches } = listsOf(d, catalog, wanted);
  const page = { from: q.from, where: q.where, orderBy: q.orderBy, limit: q.limit, offset: q.offset };
  if (branches.length === 0 || !d.pageWithLists) {
    const res = await session.query(d.select({ columns: join(q.columns), ...page }));
    const lists = branches.length ? await loadLists(session, catalog, res.rows, wanted) : new Map<string, Lists>();
    for (const r of res.rows) if (!lists.has(String(r[catalog.key]))) lists.set(String(r[catalog.key]), new Map());
    return { rows: res.rows, lists };
  }
  const width = widthOf(branches);
  const elementNulls = Array.from({ length: width }, (_, i) => sql`NULL AS ${ident(F(i + 1))}`);
  const rowNumber = sql`ROW_NUMBER() OVER (ORDER BY ${join(q.orderBy)})`;
  const main = d.select({
    columns: join([
      sql`-1 AS ${ident(K)}`,
      sql`'' AS ${ident(O)}`,
      sql`${rowNumber} AS ${ident(S)}`,
      ...q.columns,
      ...elementNulls,
    ]),
    ...page,
  });
  const keys = d.select({ columns: sql`${q.key} AS ${ident('scimgw_key')}`, ...page });
  const lead = q.columns.map(() => raw('NULL'));
  const union = join(
    [sql`SELECT * FROM (${main}) ${ident('scimgw_m')}`, ...branches.map((b, i) => b.select({ page: keys }, i, width, lead))],
    ' UNION ALL ',
  );
  const res = await session.query(sql`${union} ORDER BY ${join(LIST_ORDER.map((c) => ident(c)))}`);
  const rows = res.rows.filter((r) => Number(r[K]) < 0);
  const lists = new Map<string, Lists>(rows.map((r) => [String(r[catalog.key]), new Map()]));
  collect(branches, res.rows, lists);
  return { rows, lists };
}

/** The endpoint record of a row and its lists; `readJson` is the dialect's JSON reader. */
export function recordOf(
  catalog: ResourceCatalog,
  row: Row,
  lists: Lists | undefined,
  readJson: (raw: unknown) => unknown,
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const c of catalog.columns) {
    const v = fromColumn(row[c.column], c.type);
    if (v !== undefined) record[c.key] = v;
  }
  for (const s of catalog.lists) {
    if (s.kind === 'json') {
      const rawValue = row[s.column];
      if (rawValue === undefined || rawValue === null) continue;
      let v: unknown;
      try {
        v = readJson(rawValue);
      } catch {
        // One unreadable document must not fail a whole list.
        continue;
      }
      if (v !== undefined && v !== null) record[s.key] = v;
    } else {
      const list = lists?.get(s.key);
      if (list?.length) record[s.key] = list;
    }
  }
  return record;
}

/** The SCIM view of a row: the mapper's, with `meta.version` from the version column. */
export function resourceOf(
  catalog: ResourceCatalog,
  row: Row,
  lists: Lists | undefined,
  readJson: (raw: unknown) => unknown,
): ScimResource | undefined {
  const r = catalog.mapper.toScim(recordOf(catalog, row, lists, readJson));
  if (!r) return undefined;
  const version = catalog.version ? etagOf(row[catalog.version]) : undefined;
  if (version) r.meta = { ...(r.meta ?? {}), version };
  return r;
}

/** `SELECT <columns> FROM <table> t WHERE key = ?`. */
export function selectById(catalog: ResourceCatalog, id: unknown, jsonKeys: ReadonlySet<string> | undefined): Sql {
  return sql`SELECT ${mainColumns(catalog, 't', jsonKeys)} FROM ${ident(catalog.table)} ${ident('t')} WHERE ${ident('t', catalog.key)} = ${id}`;
}
