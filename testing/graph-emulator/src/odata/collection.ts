/**
 * Answers a collection GET: `$filter`, `$search`, `$orderby`, `$count`, `$top`, `$select`,
 * paging with `@odata.nextLink`/`$skiptoken`, and the directory's rules on which of these
 * need the advanced query parameters.
 */
import { badRequest, unsupportedQuery } from '../graph/errors.js';
import { type Cells, type Support, checkDirectoryFilter } from './capabilities.js';
import { type FilterClause, compileFilter } from './evaluate.js';
import { parseFilter } from './parser.js';
import type { QueryOptions } from './query-options.js';
import { compileSearch } from './search.js';
import { type PageCursor, decodeSkipToken, encodeSkipToken } from './skiptoken.js';
import type { QueryTarget } from './target.js';

/** One item of a collection: its position and the record filters read. */
export interface CollectionItem {
  readonly seq: number;
  readonly record: Record<string, unknown>;
}

/** The directory-object rules of a collection (users, groups, members …). */
export interface DirectoryRules {
  readonly filters: ReadonlyMap<string, Cells>;
  readonly orderby: ReadonlyMap<string, Support>;
  readonly searchable: ReadonlyMap<string, string>;
  /** Relationship collections need advanced parameters for any filter, search, sort or cast. */
  readonly relationship?: boolean;
  /** The request used an OData cast segment (`/members/microsoft.graph.user`). */
  readonly cast?: boolean;
}

/** How to read and shape one collection. */
export interface CollectionSpec {
  readonly target: QueryTarget;
  readonly items: (afterSeq: number) => Iterable<CollectionItem>;
  /** Total number of items, when known without a scan. */
  readonly size?: number;
  readonly project: (record: Record<string, unknown>) => Record<string, unknown>;
  readonly context: string;
  readonly directory?: DirectoryRules;
  readonly defaultTop?: number;
  readonly maxTop?: number;
  /** Collections that are never paged (e.g. licenseDetails). */
  readonly unpaged?: boolean;
  /** Outside the directory: the filter clauses a collection accepts (`property` → operators). */
  readonly allowedFilters?: ReadonlyMap<string, ReadonlySet<FilterClause['op']>>;
}

/** What the collection needs from the request. */
export interface CollectionRequest {
  readonly options: QueryOptions;
  readonly eventual: boolean;
  readonly nextLinkBase: string;
  readonly secret: Buffer;
}

type SortKey = string | number | boolean | null;

function compareKeys(a: readonly SortKey[], b: readonly SortKey[], descending: readonly boolean[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    const order = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
    return descending[i] ? -order : order;
  }
  return 0;
}

const SORTING_REFUSED = 'Sorting not supported for current query.';

function checkDirectoryOptions(options: QueryOptions, eventual: boolean, rules: DirectoryRules): boolean {
  if (options.search !== undefined && !eventual) {
    throw unsupportedQuery(
      "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    );
  }
  const advanced = eventual && options.count;
  if (options.expand && advanced)
    throw unsupportedQuery('$expand is not supported with advanced queries (ConsistencyLevel eventual and $count).');
  if (
    rules.relationship &&
    !advanced &&
    (options.filter !== undefined || options.orderby || rules.cast || options.search !== undefined)
  ) {
    if (!(options.search !== undefined && eventual && options.filter === undefined && !options.orderby && !rules.cast)) {
      throw unsupportedQuery(
        'Filtering, sorting, searching or casting this relationship needs the ConsistencyLevel:eventual header and the $count=true query parameter.',
      );
    }
  }
  if (options.orderby) {
    if (options.filter !== undefined && !advanced) throw unsupportedQuery(SORTING_REFUSED);
    for (const item of options.orderby) {
      const support = rules.orderby.get(item.path.join('/').toLowerCase());
      if (!support || (support === 'A' && !advanced)) throw unsupportedQuery(SORTING_REFUSED);
    }
  }
  return advanced;
}

/**
 * Builds the JSON body of a collection response.
 * @throws GraphError 400 for every query Graph would refuse.
 */
export function listCollection(request: CollectionRequest, spec: CollectionSpec): Record<string, unknown> {
  const { options } = request;
  const maxTop = spec.maxTop ?? 999;
  if (options.top !== undefined && (options.top < 1 || options.top > maxTop)) {
    throw badRequest(`Invalid page size specified: '${options.top}'. Must be between 1 and ${maxTop} inclusive.`);
  }
  const advanced = spec.directory ? checkDirectoryOptions(options, request.eventual, spec.directory) : true;
  const wantCount = options.count && (spec.directory ? request.eventual : true);
  let test: ((record: Record<string, unknown>) => boolean) | undefined;
  if (options.filter !== undefined) {
    const compiled = compileFilter(parseFilter(options.filter), spec.target);
    if (spec.directory)
      checkDirectoryFilter(compiled.clauses, compiled.usesNot, spec.directory.filters, spec.target.label, advanced);
    else checkAllowedFilter(compiled.clauses, spec);
    test = compiled.test;
  }
  if (options.search !== undefined) {
    const search = compileSearch(options.search.trim(), spec.directory?.searchable ?? new Map(), spec.target.label);
    const previous = test;
    test = (record) => (previous ? previous(record) : true) && search.test((property) => record[property]);
  }
  const orderPaths = (options.orderby ?? []).map((item) => spec.target.resolve(item.path));
  const cursor: PageCursor | undefined = options.skiptoken ? decodeSkipToken(options.skiptoken, request.secret) : undefined;
  const pageSize = spec.unpaged ? Number.POSITIVE_INFINITY : (options.top ?? spec.defaultTop ?? 100);
  const page: CollectionItem[] = [];
  let more = false;
  let total = 0;

  if (orderPaths.length === 0) {
    const start = cursor?.seq ?? -1;
    if (wantCount && !test && spec.size !== undefined) total = spec.size;
    else if (wantCount) for (const item of spec.items(-1)) if (!test || test(item.record)) total++;
    for (const item of spec.items(start)) {
      if (test && !test(item.record)) continue;
      if (page.length >= pageSize) {
        more = true;
        break;
      }
      page.push(item);
    }
  } else {
    const descending = (options.orderby ?? []).map((item) => item.descending);
    const keyed: Array<{ item: CollectionItem; keys: SortKey[] }> = [];
    for (const item of spec.items(-1)) {
      if (test && !test(item.record)) continue;
      const keys = orderPaths.map((path) => {
        const value = path.get(item.record);
        return typeof value === 'string' ? value.toLowerCase() : ((value as SortKey | undefined) ?? null);
      });
      keyed.push({ item, keys });
    }
    total = keyed.length;
    keyed.sort((a, b) => compareKeys(a.keys, b.keys, descending) || a.item.seq - b.item.seq);
    let index = 0;
    if (cursor?.keys) {
      const last = cursor.keys;
      while (index < keyed.length) {
        const entry = keyed[index] as (typeof keyed)[number];
        const order = compareKeys(entry.keys, last, descending) || entry.item.seq - cursor.seq;
        if (order > 0) break;
        index++;
      }
    }
    for (; index < keyed.length; index++) {
      if (page.length >= pageSize) {
        more = true;
        break;
      }
      page.push((keyed[index] as (typeof keyed)[number]).item);
    }
    if (more) {
      const lastItem = page[page.length - 1] as CollectionItem;
      const lastKeys = keyed.find((entry) => entry.item === lastItem)?.keys ?? [];
      return finish(request, spec, page, wantCount ? total : undefined, { seq: lastItem.seq, keys: lastKeys });
    }
    return finish(request, spec, page, wantCount ? total : undefined, undefined);
  }
  const last = page[page.length - 1];
  return finish(request, spec, page, wantCount ? total : undefined, more && last ? { seq: last.seq } : undefined);
}

function checkAllowedFilter(clauses: readonly FilterClause[], spec: CollectionSpec): void {
  for (const clause of clauses) {
    const ops = spec.allowedFilters?.get(clause.property.toLowerCase());
    if (!ops?.has(clause.op)) {
      throw unsupportedQuery(
        `Unsupported or invalid query filter clause specified for property '${clause.property}' of resource '${spec.target.label}'.`,
      );
    }
  }
}

/**
 * Answers `…/$count`: needs `ConsistencyLevel: eventual` on directory collections, then counts
 * the items matching `$filter`/`$search` (which count as advanced queries here).
 */
export function countCollection(request: CollectionRequest, spec: CollectionSpec): number {
  const { options } = request;
  if (spec.directory && !request.eventual) throw badRequest('$count is not currently supported.');
  let test: ((record: Record<string, unknown>) => boolean) | undefined;
  if (options.filter !== undefined) {
    const compiled = compileFilter(parseFilter(options.filter), spec.target);
    if (spec.directory) checkDirectoryFilter(compiled.clauses, compiled.usesNot, spec.directory.filters, spec.target.label, true);
    else checkAllowedFilter(compiled.clauses, spec);
    test = compiled.test;
  }
  if (options.search !== undefined) {
    const search = compileSearch(options.search.trim(), spec.directory?.searchable ?? new Map(), spec.target.label);
    const previous = test;
    test = (record) => (previous ? previous(record) : true) && search.test((property) => record[property]);
  }
  if (!test && spec.size !== undefined) return spec.size;
  let total = 0;
  for (const item of spec.items(-1)) if (!test || test(item.record)) total++;
  return total;
}

/** A filter allowlist from `{ property: 'eq ne in' }`. */
export function allowFilters(rows: Record<string, string>): ReadonlyMap<string, ReadonlySet<FilterClause['op']>> {
  return new Map(
    Object.entries(rows).map(([property, ops]) => [property.toLowerCase(), new Set(ops.split(' ') as FilterClause['op'][])]),
  );
}

function nextLink(request: CollectionRequest, cursor: PageCursor): string {
  const params = request.options.raw
    .filter(([key]) => key.replace(/^\$/, '').toLowerCase() !== 'skiptoken')
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  params.push(`$skiptoken=${encodeSkipToken(cursor, request.secret)}`);
  return `${request.nextLinkBase}?${params.join('&')}`;
}

function finish(
  request: CollectionRequest,
  spec: CollectionSpec,
  page: readonly CollectionItem[],
  count: number | undefined,
  cursor: PageCursor | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': spec.context };
  if (count !== undefined) body['@odata.count'] = count;
  if (cursor) body['@odata.nextLink'] = nextLink(request, cursor);
  body.value = page.map((item) => spec.project(item.record));
  return body;
}
