/** `POST /.search` at the root (RFC 7644 §3.4.3): one search over every resource type that can be queried. */
import type { Connector, RequestContext, ScimResource } from '../contract/types.js';
import { Projection } from '../query/projection.js';
import { sortResources } from '../query/sort.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { foldDerivedMeta } from './derived-meta.js';
import { collectMatching } from './list.js';
import { canonicalFilter, canonicalSortPath, type ListParams, parseFilterParam } from './params.js';
import { finishResource, listResponse } from './shape.js';
import type { ScimHandlerOptions, ScimResponse } from './types.js';

/** Runs a root search. */
export async function rootSearch(
  registry: SchemaRegistry,
  connector: Connector,
  options: ScimHandlerOptions,
  p: ListParams,
  ctx: RequestContext,
  base: string | undefined,
  headers: Record<string, string>,
): Promise<ScimResponse> {
  const all: ScimResource[] = [];
  for (const rt of registry.resourceTypes()) {
    const handler = connector.resources[rt.id];
    if (!handler?.query) continue;
    const folded = p.filter
      ? foldDerivedMeta(canonicalFilter(registry, rt, parseFilterParam(p.filter, options.filterLimits)), rt, base)
      : true;
    if (folded === false) continue;
    const found = await collectMatching(handler, folded === true ? undefined : folded, registry.resolver(rt), {}, ctx);
    const projection = new Projection(registry, rt, p);
    for (const r of found) all.push(projection.apply(finishResource(registry, rt, r, base)));
  }
  const rt0 = registry.resourceTypes()[0];
  const sorted =
    p.sortBy && rt0
      ? sortResources(all, canonicalSortPath(registry, rt0, p.sortBy), p.sortOrder ?? 'ascending', registry.resolver(rt0))
      : all;
  const start = Math.max(1, p.startIndex ?? 1);
  const count = Math.min(
    Math.max(p.count ?? options.pagination?.defaultPageSize ?? 100, 0),
    options.pagination?.maxPageSize ?? 1000,
  );
  return { status: 200, headers, body: listResponse(sorted.slice(start - 1, start - 1 + count), sorted.length, start) };
}
