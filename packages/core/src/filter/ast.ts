/**
 * Filter AST (RFC 7644 §3.4.2.2). One parser produces it, one evaluator reads
 * it, one serializer writes it back, and connectors receive (parts of) it.
 */

/** An attribute path: `[urn:]attr[.sub]`. */
export interface AttrPath {
  /** Schema URN when the path was URN-qualified (as written by the client). */
  uri?: string;
  /** Attribute name (as written). */
  attr: string;
  /** Sub-attribute name, if any. */
  sub?: string;
}

/** Comparison operators, lower-case. */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
/** Every filter operator a connector may declare support for. */
export type FilterOperator = CompareOp | 'pr';

/** A literal comparison value. Unquoted words arrive as strings. */
export type CompValue = string | number | boolean | null;

export interface CompareNode {
  type: 'compare';
  path: AttrPath;
  op: CompareOp;
  value: CompValue;
}

export interface PresentNode {
  type: 'present';
  path: AttrPath;
}

export interface AndNode {
  type: 'and';
  /** Two or more operands, flattened (`a and b and c` is one node). */
  filters: FilterNode[];
}

export interface OrNode {
  type: 'or';
  /** Two or more operands, flattened. */
  filters: FilterNode[];
}

export interface NotNode {
  type: 'not';
  filter: FilterNode;
}

/** `emails[type eq "work"]`: `filter` applies to each element of the multi-valued `path`. */
export interface ValuePathNode {
  type: 'valuePath';
  path: AttrPath;
  filter: FilterNode;
}

export type FilterNode = CompareNode | PresentNode | AndNode | OrNode | NotNode | ValuePathNode;

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

/** Formats an AttrPath the way a client would write it. */
export function formatPath(p: AttrPath): string {
  return `${p.uri ? `${p.uri}:` : ''}${p.attr}${p.sub ? `.${p.sub}` : ''}`;
}
