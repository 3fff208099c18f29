import type { Document } from 'bson';
import { commandError } from '../errors.js';
import type { Collation } from '../store/collation.js';
import { EMPTY_ARRAY, pathValues } from '../store/paths.js';
import { compareValues, isNumeric, isPlainObject, toNumber } from '../store/values.js';

/** The path of a `$natural` sort key: insertion order, which is the order documents come in. */
export const NATURAL = '\u0000natural';

/** One sort key: a dotted path and a direction. */
export type SortKey = readonly [path: string, direction: 1 | -1];

/**
 * Validates a sort specification (`{ a: 1, 'b.c': -1 }`).
 *
 * @throws MongoCommandError for directions other than 1/-1 and for `$meta` sorts (no text search here).
 */
export function parseSort(spec: unknown): SortKey[] {
  if (spec === undefined || spec === null) return [];
  if (!isPlainObject(spec)) throw commandError('TypeMismatch', 'Expected field sort to be of type object');
  const keys: SortKey[] = [];
  for (const path of Object.keys(spec)) {
    const direction = spec[path];
    if (path === '$natural') {
      const n = isNumeric(direction) ? toNumber(direction) : Number.NaN;
      if (n !== 1 && n !== -1)
        throw commandError('Location15975', '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
      keys.push([NATURAL, n]);
      continue;
    }
    if (path === '' || path.startsWith('$'))
      throw commandError('BadValue', `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
    if (isPlainObject(direction)) {
      throw commandError(
        'CommandNotSupported',
        `$meta sort by ${JSON.stringify(direction)} is not supported by this test server`,
      );
    }
    const n = isNumeric(direction) ? toNumber(direction) : Number.NaN;
    if (n !== 1 && n !== -1) {
      throw commandError('Location15975', '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    }
    keys.push([path, n]);
  }
  return keys;
}

// An empty array sorts before null and missing.
const BELOW_NULL = Symbol('below null');

function sortValue(doc: unknown, path: string, direction: 1 | -1, collation: Collation | undefined): unknown {
  const { values } = pathValues(doc, path);
  let best: unknown = values[0];
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    if (value === EMPTY_ARRAY || best === EMPTY_ARRAY) {
      if (direction === 1) best = EMPTY_ARRAY;
      else if (best === EMPTY_ARRAY) best = value;
      continue;
    }
    const c = compareValues(value, best, collation);
    if (direction === 1 ? c < 0 : c > 0) best = value;
  }
  return best === EMPTY_ARRAY ? BELOW_NULL : best;
}

function compareSortValues(a: unknown, b: unknown, collation: Collation | undefined): number {
  if (a === BELOW_NULL || b === BELOW_NULL) return a === b ? 0 : a === BELOW_NULL ? -1 : 1;
  return compareValues(a, b, collation);
}

/**
 * Sorts documents the way MongoDB does: BSON type order, arrays by their smallest (ascending) or
 * largest (descending) element, strings through the collation; ties keep their input order.
 */
export function sortDocuments<T extends Document>(docs: readonly T[], keys: readonly SortKey[], collation?: Collation): T[] {
  if (keys.length === 0) return docs.slice();
  const decorated = docs.map((doc, i) => ({
    doc,
    i,
    values: keys.map(([path, dir]) => (path === NATURAL ? i : sortValue(doc, path, dir, collation))),
  }));
  decorated.sort((x, y) => {
    for (let k = 0; k < keys.length; k++) {
      const c = compareSortValues(x.values[k], y.values[k], collation);
      if (c !== 0) return keys[k]![1] === 1 ? c : -c;
    }
    return x.i - y.i;
  });
  return decorated.map((d) => d.doc);
}
