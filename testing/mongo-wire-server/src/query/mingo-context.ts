import { Context } from 'mingo/core';
import { Lazy } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import type { Options } from 'mingo/types';
import { ensureArray, flatten, resolve } from 'mingo/util';
import { commandError } from '../errors.js';
import type { Collation } from '../store/collation.js';
import { compareValues, typeRank, valuesEqual } from '../store/values.js';
import { parseSort, sortDocuments } from './sort.js';

/**
 * The mingo operator context this server evaluates with.
 *
 * mingo compares strings by code point only; MongoDB compares them through the operation's
 * collation. With a collation, the comparison query operators are replaced by collation-aware ones,
 * and `$sort` always uses MongoDB's cross-type order ({@link compareValues}).
 */

type QueryOp = (selector: string, value: unknown, options: Options) => (obj: unknown) => boolean;
type PipelineOp = (coll: ReturnType<typeof Lazy>, expr: unknown, options: Options) => ReturnType<typeof Lazy>;

const contexts = new Map<Collation | undefined, Context>();

/** mingo options for evaluating with `collation` (server-side JavaScript stays disabled). */
export function mingoOptions(collation: Collation | undefined, extra: Partial<Options> = {}): Partial<Options> {
  return { context: contextFor(collation), scriptEnabled: false, useStrictMode: true, failOnError: true, ...extra };
}

function contextFor(collation: Collation | undefined): Context {
  let context = contexts.get(collation);
  if (!context) {
    context = Context.init({
      accumulator: accumulatorOperators,
      expression: expressionOperators,
      pipeline: { ...pipelineOperators, $sort: sortStage(collation) } as never,
      projection: projectionOperators,
      query: { ...queryOperators, ...(collation ? collatedQueryOperators(collation) : {}) } as never,
      window: windowOperators,
    });
    contexts.set(collation, context);
  }
  return context;
}

function sortStage(collation: Collation | undefined): PipelineOp {
  return (coll, expr) => {
    const keys = parseSort(expr);
    return coll.transform((docs: Record<string, unknown>[]) => Lazy(sortDocuments(docs, keys, collation)));
  };
}

function depthOf(selector: string): number {
  let depth = 0;
  for (let i = 0; i < selector.length; i++) if (selector[i] === '.') depth++;
  return depth;
}

function fieldPredicate(predicate: (lhs: unknown, rhs: unknown, depth: number) => boolean): QueryOp {
  return (selector, value) => {
    const depth = depthOf(selector);
    return (obj) => predicate(resolve(obj as Record<string, unknown>, selector, { unwrapArray: true }), value, depth);
  };
}

function collatedQueryOperators(collation: Collation): Record<string, QueryOp> {
  const isNil = (v: unknown) => v === null || v === undefined;
  const eq = (a: unknown, b: unknown, depth: number): boolean => {
    if (isNil(a) && isNil(b)) return true;
    if (valuesEqual(a, b, collation)) return true;
    if (Array.isArray(a)) {
      return a.some((v) => valuesEqual(v, b, collation)) || flatten(a, depth).some((v: unknown) => valuesEqual(v, b, collation));
    }
    return false;
  };
  const inList = (a: unknown, b: unknown): boolean => {
    if (!Array.isArray(b)) throw commandError('BadValue', '$in needs an array');
    if (isNil(a)) return b.some((v) => v === null);
    return ensureArray(a).some((v: unknown) =>
      b.some((candidate) =>
        candidate instanceof RegExp ? typeof v === 'string' && candidate.test(v) : valuesEqual(v, candidate, collation),
      ),
    );
  };
  const ordered = (test: (c: number) => boolean) => (a: unknown, b: unknown) =>
    ensureArray(a).some((v: unknown) => sameClass(v, b) && test(compareValues(v, b, collation)));
  return {
    $eq: fieldPredicate(eq),
    $ne: fieldPredicate((a, b, depth) => !eq(a, b, depth)),
    $in: fieldPredicate(inList),
    $nin: fieldPredicate((a, b) => !inList(a, b)),
    $lt: fieldPredicate(ordered((c) => c < 0)),
    $lte: fieldPredicate(ordered((c) => c <= 0)),
    $gt: fieldPredicate(ordered((c) => c > 0)),
    $gte: fieldPredicate(ordered((c) => c >= 0)),
  };
}

// Range operators only match values of the same type class ("type bracketing").
function sameClass(a: unknown, b: unknown): boolean {
  return typeRank(a) === typeRank(b);
}
