/**
 * Paging helpers for the two list protocols connectors meet most: OData
 * (`@odata.nextLink`, Microsoft Graph) and SCIM (`startIndex`/`count`/`totalResults`,
 * RFC 7644 §3.4.2.4). Both stop with an error rather than loop forever.
 */
import { RestPagingError } from './errors.js';
import type { RestResponse } from './types.js';

/** Fetches one page by path or absolute URL. */
export type PageFetcher = (pathOrUrl: string) => Promise<RestResponse<unknown>>;

/** Default page guard. */
export const DEFAULT_MAX_PAGES = 1000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Follows `@odata.nextLink` until the last page and returns every `value` item.
 *
 * @param maxPages - pages after which paging fails (a backend handing out endless links)
 * @throws RestPagingError when `maxPages` is exceeded or a link repeats
 */
export async function collectODataPages<T>(fetchPage: PageFetcher, path: string, maxPages = DEFAULT_MAX_PAGES): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let next: string | undefined = path;
  for (let page = 1; next !== undefined; page++) {
    if (page > maxPages) throw new RestPagingError(`OData paging exceeded ${maxPages} pages`);
    const { body } = await fetchPage(next);
    if (!isRecord(body)) throw new RestPagingError('OData page is not a JSON object');
    const value = body.value;
    if (Array.isArray(value)) items.push(...(value as T[]));
    const link = body['@odata.nextLink'];
    if (typeof link === 'string' && link !== '') {
      if (seen.has(link)) throw new RestPagingError('OData nextLink repeated; stopping to avoid an endless loop');
      seen.add(link);
      next = link;
    } else next = undefined;
  }
  return items;
}

function toInt(v: unknown): number | undefined {
  // Some servers send paging numbers as strings.
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Adds `startIndex`/`count`, replacing any the caller already put in `path`. */
function withPaging(path: string, startIndex: number, count: number): string {
  const q = path.indexOf('?');
  const base = q < 0 ? path : path.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
  params.set('startIndex', String(startIndex));
  params.set('count', String(count));
  return `${base}?${params.toString()}`;
}

/**
 * Pages a SCIM list (`GET /Users?filter=…`) and returns every resource.
 * Stops when `totalResults` is reached or a page is empty.
 *
 * @throws RestPagingError when `maxPages` is exceeded
 */
export async function collectScimPages<T>(
  fetchPage: PageFetcher,
  path: string,
  pageSize = 100,
  maxPages = DEFAULT_MAX_PAGES,
): Promise<T[]> {
  const items: T[] = [];
  const count = Math.max(1, Math.floor(pageSize));
  let startIndex = 1;
  for (let page = 1; ; page++) {
    if (page > maxPages) throw new RestPagingError(`SCIM paging exceeded ${maxPages} pages`);
    const { body } = await fetchPage(withPaging(path, startIndex, count));
    if (!isRecord(body)) throw new RestPagingError('SCIM list response is not a JSON object');
    const total = toInt(body.totalResults);
    // RFC 7644 §3.4.2: totalResults is required, Resources when there are any. An object with
    // neither (`{}`, an error, something else) is no list, and must not read as an empty one.
    if (!Array.isArray(body.Resources) && total === undefined) {
      throw new RestPagingError('SCIM list response has neither Resources nor totalResults');
    }
    const resources = Array.isArray(body.Resources) ? (body.Resources as T[]) : [];
    items.push(...resources);
    if (resources.length === 0) break;
    startIndex += resources.length;
    // Without totalResults only an empty page proves the end (servers may cap the page size).
    if (total !== undefined && startIndex > total) break;
  }
  return items;
}
