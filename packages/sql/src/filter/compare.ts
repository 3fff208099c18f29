/**
 * One comparison of a stored value with a filter literal, in SQL, with exactly the semantics of the
 * core's evaluator (`compareOne` in `@scimgw/core`): typed comparison, case-insensitive text where
 * the schema says `caseExact: false`, substring operators on the text form, and a literal that
 * cannot be read as the stored type matching nothing.
 */
import type { CompareOp, CompValue } from '@scimgw/core/filter';
import type { SqlDialect } from '../dialect.js';
import type { ValueType } from '../layout/catalog.js';
import { raw, type Sql, sql } from '../sql.js';

/** Thrown when a comparison has no exact SQL form here; the caller evaluates the filter in memory. */
export class UnsupportedFilter extends Error {
  override name = 'UnsupportedFilter';
}

export const TRUE: Sql = raw('1=1');
export const FALSE: Sql = raw('1=0');

/** A stored value as SQL: its expression, type and case rule. */
export interface Operand {
  expr: Sql;
  type: ValueType;
  caseExact: boolean;
  /** A column holding `LOWER(expr)`, when the table keeps one. */
  lower?: Sql | undefined;
  /** The expression is text even though `type` says otherwise (members of JSON documents). */
  text?: boolean;
  /** The column is numeric in the database although SCIM sees text (database-made ids). */
  numeric?: 'integer' | 'number' | undefined;
}

function toBool(v: CompValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  return undefined;
}

const ORDER_OPS: Record<string, string> = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' };
const LIKE_MATCH = { co: 'contains', sw: 'prefix', ew: 'suffix' } as const;

/** `present` as the core sees it: not NULL and, for text, not empty. */
export function presentOf(o: Operand): Sql {
  return o.type === 'string' || o.text ? sql`(${o.expr} IS NOT NULL AND ${o.expr} <> '')` : sql`${o.expr} IS NOT NULL`;
}

/**
 * `operand op literal` as a two-valued condition where it matters: true exactly when the core's
 * evaluator would say the stored value matches. `ne` is the negation of `eq` (a missing value is
 * "not equal"), and `eq null` means "not present".
 */
export function compareOperand(d: SqlDialect, o: Operand, op: CompareOp, literal: CompValue): Sql {
  if (literal === null) {
    if (op === 'eq') return sql`NOT ${presentOf(o)}`;
    if (op === 'ne') return presentOf(o);
    return FALSE;
  }
  if (op === 'ne') return sql`NOT (${o.expr} IS NOT NULL AND ${matchOne(d, o, 'eq', literal)})`;
  // Positive comparisons are NULL for a NULL value; guard them so NOT around them stays exact.
  return sql`(${o.expr} IS NOT NULL AND ${matchOne(d, o, op, literal)})`;
}

function matchOne(d: SqlDialect, o: Operand, op: Exclude<CompareOp, 'ne'>, literal: Exclude<CompValue, null>): Sql {
  switch (o.type) {
    case 'boolean': {
      const b = toBool(literal);
      if (b === undefined || op !== 'eq') return FALSE;
      if (o.text) return sql`${d.lower(o.expr)} = ${b ? 'true' : 'false'}`;
      return sql`${o.expr} = ${b}`;
    }
    case 'integer':
    case 'number': {
      const n = Number(literal);
      if (Number.isNaN(n)) return FALSE;
      const num = o.text ? d.textToNumber(o.expr) : o.expr;
      if (op in LIKE_MATCH) {
        // The core compares the text forms; decimals print differently in SQL than in JavaScript.
        if (o.type === 'number' || o.text) throw new UnsupportedFilter('substring match on a decimal');
        return d.like(d.numberText(o.expr), String(literal), LIKE_MATCH[op as keyof typeof LIKE_MATCH], false);
      }
      return sql`${num} ${raw(ORDER_OPS[op] as string)} ${d.numeric(n)}`;
    }
    case 'datetime': {
      if (o.text) throw new UnsupportedFilter('dateTime inside a JSON document');
      if (op in LIKE_MATCH) {
        return d.like(d.lower(d.timestampText(o.expr)), String(literal), LIKE_MATCH[op as keyof typeof LIKE_MATCH], true);
      }
      const t = Date.parse(String(literal));
      if (Number.isNaN(t)) return FALSE;
      return sql`${o.expr} ${raw(ORDER_OPS[op] as string)} ${new Date(t)}`;
    }
    case 'string':
      return textMatch(d, o, op, String(literal));
  }
}

/** The canonical text of a number (`5`, `-12`, `1.5`): the only text a numeric column can show. */
function canonicalNumber(value: string, kind: 'integer' | 'number'): number | undefined {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || String(n) !== value) return undefined;
  return kind === 'integer' && !Number.isInteger(n) ? undefined : n;
}

function textMatch(d: SqlDialect, o: Operand, op: Exclude<CompareOp, 'ne'>, value: string): Sql {
  if (o.numeric) {
    // Compared as the core compares the text form; equality can use the column (and its index).
    if (op === 'eq') {
      const n = canonicalNumber(value, o.numeric);
      return n === undefined ? FALSE : sql`${o.expr} = ${d.numeric(n)}`;
    }
    const asText: Operand = { expr: d.numberText(o.expr), type: 'string', caseExact: o.caseExact };
    return textMatch(d, asText, op, value);
  }
  if (!d.storesNul && value.includes('\u0000')) {
    // Nothing stored can contain it: equal to nothing, containing nowhere; order is left to the core.
    if (op === 'eq' || op in LIKE_MATCH) return FALSE;
    throw new UnsupportedFilter('ordering against U+0000');
  }
  const fold = !o.caseExact;
  const left = fold ? (o.lower ?? d.lower(o.expr)) : o.expr;
  if (op in LIKE_MATCH) return d.like(left, value, LIKE_MATCH[op as keyof typeof LIKE_MATCH], fold);
  const right = fold ? d.lower(sql`${value}`) : sql`${value}`;
  if (op === 'eq') return sql`${left} = ${right}`;
  return sql`${d.ordered(left)} ${raw(ORDER_OPS[op] as string)} ${d.ordered(right)}`;
}
