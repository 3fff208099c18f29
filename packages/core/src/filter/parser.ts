/**
 * SCIM filter parser (RFC 7644 §3.4.2.2) — recursive descent over tokens,
 * with `and`/`or` chains collected iteratively so a long `or` of many terms
 * costs no stack, and nesting bounded so hostile input cannot overflow it.
 */
import { InvalidFilterError } from '../errors.js';
import { COMPARE_OPS, type AttrPath, type CompareOp, type CompValue, type FilterNode } from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { parseAttrPath } from './path.js';

/** Limits applied while parsing. */
export interface FilterLimits {
  /** Longest accepted filter, in characters. Default 65,536. */
  maxLength?: number;
  /** Deepest nesting of parentheses, `not` and value paths. Default 32. */
  maxDepth?: number;
  /** Most comparison terms in one filter. Default 1,000. */
  maxTerms?: number;
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Parses a filter into an AST. Throws only {@link InvalidFilterError}.
 *
 * @example
 * parseFilter('emails[type eq "work" and value co "@example.com"] or userName eq bjensen')
 * @see RFC 7644 §3.4.2.2
 */
export function parseFilter(src: string, limits: FilterLimits = {}): FilterNode {
  const maxLength = limits.maxLength ?? 65_536;
  if (typeof src !== 'string' || src.trim() === '') throw new InvalidFilterError('Empty filter');
  if (src.length > maxLength) throw new InvalidFilterError(`Filter longer than ${maxLength} characters`);
  const p = new Parser(tokenize(src), limits.maxDepth ?? 32, limits.maxTerms ?? 1000);
  const node = p.parseOr(0, false);
  if (!p.done()) p.fail('Unexpected token');
  return node;
}

class Parser {
  private i = 0;
  private terms = 0;
  constructor(
    private readonly toks: Token[],
    private readonly maxDepth: number,
    private readonly maxTerms: number,
  ) {}

  done(): boolean {
    return this.i >= this.toks.length;
  }

  fail(msg: string): never {
    const t = this.toks[this.i];
    throw new InvalidFilterError(t ? `${msg} "${t.text}" at position ${t.pos}` : `${msg}: unexpected end of filter`);
  }

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toLowerCase() === word;
  }

  private expect(kind: Token['kind']): Token {
    const t = this.peek();
    if (!t || t.kind !== kind) this.fail(`Expected "${kind}"`);
    this.i++;
    return t;
  }

  parseOr(depth: number, inValue: boolean): FilterNode {
    const terms = [this.parseAnd(depth, inValue)];
    while (this.isKeyword('or')) {
      this.i++;
      terms.push(this.parseAnd(depth, inValue));
    }
    return terms.length === 1 ? (terms[0] as FilterNode) : { type: 'or', filters: flatten('or', terms) };
  }

  private parseAnd(depth: number, inValue: boolean): FilterNode {
    const terms = [this.parseUnary(depth, inValue)];
    while (this.isKeyword('and')) {
      this.i++;
      terms.push(this.parseUnary(depth, inValue));
    }
    return terms.length === 1 ? (terms[0] as FilterNode) : { type: 'and', filters: flatten('and', terms) };
  }

  private nest(depth: number): number {
    if (depth + 1 > this.maxDepth) this.fail(`Filter nested deeper than ${this.maxDepth} levels at`);
    return depth + 1;
  }

  private parseUnary(depth: number, inValue: boolean): FilterNode {
    const t = this.peek();
    if (!t) this.fail('Expected an expression');
    if (t.kind === 'word' && t.text.toLowerCase() === 'not' && this.toks[this.i + 1]?.kind === '(') {
      this.i += 2;
      const inner = this.parseOr(this.nest(depth), inValue);
      this.expect(')');
      return { type: 'not', filter: inner };
    }
    if (t.kind === '(') {
      this.i++;
      const inner = this.parseOr(this.nest(depth), inValue);
      this.expect(')');
      return inner;
    }
    return this.parseAttrExp(depth, inValue);
  }

  private parseAttrExp(depth: number, inValue: boolean): FilterNode {
    const t = this.peek();
    if (t?.kind !== 'word') this.fail('Expected an attribute path');
    this.i++;
    const path = parseAttrPath(t.text);
    const next = this.peek();
    if (next?.kind === '[' && !next.spaced) {
      if (inValue) this.fail('Nested value path');
      if (path.sub) this.fail('Value path on a sub-attribute');
      this.i++;
      const inner = this.parseOr(this.nest(depth), true);
      this.expect(']');
      const after = this.peek();
      // `emails[type eq "work"].value eq "x"` (Entra ID uniqueness lookups).
      if (after?.kind === 'word' && !after.spaced && after.text.startsWith('.')) {
        this.i++;
        const sub = parseAttrPath(after.text.slice(1));
        if (sub.uri || sub.sub) this.fail('Invalid sub-attribute after value path');
        const cmp = this.parseComparison(sub);
        return { type: 'valuePath', path, filter: { type: 'and', filters: flatten('and', [inner, cmp]) } };
      }
      return { type: 'valuePath', path, filter: inner };
    }
    return this.parseComparison(path);
  }

  private parseComparison(path: AttrPath): FilterNode {
    const opTok = this.peek();
    if (opTok?.kind !== 'word') this.fail('Expected an operator');
    const op = opTok.text.toLowerCase();
    this.i++;
    if (++this.terms > this.maxTerms) this.fail(`Filter has more than ${this.maxTerms} terms at`);
    if (op === 'pr') return { type: 'present', path };
    if (!(COMPARE_OPS as readonly string[]).includes(op)) {
      this.i--;
      this.fail('Unknown operator');
    }
    return { type: 'compare', path, op: op as CompareOp, value: this.parseValue() };
  }

  private parseValue(): CompValue {
    const t = this.peek();
    if (!t || (t.kind !== 'string' && t.kind !== 'word')) this.fail('Expected a comparison value');
    this.i++;
    if (t.kind === 'string') return t.text;
    const lower = t.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (NUMBER.test(t.text)) return Number(t.text) + 0; // + 0 folds -0
    // Unquoted value (Entra ID sends `externalId eq jyoung`): take it as a string.
    return t.text;
  }
}

function flatten(kind: 'and' | 'or', terms: FilterNode[]): FilterNode[] {
  const out: FilterNode[] = [];
  for (const t of terms) {
    if (t.type === kind) out.push(...t.filters);
    else out.push(t);
  }
  return out;
}
