/**
 * `attributes` / `excludedAttributes` for the target: the client's projection
 * in the target's attribute names, so the target does not read and send what
 * the client does not want (`GET /Groups?excludedAttributes=members` must not
 * carry every member across). The core still projects the answer itself; this
 * only keeps the target's answer small.
 *
 * @see RFC 7644 §3.4.2.5 (2.0), SCIM 1.1 Protocol §3.2.2 (`attributes` only)
 */
import { type AttrPath, type FilterNode, parseAttrPath } from '@scimgw/core/filter';
import type { SortSpec } from '@scimgw/core';
import type { MappedAttribute, Mapper } from '@scimgw/mapper';
import type { TargetScimVersion, TargetSupport } from './config.js';
import { keyFor } from './scim-version.js';

/** The client's projection, as the core hands it to the connector. */
export interface ClientProjection {
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
}

/** Query parameters for the target (absent: no projection). */
export interface TargetProjection {
  attributes?: string;
  excludedAttributes?: string;
}

/** SCIM paths the connector itself needs to read (local filtering and sorting). */
export function pathsOf(filter: FilterNode | undefined, sort: SortSpec | undefined): AttrPath[] {
  const out: AttrPath[] = sort ? [sort.path] : [];
  const walk = (n: FilterNode | undefined): void => {
    if (!n) return;
    switch (n.type) {
      case 'compare':
      case 'present':
        out.push(n.path);
        return;
      case 'and':
      case 'or':
        n.filters.forEach(walk);
        return;
      case 'not':
        walk(n.filter);
        return;
      case 'valuePath':
        // The whole multi-valued attribute is needed to test its elements.
        out.push({ ...(n.path.uri ? { uri: n.path.uri } : {}), attr: n.path.attr });
        return;
    }
  };
  walk(filter);
  return out;
}

/** A client-written path, or `undefined` when it is not one (the core rejects it anyway). */
function parse(raw: string): AttrPath | undefined {
  try {
    return parseAttrPath(raw.trim());
  } catch {
    return undefined;
  }
}

const lc = (s: string | undefined) => s?.toLowerCase();

const coreUrns = new WeakMap<Mapper, string>();

/** The mapper's core schema URN (`schema()` clones the whole generated schema: read it once). */
function coreUrnOf(mapper: Mapper): string {
  let urn = coreUrns.get(mapper);
  if (urn === undefined) coreUrns.set(mapper, (urn = mapper.schema().id));
  return urn;
}

/** True when the SCIM path `p` names all of what target `t` holds (the attribute, or that sub-attribute). */
function covers(p: AttrPath, t: MappedAttribute['targets'][number], coreUrn: string): boolean {
  const uri = p.uri && lc(p.uri) !== lc(coreUrn) ? lc(p.uri) : undefined;
  if (uri !== lc(t.extension) || lc(p.attr) !== lc(t.attr)) return false;
  return p.sub === undefined || (t.sub !== undefined && lc(t.sub) === lc(p.sub));
}

/**
 * Builds the target's projection parameters. Always kept: `id`, the attributes
 * that decide visibility under an allowlist, `meta`, and `keep` (what the
 * connector filters or sorts by itself). Returns `{}` when nothing would be left
 * out or the target supports neither parameter.
 */
export function targetProjection(
  mapper: Mapper,
  client: ClientProjection,
  version: TargetScimVersion,
  support: Required<TargetSupport>,
  keep: AttrPath[] = [],
): TargetProjection {
  const include = client.attributes?.filter((a) => a.trim() !== '');
  const exclude = client.excludedAttributes?.filter((a) => a.trim() !== '');
  if (!include?.length && !exclude?.length) return {};
  const coreUrn = coreUrnOf(mapper);
  const attrs = mapper.attributes.filter((a) => a.targets.some((t) => !t.writeOnly));
  const needed = new Set<string>();
  for (const a of attrs) {
    const t0 = a.targets[0];
    if (a.endpoint === 'id' || a.hides) needed.add(a.endpoint);
    else if (t0 && lc(t0.attr) === 'meta' && !t0.extension) needed.add(a.endpoint);
  }
  for (const p of keep) for (const k of mapper.endpointAttributesFor(p)) needed.add(k);
  const dialect = (keys: Iterable<string>) => [...keys].map((k) => keyFor(k, version)).join(',');

  if (include?.length) {
    if (!support.attributes) return {};
    const wanted = new Set(needed);
    for (const raw of include) {
      const ext = mapper.extensionUrns().find((u) => lc(u) === lc(raw.trim()));
      if (ext) {
        for (const a of attrs) if (a.targets.some((t) => lc(t.extension) === lc(ext))) wanted.add(a.endpoint);
        continue;
      }
      const p = parse(raw);
      if (!p) return {};
      for (const k of mapper.endpointAttributesFor(p)) wanted.add(k);
    }
    return wanted.size >= attrs.length ? {} : { attributes: dialect(wanted) };
  }

  const paths = (exclude ?? []).map((raw) => {
    const ext = mapper.extensionUrns().find((u) => lc(u) === lc(raw.trim()));
    return ext ? { ext } : { path: parse(raw) };
  });
  if (paths.some((x) => 'path' in x && x.path === undefined)) return {};
  const dropped = attrs.filter(
    (a) =>
      !needed.has(a.endpoint) &&
      a.targets.every(
        (t) =>
          t.writeOnly || paths.some((x) => ('ext' in x ? lc(t.extension) === lc(x.ext) : covers(x.path as AttrPath, t, coreUrn))),
      ),
  );
  if (dropped.length === 0) return {};
  if (support.excludedAttributes) return { excludedAttributes: dialect(dropped.map((a) => a.endpoint)) };
  if (!support.attributes) return {};
  // A 1.1 target has no excludedAttributes: ask for everything else instead.
  const gone = new Set(dropped.map((a) => a.endpoint));
  return { attributes: dialect(attrs.map((a) => a.endpoint).filter((k) => !gone.has(k))) };
}

/** Most projections a collection remembers (clients use a handful; any string a client sends is a key). */
const CACHED_PROJECTIONS = 64;

const NO_PROJECTION: TargetProjection = Object.freeze({});

/**
 * {@link targetProjection} remembered per client projection and target version: clients send the
 * same few projections (`excludedAttributes=members`) on every request, and working one out walks
 * the whole mapping. What is returned is shared: callers copy it, never change it.
 */
export function projectionCache(
  mapper: Mapper,
): (
  client: ClientProjection,
  version: TargetScimVersion,
  support: Required<TargetSupport>,
  keep?: AttrPath[],
) => TargetProjection {
  const caches = new WeakMap<object, Map<string, TargetProjection>>();
  return (client, version, support, keep = []) => {
    const { attributes, excludedAttributes } = client;
    if (!attributes?.length && !excludedAttributes?.length) return NO_PROJECTION;
    if (keep.length) return targetProjection(mapper, client, version, support, keep);
    let cache = caches.get(support);
    if (cache === undefined) caches.set(support, (cache = new Map()));
    const key = `${version}\u0000${attributes?.join('\u0001') ?? ''}\u0000${excludedAttributes?.join('\u0001') ?? ''}`;
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = Object.freeze(targetProjection(mapper, client, version, support));
      if (cache.size >= CACHED_PROJECTIONS) cache.clear();
      cache.set(key, hit);
    }
    return hit;
  };
}
