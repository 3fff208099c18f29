import type { Document } from 'bson';
import { commandError } from '../errors.js';
import { bsonTag, isNumeric, isPlainObject, setOwn, toNumber } from '../store/values.js';

const TYPE_ALIASES = new Set([
  'double',
  'string',
  'object',
  'array',
  'binData',
  'undefined',
  'objectId',
  'bool',
  'date',
  'null',
  'regex',
  'dbPointer',
  'javascript',
  'symbol',
  'javascriptWithScope',
  'int',
  'timestamp',
  'long',
  'decimal',
  'minKey',
  'maxKey',
  'number',
]);

const isRegex = (v: unknown) => v instanceof RegExp || bsonTag(v) === 'BSONRegExp';

/**
 * Checks the arguments of query operators the way MongoDB's parser does, before mingo sees the
 * filter, so malformed filters get MongoDB's errors instead of evaluation faults.
 * Returns the filter without `$comment` (a no-op for matching).
 *
 * @throws MongoCommandError BadValue (2) and friends.
 */
export function checkFilter(filter: Document): Document {
  const out: Document = {};
  for (const key of Object.keys(filter)) {
    const value = filter[key];
    if (key === '$comment') continue;
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(value) || value.length === 0) throw commandError('BadValue', `${key} must be a nonempty array`);
      for (const clause of value) {
        if (!isPlainObject(clause)) throw commandError('BadValue', '$or/$and/$nor entries need to be full objects');
      }
      setOwn(
        out,
        key,
        value.map((clause) => checkFilter(clause as Document)),
      );
      continue;
    }
    if (key === '$text') throw commandError('IndexNotFound', 'text index required for $text query');
    if (key === '$jsonSchema') throw commandError('CommandNotSupported', '$jsonSchema is not supported by this test server');
    if (!key.startsWith('$') && isPlainObject(value)) {
      const keys = Object.keys(value);
      if (isOperatorDocument(keys)) {
        checkOperators(value);
      } else if (keys.some((k) => k.startsWith('$'))) {
        // MongoDB reads an object whose first field is not an operator as a literal document;
        // mingo would read any operator field in it, so the literal is made explicit.
        setOwn(out, key, { $eq: value });
        continue;
      }
    }
    setOwn(out, key, value);
  }
  return out;
}

const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

function isOperatorDocument(keys: string[]): boolean {
  const first = keys[0];
  return first?.startsWith('$') === true && !DBREF_FIELDS.has(first);
}

function checkOperators(ops: Record<string, unknown>): void {
  for (const op of Object.keys(ops)) {
    const arg = ops[op];
    switch (op) {
      case '$in':
      case '$nin':
      case '$all':
        if (!Array.isArray(arg)) throw commandError('BadValue', `${op} needs an array`);
        break;
      case '$size':
        if (!isNumeric(arg)) throw commandError('BadValue', '$size needs a number');
        if (!Number.isInteger(toNumber(arg)))
          throw commandError('BadValue', `Failed to parse $size. Expected an integer, but found ${toNumber(arg)}`);
        if (toNumber(arg) < 0)
          throw commandError('BadValue', `Failed to parse $size. Expected a non-negative number in: $size: ${toNumber(arg)}`);
        break;
      case '$regex':
        if (typeof arg !== 'string' && !isRegex(arg)) throw commandError('BadValue', '$regex has to be a string');
        break;
      case '$options':
        if (!('$regex' in ops)) throw commandError('BadValue', '$options needs a $regex');
        if (typeof arg !== 'string') throw commandError('BadValue', '$options has to be a string');
        break;
      case '$mod':
        checkMod(arg);
        break;
      case '$elemMatch':
        if (!isPlainObject(arg)) throw commandError('BadValue', '$elemMatch needs an Object');
        if (Object.keys(arg)[0]?.startsWith('$') && !['$and', '$or', '$nor', '$expr', '$where'].includes(Object.keys(arg)[0]!))
          checkOperators(arg);
        else checkFilter(arg);
        break;
      case '$not':
        if (isRegex(arg)) break;
        if (!isPlainObject(arg)) throw commandError('BadValue', '$not needs a regex or a document');
        if (Object.keys(arg).length === 0) throw commandError('BadValue', '$not cannot be empty');
        checkOperators(arg);
        break;
      case '$type':
        for (const alias of Array.isArray(arg) ? arg : [arg]) {
          if (typeof alias === 'string') {
            if (!TYPE_ALIASES.has(alias)) throw commandError('BadValue', `Unknown type name alias: ${alias}`);
          } else if (!isNumeric(alias)) {
            throw commandError('TypeMismatch', 'type must be represented as a number or a string');
          }
        }
        break;
      case '$exists':
      case '$eq':
      case '$ne':
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        break;
      default:
        if (!op.startsWith('$')) throw commandError('BadValue', `unknown operator: ${op}`);
    }
  }
}

function checkMod(arg: unknown): void {
  if (!Array.isArray(arg)) throw commandError('BadValue', 'malformed mod, needs to be an array');
  if (arg.length < 2) throw commandError('BadValue', 'malformed mod, not enough elements');
  if (arg.length > 2) throw commandError('BadValue', 'malformed mod, too many elements');
  if (!isNumeric(arg[0])) throw commandError('BadValue', 'malformed mod, divisor not a number');
  if (!isNumeric(arg[1])) throw commandError('BadValue', 'malformed mod, remainder not a number');
  if (toNumber(arg[0]) === 0) throw commandError('BadValue', 'divisor cannot be 0');
}
