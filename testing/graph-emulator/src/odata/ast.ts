/** The `$filter` syntax tree: what the parser produces and the evaluator walks. */

/** A literal as written: `'text'`, a number, `true`/`false`, `null`, an unquoted GUID or date-time. */
export interface Literal {
  readonly kind: 'literal';
  readonly type: 'string' | 'number' | 'boolean' | 'null' | 'guid' | 'datetime';
  readonly value: string | number | boolean | null;
}

/** A property path such as `displayName`, `employeeOrgData/division` or, inside a lambda, `x/skuId`. */
export interface PathOperand {
  readonly kind: 'path';
  readonly segments: readonly string[];
}

/** `collection/$count`. */
export interface CountOperand {
  readonly kind: 'count';
  readonly segments: readonly string[];
}

/** The left side of a comparison. */
export type Operand = PathOperand | CountOperand;

/** Comparison operators Graph accepts in `$filter`. */
export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A filter expression. */
export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Operand; readonly right: Literal }
  | { readonly kind: 'in'; readonly left: Operand; readonly values: readonly Literal[] }
  | {
      readonly kind: 'function';
      readonly name: 'startswith' | 'endswith' | 'contains';
      readonly left: PathOperand;
      readonly right: Literal;
    }
  | {
      readonly kind: 'lambda';
      readonly op: 'any' | 'all';
      readonly collection: readonly string[];
      readonly variable: string;
      readonly body: FilterNode;
    };
