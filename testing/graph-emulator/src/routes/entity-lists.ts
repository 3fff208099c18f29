/** Collections outside the directory-object rules (role management, entitlement management, SKUs). */
import { json, type GraphResponse } from '../graph/types.js';
import type { TypeDef } from '../model/schema.js';
import { type CollectionItem, listCollection } from '../odata/collection.js';
import type { FilterClause } from '../odata/evaluate.js';
import { contextFragment, project, selectError } from '../odata/projection.js';
import type { ExpandItem } from '../odata/query-options.js';
import { type QueryTarget, typeTarget } from '../odata/target.js';
import { type RouteContext, collectionRequest, contextUrl } from './context.js';
import { checkSelect } from './shape.js';

/** Navigation properties a collection can `$expand`, by lower-case name. */
export type Expanders = ReadonlyMap<
  string,
  { readonly name: string; readonly get: (record: Record<string, unknown>) => unknown }
>;

/** Checks `$expand` names against `expanders`. */
export function checkEntityExpand(
  type: TypeDef,
  expand: readonly ExpandItem[] | undefined,
  expanders: Expanders | undefined,
): void {
  for (const item of expand ?? []) if (!expanders?.has(item.name.toLowerCase())) throw selectError(item.name, type.name);
}

/** Projects one record with `$select` and `$expand`. */
export function projectEntity(
  type: TypeDef,
  record: Record<string, unknown>,
  select: readonly string[] | undefined,
  expand: readonly ExpandItem[] | undefined,
  expanders: Expanders | undefined,
): Record<string, unknown> {
  const out = project(type, record, select);
  for (const item of expand ?? []) {
    const expander = expanders?.get(item.name.toLowerCase());
    if (expander) out[expander.name] = expander.get(record) ?? null;
  }
  return out;
}

/** Answers GET on a collection of `type`. */
export function entityList(
  ctx: RouteContext,
  spec: {
    type: TypeDef;
    entitySet: string;
    items: (afterSeq: number) => Iterable<CollectionItem>;
    filters: ReadonlyMap<string, ReadonlySet<FilterClause['op']>>;
    expanders?: Expanders;
    target?: QueryTarget;
  },
): GraphResponse {
  const options = ctx.options();
  const select = checkSelect([spec.type], options.select, false);
  checkEntityExpand(spec.type, options.expand, spec.expanders);
  return json(
    200,
    listCollection(collectionRequest(ctx), {
      target: spec.target ?? typeTarget(spec.type),
      items: spec.items,
      allowedFilters: spec.filters,
      project: (record) => projectEntity(spec.type, record, select, options.expand, spec.expanders),
      context: contextUrl(ctx, contextFragment(spec.entitySet, select)),
    }),
  );
}

/** Answers GET on one entity of `type`. */
export function entityGet(
  ctx: RouteContext,
  type: TypeDef,
  entitySet: string,
  record: Record<string, unknown>,
  expanders?: Expanders,
): GraphResponse {
  const options = ctx.options();
  const select = checkSelect([type], options.select, true);
  checkEntityExpand(type, options.expand, expanders);
  return json(200, {
    '@odata.context': contextUrl(ctx, `${contextFragment(entitySet, select)}/$entity`),
    ...projectEntity(type, record, select, options.expand, expanders),
  });
}
