import type { Document } from 'bson';
import { bsonTag, isPlainObject, setOwn } from '../store/values.js';

/**
 * The document an upsert starts from when nothing matched: the equality conditions of the query
 * (`{ a: 1 }`, `{ a: { $eq: 1 } }`, `{ 'b.c': 2 }`, inside `$and`, and single-clause `$or`/`$in`),
 * as MongoDB documents for upserts.
 */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  collect(filter, seed);
  return seed;
}

function collect(filter: Document, seed: Document): void {
  for (const key of Object.keys(filter)) {
    const condition = filter[key];
    if (key === '$and' && Array.isArray(condition)) {
      for (const clause of condition) if (isPlainObject(clause)) collect(clause, seed);
      continue;
    }
    if ((key === '$or' || key === '$nor') && Array.isArray(condition) && condition.length === 1 && key === '$or') {
      if (isPlainObject(condition[0])) collect(condition[0], seed);
      continue;
    }
    if (key.startsWith('$')) continue;
    const value = equalityValue(condition);
    if (value !== NONE) setPath(seed, key, value);
  }
}

const NONE = Symbol('no equality');

function equalityValue(condition: unknown): unknown {
  if (condition instanceof RegExp || bsonTag(condition) === 'BSONRegExp') return NONE;
  if (!isPlainObject(condition)) return condition;
  const keys = Object.keys(condition);
  if (!keys.some((k) => k.startsWith('$'))) return condition;
  if (Object.hasOwn(condition, '$eq')) {
    const value = condition['$eq'];
    return value instanceof RegExp ? NONE : value;
  }
  if (Array.isArray(condition['$in']) && condition['$in'].length === 1) {
    const value = condition['$in'][0];
    return value instanceof RegExp ? NONE : value;
  }
  return NONE;
}

function setPath(target: Document, path: string, value: unknown): void {
  const segments = path.split('.');
  let current: Record<string, unknown> = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      setOwn(current, segment, created);
      current = created;
    } else if (isPlainObject(next)) {
      current = next;
    } else {
      return;
    }
  }
  const last = segments[segments.length - 1]!;
  if (!Object.hasOwn(current, last)) {
    setOwn(current, last, value);
  }
}
