/**
 * `sortBy` → ORDER BY, as the core sorts (RFC 7644 §3.4.2.3): text lower-cased unless `caseExact`,
 * missing values last in both directions, a multi-valued attribute by its primary element (else
 * the first), ties by the table's order column.
 */
import type { SortSpec } from '@scimgw/core';
import type { SqlDialect } from './dialect.js';
import { numericColumn, type ResourceCatalog, type ValueType } from './layout/catalog.js';
import { ident, type Sql, sql } from './sql.js';

/** The sort of a query in SQL. */
export interface SortPlan {
  /** The sort expression (already folded to lower case and byte order where text compares so). */
  expr: Sql;
  descending: boolean;
  type: ValueType;
  /** Text compared in byte order (`dialect.ordered`): bound values compare the same way. */
  text: boolean;
}

/**
 * The sort plan for `sort`: `null` when the query is unsorted or sorted by an attribute nothing
 * holds (every value missing: the order column alone decides), `'unsupported'` when the attribute
 * lives where SQL cannot sort by it here (a JSON document).
 */
export function sortPlan(
  d: SqlDialect,
  catalog: ResourceCatalog,
  sort: SortSpec | undefined,
  alias: string,
): SortPlan | null | 'unsupported' {
  if (!sort) return null;
  const keys = catalog.mapper.endpointAttributesFor(sort.path);
  const descending = sort.order === 'descending';
  for (const key of keys) {
    const s = catalog.storages.get(key);
    if (!s) continue;
    if (s.kind === 'column') {
      const text = s.type === 'string';
      const numeric = text && numericColumn(catalog.numeric, catalog.table, s.column);
      // A SCIM string in a numeric column sorts as text ("10" before "9"), as the core sorts it.
      const column = numeric ? d.numberText(ident(alias, s.column)) : ident(alias, s.column);
      const base = text && !s.caseExact ? (s.lower ? ident(alias, s.lower) : d.lower(column)) : column;
      return { expr: text ? d.ordered(base) : base, descending, type: s.type, text };
    }
    if (s.kind === 'child' && !s.scalar) {
      const f = s.fields.get((sort.path.sub ?? 'value').toLowerCase());
      if (!f?.column) return null;
      const primary = s.fields.get('primary')?.column;
      const order: Sql[] = [];
      if (primary) order.push(sql`CASE WHEN ${ident('s', primary)} = ${true} THEN 0 ELSE 1 END`);
      if (s.order) order.push(ident('s', s.order));
      const text = f.type === 'string';
      const value = text && !f.caseExact ? d.lower(ident('s', f.column)) : ident('s', f.column);
      const first = d.select({
        columns: value,
        from: sql`${ident(s.table)} ${ident('s')}`,
        where: sql`${ident('s', s.owner)} = ${ident(alias, catalog.key)}`,
        orderBy: order.length ? order : [ident('s', f.column)],
        limit: 1,
      });
      const expr = sql`(${first})`;
      return { expr: text ? d.ordered(expr) : expr, descending, type: f.type, text };
    }
    return 'unsupported';
  }
  return null;
}

/** ORDER BY items: the sort (NULLs last), then the order column. */
export function orderItems(d: SqlDialect, catalog: ResourceCatalog, plan: SortPlan | null, alias: string): Sql[] {
  const items: Sql[] = [];
  if (plan) items.push(d.orderBy(plan.expr, plan.descending));
  // The order column is never NULL: a plain item, so the database can read it off its index.
  items.push(sql`${ident(alias, catalog.order)} ASC`);
  return items;
}
