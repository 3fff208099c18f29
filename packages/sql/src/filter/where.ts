/**
 * Filter → WHERE. The input is a filter in endpoint terms (`mapper.translateFilter`): paths are
 * endpoint keys of the catalog, values converted to the endpoint's types. Every value is bound;
 * every name comes from the catalog. Multi-valued keys compare through `EXISTS` over their
 * elements (child table rows, JSON array elements, membership rows), value paths included.
 */
import type { AttrPath, CompareOp, CompValue, FilterNode } from '@scimgw/core/filter';
import type { SqlDialect } from '../dialect.js';
import {
  type ChildStorage,
  type JsonStorage,
  type KeyStorage,
  type MemberOfStorage,
  type NumericColumns,
  numericColumn,
  type ResourceCatalog,
  valueColumnOf,
} from '../layout/catalog.js';
import { ident, join, type Sql, sql } from '../sql.js';
import { compareOperand, FALSE, type Operand, presentOf, TRUE, UnsupportedFilter } from './compare.js';

/** Where the elements of a multi-valued key come from, inside an `EXISTS`. */
interface ElementScope {
  from: Sql;
  /** Ties the elements to the row of the main table. */
  link: Sql;
  /** A member of each element (`undefined`: the element itself, for scalar lists); `undefined` when not stored. */
  operand(name: string | undefined): Operand | undefined;
}

/** Compiles filters of one resource type against its catalog. */
export interface WhereCompiler {
  /** The condition for `filter` on rows of the main table aliased `alias`. Throws {@link UnsupportedFilter}. */
  compile(filter: FilterNode, alias: string): Sql;
}

/** Creates the WHERE compiler of a resource type. */
export function whereCompiler(d: SqlDialect, catalog: ResourceCatalog): WhereCompiler {
  let depth = 0;
  const nextAlias = () => `e${++depth}`;

  // The main table's alias of the statement being compiled.
  let mainAlias = 't';
  const scopeOf = (s: Exclude<KeyStorage, { kind: 'column' }>, alias: string): ElementScope => {
    const owner = ident(mainAlias, catalog.key);
    switch (s.kind) {
      case 'child':
        return childScope(s, owner, alias, catalog.numeric);
      case 'json':
        return jsonScope(d, s, ident(mainAlias, s.column), alias);
      case 'memberOf':
        return memberOfScope(s, owner, alias, catalog.numeric);
    }
  };

  const leaf = (
    node: { type: 'compare'; path: AttrPath; op: CompareOp; value: CompValue } | { type: 'present'; path: AttrPath },
  ): Sql => {
    const s = catalog.storages.get(node.path.attr);
    if (!s) throw new UnsupportedFilter(`unknown endpoint key ${node.path.attr}`);
    if (s.kind === 'column') {
      if (node.path.sub !== undefined) throw new UnsupportedFilter('sub-attribute of a column');
      const o: Operand = {
        expr: ident(mainAlias, s.column),
        type: s.type,
        caseExact: s.caseExact,
        lower: s.lower ? ident(mainAlias, s.lower) : undefined,
        numeric: numericColumn(catalog.numeric, catalog.table, s.column),
      };
      return node.type === 'present' ? presentOf(o) : compareOperand(d, o, node.op, node.value);
    }
    const alias = nextAlias();
    const scope = scopeOf(s, alias);
    const o = scope.operand(node.path.sub);
    const exists = (cond: Sql) => sql`EXISTS (SELECT 1 FROM ${scope.from} WHERE ${scope.link} AND ${cond})`;
    if (node.type === 'present') return o ? exists(presentOf(o)) : FALSE;
    // "Some element matches", with `ne` and `eq null` negating the whole set, as the core does.
    if (node.value === null) {
      const some = o ? exists(presentOf(o)) : FALSE;
      return node.op === 'eq' ? sql`NOT ${some}` : node.op === 'ne' ? some : FALSE;
    }
    if (node.op === 'ne') return o ? sql`NOT ${exists(compareOperand(d, o, 'eq', node.value))}` : TRUE;
    return o ? exists(compareOperand(d, o, node.op, node.value)) : FALSE;
  };

  /** A filter relative to one element (inside a value path). */
  const inElement = (f: FilterNode, scope: ElementScope): Sql => {
    switch (f.type) {
      case 'and':
        return sql`(${join(
          f.filters.map((x) => inElement(x, scope)),
          ' AND ',
        )})`;
      case 'or':
        return sql`(${join(
          f.filters.map((x) => inElement(x, scope)),
          ' OR ',
        )})`;
      case 'not':
        return sql`NOT (${inElement(f.filter, scope)})`;
      case 'present': {
        const o = scope.operand(f.path.attr);
        return o ? presentOf(o) : FALSE;
      }
      case 'compare': {
        if (f.path.sub !== undefined) throw new UnsupportedFilter('nested path inside a value path');
        const o = scope.operand(f.path.attr);
        if (!o) return f.value === null ? (f.op === 'eq' ? TRUE : FALSE) : f.op === 'ne' ? TRUE : FALSE;
        return compareOperand(d, o, f.op, f.value);
      }
      case 'valuePath':
        throw new UnsupportedFilter('value path inside a value path');
    }
  };

  const node = (f: FilterNode): Sql => {
    switch (f.type) {
      case 'and':
        return sql`(${join(f.filters.map(node), ' AND ')})`;
      case 'or':
        return sql`(${join(f.filters.map(node), ' OR ')})`;
      case 'not':
        return sql`NOT (${node(f.filter)})`;
      case 'compare':
      case 'present':
        return leaf(f);
      case 'valuePath': {
        const s = catalog.storages.get(f.path.attr);
        if (!s || s.kind === 'column' || f.path.sub !== undefined) throw new UnsupportedFilter('value path on a column');
        const scope = scopeOf(s, nextAlias());
        return sql`EXISTS (SELECT 1 FROM ${scope.from} WHERE ${scope.link} AND ${inElement(f.filter, scope)})`;
      }
    }
  };

  return {
    compile(filter, alias) {
      mainAlias = alias;
      depth = 0;
      return node(filter);
    },
  };
}

function childScope(s: ChildStorage, owner: Sql, alias: string, numeric: NumericColumns): ElementScope {
  return {
    from: sql`${ident(s.table)} ${ident(alias)}`,
    link: sql`${ident(alias, s.owner)} = ${owner}`,
    operand(name) {
      if (s.scalar) {
        if (name !== undefined && name.toLowerCase() !== 'value') return undefined;
        const column = s.valueColumn as string;
        return {
          expr: ident(alias, column),
          type: s.scalar.type,
          caseExact: s.scalar.caseExact,
          numeric: numericColumn(numeric, s.table, column),
        };
      }
      const f = s.fields.get((name ?? 'value').toLowerCase());
      return f?.column
        ? {
            expr: ident(alias, f.column),
            type: f.type,
            caseExact: f.caseExact,
            numeric: numericColumn(numeric, s.table, f.column),
          }
        : undefined;
    },
  };
}

function jsonScope(d: SqlDialect, s: JsonStorage, column: Sql, alias: string): ElementScope {
  const names = [...s.fields.values()].map((f) => f.name);
  const elements = d.jsonElements(column, alias, names, s.object);
  return {
    from: elements.from,
    link: TRUE,
    operand(name) {
      if (s.scalar) {
        if (name !== undefined && name.toLowerCase() !== 'value') return undefined;
        return { expr: elements.field(undefined), type: s.scalar.type, caseExact: s.scalar.caseExact, text: true };
      }
      const f = s.fields.get((name ?? 'value').toLowerCase());
      return f ? { expr: elements.field(f.name), type: f.type, caseExact: f.caseExact, text: true } : undefined;
    },
  };
}

function memberOfScope(s: MemberOfStorage, owner: Sql, alias: string, numeric: NumericColumns): ElementScope {
  const via = s.via;
  if (!via) throw new UnsupportedFilter('memberOf without groups');
  const valueColumn = valueColumnOf(via.members) as string;
  const g = `${alias}g`;
  const display = via.display;
  const from = display
    ? sql`${ident(via.members.table)} ${ident(alias)} JOIN ${ident(via.groups.table)} ${ident(g)} ON ${ident(g, via.groups.key)} = ${ident(alias, via.members.owner)}`
    : sql`${ident(via.members.table)} ${ident(alias)}`;
  return {
    from,
    link: sql`${ident(alias, valueColumn)} = ${owner}`,
    operand(name) {
      const f = s.fields.get((name ?? 'value').toLowerCase());
      if (!f) return undefined;
      switch (f.name) {
        case 'value':
          return {
            expr: ident(alias, via.members.owner),
            type: 'string',
            caseExact: f.caseExact,
            numeric: numericColumn(numeric, via.members.table, via.members.owner),
          };
        case 'display':
          return display ? { expr: ident(g, display.column), type: 'string', caseExact: f.caseExact } : undefined;
        case 'type':
          return { expr: sql`${'direct'}`, type: 'string', caseExact: f.caseExact };
        default:
          return undefined;
      }
    },
  };
}
