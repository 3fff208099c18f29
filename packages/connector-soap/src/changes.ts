/**
 * Endpoint modifications (the mapper's `{ clear, remove, set, add }`) applied to endpoint records:
 * the whole record for services whose modify operation takes a full record, or the changed
 * attributes for services that take `$set`/`$clear`.
 */
import type { EndpointChanges, Mapper } from '@scimgw/mapper';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Values compare by content; elements of complex lists by their `value` when both have one. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isRecord(a) && isRecord(b) && a.value !== undefined && b.value !== undefined) return sameValue(a.value, b.value);
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A list value as an array (a single element read from XML is not one). */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

/** True when there is nothing to change. */
export function isEmpty(ch: EndpointChanges): boolean {
  return ch.clear.length === 0 && [ch.set, ch.add, ch.remove].every((o) => Object.keys(o).length === 0);
}

/** Whether an endpoint key holds a list (from the mapping). */
export function isListKey(mapper: Mapper, key: string): boolean {
  const a = mapper.attributes.find((x) => x.endpoint === key);
  return a !== undefined && (a.type === 'array' || a.type === 'complexArray');
}

/** The new value of `key` after removing and adding list values. */
export function nextList(current: unknown, remove: readonly unknown[] = [], add: readonly unknown[] = []): unknown[] {
  const out = asList(current).filter((v) => !remove.some((r) => sameValue(r, v)));
  for (const v of add) if (!out.some((x) => sameValue(x, v))) out.push(v);
  return out;
}

/**
 * Applies `ch` to `record` in place, in the mapper's order: clear, remove, set, add.
 *
 * @example
 * applyChangesTo(mapper, { member: ['a'] }, { clear: [], remove: {}, set: {}, add: { member: ['b'] } }) // { member: ['a', 'b'] }
 */
export function applyChangesTo(mapper: Mapper, record: Record<string, unknown>, ch: EndpointChanges): Record<string, unknown> {
  for (const key of ch.clear) mapper.deleteEndpointValue(record, key);
  for (const [key, values] of Object.entries(ch.remove)) {
    const cur = mapper.getEndpointValue(record, key);
    if (isListKey(mapper, key) || Array.isArray(cur)) {
      const next = nextList(cur, values);
      if (next.length === 0) mapper.deleteEndpointValue(record, key);
      else mapper.setEndpointValue(record, key, next);
    } else if (values.some((v) => sameValue(v, cur))) {
      mapper.deleteEndpointValue(record, key);
    }
  }
  for (const [key, value] of Object.entries(ch.set)) mapper.setEndpointValue(record, key, value);
  for (const [key, values] of Object.entries(ch.add)) {
    mapper.setEndpointValue(record, key, nextList(mapper.getEndpointValue(record, key), [], values));
  }
  return record;
}

/** A partial modification: the attributes to set (nested as the message needs them) and the ones to clear. */
export interface PartialChanges {
  set: Record<string, unknown>;
  clear: string[];
}

/**
 * The changes as `$set`/`$clear`. List additions and removals (and removals from single-valued
 * attributes) need the current record: `current` must be given when {@link needsRecord} is true.
 */
export function partialChanges(mapper: Mapper, ch: EndpointChanges, current?: Record<string, unknown>): PartialChanges {
  const set: Record<string, unknown> = {};
  const clear = new Set(ch.clear);
  for (const [key, value] of Object.entries(ch.set)) mapper.setEndpointValue(set, key, value);
  const keys = new Set([...Object.keys(ch.remove), ...Object.keys(ch.add)]);
  for (const key of keys) {
    const cur = current ? mapper.getEndpointValue(current, key) : undefined;
    const removing = ch.remove[key] ?? [];
    if (!isListKey(mapper, key) && !Array.isArray(cur) && !(key in ch.add)) {
      if (removing.some((v) => sameValue(v, cur))) clear.add(key);
      continue;
    }
    const next = nextList(key in ch.set ? ch.set[key] : cur, removing, ch.add[key] ?? []);
    if (next.length === 0) clear.add(key);
    else {
      clear.delete(key);
      mapper.setEndpointValue(set, key, next);
    }
  }
  return { set, clear: [...clear] };
}

/** True when {@link partialChanges} needs the current record. */
export function needsRecord(ch: EndpointChanges): boolean {
  return Object.keys(ch.remove).length > 0 || Object.keys(ch.add).length > 0;
}
