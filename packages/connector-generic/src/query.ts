/**
 * Query planning against the target: what the target can evaluate is sent
 * (filter, sort, page window); whatever it cannot is done here on the mapped
 * SCIM resources, so results are the same either way.
 */
import { type AttrPath, type FilterNode, planFilter, serializeFilter } from '@scimgw/core/filter';
import type { QueryRequest, SortSpec } from '@scimgw/core';
import type { Mapper } from '@scimgw/mapper';
import type { TargetScimVersion, TargetSupport } from './config.js';
import { keyFor, urnFor } from './scim-version.js';

/** What to ask the target for. */
export interface TargetQuery {
  /** Nothing can match: answer empty without a request. */
  none: boolean;
  /** Filter text for the target (`undefined`: all). */
  filter: string | undefined;
  /** True when the target's answer is the exact answer (no local filtering). */
  exact: boolean;
  /** Target sort path, when the target can sort the way the client asked. */
  sortBy: string | undefined;
  sortOrder: SortSpec['order'] | undefined;
}

/** Rewrites 2.0 extension URNs in endpoint paths for a 1.1 target. */
function dialect(node: FilterNode, version: TargetScimVersion): FilterNode {
  if (version === '2.0') return node;
  const fix = (p: AttrPath): AttrPath => (p.uri ? { ...p, uri: urnFor(p.uri, version) } : p);
  switch (node.type) {
    case 'compare':
    case 'present':
      return { ...node, path: fix(node.path) };
    case 'and':
    case 'or':
      return { type: node.type, filters: node.filters.map((f) => dialect(f, version)) };
    case 'not':
      return { type: 'not', filter: dialect(node.filter, version) };
    case 'valuePath':
      return { ...node, path: fix(node.path), filter: dialect(node.filter, version) };
  }
}

/** Endpoint sort path for a SCIM sort path, when exactly one plain endpoint attribute holds it. */
export function endpointSortPath(mapper: Mapper, path: AttrPath): string | undefined {
  const hits: string[] = [];
  for (const a of mapper.attributes) {
    if (a.valueMapped) continue;
    for (const t of a.targets) {
      if (t.attr.toLowerCase() !== path.attr.toLowerCase() || (t.extension ?? '') !== (path.uri ?? '')) continue;
      if (t.shape === 'typed' || t.shape === 'subOfMulti') continue;
      const sub = path.sub?.toLowerCase();
      if ((t.sub?.toLowerCase() ?? undefined) === sub) hits.push(a.endpoint);
      else if (t.sub === undefined && sub !== undefined && a.type === 'complexObject') hits.push(`${a.endpoint}.${path.sub}`);
    }
  }
  return hits.length === 1 ? hits[0] : undefined;
}

/** Plans one query against a target of `version` that supports `support`. */
export function planTargetQuery(
  mapper: Mapper,
  req: QueryRequest,
  version: TargetScimVersion,
  support: Required<TargetSupport>,
): TargetQuery {
  const tr = mapper.translateFilter(req.filter);
  if (tr.kind === 'none') return { none: true, filter: undefined, exact: true, sortBy: undefined, sortOrder: undefined };
  const parts: FilterNode[] = [];
  if (tr.kind === 'filter') parts.push(tr.filter);
  const visible = mapper.visibilityFilter();
  if (visible) parts.push(visible);
  let exact = tr.exact;
  let filter: FilterNode | undefined =
    parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { type: 'and', filters: parts };
  if (filter) {
    const plan = planFilter(filter, {
      operators: support.operators,
      attributes: '*',
      logical: support.logical,
      valuePath: support.valuePath,
    });
    if (plan.kind === 'native') filter = plan.pushed;
    else {
      exact = false;
      filter = plan.kind === 'residual' ? plan.pushed : undefined;
    }
  }
  // Hidden records still count at the target unless the visibility filter went along.
  if (mapper.hidesResources && (!visible || !exact)) exact = false;
  let sortBy: string | undefined;
  if (req.sort && support.sort) {
    const p = endpointSortPath(mapper, req.sort.path);
    if (p) sortBy = keyFor(p, version);
  }
  return {
    none: false,
    filter: filter ? serializeFilter(dialect(filter, version)) : undefined,
    exact,
    sortBy,
    sortOrder: sortBy ? req.sort?.order : undefined,
  };
}

/** Query string (RFC 3986 encoding: `+` is not a space for every server). */
export function queryString(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
