import { isPlainObject } from './values.js';

/** Stands for an empty array at the end of a path: MongoDB indexes it as one `undefined` key. */
export const EMPTY_ARRAY = Symbol('empty array');

/** Result of {@link pathValues}. */
export interface PathValues {
  /** Every value the path reaches, arrays expanded; `undefined` where it reaches nothing. */
  readonly values: unknown[];
  /** Whether an array was expanded along the way (the document is "multikey" for this path). */
  readonly multikey: boolean;
}

/**
 * The values a dotted path reaches in a document, the way MongoDB's index and sort code walks it:
 * arrays along the path are expanded element by element, a numeric segment also addresses an array
 * position, and an array at the end yields its elements.
 */
export function pathValues(doc: unknown, path: string): PathValues {
  const out: unknown[] = [];
  const state = { multikey: false };
  walk(doc, path.split('.'), 0, out, state);
  return { values: out.length > 0 ? out : [undefined], multikey: state.multikey };
}

function walk(value: unknown, segments: string[], i: number, out: unknown[], state: { multikey: boolean }): void {
  if (i === segments.length) {
    if (Array.isArray(value)) {
      state.multikey = true;
      if (value.length === 0) out.push(EMPTY_ARRAY);
      else for (const item of value) out.push(item);
    } else {
      out.push(value);
    }
    return;
  }
  const segment = segments[i]!;
  if (Array.isArray(value)) {
    state.multikey = true;
    if (/^\d+$/.test(segment)) {
      const index = Number(segment);
      if (index < value.length) walk(value[index], segments, i + 1, out, state);
    }
    let reached = false;
    for (const item of value) {
      if (isPlainObject(item)) {
        reached = true;
        walk(item[segment], segments, i + 1, out, state);
      }
    }
    if (!reached && out.length === 0) out.push(undefined);
    return;
  }
  if (isPlainObject(value)) {
    walk(Object.hasOwn(value, segment) ? value[segment] : undefined, segments, i + 1, out, state);
    return;
  }
  out.push(undefined);
}

/** The single value at a path through embedded documents only (no array expansion), or `undefined`. */
export function getPath(doc: unknown, path: string): unknown {
  let value: unknown = doc;
  for (const segment of path.split('.')) {
    if (isPlainObject(value)) value = Object.hasOwn(value, segment) ? value[segment] : undefined;
    else if (Array.isArray(value) && /^\d+$/.test(segment)) value = value[Number(segment)];
    else return undefined;
  }
  return value;
}
