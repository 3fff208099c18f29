/**
 * `meta.resourceType` and `meta.location` are the gateway's, added to a resource as it is served
 * (shape.ts): no connector stores them, so a filter on them reached the backend and matched
 * nothing. Here they are decided before the query goes out: `meta.resourceType` is the type being
 * searched, and `meta.location` is `<base><endpoint>/<id>`, so an equality on it is one on `id`.
 * What is left is simplified (`true and f` is `f`); a filter that is always false runs no query.
 */
import { InvalidFilterError } from '../errors.js';
import type { AttrPath, CompareNode, FilterNode } from '../filter/ast.js';
import { compareOne } from '../filter/evaluate.js';
import type { ResourceTypeDefinition } from '../schema/types.js';

/** A filter with the gateway's own `meta` attributes decided: `true` all, `false` none. */
export type FoldedFilter = FilterNode | boolean;

function derived(p: AttrPath): 'resourcetype' | 'location' | undefined {
  if (p.attr.toLowerCase() !== 'meta' || p.sub === undefined) return undefined;
  const sub = p.sub.toLowerCase();
  return sub === 'resourcetype' || sub === 'location' ? sub : undefined;
}

const negate = (f: FoldedFilter): FoldedFilter => (typeof f === 'boolean' ? !f : { type: 'not', filter: f });

/** `meta.location eq <url>` → `id eq <id>` for a URL of this type at this base; else nothing matches. */
function locationEquals(value: unknown, rt: ResourceTypeDefinition, base: string): FoldedFilter {
  const prefix = `${base}${rt.endpoint}/`;
  if (typeof value !== 'string' || !value.startsWith(prefix) || value.length === prefix.length) return false;
  let id: string;
  try {
    id = decodeURIComponent(value.slice(prefix.length));
  } catch {
    return false;
  }
  return { type: 'compare', path: { attr: 'id' }, op: 'eq', value: id };
}

function term(
  node: CompareNode | Extract<FilterNode, { type: 'present' }>,
  rt: ResourceTypeDefinition,
  base?: string,
): FoldedFilter {
  const which = derived(node.path);
  if (which === undefined) return node;
  if (which === 'resourcetype') return node.type === 'present' ? true : compareOne(rt.name, node.op, node.value);
  // Without a base (no origin known) no resource is served with a location.
  if (base === undefined) return false;
  if (node.type === 'present') return true;
  if (node.op === 'eq') return locationEquals(node.value, rt, base);
  if (node.op === 'ne') return negate(locationEquals(node.value, rt, base));
  throw new InvalidFilterError('meta.location can be compared with "eq", "ne" or "pr" only');
}

/**
 * Decides the terms on `meta.resourceType` and `meta.location` of a canonical filter for one
 * resource type, and simplifies what remains.
 *
 * @param base the `meta.location` base the resources are served with (origin and prefix)
 */
export function foldDerivedMeta(node: FilterNode, rt: ResourceTypeDefinition, base?: string): FoldedFilter {
  switch (node.type) {
    case 'compare':
    case 'present':
      return term(node, rt, base);
    case 'not':
      return negate(foldDerivedMeta(node.filter, rt, base));
    case 'and':
    case 'or': {
      const absorbing = node.type === 'or';
      const kept: FilterNode[] = [];
      for (const f of node.filters) {
        const r = foldDerivedMeta(f, rt, base);
        if (r === absorbing) return absorbing;
        if (typeof r !== 'boolean') kept.push(r);
      }
      if (kept.length === 0) return !absorbing;
      return kept.length === 1 ? (kept[0] as FilterNode) : { type: node.type, filters: kept };
    }
    case 'valuePath':
      // Inside a value path, attributes are the multi-valued attribute's: never meta's.
      return node;
  }
}
