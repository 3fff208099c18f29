/**
 * A query as the older API's `getObj`: `{ attribute, operator, value, rawFilter, startIndex, count }`.
 * Only what the resource declared reaches here (one comparison or presence test; the core splits
 * `and`/`or` and evaluates the rest), which is what that API handed its plugins too.
 */
import type { QueryRequest } from '@scimgw/core';
import { formatPath, serializeFilter } from '@scimgw/core/filter';
import type { ShapeInfo } from './convert/shapes.js';

/** The older `getObj` of a list request. */
export interface LegacyGetObj {
  attribute?: string;
  operator?: string;
  value?: unknown;
  rawFilter?: string;
  startIndex?: number;
  count?: number;
}

/** Builds the `getObj` for `request`. A multi-valued attribute without a sub-attribute is asked for by `.value`, as that API did. */
export function toGetObj(request: QueryRequest, info: ShapeInfo): LegacyGetObj {
  const out: LegacyGetObj = {};
  const f = request.filter;
  if (f && (f.type === 'compare' || f.type === 'present')) {
    const path = { ...f.path };
    if (!path.sub && !path.uri && info.isMultiValued(path.attr) && f.type === 'compare') path.sub = 'value';
    out.attribute = formatPath(path);
    out.operator = f.type === 'compare' ? f.op : 'pr';
    if (f.type === 'compare') out.value = f.value;
    out.rawFilter = serializeFilter(f);
  } else if (f) out.rawFilter = serializeFilter(f);
  if (request.startIndex !== undefined) out.startIndex = request.startIndex;
  if (request.count !== undefined) out.count = request.count;
  return out;
}
