/**
 * Reading operation results: the value at a configured dotted path, and records in the plain
 * shape the mapper reads (element text instead of soap's `{ $value }` wrappers, no attribute keys,
 * no `xsi:nil` nulls).
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value at a dotted `path` of a result (own properties only). An empty path is the result.
 *
 * @example
 * valueAt({ accounts: { item: [1, 2] } }, 'accounts.item') // [1, 2]
 */
export function valueAt(result: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '') return result;
  let cur: unknown = result;
  for (const seg of path.split('.')) {
    if (!isRecord(cur) || !Object.hasOwn(cur, seg)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** A parsed element as plain data: `{ $value }` → its text, `$attributes` dropped, nulls left out. */
export function plain(v: unknown, depth = 0): unknown {
  if (depth > 64) return undefined;
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : undefined;
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1)).filter((x) => x !== undefined);
  if (!isRecord(v)) return v === null ? undefined : v;
  if (Object.hasOwn(v, '$value')) return plain(v.$value, depth + 1);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    const p = plain(x, depth + 1);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

/** The records at `path`: none for an absent value, one for a single element, else all. */
export function recordsAt(result: unknown, path: string | undefined): Record<string, unknown>[] {
  const v = plain(valueAt(result, path));
  if (v === undefined || v === '') return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter(isRecord);
}

/** A non-negative integer at `path` (a total count), or `undefined`. */
export function integerAt(result: unknown, path: string | undefined): number | undefined {
  if (path === undefined) return undefined;
  const v = plain(valueAt(result, path));
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** What a write operation answered: the stored record, only the new id, or nothing usable. */
export type WriteAnswer = { kind: 'record'; record: Record<string, unknown> } | { kind: 'id'; id: string } | { kind: 'none' };

/** Reads a create/replace/modify answer at `path`. */
export function writeAnswer(result: unknown, path: string | undefined): WriteAnswer {
  const v = plain(valueAt(result, path));
  if (isRecord(v) && Object.keys(v).length > 0) return { kind: 'record', record: v };
  if (typeof v === 'string' && v !== '') return { kind: 'id', id: v };
  if (typeof v === 'number' && Number.isFinite(v)) return { kind: 'id', id: String(v) };
  return { kind: 'none' };
}
