import type { Document } from 'bson';
import { commandError } from '../errors.js';
import { isNumeric, isPlainObject, renderValue, typeName } from '../store/values.js';

/** The update operators this server applies (through mingo, plus `$setOnInsert`). */
export const UPDATE_OPERATORS = new Set([
  '$addToSet',
  '$bit',
  '$currentDate',
  '$inc',
  '$max',
  '$min',
  '$mul',
  '$pop',
  '$pull',
  '$pullAll',
  '$push',
  '$rename',
  '$set',
  '$setOnInsert',
  '$unset',
]);

// Operators that create missing fields along their path.
const CREATING = new Set(['$set', '$setOnInsert', '$inc', '$mul', '$max', '$min', '$push', '$addToSet', '$currentDate', '$bit']);

/**
 * Checks an operator update's shape before it is applied: known operators, field-document arguments,
 * non-empty paths, and the `$[identifier]` ↔ `arrayFilters` correspondence.
 *
 * @throws MongoCommandError FailedToParse / BadValue / EmptyFieldName with MongoDB's messages.
 */
export function checkUpdateShape(update: Document, arrayFilters: readonly Document[] | undefined): void {
  const identifiers = new Set<string>();
  for (const op of Object.keys(update)) {
    if (!UPDATE_OPERATORS.has(op)) {
      throw commandError(
        'FailedToParse',
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    const args = update[op];
    if (!isPlainObject(args)) {
      throw commandError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${typeName(args)} instead. For example: {$mod: {<field>: ...}} not {${op}: ${renderValue(args)}}`,
      );
    }
    for (const path of Object.keys(args)) {
      if (path === '') throw commandError('EmptyFieldName', 'An empty update path is not valid.');
      if (path.split('.').some((segment) => segment === '')) {
        throw commandError('EmptyFieldName', `The update path '${path}' contains an empty field name, which is not allowed.`);
      }
      for (const match of path.matchAll(/\$\[([^\]]*)\]/g)) if (match[1] !== '') identifiers.add(match[1]!);
    }
  }
  const declared = new Map<string, Document>();
  for (const filter of arrayFilters ?? []) {
    const top = Object.keys(filter)[0];
    if (top === undefined)
      throw commandError('FailedToParse', 'Cannot use an expression without a top-level field name in arrayFilters');
    const id = top.split('.')[0]!;
    if (!/^[a-z][a-zA-Z0-9]*$/.test(id)) {
      throw commandError(
        'BadValue',
        `The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`,
      );
    }
    if (declared.has(id))
      throw commandError('FailedToParse', `Found multiple array filters with the same top-level field name ${id}`);
    declared.set(id, filter);
  }
  for (const id of identifiers) {
    if (!declared.has(id)) {
      const path = Object.values(update)
        .flatMap((args) => Object.keys(args as Document))
        .find((p) => p.includes(`$[${id}]`));
      throw commandError('BadValue', `No array filter found for identifier '${id}' in path '${path}'`);
    }
  }
  for (const id of declared.keys()) {
    if (!identifiers.has(id)) {
      throw commandError(
        'FailedToParse',
        `The array filter for identifier '${id}' was not used in the update ${renderValue(update)}`,
      );
    }
  }
}

/**
 * Checks each operator against the current document where mingo would silently do nothing:
 * arithmetic on non-numbers, array operators on non-arrays, paths through scalars.
 * Paths with positional segments (`$`, `$[]`, `$[id]`) are left to mingo.
 */
export function checkUpdateTargets(doc: Document, update: Document): void {
  const id = renderValue(doc['_id']);
  for (const op of Object.keys(update)) {
    const args = update[op] as Document;
    for (const path of Object.keys(args)) {
      checkOperand(op, path, args[path]);
      if (path.includes('$')) continue;
      const target = walkTo(doc, path, CREATING.has(op));
      if (target === undefined) continue;
      checkTarget(op, path, target.value, id);
    }
  }
}

function checkOperand(op: string, path: string, operand: unknown): void {
  switch (op) {
    case '$inc':
    case '$mul':
      if (!isNumeric(operand)) {
        const verb = op === '$inc' ? 'increment' : 'multiply';
        throw commandError('TypeMismatch', `Cannot ${verb} with non-numeric argument: {${path}: ${renderValue(operand)}}`);
      }
      break;
    case '$pullAll':
      if (!Array.isArray(operand)) {
        throw commandError('BadValue', `$pullAll requires an array argument but was given a ${typeName(operand)}`);
      }
      break;
    case '$pop': {
      const n = typeof operand === 'number' ? operand : Number.NaN;
      if (n !== 1 && n !== -1) throw commandError('FailedToParse', `$pop expects 1 or -1, found: ${renderValue(operand)}`);
      break;
    }
    case '$rename':
      if (typeof operand !== 'string') {
        throw commandError('BadValue', `The 'to' field for $rename must be a string: ${path}: ${renderValue(operand)}`);
      }
      if (operand === path) {
        throw commandError('BadValue', `The source and target field for $rename must differ: ${path}: ${renderValue(operand)}`);
      }
      break;
    case '$push':
    case '$addToSet':
      if (isPlainObject(operand) && Object.hasOwn(operand, '$each')) {
        if (!Array.isArray(operand['$each'])) {
          throw commandError(
            'BadValue',
            `The argument to $each in ${op} must be an array but it was of type: ${typeName(operand['$each'])}`,
          );
        }
        const allowed = op === '$push' ? ['$each', '$slice', '$sort', '$position'] : ['$each'];
        for (const key of Object.keys(operand)) {
          if (!allowed.includes(key)) {
            const message =
              op === '$push'
                ? `Unrecognized clause in $push: ${key}`
                : `Found unexpected fields after $each in $addToSet: ${renderValue(operand)}`;
            throw commandError('BadValue', message);
          }
        }
      }
      break;
    case '$currentDate': {
      const ok =
        operand === true || (isPlainObject(operand) && (operand['$type'] === 'date' || operand['$type'] === 'timestamp'));
      if (!ok && operand !== false)
        throw commandError(
          'BadValue',
          `${typeName(operand)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`,
        );
      break;
    }
  }
}

function checkTarget(op: string, path: string, value: unknown, id: string): void {
  if (value === undefined) return;
  switch (op) {
    case '$inc':
    case '$mul':
      if (!isNumeric(value)) {
        throw commandError(
          'TypeMismatch',
          `Cannot apply ${op} to a value of non-numeric type. {_id: ${id}} has the field '${lastSegment(path)}' of non-numeric type ${typeName(value)}`,
        );
      }
      break;
    case '$push':
    case '$addToSet':
      if (!Array.isArray(value)) {
        throw commandError(
          'BadValue',
          `The field '${path}' must be an array but is of type ${typeName(value)} in document {_id: ${id}}`,
        );
      }
      break;
    case '$pull':
    case '$pullAll':
      if (!Array.isArray(value)) throw commandError('BadValue', 'Cannot apply $pull to a non-array value');
      break;
    case '$pop':
      if (!Array.isArray(value)) {
        throw commandError('TypeMismatch', `Path '${path}' contains an element of non-array type '${typeName(value)}'`);
      }
      break;
  }
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

// Follows `path` through embedded documents (and numeric array positions). Returns the value at the
// end, or undefined when the path stops early without harm; throws PathNotViable when a creating
// operator would have to create a field inside a scalar or an array.
function walkTo(doc: Document, path: string, creating: boolean): { value: unknown } | undefined {
  const segments = path.split('.');
  let current: unknown = doc;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (isPlainObject(current)) {
      if (!Object.hasOwn(current, segment)) return { value: undefined };
      current = current[segment];
      continue;
    }
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      current = current[Number(segment)];
      if (current === undefined) return { value: undefined };
      continue;
    }
    if (!creating) return undefined;
    const parent = segments.slice(0, i).join('.');
    throw commandError(
      'PathNotViable',
      `Cannot create field '${segment}' in element {${lastSegment(parent)}: ${renderValue(current)}}`,
    );
  }
  return { value: current };
}
