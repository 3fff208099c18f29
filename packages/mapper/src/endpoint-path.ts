/**
 * Endpoint attribute keys. A dotted key (`passwordProfile.password`) names a
 * nested value; a URN-prefixed key (a SCIM target's extension attribute) keeps
 * its URN as one segment. Lookups fall back to case-insensitive names because
 * directories (LDAP) treat attribute names that way.
 */

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);
}

/** Own property by exact name, else by case-insensitive name. */
export function getCI(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const k = otherCase(obj, key);
  return k === undefined ? undefined : obj[k];
}

/** The existing key matching `key` case-insensitively, if any. */
export function keyCI(obj: Record<string, unknown>, key: string): string | undefined {
  return Object.hasOwn(obj, key) ? key : otherCase(obj, key);
}

// Most lookups miss (a mapped attribute the record does not have): compare lengths before
// lower-casing, so a miss costs no string allocations.
function otherCase(obj: Record<string, unknown>, key: string): string | undefined {
  let l: string | undefined;
  for (const k of Object.keys(obj)) {
    if (k.length !== key.length) continue;
    l ??= key.toLowerCase();
    if (k.toLowerCase() === l) return k;
  }
  return undefined;
}

/** Splits an endpoint key into path segments. */
export function splitEndpointKey(key: string, nested: boolean): string[] {
  if (!nested) return [key];
  if (/^urn:/i.test(key)) {
    const cut = key.lastIndexOf(':');
    return [key.slice(0, cut), ...key.slice(cut + 1).split('.')];
  }
  return key.split('.');
}

/**
 * Reads an endpoint value (`top`, when given, reads the record's own keys).
 * Passing through an array maps over its elements
 * and keeps holes (`undefined`) so values of sibling keys stay aligned
 * (`groups.value` and `groups.display` of the same element share an index).
 */
export function readEndpoint(
  record: Record<string, unknown>,
  key: string,
  segs: readonly string[],
  top?: (key: string, lower: string) => unknown,
  firstLower?: string,
): unknown {
  // A literal dotted key wins over the nested reading.
  if (segs.length > 1 && Object.hasOwn(record, key)) return record[key];
  const first = segs[0] as string;
  let cur: unknown = top ? top(first, firstLower ?? first.toLowerCase()) : getCI(record, first);
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i] as string;
    if (Array.isArray(cur)) cur = cur.map((el) => (isObject(el) ? getCI(el, s) : undefined));
    else if (isObject(cur)) cur = getCI(cur, s);
    else return undefined;
  }
  return cur;
}

function child(obj: Record<string, unknown>, seg: string): Record<string, unknown> {
  const k = keyCI(obj, seg) ?? seg;
  const cur = obj[k];
  if (isObject(cur)) return cur;
  const fresh: Record<string, unknown> = {};
  obj[k] = fresh;
  return fresh;
}

/**
 * Writes an endpoint value. With `listParent`, the key's parent holds a list
 * of objects and `value` (a list) is spread over its elements by index.
 */
export function writeEndpoint(
  record: Record<string, unknown>,
  segs: readonly string[],
  value: unknown,
  listParent: boolean,
): void {
  const last = segs[segs.length - 1] as string;
  if (listParent && segs.length > 1 && Array.isArray(value)) {
    let holder = record;
    for (const s of segs.slice(0, -2)) holder = child(holder, s);
    const listKey = segs[segs.length - 2] as string;
    const k = keyCI(holder, listKey) ?? listKey;
    const list = (Array.isArray(holder[k]) ? holder[k] : (holder[k] = [])) as unknown[];
    value.forEach((v, i) => {
      if (v === undefined) return;
      const el = isObject(list[i]) ? (list[i] as Record<string, unknown>) : (list[i] = {});
      (el as Record<string, unknown>)[last] = v;
    });
    return;
  }
  let holder = record;
  for (const s of segs.slice(0, -1)) holder = child(holder, s);
  holder[keyCI(holder, last) ?? last] = value;
}

/**
 * Deletes an endpoint value (with `listParent`: the whole parent list) and
 * prunes objects left empty.
 */
export function deleteEndpoint(record: Record<string, unknown>, segs: readonly string[], listParent: boolean): void {
  const path = listParent && segs.length > 1 ? segs.slice(0, -1) : segs;
  const trail: [Record<string, unknown>, string][] = [];
  let holder: unknown = record;
  for (const s of path.slice(0, -1)) {
    if (!isObject(holder)) return;
    const k = keyCI(holder, s);
    if (k === undefined) return;
    trail.push([holder, k]);
    holder = holder[k];
  }
  if (!isObject(holder)) return;
  const k = keyCI(holder, path[path.length - 1] as string);
  if (k !== undefined) delete holder[k];
  for (let i = trail.length - 1; i >= 0; i--) {
    const [parent, key] = trail[i] as [Record<string, unknown>, string];
    const v = parent[key];
    if (isObject(v) && Object.keys(v).length === 0) delete parent[key];
    else break;
  }
}
