import type { Document } from 'bson';
import { Query } from 'mingo/query';
import { commandError } from '../errors.js';
import type { Collation } from '../store/collation.js';
import { isPlainObject, setOwn } from '../store/values.js';
import { translateQueryError } from './filter.js';
import { checkFilter } from './filter-checks.js';
import { mingoOptions } from './mingo-context.js';

const NEUTRAL_OPERATORS = new Set(['$slice', '$elemMatch', '$meta']);

/**
 * Compiles a `find` projection. Returns `undefined` when there is nothing to project.
 *
 * @throws MongoCommandError 31253/31254 for mixed inclusion and exclusion, as MongoDB does.
 */
export function compileProjection(
  projection: unknown,
  filter: Document,
  collation: Collation | undefined,
): ((docs: Document[]) => Document[]) | undefined {
  if (projection === undefined || projection === null) return undefined;
  if (!isPlainObject(projection)) throw commandError('TypeMismatch', 'Expected projection to be an object');
  if (Object.keys(projection).length === 0) return undefined;
  let mode: 'include' | 'exclude' | undefined;
  for (const field of Object.keys(projection)) {
    const kind = classify(projection[field]);
    if (field === '_id' || kind === 'neutral') continue;
    if (mode === undefined) mode = kind;
    else if (mode !== kind) {
      if (kind === 'exclude')
        throw commandError('Location31254', `Cannot do exclusion on field ${field} in inclusion projection`);
      throw commandError('Location31253', `Cannot do inclusion on field ${field} in exclusion projection`);
    }
  }
  let query: Query;
  try {
    query = new Query(checkFilter(filter), mingoOptions(collation));
  } catch (error) {
    throw translateQueryError(error);
  }
  return (docs) => {
    try {
      const projected = query.find(docs, projection).all() as Document[];
      return projected.map((out, i) => reorder(out, docs[i]));
    } catch (error) {
      throw translateQueryError(error);
    }
  };
}

function classify(value: unknown): 'include' | 'exclude' | 'neutral' {
  if (typeof value === 'boolean') return value ? 'include' : 'exclude';
  if (typeof value === 'number') return value === 0 ? 'exclude' : 'include';
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && NEUTRAL_OPERATORS.has(keys[0]!)) return 'neutral';
  }
  return 'include';
}

// mingo emits projected fields in projection order; MongoDB keeps the document's field order.
function reorder(projected: Document, source: unknown): Document {
  if (!isPlainObject(source)) return projected;
  const out: Document = {};
  for (const key of Object.keys(source)) {
    if (!Object.hasOwn(projected, key)) continue;
    const value = projected[key];
    setOwn(out, key, isPlainObject(value) && isPlainObject(source[key]) ? reorder(value, source[key]) : value);
  }
  for (const key of Object.keys(projected)) if (!Object.hasOwn(out, key)) setOwn(out, key, projected[key]);
  return out;
}
