import type { Document } from 'bson';
import { commandError } from '../errors.js';
import { compileFilter } from '../query/filter.js';
import type { CommandContext, CommandDefinition } from '../state.js';
import { validateCollectionName } from '../store/catalog.js';
import { parseCollation } from '../store/collation.js';
import { type Collection, indexDocument } from '../store/collection.js';
import type { IndexDefinition } from '../store/collection-index.js';
import { isNumeric, isPlainObject, renderValue, setOwn, toNumber, valueKey } from '../store/values.js';
import { collectionName, optionalCount, optionalDocument, required } from './args.js';
import { openCursor } from './reads.js';

function existing(ctx: CommandContext, name: string, message: (ns: string) => string): Collection {
  const collection = ctx.state.catalog.get(ctx.db, name);
  if (!collection) throw commandError('NamespaceNotFound', message(`${ctx.db}.${name}`));
  return collection;
}

const SPEC_SUPPORTED = new Set([
  'key',
  'name',
  'unique',
  'sparse',
  'partialFilterExpression',
  'collation',
  'hidden',
  'background',
  'v',
  'ns',
]);
// Real index options this server does not emulate (TTL expiry, text, geo, wildcard, clustered …).
const SPEC_NOT_EMULATED = new Set([
  'expireAfterSeconds',
  'weights',
  'default_language',
  'language_override',
  'textIndexVersion',
  '2dsphereIndexVersion',
  'bits',
  'min',
  'max',
  'bucketSize',
  'wildcardProjection',
  'storageEngine',
  'prepareUnique',
  'clustered',
  'coarsestIndexedLevel',
  'finestIndexedLevel',
]);

function parseIndexSpec(raw: unknown, collection: Collection | undefined): IndexDefinition {
  if (!isPlainObject(raw)) throw commandError('TypeMismatch', "BSON field 'createIndexes.indexes' must hold objects");
  const where = `Error in specification ${renderValue(raw)} :: caused by :: `;
  for (const field of Object.keys(raw)) {
    if (SPEC_NOT_EMULATED.has(field)) {
      throw commandError('CommandNotSupported', `${where}index option '${field}' is not supported by this test server`);
    }
    if (!SPEC_SUPPORTED.has(field)) {
      throw commandError(
        'InvalidIndexSpecificationOption',
        `The field '${field}' is not valid for an index specification. Specification: ${renderValue(raw)}`,
      );
    }
  }
  const key = raw['key'];
  if (!isPlainObject(key))
    throw commandError('FailedToParse', `${where}The 'key' field is a required property of an index specification`);
  const fields = Object.keys(key);
  if (fields.length === 0) throw commandError('CannotCreateIndex', `${where}Index keys cannot be empty.`);
  for (const field of fields) {
    const direction = key[field];
    if (typeof direction === 'string') {
      throw commandError('CannotCreateIndex', `${where}index type '${direction}' is not supported by this test server`);
    }
    if (!isNumeric(direction) || toNumber(direction) === 0 || !Number.isFinite(toNumber(direction))) {
      throw commandError(
        'CannotCreateIndex',
        `${where}Values in the index key pattern must be non-zero numbers; found ${renderValue(direction)}`,
      );
    }
    if (field === '' || field.startsWith('$') || field.split('.').some((s) => s === '')) {
      throw commandError('CannotCreateIndex', `${where}Index key contains an illegal field name: '${field}'`);
    }
  }
  const name = raw['name'];
  if (typeof name !== 'string' || name.length === 0) {
    throw commandError('FailedToParse', `${where}The 'name' field is a required property of an index specification`);
  }
  for (const flag of ['unique', 'sparse', 'hidden', 'background']) {
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean' && !isNumeric(raw[flag])) {
      throw commandError('TypeMismatch', `${where}The field '${flag}' must be a boolean, not ${renderValue(raw[flag])}`);
    }
  }
  const partial = raw['partialFilterExpression'];
  if (partial !== undefined && !isPlainObject(partial)) {
    throw commandError('TypeMismatch', `${where}The field 'partialFilterExpression' must be an object`);
  }
  const collation = raw['collation'] !== undefined ? parseCollation(raw['collation']) : collection?.options.collation;
  if (partial) compileFilter(partial, collation);
  const truthy = (v: unknown) => v === true || (isNumeric(v) && toNumber(v) !== 0);
  const keyPattern: Document = {};
  for (const field of fields) setOwn(keyPattern, field, key[field]);
  if (fields.length === 1 && fields[0] === '_id' && truthy(raw['unique']) === false && name === '_id_') {
    return { name, key: keyPattern, ...(collation ? { collation } : {}) };
  }
  return {
    name,
    key: keyPattern,
    ...(truthy(raw['unique']) ? { unique: true } : {}),
    ...(truthy(raw['sparse']) ? { sparse: true } : {}),
    ...(truthy(raw['hidden']) ? { hidden: true } : {}),
    ...(partial ? { partialFilterExpression: partial } : {}),
    ...(collation ? { collation } : {}),
  };
}

const createIndexes: CommandDefinition = {
  fields: { indexes: 'array', commitQuorum: 'stringOrNumber', ignoreUnknownIndexOptions: 'bool', isTimeseriesNamespace: 'bool' },
  run(ctx) {
    const { body, db } = ctx;
    const name = collectionName('createIndexes', body);
    validateCollectionName(db, name);
    const specs = required('createIndexes', body, 'indexes') as unknown[];
    if (specs.length === 0) throw commandError('BadValue', 'Must specify at least one index to create');
    const before = ctx.state.catalog.get(db, name);
    const definitions = specs.map((spec) => parseIndexSpec(spec, before));
    const { collection, created } = ctx.state.catalog.ensure(db, name);
    const numIndexesBefore = collection.indexDefinitions().length;
    const built: string[] = [];
    try {
      for (const definition of definitions) {
        if (collection.createIndex(definition) === 'created') built.push(definition.name);
      }
    } catch (error) {
      for (const indexName of built) collection.dropIndex(indexName);
      if (created) ctx.state.catalog.drop(db, name);
      throw error;
    }
    const reply: Document = {
      numIndexesBefore,
      numIndexesAfter: collection.indexDefinitions().length,
      createdCollectionAutomatically: created,
    };
    if (built.length === 0) reply['note'] = 'all indexes already exist';
    return reply;
  },
};

const listIndexes: CommandDefinition = {
  fields: { cursor: 'object', includeBuildUUIDs: 'bool', includeIndexBuildInfo: 'bool' },
  run(ctx) {
    const name = collectionName('listIndexes', ctx.body);
    const collection = existing(ctx, name, (ns) => `ns does not exist: ${ns}`);
    const docs = collection.indexDefinitions().map(indexDocument);
    const cursor = optionalDocument(ctx.body, 'cursor');
    return openCursor(ctx, collection.namespace, docs, optionalCount('cursor.batchSize', cursor?.['batchSize']));
  },
};

function dropOne(collection: Collection, target: unknown): void {
  if (typeof target === 'string') {
    if (target === '_id_') throw commandError('InvalidOptions', 'cannot drop _id index');
    if (!collection.dropIndex(target)) throw commandError('IndexNotFound', `index not found with name [${target}]`);
    return;
  }
  if (isPlainObject(target)) {
    const wanted = valueKey(target);
    const matches = collection.indexDefinitions().filter((d) => valueKey(d.key) === wanted);
    if (matches.length === 0) throw commandError('IndexNotFound', `can't find index with key: ${renderValue(target)}`);
    if (matches.length > 1) {
      throw commandError(
        'AmbiguousIndexKeyPattern',
        `${matches.length} indexes found for key: ${renderValue(target)}, identify by name instead.`,
      );
    }
    const match = matches[0]!;
    if (match.name === '_id_') throw commandError('InvalidOptions', 'cannot drop _id index');
    collection.dropIndex(match.name);
    return;
  }
  throw commandError(
    'TypeMismatch',
    "BSON field 'dropIndexes.index' is the wrong type, expected types '[string, object, array]'",
  );
}

const dropIndexes: CommandDefinition = {
  fields: { index: 'any' },
  run(ctx) {
    const name = collectionName('dropIndexes', ctx.body);
    const target = required('dropIndexes', ctx.body, 'index');
    const collection = existing(ctx, name, (ns) => `ns not found ${ns}`);
    const nIndexesWas = collection.indexDefinitions().length;
    if (target === '*') {
      for (const index of [...collection.indexes]) collection.dropIndex(index.name);
      return { nIndexesWas, msg: 'non-_id indexes dropped for collection' };
    }
    if (Array.isArray(target)) {
      const names = new Set(collection.indexDefinitions().map((d) => d.name));
      for (const item of target) {
        if (typeof item !== 'string') throw commandError('TypeMismatch', "BSON field 'dropIndexes.index' must hold strings");
        if (item === '_id_') throw commandError('InvalidOptions', 'cannot drop _id index');
        if (!names.has(item)) throw commandError('IndexNotFound', `index not found with name [${item}]`);
      }
      for (const item of target as string[]) collection.dropIndex(item);
      return { nIndexesWas };
    }
    dropOne(collection, target);
    return { nIndexesWas };
  },
};

/** `createIndexes`, `listIndexes`, `dropIndexes` (and the `deleteIndexes` alias). */
export const indexCommands: Record<string, CommandDefinition> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
