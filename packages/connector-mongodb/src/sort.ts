/**
 * Sorting (RFC 7644 §3.4.2.3) as the core sorts: a multi-valued attribute by its primary element
 * (else its first), a complex one by its `value`, case-insensitive strings without regard to case,
 * missing values last in either order, ties in insertion order (`_id`). Booleans sort as they are read
 * (`booleans.ts`): "True" as `true`, a value no boolean can be read from as missing.
 *
 * Attributes every stored resource has (`id`, `meta.created`, `meta.lastModified`, and required
 * single-valued ones such as `userName`) sort on the field itself, so an index serves the sort;
 * others sort on a key computed in an aggregation (`_k`, with `_m` = 1 for a missing value).
 */
import type { SortSpec } from '@scimgw/core';
import type { Document } from 'mongodb';
import { booleanExpression } from './booleans.js';
import type { FilterSchema } from './filter.js';
import { encodeKey } from './keys.js';
import { resolveStored } from './paths.js';

/** The computed sort key and its "missing" flag. */
export const SORT_KEY = '_k';
export const SORT_MISSING = '_m';

/** How a query sorts. */
export type SortPlan =
  /** No sort: insertion order. */
  | { kind: 'none' }
  /** On a stored field that every resource has; `unique`: no ties, so no `_id` tie-break (the index alone serves the sort). */
  | { kind: 'field'; field: string; dir: 1 | -1; collation: boolean; unique: boolean }
  /** On a computed key (aggregation). */
  | { kind: 'computed'; key: Document; dir: 1 | -1; collation: boolean }
  /** MongoDB cannot sort by it (an attribute the schemas do not define, a computed attribute). */
  | { kind: 'memory' };

const STRINGY = new Set(['string', 'reference', 'binary']);

/** Plans the sort of a query. */
export function planSort(sort: SortSpec | undefined, schema: FilterSchema): SortPlan {
  if (!sort) return { kind: 'none' };
  const dir = sort.order === 'descending' ? -1 : 1;
  const sp = resolveStored(schema.registry, schema.rt, sort.path);
  if (!sp || (sp.extension === undefined && schema.computed?.has(sp.attr))) return { kind: 'memory' };
  const leaf =
    sp.sub !== undefined
      ? sp.subDef
      : sp.attrDef.type === 'complex'
        ? sp.attrDef.subAttributes?.find((s) => s.name === 'value')
        : sp.attrDef;
  // As the core: the leaf's type, but the case rule of the path itself (a complex attribute's own caseExact).
  const caseRule = sp.sub !== undefined ? sp.subDef : sp.attrDef;
  const collation = leaf !== undefined && STRINGY.has(leaf.type) && !(caseRule?.caseExact ?? false);
  const always =
    leaf?.type !== 'boolean' &&
    sp.extension === undefined &&
    ((sp.attr === 'id' && sp.sub === undefined) ||
      (sp.attr === 'meta' && (sp.sub === 'created' || sp.sub === 'lastModified')) ||
      (sp.sub === undefined && sp.attrDef.required && !sp.attrDef.multiValued && sp.attrDef.type !== 'complex'));
  if (always) {
    const field = sp.sub === undefined ? sp.field : `${sp.field}.${encodeKey(sp.sub)}`;
    // `id` and the unique attributes of the indexes (userName) have no ties.
    const unique = sp.sub === undefined && (sp.attr === 'id' || (sp.attr === 'userName' && schema.rt.id === 'User'));
    return { kind: 'field', field, dir, collation, unique };
  }
  const base = `$${sp.field}`;
  const element = sp.attrDef.multiValued
    ? {
        $let: {
          vars: { a: base },
          in: {
            $cond: [
              { $isArray: '$$a' },
              {
                $ifNull: [
                  {
                    $arrayElemAt: [
                      { $filter: { input: '$$a', as: 'e', cond: { $eq: [booleanExpression('$$e.primary'), true] } } },
                      0,
                    ],
                  },
                  { $arrayElemAt: ['$$a', 0] },
                ],
              },
              '$$a',
            ],
          },
        },
      }
    : base;
  let key: unknown = element;
  if (sp.sub !== undefined) key = { $let: { vars: { e: element }, in: `$$e.${encodeKey(sp.sub)}` } };
  else if (sp.attrDef.type === 'complex') key = { $let: { vars: { e: element }, in: '$$e.value' } };
  if (leaf?.type === 'boolean') key = booleanExpression(key);
  return { kind: 'computed', key: key as Document, dir, collation };
}

/** Aggregation stages that add `_k` (null when missing) and `_m` for a computed sort. */
export function sortKeyStages(plan: Extract<SortPlan, { kind: 'computed' }>): Document[] {
  return [
    { $addFields: { [SORT_KEY]: plan.key } },
    {
      $addFields: {
        [SORT_MISSING]: { $cond: [{ $in: [{ $type: `$${SORT_KEY}` }, ['missing', 'null', 'object', 'array']] }, 1, 0] },
      },
    },
    { $addFields: { [SORT_KEY]: { $cond: [{ $eq: [`$${SORT_MISSING}`, 1] }, null, `$${SORT_KEY}`] } } },
  ];
}

/** The `$sort` document of a plan; `reverse` flips every direction (paging backwards). */
export function sortDocument(plan: SortPlan, reverse = false): Record<string, 1 | -1> {
  const r = (d: 1 | -1): 1 | -1 => (reverse ? (-d as 1 | -1) : d);
  switch (plan.kind) {
    case 'field':
      return plan.unique ? { [plan.field]: r(plan.dir) } : { [plan.field]: r(plan.dir), _id: r(1) };
    case 'computed':
      return { [SORT_MISSING]: r(1), [SORT_KEY]: r(plan.dir), _id: r(1) };
    default:
      return { _id: r(1) };
  }
}
