/**
 * Filter evaluator: decides whether a resource matches a filter AST,
 * comparing by the attribute's schema type (RFC 7644 §3.4.2.2).
 */
import type { AttributeDefinition } from '../schema/types.js';
import type { AttrPath, CompareNode, CompValue, FilterNode } from './ast.js';
import { getCI } from '../util/object.js';

/** Where a path lives in a resource and what its definition is. */
export interface PathResolution {
  /** Extension schema URN under which the attribute is stored; absent for core attributes. */
  extension?: string;
  /** Canonical attribute name. */
  attr: string;
  /** Canonical sub-attribute name. */
  sub?: string;
  attrDef?: AttributeDefinition;
  subDef?: AttributeDefinition;
}

/** Resolves a filter path against a schema; `undefined` when unknown. */
export type PathResolver = (path: AttrPath) => PathResolution | undefined;

const defaultResolver: PathResolver = (p) => {
  const r: PathResolution = { attr: p.attr };
  if (p.uri) r.extension = p.uri;
  if (p.sub) r.sub = p.sub;
  return r;
};

/**
 * True when `resource` matches `filter`.
 *
 * @param resolve maps paths to schema definitions; without it values are compared by their JSON type.
 * @example
 * matchesFilter(parseFilter('name.familyName sw "jen"'), { name: { familyName: 'Jensen' } }) // true
 */
export function matchesFilter(filter: FilterNode, resource: unknown, resolve: PathResolver = defaultResolver): boolean {
  switch (filter.type) {
    case 'and':
      return filter.filters.every((f) => matchesFilter(f, resource, resolve));
    case 'or':
      return filter.filters.some((f) => matchesFilter(f, resource, resolve));
    case 'not':
      return !matchesFilter(filter.filter, resource, resolve);
    case 'present': {
      const r: PathResolution = resolve(filter.path) ?? (defaultResolver(filter.path) as PathResolution);
      return collect(resource, r, filter.path.sub !== undefined).some(isPresent);
    }
    case 'compare': {
      const r: PathResolution = resolve(filter.path) ?? (defaultResolver(filter.path) as PathResolution);
      return compareAll(filter, collect(resource, r, filter.path.sub !== undefined), leafDef(r));
    }
    case 'valuePath': {
      const r: PathResolution = resolve(filter.path) ?? (defaultResolver(filter.path) as PathResolution);
      const container = r.extension ? getCI(resource, r.extension) : resource;
      const raw = getCI(container, r.attr);
      const elements = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
      const inner: PathResolver = (p) => {
        const sub = resolve({ ...filter.path, sub: p.attr }) ?? { attr: filter.path.attr, sub: p.attr };
        const res: PathResolution = { attr: sub.sub ?? p.attr };
        if (sub.subDef) res.attrDef = sub.subDef;
        return res;
      };
      return elements.some((el) => typeof el === 'object' && el !== null && matchesFilter(filter.filter, el, inner));
    }
  }
}

function leafDef(r: PathResolution): AttributeDefinition | undefined {
  if (r.sub !== undefined) return r.subDef;
  const d = r.attrDef;
  // Complex attribute without a sub-attribute: the filter applies to its `value`.
  if (d?.type === 'complex') return d.subAttributes?.find((s) => s.name === 'value');
  return d;
}

/** Collects the leaf values a path points at, flattening multi-valued attributes. */
function collect(resource: unknown, r: PathResolution, hasSub: boolean): unknown[] {
  const container = r.extension ? getCI(resource, r.extension) : resource;
  const v = getCI(container, r.attr);
  const list = Array.isArray(v) ? v : [v];
  const out: unknown[] = [];
  for (const item of list) {
    if (item === undefined || item === null) continue;
    if (hasSub && r.sub !== undefined) {
      const s = getCI(item, r.sub);
      if (Array.isArray(s)) out.push(...s);
      else if (s !== undefined && s !== null) out.push(s);
    } else if (typeof item === 'object' && !Array.isArray(item)) {
      const val = getCI(item, 'value');
      out.push(val !== undefined ? val : item);
    } else {
      out.push(item);
    }
  }
  return out;
}

function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

function compareAll(node: CompareNode, values: unknown[], def: AttributeDefinition | undefined): boolean {
  if (node.value === null) {
    const present = values.some(isPresent);
    return node.op === 'ne' ? present : node.op === 'eq' ? !present : false;
  }
  if (node.op === 'ne') return !values.some((v) => compareOne(v, 'eq', node.value, def));
  return values.some((v) => compareOne(v, node.op, node.value, def));
}

function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  return undefined;
}

function order(op: CompareNode['op'], c: number): boolean {
  switch (op) {
    case 'eq':
      return c === 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    default:
      return false;
  }
}

/** Compares one stored value with a filter literal. */
export function compareOne(stored: unknown, op: CompareNode['op'], literal: CompValue, def?: AttributeDefinition): boolean {
  if (typeof stored === 'object' && stored !== null) return false;
  const type = def?.type ?? (typeof stored === 'boolean' ? 'boolean' : typeof stored === 'number' ? 'decimal' : 'string');
  if (type === 'boolean') {
    const a = toBool(stored);
    const b = toBool(literal);
    if (a === undefined || b === undefined) return false;
    return op === 'eq' ? a === b : op === 'ne' ? a !== b : false;
  }
  if (type === 'integer' || type === 'decimal') {
    const a = Number(stored);
    const b = Number(literal);
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    if (op === 'ne') return a !== b;
    if (op === 'co' || op === 'sw' || op === 'ew') return stringOp(String(stored), op, String(literal), true);
    return order(op, a - b);
  }
  if (type === 'dateTime' && op !== 'co' && op !== 'sw' && op !== 'ew') {
    const a = Date.parse(String(stored));
    const b = Date.parse(String(literal));
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    return op === 'ne' ? a !== b : order(op, a - b);
  }
  const caseExact = def?.caseExact ?? false;
  let a = String(stored);
  let b = String(literal);
  if (!caseExact) {
    a = a.toLowerCase();
    b = b.toLowerCase();
  }
  return stringOp(a, op, b, caseExact);
}

function stringOp(a: string, op: CompareNode['op'], b: string, _caseExact: boolean): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    default:
      return order(op, a < b ? -1 : a > b ? 1 : 0);
  }
}
