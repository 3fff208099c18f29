/** AST → filter text. `parseFilter(serializeFilter(ast))` gives back an equal AST. */
import { type FilterNode, formatPath } from './ast.js';

/**
 * Writes a filter AST as RFC 7644 filter text.
 *
 * @example
 * serializeFilter({ type: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'bjensen' })
 * // 'userName eq "bjensen"'
 */
export function serializeFilter(node: FilterNode): string {
  switch (node.type) {
    case 'compare':
      return `${formatPath(node.path)} ${node.op} ${literal(node.value)}`;
    case 'present':
      return `${formatPath(node.path)} pr`;
    case 'and':
      return node.filters
        .map((f) => (f.type === 'or' || f.type === 'and' ? `(${serializeFilter(f)})` : serializeFilter(f)))
        .join(' and ');
    case 'or':
      return node.filters.map((f) => (f.type === 'or' ? `(${serializeFilter(f)})` : serializeFilter(f))).join(' or ');
    case 'not':
      return `not (${serializeFilter(node.filter)})`;
    case 'valuePath':
      return `${formatPath(node.path)}[${serializeFilter(node.filter)}]`;
  }
}

function literal(v: string | number | boolean | null): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
