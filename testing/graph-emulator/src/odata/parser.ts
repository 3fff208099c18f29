/**
 * Recursive-descent `$filter` parser for the subset Graph evaluates on directory objects:
 * `or` < `and` < `not` < comparison / `in` / function / lambda, with parentheses.
 * Every failure is a Graph 400; nesting is bounded so no input can exhaust the stack.
 */
import { badRequest, unsupportedQuery } from '../graph/errors.js';
import type { CompareOp, FilterNode, Literal, Operand, PathOperand } from './ast.js';
import { type Token, syntaxError, tokenize } from './lexer.js';

const MAX_DEPTH = 40;
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set<string>(['startswith', 'endswith', 'contains']);
/** Graph refuses an `in` list or `or` chain longer than this (documented for directory objects). */
export const MAX_OR_CLAUSES = 15;

class Parser {
  private pos = 0;
  private depth = 0;
  private lambdaVariable: string | undefined;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): FilterNode {
    const node = this.orExpr();
    if (this.peek().kind !== 'end') this.fail();
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.pos++;
    return token;
  }

  private fail(token: Token = this.peek()): never {
    throw syntaxError(this.source, token.at);
  }

  private expect<K extends Token['kind']>(kind: K): Extract<Token, { kind: K }> {
    const token = this.next();
    if (token.kind !== kind) this.fail(token);
    return token as Extract<Token, { kind: K }>;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'name' && token.text.toLowerCase() === word;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw badRequest('The $filter expression is nested too deeply.');
  }

  private orExpr(): FilterNode {
    this.enter();
    let left = this.andExpr();
    while (this.isKeyword('or')) {
      this.next();
      left = { kind: 'or', left, right: this.andExpr() };
    }
    this.depth--;
    return left;
  }

  private andExpr(): FilterNode {
    let left = this.notExpr();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'and', left, right: this.notExpr() };
    }
    return left;
  }

  private notExpr(): FilterNode {
    if (this.isKeyword('not')) {
      this.next();
      this.enter();
      const operand = this.notExpr();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const token = this.peek();
    if (token.kind === '(') {
      this.next();
      const inner = this.orExpr();
      this.expect(')');
      return inner;
    }
    if (token.kind !== 'name') this.fail(token);
    if (this.peek(1).kind === '(' && FUNCTIONS.has(token.text.toLowerCase())) return this.functionCall();
    return this.comparison();
  }

  private functionCall(): FilterNode {
    const name = this.expect('name').text.toLowerCase() as 'startswith' | 'endswith' | 'contains';
    this.expect('(');
    const left = this.path();
    if (left.kind !== 'path') this.fail();
    this.expect(',');
    const right = this.literal();
    this.expect(')');
    if (right.type !== 'string') throw badRequest(`The function '${name}' takes a string literal as its second argument.`);
    // `startsWith(x,'a') eq true` is the long form of the same test.
    if (this.peek().kind === 'name' && COMPARE_OPS.has((this.peek() as { text: string }).text.toLowerCase())) {
      const op = this.expect('name').text.toLowerCase();
      const value = this.literal();
      if ((op !== 'eq' && op !== 'ne') || value.type !== 'boolean') this.fail();
      const call: FilterNode = { kind: 'function', name, left, right };
      return (op === 'eq') === value.value ? call : { kind: 'not', operand: call };
    }
    return { kind: 'function', name, left, right };
  }

  /** A path, possibly ending in `/$count` or in a lambda `/any(x: …)`. */
  private pathOrLambda(): Operand | FilterNode {
    const first = this.expect('name');
    const segments = [first.text];
    while (this.peek().kind === '/') {
      this.next();
      const segment = this.expect('name');
      const lower = segment.text.toLowerCase();
      if (lower === '$count') return { kind: 'count', segments };
      if ((lower === 'any' || lower === 'all') && this.peek().kind === '(') return this.lambda(lower, segments);
      segments.push(segment.text);
    }
    return { kind: 'path', segments };
  }

  private path(): Operand {
    const result = this.pathOrLambda();
    if (result.kind !== 'path' && result.kind !== 'count') this.fail();
    return result;
  }

  private lambda(op: 'any' | 'all', collection: string[]): FilterNode {
    if (this.lambdaVariable) throw unsupportedQuery('Nested lambda expressions are not supported.');
    this.expect('(');
    const variable = this.expect('name').text;
    this.expect(':');
    this.lambdaVariable = variable;
    this.enter();
    const body = this.orExpr();
    this.depth--;
    this.lambdaVariable = undefined;
    this.expect(')');
    return { kind: 'lambda', op, collection, variable, body };
  }

  private comparison(): FilterNode {
    const left = this.pathOrLambda();
    if (left.kind !== 'path' && left.kind !== 'count') return left;
    const opToken = this.next();
    if (opToken.kind !== 'name') this.fail(opToken);
    const op = opToken.text.toLowerCase();
    if (op === 'in') return { kind: 'in', left, values: this.literalList() };
    if (!COMPARE_OPS.has(op)) this.fail(opToken);
    return { kind: 'compare', op: op as CompareOp, left, right: this.literal() };
  }

  private literalList(): Literal[] {
    this.expect('(');
    const values = [this.literal()];
    while (this.peek().kind === ',') {
      this.next();
      values.push(this.literal());
    }
    this.expect(')');
    return values;
  }

  private literal(): Literal {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { kind: 'literal', type: 'string', value: token.text };
      case 'number':
        return { kind: 'literal', type: 'number', value: token.value };
      case 'guid':
        return { kind: 'literal', type: 'guid', value: token.text };
      case 'datetime':
        return { kind: 'literal', type: 'datetime', value: token.text };
      case 'name': {
        const word = token.text.toLowerCase();
        if (word === 'true' || word === 'false') return { kind: 'literal', type: 'boolean', value: word === 'true' };
        if (word === 'null') return { kind: 'literal', type: 'null', value: null };
        return this.fail(token);
      }
      default:
        return this.fail(token);
    }
  }
}

/** Counts the leaves of the widest `or` chain (an `in` list counts each value). */
function orClauses(node: FilterNode): number {
  switch (node.kind) {
    case 'or':
      return orClauses(node.left) + orClauses(node.right);
    case 'in':
      return node.values.length;
    default:
      return 1;
  }
}

function maxOrWidth(node: FilterNode): number {
  switch (node.kind) {
    case 'or':
      return Math.max(orClauses(node), maxOrWidth(node.left), maxOrWidth(node.right));
    case 'and':
      return Math.max(maxOrWidth(node.left), maxOrWidth(node.right));
    case 'not':
      return maxOrWidth(node.operand);
    case 'lambda':
      return maxOrWidth(node.body);
    case 'in':
      return node.values.length;
    default:
      return 1;
  }
}

/**
 * Parses a `$filter` value.
 * @throws GraphError 400 for anything that is not a filter Graph would parse.
 * @example parseFilter("startsWith(displayName,'A') and accountEnabled eq true")
 */
export function parseFilter(source: string): FilterNode {
  const node = new Parser(source, tokenize(source)).parse();
  const width = maxOrWidth(node);
  if (width > MAX_OR_CLAUSES) {
    throw unsupportedQuery(
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${width}. Max allowed: ${MAX_OR_CLAUSES}.`,
    );
  }
  return node;
}

export type { PathOperand };
