import type { Document } from 'bson';
import type { Collation } from '../store/collation.js';
import { getPath } from '../store/paths.js';
import { bsonTag, isPlainObject, setOwn, valueKey, valuesEqual } from '../store/values.js';

/**
 * `$addToSet` and the common forms of `$pull` on plain paths, computed here and handed to mingo as
 * `$set` of the resulting array.
 *
 * mingo's `$addToSet` rebuilds the whole array through a hash set, which also removes duplicates the
 * array already had (MongoDB keeps them) and costs a hash per element; here only the added values
 * are compared, and existing elements stay exactly as they were.
 */
export function rewriteArrayOperators(
  doc: Document,
  modifier: Record<string, Document>,
  collation: Collation | undefined,
): boolean {
  let changed = false;
  const sets: Document = {};
  for (const op of ['$addToSet', '$pull'] as const) {
    const args = modifier[op];
    if (!args) continue;
    for (const path of Object.keys(args)) {
      if (path.includes('$')) continue;
      const current = getPath(doc, path);
      if (current !== undefined && !Array.isArray(current)) continue; // checkUpdateTargets reports it
      let next: unknown[] | undefined;
      if (op === '$addToSet') next = addToSet(current as unknown[] | undefined, args[path], collation);
      else {
        const predicate = pullPredicate(args[path], collation);
        if (!predicate) continue;
        next = current ? pull(current as unknown[], predicate) : undefined;
      }
      delete args[path];
      if (next === undefined) continue;
      setOwn(sets, path, next);
      changed = true;
    }
    if (Object.keys(args).length === 0) delete modifier[op];
  }
  if (changed) modifier['$set'] = { ...(modifier['$set'] ?? {}), ...sets };
  return changed;
}

// The new array, or undefined when nothing is added.
function addToSet(current: unknown[] | undefined, spec: unknown, collation: Collation | undefined): unknown[] | undefined {
  const values = isPlainObject(spec) && Object.hasOwn(spec, '$each') ? (spec['$each'] as unknown[]) : [spec];
  const result = current ? current.slice() : [];
  let added = false;
  const keys = values.length > 8 ? new Set(result.map((v) => valueKey(v, collation))) : undefined;
  for (const value of values) {
    const present = keys
      ? keys.has(valueKey(value, collation))
      : result.some((existing) => valuesEqual(existing, value, collation));
    if (present) continue;
    result.push(value);
    keys?.add(valueKey(value, collation));
    added = true;
  }
  if (!current) return result;
  return added ? result : undefined;
}

function pull(current: unknown[], predicate: (element: unknown) => boolean): unknown[] | undefined {
  const kept = current.filter((element) => !predicate(element));
  return kept.length === current.length ? undefined : kept;
}

const isScalar = (v: unknown) =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'number' ||
  typeof v === 'boolean' ||
  v instanceof Date ||
  bsonTag(v) === 'ObjectId' ||
  bsonTag(v) === 'Long' ||
  bsonTag(v) === 'Decimal128';

// A predicate for the $pull forms with plain semantics: a scalar (element equality) or a document of
// plain fields with scalar values (elements that are documents with those field values). Any other
// form (operators, regexes, nested documents) is left to mingo's query engine.
function pullPredicate(spec: unknown, collation: Collation | undefined): ((element: unknown) => boolean) | undefined {
  if (isScalar(spec)) {
    return (element) =>
      Array.isArray(element) ? element.some((v) => valuesEqual(v, spec, collation)) : valuesEqual(element, spec, collation);
  }
  if (!isPlainObject(spec)) return undefined;
  const fields = Object.keys(spec);
  if (fields.length === 0 || fields.some((f) => f.startsWith('$') || f.includes('.') || !isScalar(spec[f]))) return undefined;
  return (element) => {
    if (!isPlainObject(element)) return false;
    return fields.every((field) => {
      const value = Object.hasOwn(element, field) ? element[field] : undefined;
      const wanted = spec[field];
      if (wanted === null && (value === undefined || value === null)) return true;
      if (Array.isArray(value)) return value.some((v) => valuesEqual(v, wanted, collation));
      return value !== undefined && valuesEqual(value, wanted, collation);
    });
  };
}
