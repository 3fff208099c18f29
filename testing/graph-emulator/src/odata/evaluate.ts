/**
 * Compiles a `$filter` tree into a predicate, type-checking every comparison the way OData
 * does (a quoted value against a Guid or Boolean property is a 400), and lists the clauses
 * used so the caller can decide whether the query needs advanced query parameters.
 */
import { badRequest } from '../graph/errors.js';
import { COMPLEX_TYPES } from '../model/schema.js';
import type { CompareOp, FilterNode, Literal, Operand } from './ast.js';
import { type QueryTarget, type ResolvedPath, resolveIn } from './target.js';

/** One use of a property in a filter, as the advanced-query tables describe them. */
export interface FilterClause {
  /** Canonical property path; inside a lambda, `collection` or `collection/member`. */
  readonly property: string;
  readonly op: 'eq' | 'ne' | 'in' | 'null' | 'range' | 'gtlt' | 'startsWith' | 'endsWith' | 'contains' | 'count' | 'all';
}

/** A compiled filter. */
export interface CompiledFilter {
  readonly test: (record: unknown) => boolean;
  readonly clauses: readonly FilterClause[];
  readonly usesNot: boolean;
}

type Predicate = (record: unknown, element: unknown) => boolean;

const EDM: Record<string, string> = {
  string: 'Edm.String',
  bool: 'Edm.Boolean',
  int: 'Edm.Int32',
  guid: 'Edm.Guid',
  datetime: 'Edm.DateTimeOffset',
  duration: 'Edm.Duration',
  number: 'Edm.Int32',
  boolean: 'Edm.Boolean',
};
const OP_KIND: Record<CompareOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};

function incompatible(left: string, right: string, op: string): Error {
  return badRequest(
    `A binary operator with incompatible types was detected. Found operand types '${left}' and '${right}' for operator kind '${op}'.`,
  );
}

function edmOf(path: ResolvedPath): string {
  const base = path.type === 'complex' ? `microsoft.graph.${path.complex}` : (EDM[path.type] ?? path.type);
  return path.collection ? `Collection(${base})` : base;
}

function literalMatches(path: ResolvedPath, literal: Literal): boolean {
  switch (path.type) {
    case 'string':
      return literal.type === 'string';
    case 'bool':
      return literal.type === 'boolean';
    case 'int':
      return literal.type === 'number';
    case 'guid':
      return literal.type === 'guid';
    case 'datetime':
      return literal.type === 'datetime';
    default:
      return false;
  }
}

/** Normalizes a stored value and a literal to something `<`/`===` compare the way the directory does. */
function comparable(value: unknown, type: ResolvedPath['type']): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (type === 'string' || type === 'guid') return String(value).toLowerCase();
  if (type === 'datetime') return Date.parse(String(value));
  return value as number | boolean;
}

function compareValues(op: CompareOp, actual: unknown, expected: unknown): boolean {
  if (op === 'eq') return actual === expected;
  if (op === 'ne') return actual !== expected;
  if (actual === null || expected === null) return false;
  const a = actual as number | string;
  const b = expected as number | string;
  switch (op) {
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    default:
      return a <= b;
  }
}

class Compiler {
  readonly clauses: FilterClause[] = [];
  usesNot = false;
  private lambda: { variable: string; element: ResolvedPath; collection: string } | undefined;

  constructor(private readonly target: QueryTarget) {}

  compile(node: FilterNode): Predicate {
    switch (node.kind) {
      case 'and': {
        const left = this.compile(node.left);
        const right = this.compile(node.right);
        return (r, e) => left(r, e) && right(r, e);
      }
      case 'or': {
        const left = this.compile(node.left);
        const right = this.compile(node.right);
        return (r, e) => left(r, e) || right(r, e);
      }
      case 'not': {
        this.usesNot = true;
        const inner = this.compile(node.operand);
        return (r, e) => !inner(r, e);
      }
      case 'compare':
        return this.comparison(node.op, node.left, node.right);
      case 'in':
        return this.inList(node.left, node.values);
      case 'function':
        return this.call(node.name, node.left.segments, node.right);
      case 'lambda':
        return this.lambdaExpr(node);
    }
  }

  /** Resolves a path against the record, or against the lambda variable's element. */
  private resolve(segments: readonly string[]): { path: ResolvedPath; fromElement: boolean; clauseName: string } {
    const [head = '', ...rest] = segments;
    if (this.lambda && head === this.lambda.variable) {
      const element = this.lambda.element;
      if (rest.length === 0) return { path: element, fromElement: true, clauseName: this.lambda.collection };
      const complex = element.complex ? COMPLEX_TYPES.get(element.complex) : undefined;
      if (!complex) throw badRequest(`Could not find a property named '${rest[0]}' on type '${edmOf(element)}'.`);
      const path = resolveIn(complex, rest, `microsoft.graph.${complex.name}`);
      return { path, fromElement: true, clauseName: `${this.lambda.collection}/${path.canonical}` };
    }
    if (this.lambda) throw badRequest(`The lambda variable '${this.lambda.variable}' must start every path inside any().`);
    const path = this.target.resolve(segments);
    return { path, fromElement: false, clauseName: path.canonical };
  }

  private scalar(segments: readonly string[], literal: Literal, op: string) {
    const resolved = this.resolve(segments);
    const { path } = resolved;
    if ((path.collection && !resolved.fromElement) || path.type === 'complex') {
      throw incompatible(edmOf(path), EDM[literal.type] ?? 'Edm.String', op);
    }
    return resolved;
  }

  private comparison(op: CompareOp, left: Operand, right: Literal): Predicate {
    if (left.kind === 'count') return this.countComparison(op, left.segments, right);
    if (right.type === 'null') {
      const { path, fromElement, clauseName } = this.resolve(left.segments);
      if (op !== 'eq' && op !== 'ne') throw incompatible(edmOf(path), 'null', OP_KIND[op]);
      this.clauses.push({ property: clauseName, op: 'null' });
      if (op === 'ne') this.clauses.push({ property: clauseName, op: 'ne' });
      const get = fromElement ? (_r: unknown, e: unknown) => path.get(e) : (r: unknown) => path.get(r);
      const isNull = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && value.length === 0);
      return op === 'eq' ? (r, e) => isNull(get(r, e)) : (r, e) => !isNull(get(r, e));
    }
    const { path, fromElement, clauseName } = this.scalar(left.segments, right, OP_KIND[op]);
    if (!literalMatches(path, right)) throw incompatible(edmOf(path), EDM[right.type] ?? 'Edm.String', OP_KIND[op]);
    const kind: FilterClause['op'] = op === 'eq' || op === 'ne' ? op : op === 'ge' || op === 'le' ? 'range' : 'gtlt';
    this.clauses.push({ property: clauseName, op: kind });
    const expected = comparable(right.value, path.type);
    if (fromElement) return (_r, element) => compareValues(op, comparable(path.get(element), path.type), expected);
    return (record) => compareValues(op, comparable(path.get(record), path.type), expected);
  }

  private countComparison(op: CompareOp, segments: readonly string[], right: Literal): Predicate {
    const path = this.target.resolve(segments);
    if (!path.collection)
      throw badRequest(`The $count segment is only valid on collection properties, not on '${path.canonical}'.`);
    if (right.type !== 'number') throw incompatible('Edm.Int32', EDM[right.type] ?? 'Edm.String', OP_KIND[op]);
    this.clauses.push({ property: path.canonical, op: 'count' });
    const expected = right.value as number;
    return (record) => {
      const value = path.get(record);
      return compareValues(op, Array.isArray(value) ? value.length : 0, expected);
    };
  }

  private inList(left: Operand, values: readonly Literal[]): Predicate {
    if (left.kind === 'count') throw badRequest('The in operator cannot be applied to $count.');
    const first = values[0] as Literal;
    const { path, fromElement, clauseName } = this.scalar(left.segments, first, 'In');
    for (const literal of values) {
      if (!literalMatches(path, literal)) throw incompatible(edmOf(path), EDM[literal.type] ?? 'Edm.String', 'In');
    }
    this.clauses.push({ property: clauseName, op: 'in' });
    const wanted = new Set(values.map((literal) => comparable(literal.value, path.type)));
    if (fromElement) return (_r, element) => wanted.has(comparable(path.get(element), path.type));
    return (record) => wanted.has(comparable(path.get(record), path.type));
  }

  private call(name: 'startswith' | 'endswith' | 'contains', segments: readonly string[], right: Literal): Predicate {
    const { path, fromElement, clauseName } = this.scalar(segments, right, name);
    if (path.type !== 'string') throw badRequest(`The function '${name}' only applies to string properties.`);
    const op = name === 'startswith' ? 'startsWith' : name === 'endswith' ? 'endsWith' : 'contains';
    this.clauses.push({ property: clauseName, op });
    const needle = String(right.value).toLowerCase();
    const test = (value: unknown): boolean => {
      if (typeof value !== 'string') return false;
      const haystack = value.toLowerCase();
      return op === 'startsWith'
        ? haystack.startsWith(needle)
        : op === 'endsWith'
          ? haystack.endsWith(needle)
          : haystack.includes(needle);
    };
    if (fromElement) return (_r, element) => test(path.get(element));
    return (record) => test(path.get(record));
  }

  private lambdaExpr(node: Extract<FilterNode, { kind: 'lambda' }>): Predicate {
    const collection = this.target.resolve(node.collection);
    if (!collection.collection)
      throw badRequest(`The any/all operators only apply to collections, not to '${collection.canonical}'.`);
    if (node.op === 'all') this.clauses.push({ property: collection.canonical, op: 'all' });
    this.lambda = {
      variable: node.variable,
      element: { ...collection, collection: false, get: (item) => item },
      collection: collection.canonical,
    };
    const body = this.compile(node.body);
    this.lambda = undefined;
    return (record) => {
      const items = collection.get(record);
      const list = Array.isArray(items) ? items : [];
      return node.op === 'any' ? list.some((item) => body(record, item)) : list.every((item) => body(record, item));
    };
  }
}

/**
 * Compiles a parsed filter for `target`.
 * @throws GraphError 400 for unknown properties and type mismatches.
 */
export function compileFilter(node: FilterNode, target: QueryTarget): CompiledFilter {
  const compiler = new Compiler(target);
  const predicate = compiler.compile(node);
  return { test: (record) => predicate(record, undefined), clauses: compiler.clauses, usesNot: compiler.usesNot };
}
