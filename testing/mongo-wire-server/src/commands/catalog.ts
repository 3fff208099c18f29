import type { Document } from 'bson';
import { commandError } from '../errors.js';
import { compileFilter } from '../query/filter.js';
import type { CommandDefinition } from '../state.js';
import { validateCollectionName } from '../store/catalog.js';
import { type Collation, parseCollation } from '../store/collation.js';
import type { Collection } from '../store/collection.js';
import { collectionName, optionalBool, optionalCount, optionalDocument } from './args.js';
import { indexCommands } from './indexes.js';
import { openCursor } from './reads.js';

function collectionInfo(collection: Collection, nameOnly: boolean): Document {
  if (nameOnly) return { name: collection.name, type: 'collection' };
  const options: Document = {};
  if (collection.options.collation) options['collation'] = { ...collection.options.collation.spec };
  const idIndex: Document = { v: 2, key: { _id: 1 }, name: '_id_' };
  if (collection.options.collation) idIndex['collation'] = { ...collection.options.collation.spec };
  return { name: collection.name, type: 'collection', options, info: { readOnly: false, uuid: collection.uuid }, idIndex };
}

const listCollections: CommandDefinition = {
  fields: { filter: 'object', nameOnly: 'bool', authorizedCollections: 'bool', cursor: 'object', includePendingDrops: 'bool' },
  run(ctx) {
    const { body, db } = ctx;
    const nameOnly = optionalBool(body, 'nameOnly', false);
    const predicate = compileFilter(body['filter']);
    const infos = ctx.state.catalog
      .collections(db)
      .map((c) => collectionInfo(c, false))
      .filter(predicate)
      .map((info) => (nameOnly ? { name: info['name'], type: info['type'] } : info));
    const cursor = optionalDocument(body, 'cursor');
    return openCursor(ctx, `${db}.$cmd.listCollections`, infos, optionalCount('cursor.batchSize', cursor?.['batchSize']));
  },
};

const listDatabases: CommandDefinition = {
  fields: { filter: 'object', nameOnly: 'bool', authorizedDatabases: 'bool' },
  run(ctx) {
    if (ctx.db !== 'admin') throw commandError('Unauthorized', 'listDatabases may only be run against the admin database.');
    const nameOnly = optionalBool(ctx.body, 'nameOnly', false);
    const predicate = compileFilter(ctx.body['filter']);
    const databases = ctx.state.catalog
      .databaseNames()
      .map((name) => (nameOnly ? { name } : { name, sizeOnDisk: 8192, empty: false }))
      .filter(predicate);
    return nameOnly ? { databases } : { databases, totalSize: 8192 * databases.length, totalSizeMb: 0 };
  },
};

const drop: CommandDefinition = {
  fields: {},
  run(ctx) {
    const name = collectionName('drop', ctx.body);
    const dropped = ctx.state.catalog.drop(ctx.db, name);
    // Since MongoDB 7.0, dropping a collection that does not exist succeeds.
    if (!dropped) return {};
    return { nIndexesWas: dropped.indexDefinitions().length, ns: dropped.namespace };
  },
};

const dropDatabase: CommandDefinition = {
  fields: {},
  run(ctx) {
    const existed = ctx.state.catalog.dropDatabase(ctx.db);
    return existed ? { dropped: ctx.db } : {};
  },
};

// Options of `create` this server emulates; the others are real MongoDB options it refuses.
const CREATE_SUPPORTED = new Set(['collation']);
const CREATE_FIELDS = {
  capped: 'bool',
  autoIndexId: 'bool',
  size: 'number',
  max: 'number',
  storageEngine: 'object',
  validator: 'object',
  validationLevel: 'string',
  validationAction: 'string',
  indexOptionDefaults: 'object',
  viewOn: 'string',
  pipeline: 'array',
  collation: 'object',
  timeseries: 'object',
  expireAfterSeconds: 'number',
  clusteredIndex: 'any',
  changeStreamPreAndPostImages: 'object',
  encryptedFields: 'object',
  recordIdsReplicated: 'bool',
  idIndex: 'object',
  flags: 'number',
  temp: 'bool',
} as const;

const create: CommandDefinition = {
  fields: CREATE_FIELDS,
  run(ctx) {
    const { body, db } = ctx;
    const name = collectionName('create', body);
    validateCollectionName(db, name);
    for (const key of Object.keys(body).slice(1)) {
      if (key in CREATE_FIELDS && !CREATE_SUPPORTED.has(key) && body[key] !== undefined && body[key] !== false) {
        throw commandError('CommandNotSupported', `create option '${key}' is not supported by this test server`);
      }
    }
    const collation = parseCollation(body['collation']);
    const existing = ctx.state.catalog.get(db, name);
    if (existing) {
      // Since MongoDB 7.0, creating an existing collection with identical options succeeds.
      if (sameCollation(existing.options.collation, collation)) return {};
      throw commandError('NamespaceExists', `namespace ${db}.${name} already exists, but with different options`);
    }
    ctx.state.catalog.create(db, name, collation ? { collation } : {});
    return {};
  },
};

function sameCollation(a: Collation | undefined, b: Collation | undefined): boolean {
  return a === undefined ? b === undefined : a.equals(b);
}

/** Catalog commands: collections, databases and indexes. */
export const catalogCommands: Record<string, CommandDefinition> = {
  listCollections,
  listDatabases,
  drop,
  dropDatabase,
  create,
  ...indexCommands,
};
