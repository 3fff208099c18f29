import type { Document } from 'bson';
import { commandError } from '../errors.js';
import type { FieldType } from '../state.js';
import { isNumeric, isPlainObject, toNumber, typeName } from '../store/values.js';

/** Arguments every command accepts (MongoDB's generic arguments), checked loosely. */
export const GENERIC_ARGUMENTS = new Set([
  '$db',
  '$readPreference',
  '$clusterTime',
  '$audit',
  '$client',
  '$configServerState',
  '$configTime',
  '$topologyTime',
  '$queryOptions',
  '$replData',
  '$oplogQueryData',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'maxTimeMS',
  'readConcern',
  'writeConcern',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  'stmtId',
  'comment',
  'clientOperationKey',
  'allowImplicitCollectionCreation',
  'databaseVersion',
  'shardVersion',
  'txnRetryCounter',
  'mayBypassWriteBlocking',
  'maxTimeMSOpOnly',
  'usesDefaultMaxTimeMS',
  'rawData',
  'backpressure',
]);

const EXPECTED: Record<FieldType, string> = {
  string: "type 'string'",
  object: "type 'object'",
  array: "type 'array'",
  bool: "types '[bool, long, int, decimal, double]'",
  number: "types '[long, int, decimal, double]'",
  any: '',
  objectOrArray: "types '[object, array]'",
  stringOrObject: "types '[string, object]'",
  stringOrNumber: "types '[string, long, int, decimal, double]'",
};

function matches(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'bool':
      return typeof value === 'boolean' || isNumeric(value);
    case 'number':
      return isNumeric(value);
    case 'any':
      return true;
    case 'objectOrArray':
      return isPlainObject(value) || Array.isArray(value);
    case 'stringOrObject':
      return typeof value === 'string' || isPlainObject(value);
    case 'stringOrNumber':
      return typeof value === 'string' || isNumeric(value);
  }
}

/**
 * Checks a command's fields as MongoDB's IDL parser does: unknown fields and wrong types are errors.
 *
 * @throws MongoCommandError 40415 (unknown field) or TypeMismatch (14).
 */
export function checkFields(command: string, body: Document, fields: Readonly<Record<string, FieldType>>): void {
  const keys = Object.keys(body);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    if (GENERIC_ARGUMENTS.has(key)) continue;
    const type = fields[key];
    if (type === undefined) throw commandError('Location40415', `BSON field '${command}.${key}' is an unknown field.`);
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (!matches(type, value)) {
      throw commandError(
        'TypeMismatch',
        `BSON field '${command}.${key}' is the wrong type '${typeName(value)}', expected ${EXPECTED[type]}`,
      );
    }
  }
}

/** A required field. @throws MongoCommandError 40414 when it is missing. */
export function required(command: string, body: Document, field: string): unknown {
  const value = body[field];
  if (value === undefined || value === null) {
    throw commandError('Location40414', `BSON field '${command}.${field}' is missing but a required field`);
  }
  return value;
}

/** An optional boolean (numbers count as MongoDB's `safeBool` allows). */
export function optionalBool(body: Document, field: string, fallback: boolean): boolean {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  return typeof value === 'boolean' ? value : toNumber(value) !== 0;
}

/**
 * An optional non-negative integer (`limit`, `skip`, `batchSize`).
 *
 * @throws MongoCommandError 51024 for a negative value, as MongoDB's validators do.
 */
export function optionalCount(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Math.trunc(toNumber(value));
  if (!Number.isFinite(n) || n < 0) {
    throw commandError('Location51024', `BSON field '${field}' value must be >= 0, actual value '${String(toNumber(value))}'`);
  }
  return n;
}

/** The collection name a command's first field names. @throws MongoCommandError for a non-string. */
export function collectionName(command: string, body: Document): string {
  const value = body[command];
  if (typeof value !== 'string') {
    throw commandError('InvalidNamespace', `collection name has invalid type ${typeName(value)}`);
  }
  return value;
}

/** An optional document field. */
export function optionalDocument(body: Document, field: string): Document | undefined {
  const value = body[field];
  return isPlainObject(value) ? (value as Document) : undefined;
}
