/** Query evaluation over one collection, using hash indexes where the filter allows. */
import { type FilterNode, matchesFilter, type PathResolver, sortResources } from '@scimgw/core/filter';
import type { QueryRequest, QueryResult, ScimResource } from '@scimgw/core';
import type { CollectionName, Doc, KeptDoc, TenantStore } from './store/tenant-store.js';

/** True when the filter reads attribute `attr` (so views must compute it). */
export function mentions(node: FilterNode | undefined, attr: string): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'and':
    case 'or':
      return node.filters.some((f) => mentions(f, attr));
    case 'not':
      return mentions(node.filter, attr);
    default:
      return node.path.attr.toLowerCase() === attr.toLowerCase();
  }
}

/** Ids that can match `node`, from an index; undefined when a scan is needed. */
export function candidates(
  store: TenantStore,
  coll: CollectionName,
  node: FilterNode | undefined,
): ReadonlySet<string> | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'compare': {
      if (node.op !== 'eq' || node.value === null || node.path.uri) return undefined;
      const a = node.path.attr;
      const sub = node.path.sub;
      if (a === 'id' && !sub) return new Set([String(node.value)]);
      if (!sub && store.indexes(coll, a)) return store.find(coll, a, node.value);
      if (a === 'members' && (sub === 'value' || sub === undefined) && coll === 'groups') {
        return store.membership.groupsOf(String(node.value));
      }
      return undefined;
    }
    case 'valuePath': {
      if (node.path.attr !== 'members' || coll !== 'groups') return undefined;
      const f = node.filter;
      if (f.type === 'compare' && f.op === 'eq' && f.path.attr === 'value' && f.value !== null) {
        return store.membership.groupsOf(String(f.value));
      }
      return undefined;
    }
    case 'and': {
      let best: ReadonlySet<string> | undefined;
      for (const f of node.filters) {
        const c = candidates(store, coll, f);
        if (c && (!best || c.size < best.size)) best = c;
      }
      return best;
    }
    case 'or': {
      const out = new Set<string>();
      for (const f of node.filters) {
        const c = candidates(store, coll, f);
        if (!c) return undefined;
        for (const id of c) out.add(id);
      }
      return out;
    }
    default:
      return undefined;
  }
}

/**
 * The resources a filter of one indexed `eq` (`userName eq "…"`, the lookup every IdP makes before
 * it creates a user) can match, decoded once: the index lookup decodes its candidates to compare
 * their keys, and these are they. Undefined for any other filter ({@link candidates} then).
 */
function indexedDocs(store: TenantStore, coll: CollectionName, node: FilterNode | undefined): Doc[] | undefined {
  if (node?.type !== 'compare' || node.op !== 'eq' || node.value === null || node.path.uri || node.path.sub) return undefined;
  const a = node.path.attr;
  return a !== 'id' && store.indexes(coll, a) ? store.findDocs(coll, a, node.value) : undefined;
}

const TEXT_OPS = new Set(['eq', 'co', 'sw', 'ew']);

/**
 * A piece of JSON text, lower-case, that every stored resource matching `node` contains; undefined
 * when there is none to tell. A scan tests it on each resource's text before decoding it. Only for
 * string literals that cannot compare as a number, a date or a boolean (those match stored values
 * written differently: `1.0` matches `1`), and in printable ASCII (so lower-casing the whole text
 * lower-cases the value the same way the evaluator does). `eq`, `co`, `sw` and `ew` all need the
 * value (lower-cased, JSON-escaped) inside the stored value, so inside the text.
 */
export function textNeedle(node: FilterNode | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'compare': {
      const v = node.value;
      if (typeof v !== 'string' || !TEXT_OPS.has(node.op) || !/^[\x20-\x7e]+$/.test(v)) return undefined;
      if (!Number.isNaN(Number(v)) || !Number.isNaN(Date.parse(v)) || /^(true|false)$/i.test(v)) return undefined;
      return JSON.stringify(v.toLowerCase()).slice(1, -1);
    }
    case 'valuePath':
      return textNeedle(node.filter);
    case 'and': {
      let best: string | undefined;
      for (const f of node.filters) {
        const n = textNeedle(f);
        if (n !== undefined && (best === undefined || n.length > best.length)) best = n;
      }
      return best;
    }
    default:
      return undefined;
  }
}

/**
 * Runs a query: index lookup or scan, full filter check, optional sort, and
 * the page window (`pageView`: the view of a page's element, given the read cache's entry where it
 * has one). Without filter and sort a page decodes only its own
 * resources, so large directories page without touching the others. Pages read through the
 * store's read cache (frozen resources, the same objects while unchanged); filtered queries decode
 * what they visit anew and keep nothing. Lookups by userName through the cache were tried twice: on
 * Bun filling it cost more than it saved (0.157 against 0.113 CPU ms per request, bench/cost.mjs
 * (b)); on Node they cost 20 % less, but the cache then filled in the random order of the lookups,
 * and pages read after them cost 0.23 instead of 0.13 ms (bench/cost.mjs --only b,c; 18 against 14
 * µs in process; sequential lookups left pages as they were).
 */
export function runQuery(
  store: TenantStore,
  coll: CollectionName,
  req: QueryRequest,
  view: (d: Doc, forFilter: boolean) => ScimResource,
  resolve: PathResolver,
  pageView?: (e: KeptDoc | Doc) => ScimResource,
): QueryResult {
  const start = Math.max(1, req.startIndex ?? 1) - 1;
  if (!req.filter && !req.sort) {
    const total = store.count(coll);
    const end = req.count === undefined ? total : start + req.count;
    if (pageView === undefined)
      return { resources: store.readPage(coll, start, end).map((d) => view(d, false)), totalResults: total };
    const kept = store.readPageKept(coll, start, end);
    const resources: ScimResource[] = new Array(kept.length);
    for (let i = 0; i < kept.length; i++) resources[i] = pageView(kept[i] as KeptDoc | Doc);
    return { resources, totalResults: total };
  }
  const needsView = mentions(req.filter, 'groups') || mentions(req.filter, 'members');
  const found = indexedDocs(store, coll, req.filter);
  const ids = found ? undefined : candidates(store, coll, req.filter);
  const pool: Iterable<Doc> =
    found ??
    (ids
      ? [...ids].map((id) => store.get(coll, id)).filter((d): d is Doc => d !== undefined)
      : store.scan(coll, needsView ? undefined : textNeedle(req.filter)));
  let matched: ScimResource[] = [];
  for (const d of pool) {
    const candidate = needsView ? view(d, true) : d;
    if (!req.filter || matchesFilter(req.filter, candidate, resolve)) matched.push(needsView ? candidate : d);
  }
  if (req.sort) matched = sortResources(matched, req.sort.path, req.sort.order, resolve);
  const end = req.count === undefined ? matched.length : start + req.count;
  return {
    resources: matched.slice(start, end).map((d) => (needsView ? d : view(d as Doc, false))),
    totalResults: matched.length,
  };
}
