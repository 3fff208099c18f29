/**
 * `$search` on directory objects: `"property:term"` clauses joined with AND / OR (AND binds
 * tighter). Values are tokenized (words, camelCase parts, digits) and a term matches when each
 * of its tokens prefixes a token of the value, as the directory's tokenized search does.
 */
import { badRequest, echo } from '../graph/errors.js';

type SearchNode =
  | { kind: 'term'; property: string; tokens: string[] }
  | { kind: 'and' | 'or'; left: SearchNode; right: SearchNode };

/** A compiled `$search`. */
export interface CompiledSearch {
  readonly test: (get: (property: string) => unknown) => boolean;
  readonly properties: readonly string[];
}

/** Splits text into lower-case search tokens. */
export function searchTokens(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((token) => token.toLowerCase());
}

function syntax(source: string): Error {
  return badRequest(`Syntax error: the $search value '${echo(source)}' is not valid. Use "property:value" clauses.`);
}

function parseTerms(source: string): Array<SearchNode | 'AND' | 'OR'> {
  const items: Array<SearchNode | 'AND' | 'OR'> = [];
  const pattern = /\s*(?:"([^"]*)"|(AND|OR)(?=\s|$))/giy;
  let index = 0;
  while (index < source.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) {
      if (source.slice(index).trim() === '') break;
      throw syntax(source);
    }
    index = pattern.lastIndex;
    if (match[2]) {
      items.push(match[2].toUpperCase() as 'AND' | 'OR');
      continue;
    }
    const clause = match[1] ?? '';
    const colon = clause.indexOf(':');
    if (colon <= 0) throw syntax(source);
    const tokens = searchTokens(clause.slice(colon + 1));
    if (tokens.length === 0) throw syntax(source);
    items.push({ kind: 'term', property: clause.slice(0, colon).trim(), tokens });
  }
  return items;
}

function build(source: string, items: Array<SearchNode | 'AND' | 'OR'>): SearchNode {
  // Terms alternate with operators; AND binds tighter than OR.
  const orParts: SearchNode[] = [];
  let current: SearchNode | undefined;
  let expectTerm = true;
  for (const item of items) {
    if (expectTerm) {
      if (typeof item === 'string') throw syntax(source);
      current = current ? { kind: 'and', left: current, right: item } : item;
      expectTerm = false;
      continue;
    }
    if (item === 'OR') {
      orParts.push(current as SearchNode);
      current = undefined;
    } else if (item !== 'AND') {
      throw syntax(source);
    }
    expectTerm = true;
  }
  if (expectTerm || !current) throw syntax(source);
  orParts.push(current);
  return orParts.reduce((left, right) => ({ kind: 'or', left, right }));
}

function matches(value: unknown, tokens: readonly string[]): boolean {
  if (typeof value !== 'string') return false;
  const valueTokens = searchTokens(value);
  return tokens.every((token) => valueTokens.some((candidate) => candidate.startsWith(token)));
}

/**
 * Compiles `$search`; `searchable` maps lower-case property names to canonical ones.
 * @throws GraphError 400 for bad syntax or a property that does not support search.
 */
export function compileSearch(source: string, searchable: ReadonlyMap<string, string>, label: string): CompiledSearch {
  if (source.length > 2048) throw syntax(source.slice(0, 100));
  const root = build(source, parseTerms(source));
  const properties: string[] = [];
  const resolve = (node: SearchNode): void => {
    if (node.kind === 'term') {
      const canonical = searchable.get(node.property.toLowerCase());
      if (!canonical) throw badRequest(`Unsupported search property '${echo(node.property)}' for resource '${label}'.`);
      node.property = canonical;
      properties.push(canonical);
      return;
    }
    resolve(node.left);
    resolve(node.right);
  };
  resolve(root);
  const evaluate = (node: SearchNode, get: (property: string) => unknown): boolean =>
    node.kind === 'term'
      ? matches(get(node.property), node.tokens)
      : node.kind === 'and'
        ? evaluate(node.left, get) && evaluate(node.right, get)
        : evaluate(node.left, get) || evaluate(node.right, get);
  return { test: (get) => evaluate(root, get), properties };
}
