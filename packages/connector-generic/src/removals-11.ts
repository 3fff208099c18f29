/**
 * Removals from multi-valued attributes on a SCIM 1.1 target. 1.1 has no value-path filters: an
 * element is removed by sending it marked `operation: "delete"`, and the service finds it by its
 * `value` sub-attribute (SCIM 1.1 Protocol §3.3.2). A removal selected by other sub-attributes
 * (`emails[type eq "home"]`, or Broadcom IM's `{ "type": "home", "operation": "delete" }`) names no
 * `value`, so a 1.1 service would match nothing and answer 200 with the element still there. Such
 * removals are matched here against the target's current elements and sent as those elements.
 *
 * @see SCIM 1.1 Protocol §3.3.2; RFC 7644 §3.5.2.2 (remove with a value filter)
 */
import type { Mapper } from '@scimgw/mapper';
import { isListKey } from './scim-version.js';
import { getCI, isObject } from './json.js';

type Rec = Record<string, unknown>;

/** A removal element that selects by sub-attributes other than `value`. */
function isSelector(v: unknown): v is Rec {
  return isObject(v) && getCI(v, 'value') === undefined && Object.keys(v).length > 0;
}

/** `eq` as a value filter compares it: strings without regard to case (`caseExact` is false by default). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** True when every sub-attribute of `selector` has its value in `el`. */
function selects(selector: Rec, el: unknown): boolean {
  return isObject(el) && Object.entries(selector).every(([k, v]) => sameValue(getCI(el, k), v));
}

/**
 * Endpoint keys of list attributes whose removals select elements without naming their `value`:
 * the attributes to read from the target before the PATCH (none: the PATCH needs no read).
 */
export function keysToResolve(mapper: Mapper, remove: Readonly<Record<string, unknown[]>>): string[] {
  return Object.entries(remove)
    .filter(([key, values]) => isListKey(mapper, key) && values.some(isSelector))
    .map(([key]) => key);
}

/**
 * `remove` with each selector replaced by the elements of `record` (the target's, in 2.0 form) it
 * selects, whole: a 1.1 service finds them by `value`, or by all sub-attributes where there is no
 * `value`. A selector that selects nothing is dropped, as a 2.0 remove by filter changes nothing.
 */
export function resolveRemovals(
  mapper: Mapper,
  remove: Readonly<Record<string, unknown[]>>,
  record: Rec,
): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [key, values] of Object.entries(remove)) {
    if (!isListKey(mapper, key) || !values.some(isSelector)) {
      out[key] = values;
      continue;
    }
    const current = mapper.getEndpointValue(record, key);
    const elements = Array.isArray(current) ? current : [];
    const resolved: unknown[] = [];
    for (const v of values) {
      if (!isSelector(v)) resolved.push(v);
      else for (const el of elements) if (selects(v, el) && !resolved.includes(el)) resolved.push(el);
    }
    if (resolved.length) out[key] = resolved;
  }
  return out;
}
