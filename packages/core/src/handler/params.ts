/** Query parameters (GET) and SearchRequest bodies (POST .search) → a typed query. */
import { InvalidFilterError, InvalidValueError } from '../errors.js';
import type { AttrPath, CompValue, FilterNode } from '../filter/ast.js';
import { type FilterLimits, parseFilter } from '../filter/parser.js';
import { parseAttrPath } from '../filter/path.js';
import { splitAttributeList } from '../query/projection.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/types.js';
import { getCI, isObject } from '../util/object.js';
import { queryPairs } from './query-string.js';

/** A parsed list/search query (not yet bound to a resource type). */
export interface ListParams {
  filter?: string | undefined;
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
  sortBy?: string | undefined;
  sortOrder?: 'ascending' | 'descending' | undefined;
  startIndex?: number | undefined;
  count?: number | undefined;
  cursor?: string | undefined;
}

function int(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw new InvalidValueError(`"${name}" must be an integer`);
  return n;
}

function str(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

function order(v: string | undefined): ListParams['sortOrder'] {
  if (v === undefined || v === '') return undefined;
  const l = v.toLowerCase();
  if (l === 'ascending' || l === 'descending') return l;
  throw new InvalidValueError('"sortOrder" must be "ascending" or "descending"');
}

/** The list parameters named in {@link paramsFromQuery}, by their lower-case names. */
const QUERY_NAMES = [
  'filter',
  'attributes',
  'excludedattributes',
  'sortby',
  'sortorder',
  'startindex',
  'count',
  'cursor',
] as const;
type QueryName = (typeof QUERY_NAMES)[number];
const IS_QUERY_NAME: ReadonlySet<string> = new Set(QUERY_NAMES);

/**
 * Reads list parameters from a URL query: the text after `?` (decoded as `URLSearchParams` does,
 * see query-string.ts), or the pairs of a `URLSearchParams`.
 */
export function paramsFromQuery(q: string | Iterable<[string, string]>): ListParams {
  // Parameter names are matched without regard to case, as attribute names are (RFC 7643 §2.1):
  // `?Filter=`, `?Attributes=` and `?filter=` mean the same. One pass: every value of each known
  // parameter (`attributes=a&attributes=b`), under any spelling of its name.
  const found: Partial<Record<QueryName, string[]>> = {};
  for (const [k, v] of typeof q === 'string' ? queryPairs(q) : q) {
    const name = k.toLowerCase();
    if (!IS_QUERY_NAME.has(name)) continue;
    const list = found[name as QueryName];
    if (list === undefined) found[name as QueryName] = [v];
    else list.push(v);
  }
  const get = (name: QueryName): string | undefined => found[name]?.[0];
  return {
    filter: get('filter'),
    attributes: splitAttributeList(found.attributes ?? []),
    excludedAttributes: splitAttributeList(found.excludedattributes ?? []),
    sortBy: get('sortby') || undefined,
    sortOrder: order(get('sortorder')),
    startIndex: int(get('startindex'), 'startIndex'),
    count: int(get('count'), 'count'),
    cursor: get('cursor'),
  };
}

/** Reads list parameters from a SearchRequest body (RFC 7644 §3.4.3). */
export function paramsFromSearchBody(body: unknown): ListParams {
  if (!isObject(body)) throw new InvalidValueError('SearchRequest body must be a JSON object');
  const list = (v: unknown) =>
    Array.isArray(v) ? splitAttributeList(v.map(String)) : typeof v === 'string' ? splitAttributeList(v) : undefined;
  return {
    filter: str(getCI(body, 'filter')),
    attributes: list(getCI(body, 'attributes')),
    excludedAttributes: list(getCI(body, 'excludedAttributes')),
    sortBy: str(getCI(body, 'sortBy')),
    sortOrder: order(str(getCI(body, 'sortOrder'))),
    startIndex: int(getCI(body, 'startIndex'), 'startIndex'),
    count: int(getCI(body, 'count'), 'count'),
    cursor: str(getCI(body, 'cursor')),
  };
}

/** Parses a filter parameter, tolerating the trailing `?`/`&` some clients (OneLogin) append. */
export function parseFilterParam(text: string, limits?: FilterLimits): FilterNode {
  const cleaned = text.replace(/[?&]+\s*$/, '');
  return parseFilter(cleaned, limits);
}

const ORDERED: ReadonlySet<string> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING: ReadonlySet<string> = new Set(['co', 'sw', 'ew']);

/**
 * Refuses a comparison whose literal cannot be of the attribute's type (RFC 7644 §3.4.2.2 compares
 * by the attribute's type; a mismatch is an invalid filter, not an empty result). Lenient only in
 * what real clients send: `"True"` for a boolean (Entra ID), an unquoted number for a string.
 */
function checkLiteral(def: AttributeDefinition, value: CompValue, where: string): void {
  if (value === null) return;
  const bad = (what: string) =>
    new InvalidFilterError(`"${where}" is ${def.type === 'integer' ? 'an' : 'a'} ${def.type}: cannot compare it with ${what}`);
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  switch (def.type) {
    case 'boolean':
      if (typeof value === 'boolean' || (typeof value === 'string' && /^(true|false)$/i.test(value))) return;
      throw bad(shown);
    case 'integer':
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return;
      throw bad(typeof value === 'number' ? 'a number out of range' : shown);
    case 'dateTime':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return;
      throw bad(shown);
    case 'complex':
      return;
    default:
      if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return;
      throw bad(typeof value === 'number' ? 'a number out of range' : shown);
  }
}

/** A string-like attribute (or a complex one whose `value` is). */
function isTextual(def: AttributeDefinition | undefined): boolean {
  const leaf = def?.type === 'complex' ? def.subAttributes?.find((s) => s.name === 'value') : def;
  return leaf !== undefined && (leaf.type === 'string' || leaf.type === 'reference' || leaf.type === 'binary');
}

function checkOp(def: AttributeDefinition | undefined, op: string, where: string, value?: CompValue): void {
  if (!def) return;
  const leaf = def.type === 'complex' ? def.subAttributes?.find((s) => s.name === 'value') : def;
  if (leaf && value !== undefined) checkLiteral(leaf, value, where);
  if (def.type === 'boolean' && (ORDERED.has(op) || SUBSTRING.has(op))) {
    throw new InvalidFilterError(`Operator "${op}" is not defined for boolean attribute "${where}"`);
  }
  if (def.type === 'binary' && (ORDERED.has(op) || SUBSTRING.has(op))) {
    throw new InvalidFilterError(`Operator "${op}" is not defined for binary attribute "${where}"`);
  }
  if (def.type === 'complex' && !def.subAttributes?.some((s) => s.name === 'value')) {
    throw new InvalidFilterError(`Complex attribute "${where}" needs a sub-attribute in a filter`);
  }
}

/**
 * Rewrites a filter to canonical names (schema casing, extension URNs
 * resolved, core URNs dropped) and rejects operators the type does not allow.
 */
export function canonicalFilter(registry: SchemaRegistry, rt: ResourceTypeDefinition, node: FilterNode): FilterNode {
  const canon = (p: AttrPath): { path: AttrPath; def: AttributeDefinition | undefined } => {
    const r = registry.resolve(rt, p);
    if (!r) return { path: p, def: undefined };
    const path: AttrPath = { attr: r.attr };
    if (r.extension) path.uri = r.extension;
    if (r.sub !== undefined) path.sub = r.sub;
    return { path, def: r.sub !== undefined ? r.subDef : r.attrDef };
  };
  switch (node.type) {
    case 'compare': {
      const { path, def } = canon(node.path);
      checkOp(def, node.op, path.sub !== undefined ? `${path.attr}.${path.sub}` : path.attr, node.value);
      // An unquoted number compared with a string attribute (Entra ID: `externalId eq 12345`) is that text.
      if (typeof node.value === 'number' && isTextual(def)) return { ...node, path, value: String(node.value) };
      return { ...node, path };
    }
    case 'present':
      return { ...node, path: canon(node.path).path };
    case 'and':
    case 'or':
      return { type: node.type, filters: node.filters.map((f) => canonicalFilter(registry, rt, f)) };
    case 'not':
      return { type: 'not', filter: canonicalFilter(registry, rt, node.filter) };
    case 'valuePath': {
      const { path, def } = canon(node.path);
      const inner = (n: FilterNode): FilterNode => {
        switch (n.type) {
          case 'compare':
          case 'present': {
            const sd = def?.subAttributes?.find((s) => s.name.toLowerCase() === n.path.attr.toLowerCase());
            if (n.type === 'compare') checkOp(sd, n.op, `${path.attr}.${n.path.attr}`, n.value);
            return { ...n, path: { attr: sd?.name ?? n.path.attr } };
          }
          case 'and':
          case 'or':
            return { type: n.type, filters: n.filters.map(inner) };
          case 'not':
            return { type: 'not', filter: inner(n.filter) };
          default:
            return n;
        }
      };
      return { type: 'valuePath', path, filter: inner(node.filter) };
    }
  }
}

/** Canonical sort path. */
export function canonicalSortPath(registry: SchemaRegistry, rt: ResourceTypeDefinition, sortBy: string): AttrPath {
  const p = parseAttrPath(sortBy, (d) => new InvalidValueError(`Invalid sortBy: ${d}`));
  const r = registry.resolve(rt, p);
  if (!r) return p;
  const out: AttrPath = { attr: r.attr };
  if (r.extension) out.uri = r.extension;
  if (r.sub !== undefined) out.sub = r.sub;
  return out;
}
