import type { Document } from 'bson';
import { commandError, MongoCommandError } from '../errors.js';
import { checkInsertSize, checkStorable, withIdFirst } from '../query/documents.js';
import { compileProjection } from '../query/projection.js';
import { parseSort, sortDocuments } from '../query/sort.js';
import { applyUpdate, updateKind, type UpdateEnv } from '../query/update.js';
import { upsertSeed } from '../query/upsert-seed.js';
import type { CommandContext, CommandDefinition, FieldType } from '../state.js';
import { validateCollectionName } from '../store/catalog.js';
import { isPlainObject, toNumber } from '../store/values.js';
import { MAX_WRITE_BATCH_SIZE } from '../wire/constants.js';
import { checkFields, collectionName, optionalBool, optionalDocument, required } from './args.js';
import { checkHint, collationFor, matchDocuments } from './reads.js';

function statements(command: string, body: Document, field: string): Document[] {
  const list = required(command, body, field);
  if (!Array.isArray(list))
    throw commandError('TypeMismatch', `BSON field '${command}.${field}' is the wrong type, expected type 'array'`);
  if (list.length === 0 || list.length > MAX_WRITE_BATCH_SIZE) {
    throw commandError(
      'InvalidLength',
      `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH_SIZE}. Got ${list.length} operations.`,
    );
  }
  return list as Document[];
}

function writeReply(counts: Document, writeErrors: Document[]): Document {
  return writeErrors.length > 0 ? { ...counts, writeErrors } : counts;
}

// Statement errors become writeErrors; errors about the transaction or session fail the command.
function asError(error: unknown): MongoCommandError {
  if (error instanceof MongoCommandError && !COMMAND_LEVEL.has(error.codeName)) return error;
  throw error;
}

const COMMAND_LEVEL = new Set(['WriteConflict', 'NoSuchTransaction', 'TransactionCommitted', 'TransactionTooOld']);

const insert: CommandDefinition = {
  fields: { documents: 'array', ordered: 'bool', bypassDocumentValidation: 'bool' },
  run(ctx) {
    const { body, db } = ctx;
    const name = collectionName('insert', body);
    validateCollectionName(db, name);
    const docs = statements('insert', body, 'documents');
    const ordered = optionalBool(body, 'ordered', true);
    const { collection } = ctx.data.ensure(db, name);
    let n = 0;
    const writeErrors: Document[] = [];
    for (let i = 0; i < docs.length; i++) {
      try {
        const raw = docs[i];
        if (!isPlainObject(raw))
          throw commandError('TypeMismatch', `BSON field 'insert.documents.${i}' is the wrong type, expected type 'object'`);
        const doc = withIdFirst(raw);
        checkStorable(doc);
        checkInsertSize(doc);
        collection.insert(doc);
        n++;
      } catch (error) {
        writeErrors.push(asError(error).toWriteError(i));
        if (ordered) break;
      }
    }
    return writeReply({ n }, writeErrors);
  },
};

const UPDATE_STATEMENT: Record<string, FieldType> = {
  q: 'object',
  u: 'objectOrArray',
  upsert: 'bool',
  multi: 'bool',
  arrayFilters: 'array',
  collation: 'object',
  hint: 'stringOrObject',
  c: 'object',
  sort: 'object',
  upsertSupplied: 'bool',
};

interface UpdateCounts {
  n: number;
  nModified: number;
  upserted: Document[];
}

function updateEnv(
  filter: Document,
  statement: Document,
  collationSource: Document,
  ctx: CommandContext,
  name: string,
  variables: Document | undefined,
): UpdateEnv {
  const arrayFilters = statement['arrayFilters'];
  if (arrayFilters !== undefined && (!Array.isArray(arrayFilters) || !arrayFilters.every(isPlainObject))) {
    throw commandError('TypeMismatch', 'arrayFilters must be an array of objects');
  }
  const collection = ctx.data.get(ctx.db, name);
  const collation = collationFor(collationSource, collection);
  return {
    filter,
    ...(arrayFilters ? { arrayFilters: arrayFilters as Document[] } : {}),
    ...(collation ? { collation } : {}),
    ...(variables ? { variables } : {}),
  };
}

function runUpdateStatement(
  ctx: CommandContext,
  name: string,
  statement: Document,
  index: number,
  counts: UpdateCounts,
  variables: Document | undefined,
): void {
  checkFields('update.updates', { stmt: 1, ...statement }, UPDATE_STATEMENT);
  const filter = required('update.updates', statement, 'q') as Document;
  const update = required('update.updates', statement, 'u') as Document | Document[];
  const kind = updateKind(update);
  const multi = optionalBool(statement, 'multi', false);
  const upsert = optionalBool(statement, 'upsert', false);
  if (multi && kind === 'replacement')
    throw commandError('FailedToParse', 'multi update is not supported for replacement-style update');
  const env = updateEnv(filter, statement, statement, ctx, name, {
    ...(variables ?? {}),
    ...(optionalDocument(statement, 'c') ?? {}),
  });
  const sort = parseSort(statement['sort']);
  if (sort.length > 0 && multi) throw commandError('FailedToParse', 'Cannot specify sort with multi=true');
  const existing = ctx.data.get(ctx.db, name);
  checkHint(existing, statement['hint']);
  let matched = matchDocuments(ctx.state.stats, existing, filter, env.collation, env.variables);
  if (!multi && matched.length > 1)
    matched = sort.length > 0 ? sortDocuments(matched, sort, env.collation).slice(0, 1) : matched.slice(0, 1);
  if (matched.length > 0 && existing) {
    for (const doc of matched) {
      const outcome = applyUpdate(doc, update, env, false);
      if (outcome.modified) {
        existing.replace(doc, outcome.doc);
        counts.nModified++;
      }
      counts.n++;
    }
    return;
  }
  if (!upsert) return;
  validateCollectionName(ctx.db, name);
  const { collection } = ctx.data.ensure(ctx.db, name);
  const created = withIdFirst(applyUpdate(upsertSeed(filter), update, env, true).doc);
  checkStorable(created);
  collection.insert(created);
  counts.n++;
  counts.upserted.push({ index, _id: created['_id'] });
}

const update: CommandDefinition = {
  fields: { updates: 'array', ordered: 'bool', bypassDocumentValidation: 'bool', let: 'object' },
  run(ctx) {
    const { body } = ctx;
    const name = collectionName('update', body);
    const list = statements('update', body, 'updates');
    const ordered = optionalBool(body, 'ordered', true);
    const variables = optionalDocument(body, 'let');
    const counts: UpdateCounts = { n: 0, nModified: 0, upserted: [] };
    const writeErrors: Document[] = [];
    for (let i = 0; i < list.length; i++) {
      try {
        const statement = list[i];
        if (!isPlainObject(statement))
          throw commandError('TypeMismatch', `BSON field 'update.updates.${i}' is the wrong type, expected type 'object'`);
        runUpdateStatement(ctx, name, statement, i, counts, variables);
      } catch (error) {
        writeErrors.push(asError(error).toWriteError(i));
        if (ordered) break;
      }
    }
    const reply: Document = { n: counts.n, nModified: counts.nModified };
    if (counts.upserted.length > 0) reply['upserted'] = counts.upserted;
    return writeReply(reply, writeErrors);
  },
};

const DELETE_STATEMENT: Record<string, FieldType> = {
  q: 'object',
  limit: 'number',
  collation: 'object',
  hint: 'stringOrObject',
  c: 'object',
};

const deleteCommand: CommandDefinition = {
  fields: { deletes: 'array', ordered: 'bool', let: 'object' },
  run(ctx) {
    const { body, db } = ctx;
    const name = collectionName('delete', body);
    const list = statements('delete', body, 'deletes');
    const ordered = optionalBool(body, 'ordered', true);
    const variables = optionalDocument(body, 'let');
    let n = 0;
    const writeErrors: Document[] = [];
    for (let i = 0; i < list.length; i++) {
      try {
        const statement = list[i];
        if (!isPlainObject(statement))
          throw commandError('TypeMismatch', `BSON field 'delete.deletes.${i}' is the wrong type, expected type 'object'`);
        checkFields('delete.deletes', { stmt: 1, ...statement }, DELETE_STATEMENT);
        const filter = required('delete.deletes', statement, 'q') as Document;
        const limit = toNumber(required('delete.deletes', statement, 'limit'));
        if (limit !== 0 && limit !== 1)
          throw commandError('FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${limit}`);
        const collection = ctx.data.get(db, name);
        checkHint(collection, statement['hint']);
        const vars = { ...(variables ?? {}), ...(optionalDocument(statement, 'c') ?? {}) };
        let matched = matchDocuments(ctx.state.stats, collection, filter, collationFor(statement, collection), vars);
        if (limit === 1) matched = matched.slice(0, 1);
        for (const doc of matched) {
          collection!.remove(doc);
          n++;
        }
      } catch (error) {
        writeErrors.push(asError(error).toWriteError(i));
        if (ordered) break;
      }
    }
    return writeReply({ n }, writeErrors);
  },
};

const findAndModify: CommandDefinition = {
  fields: {
    query: 'object',
    sort: 'object',
    remove: 'bool',
    update: 'objectOrArray',
    new: 'bool',
    fields: 'object',
    upsert: 'bool',
    bypassDocumentValidation: 'bool',
    collation: 'object',
    arrayFilters: 'array',
    hint: 'stringOrObject',
    let: 'object',
  },
  run(ctx) {
    const { body, db, name: command } = ctx;
    const name = collectionName(command, body);
    const remove = optionalBool(body, 'remove', false);
    const update = body['update'] as Document | Document[] | undefined;
    const returnNew = optionalBool(body, 'new', false);
    const upsert = optionalBool(body, 'upsert', false);
    if (remove && update !== undefined) throw commandError('FailedToParse', 'Cannot specify both an update and remove=true');
    if (!remove && update === undefined) throw commandError('FailedToParse', 'Either an update or remove=true must be specified');
    if (remove && returnNew)
      throw commandError(
        'FailedToParse',
        "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
      );
    if (remove && upsert) throw commandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
    const filter = optionalDocument(body, 'query') ?? {};
    const env = updateEnv(filter, body, body, ctx, name, optionalDocument(body, 'let'));
    const project = compileProjection(body['fields'], filter, env.collation);
    const shape = (doc: Document | null) => (doc && project ? project([doc])[0]! : doc);
    const collection = ctx.data.get(db, name);
    checkHint(collection, body['hint']);
    let matched = matchDocuments(ctx.state.stats, collection, filter, env.collation, env.variables);
    const sort = parseSort(body['sort']);
    if (sort.length > 0 && matched.length > 1) matched = sortDocuments(matched, sort, env.collation);
    const target = matched[0];
    if (remove) {
      if (target) collection!.remove(target);
      return { lastErrorObject: { n: target ? 1 : 0 }, value: shape(target ?? null) };
    }
    if (target && collection) {
      const outcome = applyUpdate(target, update!, env, false);
      if (outcome.modified) collection.replace(target, outcome.doc);
      return { lastErrorObject: { n: 1, updatedExisting: true }, value: shape(returnNew ? outcome.doc : target) };
    }
    if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
    validateCollectionName(db, name);
    const created = withIdFirst(applyUpdate(upsertSeed(filter), update!, env, true).doc);
    checkStorable(created);
    ctx.data.ensure(db, name).collection.insert(created);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: created['_id'] },
      value: shape(returnNew ? created : null),
    };
  },
};

/** Write commands: `insert`, `update`, `delete`, `findAndModify`. */
export const writeCommands: Record<string, CommandDefinition> = {
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
};
