/**
 * Server-assigned values in a recorded request replaced by `{{name}}`: an id as a resource path's
 * id segment, as a quoted value in the query or in a body string (a filter, a PATCH path), or as a
 * whole body string; an entity tag in `If-Match`/`If-None-Match`. Only whole segments, quoted
 * occurrences and exact values are replaced, never part of a word.
 */
import { routeScimPath } from '../../handler/router.js';

/** The values the recording's answers gave, by variable. */
export interface Lookup {
  /** The variable of a value, or `undefined` when it is not one the recording's answers gave. */
  name(value: string): string | undefined;
  /** The length of the longest value (so that long quoted texts are not decoded to be looked up). */
  readonly longest: number;
}

/** How much longer than a value its URL-encoded form can be (`%XX%XX%XX` for one UTF-16 unit). */
const ENCODED = 9;

/** Endpoints whose segment below is a resource id. */
export const RESOURCE_ENDPOINTS: ReadonlySet<string> = new Set(['Users', 'Groups', 'Roles', 'Entitlements']);

const decode = (s: string, plusIsSpace: boolean): string | undefined => {
  try {
    return decodeURIComponent(plusIsSpace ? s.replace(/\+/g, ' ') : s);
  } catch {
    return undefined;
  }
};

/**
 * `{{name}}` for an id written as `raw` in a URL: `{{name:uri}}` (filled URL-encoded) unless the
 * client wrote the id as it is where encoding would change it, so the replay sends what it sent.
 */
const urlVar = (raw: string, id: string, name: string) =>
  raw !== encodeURIComponent(id) && raw === id ? `{{${name}}}` : `{{${name}:uri}}`;

/** Discovery endpoints: their answers' ids (`User`, schema URNs) are the protocol's, not the target's. */
const DISCOVERY = new Set(['Schemas', 'ResourceTypes', 'ServiceProviderConfig']);

/** Whether `url` is a discovery request (`/Schemas`, `/ResourceTypes`, `/ServiceProviderConfig`). */
export const isDiscovery = (url: string): boolean => DISCOVERY.has(routeScimPath(url)?.endpoint ?? '');

/**
 * The id of a resource path (`/Users/<id>`, any tenant and version prefix), decoded, with the
 * position of its segment in `path`; `undefined` for any other path.
 */
export function pathId(path: string): { id: string; start: number; end: number } | undefined {
  const route = routeScimPath(path);
  if (route?.id === undefined || !RESOURCE_ENDPOINTS.has(route.endpoint)) return undefined;
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end--;
  return { id: route.id, start: path.lastIndexOf('/', end - 1) + 1, end };
}

/**
 * `text` with each quoted occurrence of a known value replaced: between two quotes (`"`, or `%22`
 * in a URL query) whose text, decoded by `read`, is a value `lookup` knows. Quotes are few in a
 * filter or a PATCH path, so every pair is tried.
 */
function replaceQuoted(
  text: string,
  quote: RegExp,
  read: (raw: string) => string | undefined,
  write: (raw: string, value: string, name: string) => string,
  lookup: Lookup,
): string {
  if (lookup.longest === 0) return text;
  const quotes = [...text.matchAll(quote)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  let out = '';
  let from = 0;
  for (let open = 0; open < quotes.length; open++) {
    const start = (quotes[open] as { end: number }).end;
    // The longest first: an id may hold a quote (`"a"b"` is the id `a"b` before the id `a`).
    for (let close = quotes.length - 1; close > open; close--) {
      const end = (quotes[close] as { start: number }).start;
      if (end - start > lookup.longest * ENCODED) continue;
      const raw = text.slice(start, end);
      const value = read(raw);
      const name = value === undefined || value === '' ? undefined : lookup.name(value);
      if (name === undefined) continue;
      out += text.slice(from, start) + write(raw, value as string, name);
      from = end;
      open = close; // a closing quote opens nothing
      break;
    }
  }
  return out + text.slice(from);
}

/** A query (after `?`) with ids quoted in it replaced; a quoted text never spans two parameters. */
const templateQuery = (query: string, lookup: Lookup) =>
  replaceQuoted(query, /"|%22/gi, (raw) => (raw.includes('&') ? undefined : decode(raw, true)), urlVar, lookup);

/**
 * A URL with its resource path's id and the ids quoted in its query replaced.
 *
 * @example templateUrl('/Users/u%201?x', ids) // '/Users/{{user1:uri}}?x' when ids.name('u 1') is 'user1'
 */
export function templateUrl(url: string, lookup: Lookup): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const at = pathId(path);
  const name = at && lookup.name(at.id);
  if (at && name !== undefined)
    path = path.slice(0, at.start) + urlVar(path.slice(at.start, at.end), at.id, name) + path.slice(at.end);
  return q === -1 ? path : `${path}?${templateQuery(url.slice(q + 1), lookup)}`;
}

/**
 * A request body with ids replaced: a string that is an id, ids quoted in a string (a filter, a
 * PATCH path), and a Bulk operation's resource path. Keys are left as they are.
 */
export function templateBody(body: unknown, lookup: Lookup): unknown {
  if (typeof body === 'string') {
    const name = lookup.name(body);
    if (name !== undefined) return `{{${name}}}`;
    const asUrl = body.startsWith('/') ? templateUrl(body, lookup) : body;
    return replaceQuoted(
      asUrl,
      /"/g,
      (raw) => raw,
      (_raw, _value, name) => `{{${name}}}`,
      lookup,
    );
  }
  if (Array.isArray(body)) return body.map((x) => templateBody(x, lookup));
  if (body !== null && typeof body === 'object')
    return Object.fromEntries(Object.entries(body).map(([k, x]) => [k, templateBody(x, lookup)]));
  return body;
}

/** Entity tags in a header value: `W/"…"` or `"…"`. */
const ETAG = /(?:W\/)?"[^"]*"/g;

/** The entity tags an `If-Match` or `If-None-Match` value names. */
export const entityTags = (value: string): string[] => value.match(ETAG) ?? [];

/** Request headers with entity tags an answer gave replaced (`If-Match: {{etag_1}}`). */
export function templateHeaders(headers: Record<string, string>, lookup: Lookup): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [
      k,
      k === 'if-match' || k === 'if-none-match'
        ? v.replace(ETAG, (tag) => {
            const name = lookup.name(tag);
            return name === undefined ? tag : `{{${name}}}`;
          })
        : v,
    ]),
  );
}
