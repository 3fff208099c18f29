/**
 * System query options of one request. Graph accepts them with or without the `$` prefix and
 * in any case; an unknown `$option` or a repeated one is a 400, as in OData.
 */
import { GraphError, badRequest, echo } from '../graph/errors.js';

/** One `$expand` item: `manager` or `manager($select=id,displayName)`. */
export interface ExpandItem {
  readonly name: string;
  readonly select: readonly string[] | undefined;
}

/** One `$orderby` item. */
export interface OrderItem {
  readonly path: readonly string[];
  readonly descending: boolean;
}

/** Parsed system query options. */
export interface QueryOptions {
  readonly filter: string | undefined;
  readonly select: readonly string[] | undefined;
  readonly expand: readonly ExpandItem[] | undefined;
  readonly orderby: readonly OrderItem[] | undefined;
  readonly top: number | undefined;
  readonly count: boolean;
  readonly search: string | undefined;
  readonly skiptoken: string | undefined;
  /** The raw query pairs, kept to rebuild `@odata.nextLink`. */
  readonly raw: ReadonlyArray<readonly [string, string]>;
}

const KNOWN = new Set(['filter', 'select', 'expand', 'orderby', 'top', 'count', 'search', 'skiptoken', 'skip', 'format']);

function splitTopLevel(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts;
}

function parseList(name: string, value: string): string[] {
  const items = splitTopLevel(value);
  if (items.some((item) => item === '' || /[\s()]/.test(item))) {
    throw badRequest(`Syntax error: character at position in '$${name}=${echo(value)}' is not valid.`);
  }
  return items;
}

function parseExpand(value: string): ExpandItem[] {
  return splitTopLevel(value).map((item) => {
    const match = /^([A-Za-z][A-Za-z0-9]*)(?:\((.*)\))?$/s.exec(item);
    if (!match) throw badRequest(`Parsing OData Select and Expand failed: Syntax error in '$expand=${echo(value)}'.`);
    const [, name = '', inner] = match;
    let select: string[] | undefined;
    if (inner !== undefined && inner.trim() !== '') {
      for (const option of inner.split(';')) {
        const eq = option.indexOf('=');
        const key = option.slice(0, eq).trim().replace(/^\$/, '').toLowerCase();
        const optionValue = option.slice(eq + 1).trim();
        if (eq < 0) throw badRequest(`Parsing OData Select and Expand failed: Syntax error in '$expand=${echo(value)}'.`);
        if (key === 'select') select = parseList('select', optionValue);
        else if (key !== 'levels') throw badRequest(`The query option '$${echo(key)}' is not supported inside $expand.`);
      }
    }
    return { name, select };
  });
}

function parseOrderBy(value: string): OrderItem[] {
  return splitTopLevel(value).map((item) => {
    const match = /^([A-Za-z][A-Za-z0-9/]*)(?:\s+(asc|desc))?$/i.exec(item);
    if (!match) throw badRequest(`Syntax error in '$orderby=${echo(value)}'.`);
    return { path: (match[1] as string).split('/'), descending: (match[2] ?? '').toLowerCase() === 'desc' };
  });
}

/**
 * Parses the query string of a request (without the leading `?`).
 * @throws GraphError 400 for repeated or unknown system query options and malformed values.
 */
export function parseQueryOptions(query: string): QueryOptions {
  const raw: Array<[string, string]> = [];
  const seen = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) {
    raw.push([key, value]);
    const dollar = key.startsWith('$');
    const name = (dollar ? key.slice(1) : key).toLowerCase();
    if (!KNOWN.has(name)) {
      if (dollar) throw badRequest(`The query parameter '${echo(key)}' is not supported.`);
      continue;
    }
    if (seen.has(name)) {
      throw badRequest(`Query option '$${name}' was specified more than once, but it must be specified at most once.`);
    }
    seen.set(name, value);
  }
  if (seen.has('skip')) throw badRequest("'$skip' is not supported by the service.");
  const top = seen.get('top');
  if (top !== undefined && !/^\d{1,9}$/.test(top)) {
    throw badRequest(`Invalid page size specified: '${echo(top)}'. Must be between 1 and 999 inclusive.`);
  }
  const count = seen.get('count');
  if (count !== undefined && count !== 'true' && count !== 'false') {
    throw badRequest(`'${echo(count)}' is not a valid count option.`);
  }
  const select = seen.get('select');
  const expand = seen.get('expand');
  const orderby = seen.get('orderby');
  return {
    filter: seen.get('filter'),
    select: select === undefined ? undefined : parseList('select', select),
    expand: expand === undefined ? undefined : parseExpand(expand),
    orderby: orderby === undefined ? undefined : parseOrderBy(orderby),
    top: top === undefined ? undefined : Number(top),
    count: count === 'true',
    search: seen.get('search'),
    skiptoken: seen.get('skiptoken'),
    raw,
  };
}

/** Options of a request that accepts none beyond `$select`/`$expand` (a single object). */
export function assertOnly(options: QueryOptions, allowed: ReadonlyArray<'select' | 'expand'>): void {
  const used: Array<[string, unknown]> = [
    ['filter', options.filter],
    ['orderby', options.orderby],
    ['top', options.top],
    ['search', options.search],
    ['skiptoken', options.skiptoken],
    ['select', options.select],
    ['expand', options.expand],
  ];
  for (const [name, value] of used) {
    if (value !== undefined && !(allowed as string[]).includes(name)) {
      throw new GraphError(400, 'Request_BadRequest', `The query parameter '$${name}' is not supported on this request.`);
    }
  }
}
