/**
 * An endpoint filter (SCIM filter AST with Graph property names, as `@scimgw/mapper` translates
 * it) → an OData `$filter` string for Microsoft Graph. Values are always literals (quoted and
 * escaped strings, never query syntax). Forms Graph cannot evaluate become a wider filter that
 * the connector narrows again itself (`exact: false`); forms Graph only answers as advanced
 * queries set `advanced`.
 *
 * @see https://learn.microsoft.com/graph/filter-query-parameter
 */
import type { AttrPath, CompareNode, FilterNode } from '@scimgw/core/filter';
import { type PropertySupport, type Support, supportOf } from './support.js';

/** The translation of one filter. */
export interface ODataFilter {
  /** `undefined`: no `$filter` (everything, when `exact` is false: to be narrowed locally). */
  filter: string | undefined;
  /** Needs `ConsistencyLevel: eventual` and `$count=true`. */
  advanced: boolean;
  /** False when Graph's answer is a superset the connector must filter again. */
  exact: boolean;
  /** True when nothing can match (answer empty without asking Graph). */
  none: boolean;
}

type Part = { text: string; advanced: boolean; exact: boolean } | 'all' | 'none';

/** Graph caps `in` lists and `or` chains at 15 values. */
const MAX_VALUES = 15;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Graph property path of an endpoint filter path (`employeeOrgData.costCenter` → `employeeOrgData/costCenter`). */
export function graphProperty(path: AttrPath): string | undefined {
  if (path.uri) return undefined;
  const full = path.sub ? `${path.attr}/${path.sub}` : path.attr;
  return /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)?$/.test(full) ? full : undefined;
}

function literal(value: unknown, support: PropertySupport): string | undefined {
  if (value === null) return 'null';
  if (support.type === 'boolean') {
    if (typeof value === 'boolean') return String(value);
    if (value === 'true' || value === 'false') return value;
    return undefined;
  }
  if (support.type === 'datetime') {
    const t = typeof value === 'string' || typeof value === 'number' ? Date.parse(String(value)) : Number.NaN;
    return Number.isNaN(t) ? undefined : new Date(t).toISOString().replace('.000Z', 'Z');
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}'`;
  if (typeof value !== 'string') return undefined;
  return `'${value.replace(/'/g, "''")}'`;
}

const max = (a: Support | undefined, b: Support | undefined): Support | undefined =>
  a === undefined || b === undefined ? undefined : a === 'A' || b === 'A' ? 'A' : 'D';

function leaf(table: Readonly<Record<string, PropertySupport>>, node: CompareNode | { type: 'present'; path: AttrPath }): Part {
  const property = graphProperty(node.path);
  if (!property) return 'all';
  const s = supportOf(table, property);
  const wrap = (support: Support | undefined, text: string, exact = true): Part =>
    support ? { text, advanced: support === 'A', exact } : 'all';
  if (node.type === 'present') {
    if (s.collection) return wrap(s.count, `${property}/$count ne 0`);
    return wrap(s.null, `${property} ne null`);
  }
  if (property.toLowerCase() === 'id' && node.op === 'eq' && (typeof node.value !== 'string' || !GUID.test(node.value))) {
    return 'none';
  }
  const value = literal(node.value, s);
  if (value === undefined) return 'all';
  if (s.collection) {
    if (node.value === null) return 'all';
    const any = (expr: string) => `${property}/any(v:${expr})`;
    switch (node.op) {
      case 'eq':
        return wrap(s.eq, any(`v eq ${value}`));
      case 'sw':
        return wrap(s.sw, any(`startsWith(v,${value})`));
      case 'ew':
        return wrap(s.ew, any(`endsWith(v,${value})`));
      default:
        return 'all';
    }
  }
  switch (node.op) {
    case 'eq':
      return wrap(node.value === null ? s.null : s.eq, `${property} eq ${value}`);
    case 'ne':
      return wrap(node.value === null ? s.null : max(s.eq, 'A'), `${property} ne ${value}`);
    case 'sw':
      return typeof node.value === 'string' ? wrap(s.sw, `startsWith(${property},${value})`) : 'all';
    case 'ew':
      return typeof node.value === 'string' ? wrap(s.ew, `endsWith(${property},${value})`) : 'all';
    case 'ge':
    case 'le':
      return node.value === null ? 'all' : wrap(s.range, `${property} ${node.op} ${value}`);
    // Graph has ge/le only: the closed range is a superset of the open one.
    case 'gt':
      return node.value === null ? 'all' : wrap(s.range, `${property} ge ${value}`, false);
    case 'lt':
      return node.value === null ? 'all' : wrap(s.range, `${property} le ${value}`, false);
    default:
      return 'all';
  }
}

/** `a eq 1 or a eq 2 …` on one property → `a in (1, 2 …)`. */
function asIn(table: Readonly<Record<string, PropertySupport>>, filters: readonly FilterNode[]): Part | undefined {
  if (filters.length < 2 || filters.length > MAX_VALUES) return undefined;
  const first = filters[0];
  if (first?.type !== 'compare') return undefined;
  const property = graphProperty(first.path);
  if (!property) return undefined;
  const s = supportOf(table, property);
  if (s.collection || !s.in) return undefined;
  const values: string[] = [];
  for (const f of filters) {
    if (f.type !== 'compare' || f.op !== 'eq' || f.value === null || graphProperty(f.path) !== property) return undefined;
    if (property.toLowerCase() === 'id' && (typeof f.value !== 'string' || !GUID.test(f.value))) continue;
    const v = literal(f.value, s);
    if (v === undefined) return undefined;
    values.push(v);
  }
  if (values.length === 0) return 'none';
  return { text: `${property} in (${values.join(',')})`, advanced: s.in === 'A', exact: true };
}

function clauses(text: string): number {
  return (text.match(/ eq | ne | in \(|startsWith\(|endsWith\(| ge | le /g) ?? []).length;
}

function part(table: Readonly<Record<string, PropertySupport>>, node: FilterNode): Part {
  switch (node.type) {
    case 'compare':
    case 'present':
      return leaf(table, node);
    case 'valuePath':
      return 'all';
    case 'not': {
      const inner = part(table, node.filter);
      if (inner === 'none') return 'all';
      if (inner === 'all' || !inner.exact) return 'all';
      return { text: `not(${inner.text})`, advanced: true, exact: true };
    }
    case 'and': {
      const parts = node.filters.map((f) => part(table, f));
      if (parts.includes('none')) return 'none';
      const known = parts.filter((p): p is Exclude<Part, 'all' | 'none'> => typeof p === 'object');
      const exact = known.length === parts.length && known.every((p) => p.exact);
      if (known.length === 0) return 'all';
      const text = known.length === 1 ? (known[0] as { text: string }).text : known.map((p) => `(${p.text})`).join(' and ');
      return { text, advanced: known.some((p) => p.advanced), exact };
    }
    case 'or': {
      const asList = asIn(table, node.filters);
      if (asList) return asList;
      const parts = node.filters.map((f) => part(table, f)).filter((p) => p !== 'none');
      if (parts.length === 0) return 'none';
      if (parts.includes('all')) return 'all';
      const known = parts as Exclude<Part, 'all' | 'none'>[];
      const text = known.length === 1 ? (known[0] as { text: string }).text : known.map((p) => `(${p.text})`).join(' or ');
      if (clauses(text) > MAX_VALUES) return 'all';
      return { text, advanced: known.some((p) => p.advanced), exact: known.every((p) => p.exact) };
    }
  }
}

/**
 * Translates an endpoint filter for a collection whose properties `table` describes.
 *
 * @example
 * toODataFilter(USER_PROPERTIES, { type: 'compare', path: { attr: 'userPrincipalName' }, op: 'sw', value: "o'b" })
 * // { filter: "startsWith(userPrincipalName,'o''b')", advanced: false, exact: true, none: false }
 */
export function toODataFilter(table: Readonly<Record<string, PropertySupport>>, node: FilterNode | undefined): ODataFilter {
  if (!node) return { filter: undefined, advanced: false, exact: true, none: false };
  const p = part(table, node);
  if (p === 'none') return { filter: undefined, advanced: false, exact: true, none: true };
  if (p === 'all') return { filter: undefined, advanced: false, exact: false, none: false };
  return { filter: p.text, advanced: p.advanced, exact: p.exact, none: false };
}
