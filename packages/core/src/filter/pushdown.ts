/**
 * Filter push-down: splits a client filter into the part a connector
 * evaluates natively and the residual the core evaluates itself.
 */
import type { FilterCapabilities } from '../contract/types.js';
import type { FilterNode } from './ast.js';
import { formatPath } from './ast.js';

/** How the core will run a filtered query. */
export type FilterPlan =
  /** Connector evaluates the whole filter (`pushed` may be undefined: no filter at all). */
  | { kind: 'native'; pushed: FilterNode | undefined }
  /** Top-level `or` whose every branch is native: one connector query per branch, union by id. */
  | { kind: 'union'; branches: FilterNode[] }
  /** Connector narrows with `pushed` (or returns everything), core evaluates `residual`. */
  | { kind: 'residual'; pushed: FilterNode | undefined; residual: FilterNode };

/** True when the connector can evaluate `node` entirely. */
export function isNative(node: FilterNode, caps: FilterCapabilities | undefined): boolean {
  if (!caps) return false;
  const attrOk = (path: { uri?: string; attr: string; sub?: string }) => {
    if (caps.attributes === '*') return true;
    const full = formatPath(path).toLowerCase();
    const bare = formatPath({ attr: path.attr, ...(path.sub ? { sub: path.sub } : {}) }).toLowerCase();
    return caps.attributes.some((a) => {
      const l = a.toLowerCase();
      return l === full || (!path.uri && l === bare);
    });
  };
  switch (node.type) {
    case 'compare':
      return caps.operators.includes(node.op) && attrOk(node.path);
    case 'present':
      return caps.operators.includes('pr') && attrOk(node.path);
    case 'and':
    case 'or':
      return (caps.logical ?? []).includes(node.type) && node.filters.every((f) => isNative(f, caps));
    case 'not':
      return (caps.logical ?? []).includes('not') && isNative(node.filter, caps);
    case 'valuePath':
      return caps.valuePath === true && isNativeInValuePath(node, caps);
  }
}

function isNativeInValuePath(node: FilterNode & { type: 'valuePath' }, caps: FilterCapabilities): boolean {
  const check = (f: FilterNode): boolean => {
    switch (f.type) {
      case 'compare':
        return (
          caps.operators.includes(f.op) &&
          isNative({ type: 'present', path: { ...node.path, sub: f.path.attr } }, { ...caps, operators: ['pr'] })
        );
      case 'present':
        return caps.operators.includes('pr');
      case 'and':
      case 'or':
        return (caps.logical ?? []).includes(f.type) && f.filters.every(check);
      case 'not':
        return (caps.logical ?? []).includes('not') && check(f.filter);
      default:
        return false;
    }
  };
  return check(node.filter);
}

/**
 * Plans a query: what to push to the connector and what to evaluate in core.
 *
 * @example
 * planFilter(parseFilter('userName eq "a" and title co "x"'), { operators: ['eq'], attributes: ['userName'] })
 * // { kind: 'residual', pushed: userName eq "a", residual: title co "x" }
 */
export function planFilter(node: FilterNode | undefined, caps: FilterCapabilities | undefined): FilterPlan {
  if (!node || isNative(node, caps)) return { kind: 'native', pushed: node };
  if (node.type === 'or' && node.filters.every((f) => isNative(f, caps))) {
    return { kind: 'union', branches: node.filters };
  }
  if (node.type === 'and') {
    const native = node.filters.filter((f) => isNative(f, caps));
    if (native.length) {
      const canAnd = (caps?.logical ?? []).includes('and');
      // Prefer an equality term: it is the most selective thing to push.
      const chosen = canAnd ? native : [native.find((f) => f.type === 'compare' && f.op === 'eq') ?? (native[0] as FilterNode)];
      const rest = node.filters.filter((f) => !chosen.includes(f));
      const pushed: FilterNode = chosen.length === 1 ? (chosen[0] as FilterNode) : { type: 'and', filters: chosen };
      const residual: FilterNode = rest.length === 1 ? (rest[0] as FilterNode) : { type: 'and', filters: rest };
      return { kind: 'residual', pushed, residual };
    }
  }
  return { kind: 'residual', pushed: undefined, residual: node };
}
