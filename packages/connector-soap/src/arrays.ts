/**
 * Lists wrapped in an element per item, as SOAP encoding writes arrays
 * (`<members><item>u1</item><item>u2</item></members>`). A map entry with `"arrayItem": "item"`
 * holds its list as `{ item: [...] }` in messages; the mapper sees a plain list.
 *
 * @see SOAP 1.1 §5.4.2 (arrays)
 */
import type { Mapper } from '@scimgw/mapper';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Wraps and unwraps the lists of the entries that name an `arrayItem` element. */
export interface ArrayWrapping {
  /** A record read from a message, its wrapped lists made plain (a new record). */
  unwrap(record: Record<string, unknown>): Record<string, unknown>;
  /** A record for a message, its lists wrapped (a new record). */
  wrap(record: Record<string, unknown>): Record<string, unknown>;
}

/**
 * The wrapping for one resource type's map section.
 *
 * @throws Error naming the entry when `arrayItem` is not a plain element name
 */
export function arrayWrapping(section: Record<string, unknown> | undefined, mapper: Mapper, where: string): ArrayWrapping {
  const items = new Map<string, string>();
  for (const [key, entry] of Object.entries(section ?? {})) {
    if (!isRecord(entry) || entry.arrayItem === undefined) continue;
    const item = entry.arrayItem;
    if (typeof item !== 'string' || !/^[\p{L}_][\p{L}\p{N}_.-]*$/u.test(item)) {
      throw Object.assign(new Error(`${where}.${key}.arrayItem: must be an element name, e.g. "item"`), {
        path: `${where}.${key}.arrayItem`,
      });
    }
    items.set(key, item);
  }
  const convert = (record: Record<string, unknown>, fn: (value: unknown, item: string) => unknown) => {
    if (items.size === 0) return record;
    const out = structuredClone(record);
    for (const [key, item] of items) {
      const v = mapper.getEndpointValue(out, key);
      if (v !== undefined) mapper.setEndpointValue(out, key, fn(v, item));
    }
    return out;
  };
  return {
    unwrap: (record) =>
      convert(record, (v, item) => {
        const inner = isRecord(v) ? v[item] : v === '' ? [] : v;
        return inner === undefined || inner === null || inner === '' ? [] : Array.isArray(inner) ? inner : [inner];
      }),
    wrap: (record) => convert(record, (v, item) => ({ [item]: Array.isArray(v) ? v : [v] })),
  };
}
