/** Small JSON-tree helpers the migration shares: paths, leaves, pruning. */
import { formatConfigPath } from '@scimgw/config';

/** A JSON object. */
export type Json = Record<string, unknown>;
/** A JSON path as segments. */
export type Segments = (string | number)[];

/** True for a plain JSON object. */
export const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `a.b[0].c` for segments. */
export const pathText = (segments: Segments): string => formatConfigPath(segments);

/** Every leaf (non-object value; arrays of scalars count as one leaf) with its path. */
export function leaves(node: unknown, base: Segments = []): { path: Segments; value: unknown }[] {
  if (isJson(node)) return Object.entries(node).flatMap(([k, v]) => leaves(v, [...base, k]));
  if (Array.isArray(node) && node.some((v) => isJson(v) || Array.isArray(v)))
    return node.flatMap((v, i) => leaves(v, [...base, i]));
  return [{ path: base, value: node }];
}

/** True when a value carries no setting: null, '', [], or an object/array of only such values. */
export function isEmptySetting(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.every(isEmptySetting);
  if (isJson(v)) return Object.values(v).every(isEmptySetting);
  return false;
}

/**
 * A copy without the keys that carry no setting (the older product's files ship templates full of
 * `null`s); the paths removed are returned so the report can list them.
 */
export function pruneEmpty(node: unknown, base: Segments = [], removed: Segments[] = []): unknown {
  if (Array.isArray(node)) {
    const kept = node.filter((v, i) => {
      // A template entry (`{ "token": null, "readOnly": false }`) is a credential nobody set.
      const unset = isJson(v) ? Object.values(v).every((x) => x === false || isEmptySetting(x)) : v === null;
      if (unset) {
        removed.push([...base, i]);
        return false;
      }
      return true;
    });
    return kept.map((v, i) => pruneEmpty(v, [...base, i], removed));
  }
  if (!isJson(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    const kept = v === null || v === undefined || v === '' ? undefined : pruneEmpty(v, [...base, k], removed);
    if (kept === undefined || ((isJson(kept) || Array.isArray(kept)) && isEmptySetting(kept))) {
      removed.push([...base, k]);
      continue;
    }
    out[k] = kept;
  }
  return out;
}

/** Only the outermost of nested paths (`a.b` covers `a.b.c`), so a report lists each removed subtree once. */
export function outermost(paths: readonly Segments[]): Segments[] {
  const texts = paths.map(pathText);
  return paths.filter((_, i) =>
    texts.every((t, j) => j === i || !(texts[i] as string).startsWith(t) || !/^[.[]/.test((texts[i] as string).slice(t.length))),
  );
}

/** Reads the value at `path`. */
export function getAt(node: unknown, path: Segments): unknown {
  let cur = node;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Deletes the value at `path` (no-op when absent). */
export function deleteAt(node: unknown, path: Segments): void {
  const parent = getAt(node, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last === undefined || parent === null || typeof parent !== 'object') return;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else delete (parent as Record<string, unknown>)[last as string];
}
