/**
 * The name/value pairs of a URL query, as `URLSearchParams` reads them (WHATWG
 * `application/x-www-form-urlencoded`), in one pass over the text.
 *
 * Every list request has a query, and `URLSearchParams` cost about three times as much as this for
 * a typical one (`filter=userName%20eq%20%22…%22`): it builds its list through internal maps and
 * decodes with a general routine, and reading eight parameters from it walked its entries eight
 * times. Here a value is a slice of the query, `+` turned into a space and `%XX` decoded by
 * `decodeURIComponent`, which gives what the WHATWG decoder gives for every well-formed escape.
 * Where it throws (a `%` not followed by two hex digits, escapes that are not UTF-8), or the query
 * holds a lone surrogate (which WHATWG replaces with U+FFFD), the whole query is read by
 * `URLSearchParams` instead: the answer is always exactly its answer (property-tested).
 */

/** One decoded component; throws `URIError` where `URLSearchParams` must decide. */
function decode(s: string): string {
  if (s.indexOf('+') !== -1) s = s.replace(/\+/g, ' ');
  return s.indexOf('%') === -1 ? s : decodeURIComponent(s);
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/;

/** The pairs as URLSearchParams reads them (the `?` in front is the one its constructor drops). */
const whatwgPairs = (query: string): [string, string][] => [...new URLSearchParams(`?${query}`)];

/** The pairs of `query` (the text after the URL's `?`), in order, duplicates kept. */
export function queryPairs(query: string): [string, string][] {
  // As URLSearchParams's constructor: one leading `?` is not part of the query (`/Users??filter=…`).
  if (query.charCodeAt(0) === 0x3f) query = query.slice(1);
  const out: [string, string][] = [];
  if (query === '') return out;
  if (LONE_SURROGATE.test(query)) return whatwgPairs(query);
  try {
    let at = 0;
    while (at <= query.length) {
      let amp = query.indexOf('&', at);
      if (amp === -1) amp = query.length;
      if (amp > at) {
        let eq = query.indexOf('=', at);
        if (eq === -1 || eq > amp) eq = amp;
        out.push([decode(query.slice(at, eq)), eq === amp ? '' : decode(query.slice(eq + 1, amp))]);
      }
      at = amp + 1;
    }
  } catch {
    return whatwgPairs(query);
  }
  return out;
}
