/**
 * @scimgw/core/filter: SCIM filters (RFC 7644 §3.4.2.2) as an AST, for connectors that translate
 * them into their backend's query language, evaluate them, or sort by attribute paths.
 *
 * @packageDocumentation
 */
export { COMPARE_OPS, formatPath } from './ast.js';
export type {
  AndNode,
  AttrPath,
  CompareNode,
  CompareOp,
  CompValue,
  FilterNode,
  FilterOperator,
  NotNode,
  OrNode,
  PresentNode,
  ValuePathNode,
} from './ast.js';
export { parseFilter } from './parser.js';
export type { FilterLimits } from './parser.js';
export { parseAttrPath } from './path.js';
export { serializeFilter } from './serialize.js';
export { matchesFilter } from './evaluate.js';
export type { PathResolution, PathResolver } from './evaluate.js';
export { planFilter } from './pushdown.js';
export type { FilterPlan } from './pushdown.js';
export { sortResources } from '../query/sort.js';
