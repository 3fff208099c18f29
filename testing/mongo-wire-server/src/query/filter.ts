import type { Document } from 'bson';
import { Query } from 'mingo/query';
import { commandError, MongoCommandError } from '../errors.js';
import type { Collation } from '../store/collation.js';
import { isPlainObject } from '../store/values.js';
import { checkFilter } from './filter-checks.js';
import { mingoOptions } from './mingo-context.js';

/** A compiled query filter. */
export type Predicate = (doc: Document) => boolean;

/**
 * Compiles a query filter with mingo, under the operation's collation.
 *
 * @throws MongoCommandError BadValue for unknown operators and malformed filters, with MongoDB's
 *   messages for the common cases.
 */
export function compileFilter(filter: unknown, collation?: Collation, variables?: Document): Predicate {
  if (filter === undefined || filter === null) return () => true;
  if (!isPlainObject(filter)) throw commandError('TypeMismatch', 'Expected filter to be an object');
  if (Object.keys(filter).length === 0) return () => true;
  const checked = checkFilter(filter);
  if (Object.keys(checked).length === 0) return () => true;
  let query: Query;
  try {
    query = new Query(checked, mingoOptions(collation, variables ? { variables } : {}));
  } catch (error) {
    throw translateQueryError(error);
  }
  return (doc) => {
    try {
      return query.test(doc);
    } catch (error) {
      throw translateQueryError(error);
    }
  };
}

/** Maps an error thrown by mingo while parsing or evaluating a filter to MongoDB's reply. */
export function translateQueryError(error: unknown): MongoCommandError {
  if (error instanceof MongoCommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const topLevel = /^unknown top level operator: (\S+)/.exec(message);
  if (topLevel) {
    return commandError(
      'BadValue',
      `unknown top level operator: ${topLevel[1]}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
    );
  }
  const operator = /^unknown query operator (.*)$/.exec(message);
  if (operator) return commandError('BadValue', `unknown operator: ${operator[1]}`);
  const expression = /accumulator '(\$[^']*)' is not registered/.exec(message);
  if (expression) return commandError('InvalidPipelineOperator', `Unrecognized expression '${expression[1]}'`);
  if (/scriptEnabled/.test(message)) {
    return commandError('BadValue', 'server-side JavaScript ($where, $function, $accumulator) is disabled on this test server');
  }
  if (error instanceof RangeError) return commandError('BadValue', 'query is too deeply nested');
  return commandError('BadValue', message);
}
