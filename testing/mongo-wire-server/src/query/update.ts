import type { Document } from 'bson';
import { updateOne } from 'mingo/updater';
import { cloneDeep } from 'mingo/util';
import { commandError, MongoCommandError } from '../errors.js';
import type { Collation } from '../store/collation.js';
import { isPlainObject, renderValue, setOwn, valueKey, valuesEqual } from '../store/values.js';
import { documentSize } from '../wire/bson-io.js';
import { rewriteArrayOperators } from './array-ops.js';
import { copyAlongPaths } from './copy-on-write.js';
import { checkStorable, checkUpdatedSize, sizeOf, withIdFirst } from './documents.js';
import { translateQueryError } from './filter.js';
import { checkFilter } from './filter-checks.js';
import { mingoOptions } from './mingo-context.js';
import { checkUpdateShape, checkUpdateTargets } from './update-checks.js';

/** How an update document changes a document. */
export type UpdateKind = 'replacement' | 'operators' | 'pipeline';

/** What an update runs against. */
export interface UpdateEnv {
  /** The statement's query (for the positional `$` operator). */
  readonly filter: Document;
  readonly arrayFilters?: Document[];
  readonly collation?: Collation;
  readonly variables?: Document;
}

/** The result of {@link applyUpdate}. */
export interface UpdateOutcome {
  readonly doc: Document;
  readonly modified: boolean;
}

const PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

/**
 * Tells a replacement document, an operator update and an aggregation-pipeline update apart.
 *
 * @throws MongoCommandError for anything else.
 */
export function updateKind(update: unknown): UpdateKind {
  if (Array.isArray(update)) return 'pipeline';
  if (!isPlainObject(update)) throw commandError('FailedToParse', 'Update argument must be either an object or an array');
  const first = Object.keys(update)[0];
  return first?.startsWith('$') ? 'operators' : 'replacement';
}

/**
 * Applies one update to a stored document (never changing it: the result is a new document).
 *
 * `isInsert` is set for the document an upsert creates: `$setOnInsert` applies and `_id` may be set.
 *
 * @throws MongoCommandError with MongoDB's codes: ImmutableField (66), ConflictingUpdateOperators (40),
 *   TypeMismatch (14), BadValue (2), PathNotViable (28), FailedToParse (9), DollarPrefixedFieldName (52).
 */
export function applyUpdate(doc: Document, update: Document | Document[], env: UpdateEnv, isInsert: boolean): UpdateOutcome {
  const kind = updateKind(update);
  let outcome: UpdateOutcome;
  if (kind === 'replacement') outcome = replace(doc, update as Document);
  else if (kind === 'pipeline') outcome = runPipeline(doc, update as Document[], env, isInsert);
  else outcome = runOperators(doc, update as Document, env, isInsert);
  const result = withIdFirst(outcome.doc);
  checkStorable(result);
  if (outcome.modified || isInsert)
    checkUpdatedSize(result, kind === 'operators' && !isInsert ? growthBound(doc, update as Document) : undefined);
  return { doc: result, modified: outcome.modified };
}

// An upper bound of a document's size after an operator update without positional paths: each
// path adds at most its value (which the update document carries), its field names, a few bytes
// of type and array-index overhead, or a number widened to 8 bytes.
function growthBound(doc: Document, update: Document): number | undefined {
  let paths = 0;
  for (const args of Object.values(update)) {
    if (!isPlainObject(args)) return undefined;
    for (const path of Object.keys(args)) {
      if (path.includes('$')) return undefined;
      paths++;
    }
  }
  return sizeOf(doc) + 2 * documentSize(update) + 64 * paths;
}

function replace(doc: Document, replacement: Document): UpdateOutcome {
  for (const key of Object.keys(replacement)) {
    if (key.startsWith('$')) {
      throw commandError(
        'DollarPrefixedFieldName',
        `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
      );
    }
  }
  const hasId = Object.hasOwn(doc, '_id');
  if (hasId && Object.hasOwn(replacement, '_id') && !sameId(replacement['_id'], doc['_id'])) {
    throw commandError(
      'ImmutableField',
      `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${renderValue(replacement['_id'])}`,
    );
  }
  const next: Document = hasId ? { _id: doc['_id'] } : {};
  for (const key of Object.keys(replacement)) if (key !== '_id' || !hasId) setOwn(next, key, replacement[key]);
  return { doc: next, modified: valueKey(next) !== valueKey(doc) };
}

function runOperators(doc: Document, update: Document, env: UpdateEnv, isInsert: boolean): UpdateOutcome {
  checkUpdateShape(update, env.arrayFilters);
  const modifier: Record<string, Document> = {};
  for (const op of Object.keys(update)) setOwn(modifier, op, { ...(update[op] as Document) });
  const hasId = Object.hasOwn(doc, '_id');
  let base = doc;
  for (const op of ['$set', '$setOnInsert']) {
    const args = modifier[op];
    if (!args || !Object.hasOwn(args, '_id')) continue;
    if (op === '$setOnInsert' && !isInsert) continue;
    const id = args['_id'];
    delete args['_id'];
    if (!hasId && base === doc) base = { _id: id, ...doc };
    else if (!sameId(id, base['_id'])) throw immutableId();
  }
  const onInsert = modifier['$setOnInsert'];
  delete modifier['$setOnInsert'];
  if (isInsert && onInsert) {
    const set = (modifier['$set'] ??= {});
    for (const path of Object.keys(onInsert)) {
      if (Object.hasOwn(set, path))
        throw commandError('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${path}'`);
      setOwn(set, path, onInsert[path]);
    }
  }
  checkPathConflicts(modifier);
  rewriteArrayOperators(base, modifier, env.collation);
  for (const op of Object.keys(modifier)) if (Object.keys(modifier[op]!).length === 0) delete modifier[op];
  if (Object.keys(modifier).length === 0) return { doc: base, modified: false };
  checkUpdateTargets(base, modifier);
  const working = copyAlongPaths(base, touchedPaths(modifier));
  const documents = [working];
  try {
    const result = updateOne(
      documents,
      isInsert ? {} : checkFilter(env.filter),
      modifier as never,
      { arrayFilters: env.arrayFilters ?? [], cloneMode: 'copy' },
      mingoOptions(env.collation, env.variables ? { variables: env.variables } : {}),
    );
    const next = documents[0]!;
    if (modifier['$mul']) integerZeros(next, modifier['$mul']);
    return { doc: next, modified: result.modifiedCount > 0 };
  } catch (error) {
    throw translateUpdateError(error);
  }
}

/**
 * MongoDB multiplies integers as integers: `{c: 0}` with `{$mul: {c: -1}}` stays the int32 `0`
 * (and is not a modification). JavaScript gives `-0`, which BSON would store as a double, so a
 * zero made by an integer operand is written back as `0`. (Whole doubles already travel as
 * numbers here, so nothing else is lost by this.)
 */
function integerZeros(doc: Document, args: Document): void {
  for (const [path, operand] of Object.entries(args)) {
    if (typeof operand !== 'number' || !Number.isInteger(operand)) continue;
    const parts = path.split('.');
    if (parts.some((p) => p.startsWith('$'))) continue;
    let holder: unknown = doc;
    for (const part of parts.slice(0, -1)) holder = (holder as Record<string, unknown> | undefined)?.[part];
    const last = parts[parts.length - 1]!;
    if (holder && typeof holder === 'object' && Object.is((holder as Record<string, unknown>)[last], -0)) setOwn(holder, last, 0);
  }
}

function touchedPaths(modifier: Record<string, Document>): string[] {
  const paths: string[] = [];
  for (const [op, args] of Object.entries(modifier)) {
    for (const [path, value] of Object.entries(args)) {
      paths.push(path);
      if (op === '$rename' && typeof value === 'string') paths.push(value);
    }
  }
  return paths;
}

// Two operators may not touch the same path, or a path and its prefix.
function checkPathConflicts(modifier: Record<string, Document>): void {
  const paths = touchedPaths(modifier).sort();
  for (let i = 1; i < paths.length; i++) {
    const prefix = paths[i - 1]!;
    const path = paths[i]!;
    if (path === prefix || path.startsWith(`${prefix}.`)) {
      throw commandError('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${prefix}'`);
    }
  }
}

function runPipeline(doc: Document, pipeline: Document[], env: UpdateEnv, isInsert: boolean): UpdateOutcome {
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw commandError('Location40323', 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0]!;
    if (!PIPELINE_STAGES.has(name)) throw commandError('InvalidOptions', `${name} is not allowed to be used within an update`);
  }
  const documents = [cloneDeep(doc) as Document];
  try {
    updateOne(
      documents,
      isInsert ? {} : checkFilter(env.filter),
      pipeline as never,
      {},
      mingoOptions(env.collation, env.variables ? { variables: env.variables } : {}),
    );
  } catch (error) {
    throw translateUpdateError(error);
  }
  let next = documents[0]!;
  if (Object.hasOwn(doc, '_id')) {
    if (!Object.hasOwn(next, '_id')) next = { _id: doc['_id'], ...next };
    else if (!sameId(next['_id'], doc['_id'])) {
      throw commandError(
        'ImmutableField',
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${renderValue(next['_id'])}`,
      );
    }
  }
  return { doc: next, modified: valueKey(next) !== valueKey(doc) };
}

function sameId(a: unknown, b: unknown): boolean {
  return valuesEqual(a, b);
}

function immutableId(): MongoCommandError {
  return commandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
}

function translateUpdateError(error: unknown): MongoCommandError {
  if (error instanceof MongoCommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('Performing an update on the path')) return commandError('ImmutableField', message.replace(/\.$/, ''));
  const conflict = /^updating the path '([^']*)' would create a conflict at '([^']*)'/i.exec(message);
  if (conflict)
    return commandError(
      'ConflictingUpdateOperators',
      `Updating the path '${conflict[1]}' would create a conflict at '${conflict[2]}'`,
    );
  const dollar = /Dollar \(\$\) prefixed field paths is not allowed in update operations: '([^']*)'/.exec(message);
  if (dollar) {
    return commandError(
      'DollarPrefixedFieldName',
      `The dollar ($) prefixed field '${dollar[1]}' in '${dollar[1]}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
    );
  }
  if (message.includes("for '.$'") || message.includes('positional operator')) {
    return commandError('BadValue', 'The positional operator did not find the match needed from the query.');
  }
  return translateQueryError(error);
}
