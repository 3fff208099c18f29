import { type Document, Long } from 'bson';
import { commandError } from '../errors.js';
import { compileFilter } from '../query/filter.js';
import { runPipeline } from '../query/pipeline.js';
import { compileProjection } from '../query/projection.js';
import { parseSort, sortDocuments } from '../query/sort.js';
import type { CommandContext, CommandDefinition, ServerStats } from '../state.js';
import { type Collation, parseCollation } from '../store/collation.js';
import type { CollectionView } from '../store/data-view.js';
import { EMPTY_ARRAY, pathValues } from '../store/paths.js';
import { isNumeric, isPlainObject, toNumber, valueKey } from '../store/values.js';
import { collectionName, optionalBool, optionalCount, optionalDocument, required } from './args.js';

/** The documents of `collection` matching `filter`, through an index when one serves the filter. */
export function matchDocuments(
  stats: ServerStats,
  collection: CollectionView | undefined,
  filter: unknown,
  collation: Collation | undefined,
  variables?: Document,
): Document[] {
  const predicate = compileFilter(filter, collation, variables);
  if (!collection) return [];
  const query = (filter ?? {}) as Document;
  const indexed = collection.candidates(query, collation);
  if (indexed) stats.indexLookups++;
  else stats.collectionScans++;
  const candidates = indexed ?? collection.documents();
  if (Object.keys(query).length === 0) return candidates;
  stats.documentsExamined += candidates.length;
  return candidates.filter(predicate);
}

/**
 * Checks a `hint`: an index name or key pattern of the collection, or `{ $natural: ±1 }`. Hints do
 * not change how this server runs a query, but a hint naming no index fails as in MongoDB.
 *
 * @throws MongoCommandError BadValue.
 */
export function checkHint(collection: CollectionView | undefined, hint: unknown): void {
  if (hint === undefined || hint === null || !collection) return;
  if (isPlainObject(hint) && Object.keys(hint).length === 1 && Object.hasOwn(hint, '$natural')) return;
  const definitions = collection.indexDefinitions();
  const found =
    typeof hint === 'string'
      ? definitions.some((d) => d.name === hint)
      : isPlainObject(hint) && definitions.some((d) => valueKey(d.key) === valueKey(hint));
  if (!found) throw commandError('BadValue', 'hint provided does not correspond to an existing index');
}

/** The operation's collation, or the collection's default. */
export function collationFor(body: Document, collection: CollectionView | undefined): Collation | undefined {
  return body['collation'] !== undefined ? parseCollation(body['collation']) : collection?.options.collation;
}

function cursorReply(ns: string, id: Long, documents: Document[], first: boolean): Document {
  return { cursor: { [first ? 'firstBatch' : 'nextBatch']: documents, id, ns } };
}

/** Opens a cursor over `documents` and returns the first-batch reply. */
export function openCursor(
  ctx: CommandContext,
  ns: string,
  documents: Document[],
  batchSize: number | undefined,
  singleBatch = false,
): Document {
  const batch = ctx.state.cursors.open(ns, documents, batchSize ?? 101, singleBatch);
  return cursorReply(ns, batch.id, batch.documents, true);
}

const UNSUPPORTED_FIND_OPTIONS = ['min', 'max', 'returnKey', 'showRecordId', 'tailable', 'awaitData', 'oplogReplay'];

const find: CommandDefinition = {
  fields: {
    filter: 'object',
    sort: 'object',
    projection: 'object',
    hint: 'stringOrObject',
    skip: 'number',
    limit: 'number',
    batchSize: 'number',
    singleBatch: 'bool',
    max: 'object',
    min: 'object',
    returnKey: 'bool',
    showRecordId: 'bool',
    tailable: 'bool',
    oplogReplay: 'bool',
    noCursorTimeout: 'bool',
    awaitData: 'bool',
    allowPartialResults: 'bool',
    collation: 'object',
    allowDiskUse: 'bool',
    let: 'object',
    readOnce: 'bool',
    term: 'number',
  },
  run(ctx) {
    const { body, db } = ctx;
    const name = collectionName('find', body);
    for (const option of UNSUPPORTED_FIND_OPTIONS) {
      if (body[option] !== undefined && body[option] !== false) {
        throw commandError('CommandNotSupported', `find option '${option}' is not supported by this test server`);
      }
    }
    const collection = ctx.data.get(db, name);
    checkHint(collection, body['hint']);
    const collation = collationFor(body, collection);
    const filter = optionalDocument(body, 'filter') ?? {};
    const sort = parseSort(body['sort']);
    const skip = optionalCount('skip', body['skip']) ?? 0;
    const limit = optionalCount('limit', body['limit']) ?? 0;
    const batchSize = optionalCount('batchSize', body['batchSize']);
    const project = compileProjection(body['projection'], filter, collation);
    let docs = matchDocuments(ctx.state.stats, collection, filter, collation, optionalDocument(body, 'let'));
    if (sort.length > 0) docs = sortDocuments(docs, sort, collation);
    if (skip > 0 || limit > 0) docs = docs.slice(skip, limit > 0 ? skip + limit : undefined);
    if (project) docs = project(docs);
    const firstBatch = batchSize ?? (limit > 0 ? Math.min(limit, 101) : 101);
    return openCursor(ctx, `${db}.${name}`, docs, firstBatch, optionalBool(body, 'singleBatch', false));
  },
};

const getMore: CommandDefinition = {
  fields: { collection: 'string', batchSize: 'number', term: 'number', lastKnownCommittedOpTime: 'object' },
  run(ctx) {
    const { body, db } = ctx;
    const raw = body['getMore'];
    if (!isNumeric(raw)) {
      throw commandError('TypeMismatch', `BSON field 'getMore.getMore' is the wrong type '${typeof raw}', expected type 'long'`);
    }
    const id = raw instanceof Long ? raw : Long.fromNumber(toNumber(raw));
    const collection = required('getMore', body, 'collection') as string;
    const ns = `${db}.${collection}`;
    const batch = ctx.state.cursors.getMore(id, ns, optionalCount('batchSize', body['batchSize']));
    return cursorReply(ns, batch.id, batch.documents, false);
  },
};

const killCursors: CommandDefinition = {
  fields: { cursors: 'array' },
  run(ctx) {
    const ids = required('killCursors', ctx.body, 'cursors') as unknown[];
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      if (!isNumeric(raw)) throw commandError('TypeMismatch', "BSON field 'killCursors.cursors' must hold longs");
      const id = raw instanceof Long ? raw : Long.fromNumber(toNumber(raw));
      (ctx.state.cursors.kill(id) ? killed : notFound).push(id);
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [] };
  },
};

const count: CommandDefinition = {
  fields: { query: 'object', limit: 'number', skip: 'number', hint: 'stringOrObject', collation: 'object', fields: 'object' },
  run(ctx) {
    const { body, db } = ctx;
    const name = collectionName('count', body);
    const collection = ctx.data.get(db, name);
    checkHint(collection, body['hint']);
    const docs = matchDocuments(ctx.state.stats, collection, body['query'], collationFor(body, collection));
    const skip = optionalCount('skip', body['skip']) ?? 0;
    const rawLimit = body['limit'] === undefined || body['limit'] === null ? 0 : Math.abs(Math.trunc(toNumber(body['limit'])));
    let n = Math.max(0, docs.length - skip);
    if (rawLimit > 0) n = Math.min(n, rawLimit);
    return { n };
  },
};

const distinct: CommandDefinition = {
  fields: { key: 'string', query: 'object', collation: 'object', hint: 'stringOrObject' },
  run(ctx) {
    const { body, db } = ctx;
    const name = collectionName('distinct', body);
    const key = required('distinct', body, 'key') as string;
    const collection = ctx.data.get(db, name);
    checkHint(collection, body['hint']);
    const collation = collationFor(body, collection);
    const docs = matchDocuments(ctx.state.stats, collection, body['query'], collation);
    const seen = new Set<string>();
    const values: unknown[] = [];
    for (const doc of docs) {
      for (const value of pathValues(doc, key).values) {
        if (value === undefined || value === EMPTY_ARRAY) continue;
        const k = valueKey(value, collation);
        if (seen.has(k)) continue;
        seen.add(k);
        values.push(value);
      }
    }
    return { values };
  },
};

const aggregate: CommandDefinition = {
  fields: {
    pipeline: 'array',
    explain: 'bool',
    allowDiskUse: 'bool',
    cursor: 'object',
    bypassDocumentValidation: 'bool',
    collation: 'object',
    hint: 'stringOrObject',
    let: 'object',
    exchange: 'object',
    needsMerge: 'bool',
    fromMongos: 'bool',
    isMapReduceCommand: 'bool',
    collectionUUID: 'any',
  },
  run(ctx) {
    const { body, db } = ctx;
    const target = body['aggregate'];
    const pipeline = required('aggregate', body, 'pipeline') as Document[];
    if (optionalBool(body, 'explain', false))
      throw commandError('CommandNotSupported', 'explain is not supported by this test server');
    if (!isPlainObject(body['cursor'])) {
      throw commandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
    }
    const batchSize = optionalCount('cursor.batchSize', (body['cursor'] as Document)['batchSize']);
    let name: string;
    let collection: CollectionView | undefined;
    if (typeof target === 'string') {
      name = target;
      collection = ctx.data.get(db, name);
    } else if (isNumeric(target) && toNumber(target) === 1) {
      name = '$cmd.aggregate';
      const first = pipeline[0] ? Object.keys(pipeline[0])[0] : undefined;
      if (first !== '$documents') {
        throw commandError('InvalidNamespace', `{aggregate: 1} is not valid for '${first ?? ''}'; a collection is required.`);
      }
    } else {
      throw commandError('FailedToParse', 'Invalid {aggregate: ...} value: must be a collection name string or 1');
    }
    checkHint(collection, body['hint']);
    const collation = collationFor(body, collection);
    const variables = optionalDocument(body, 'let');
    let stages = pipeline;
    let docs: Document[];
    const first = pipeline[0];
    if (
      first &&
      isPlainObject(first) &&
      Object.keys(first).length === 1 &&
      Object.keys(first)[0] === '$match' &&
      isPlainObject(first['$match'])
    ) {
      docs = matchDocuments(ctx.state.stats, collection, first['$match'], collation, variables);
      stages = pipeline.slice(1);
    } else {
      docs = collection ? collection.documents() : [];
    }
    const results = runPipeline(docs, stages, {
      collation,
      ...(variables ? { variables } : {}),
      resolveCollection: (other) => ctx.data.get(db, other)?.documents() ?? [],
    });
    return openCursor(ctx, `${db}.${name}`, results, batchSize ?? 101);
  },
};

/** Read commands: `find`, `getMore`, `killCursors`, `count`, `distinct`, `aggregate`. */
export const readCommands: Record<string, CommandDefinition> = { find, getMore, killCursors, count, distinct, aggregate };
