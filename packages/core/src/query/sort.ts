/** Type-aware, stable sorting of resources (RFC 7644 §3.4.2.3). */
import type { AttrPath } from '../filter/ast.js';
import type { PathResolver } from '../filter/evaluate.js';
import type { AttributeType } from '../schema/types.js';
import { getCI, isObject } from '../util/object.js';
import type { ScimResource } from '../contract/types.js';

type Key = string | number | boolean | undefined;

function sortKey(resource: ScimResource, path: AttrPath, resolve: PathResolver): { key: Key; type: AttributeType | undefined } {
  const r = resolve(path) ?? { attr: path.attr, ...(path.sub ? { sub: path.sub } : {}) };
  const container = r.extension ? getCI(resource, r.extension) : resource;
  let v = getCI(container, r.attr);
  let type = r.attrDef?.type;
  if (Array.isArray(v)) {
    // Multi-valued: sort by the primary element, else the first one (RFC 7644 §3.4.2.3).
    v = v.find((e) => isObject(e) && getCI(e, 'primary') === true) ?? v[0];
  }
  if (r.sub !== undefined) {
    v = getCI(v, r.sub);
    type = r.subDef?.type;
  } else if (isObject(v)) {
    v = getCI(v, 'value');
    type = r.attrDef?.subAttributes?.find((s) => s.name === 'value')?.type;
  }
  if (v === null || v === undefined || isObject(v) || Array.isArray(v)) return { key: undefined, type };
  if (type === 'dateTime') {
    const t = Date.parse(String(v));
    return { key: Number.isNaN(t) ? String(v) : t, type };
  }
  if (type === 'integer' || type === 'decimal') return { key: Number(v), type };
  if (typeof v === 'string') {
    const caseExact = (r.sub !== undefined ? r.subDef : r.attrDef)?.caseExact ?? false;
    return { key: caseExact ? v : v.toLowerCase(), type };
  }
  return { key: v as Key, type };
}

/**
 * Sorts a copy of `resources` by `path`. Missing values sort last in either
 * order; ties keep their original order.
 */
export function sortResources(
  resources: readonly ScimResource[],
  path: AttrPath,
  order: 'ascending' | 'descending',
  resolve: PathResolver,
): ScimResource[] {
  const dir = order === 'descending' ? -1 : 1;
  const keyed = resources.map((r, i) => ({ r, i, k: sortKey(r, path, resolve).key }));
  keyed.sort((a, b) => {
    if (a.k === undefined || b.k === undefined) {
      if (a.k === b.k) return a.i - b.i;
      return a.k === undefined ? 1 : -1;
    }
    const c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
    return c === 0 ? a.i - b.i : c * dir;
  });
  return keyed.map((x) => x.r);
}
