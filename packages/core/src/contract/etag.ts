/** ETag comparison for `If-Match` / `If-None-Match` lists (RFC 7232 §3.1, weak comparison). */

/**
 * Whether an `If-Match` (or `If-None-Match`) value matches a resource's version: `*` matches any
 * existing resource; otherwise any listed tag, compared without the weak `W/` prefix.
 *
 * @example etagMatches('W/"a", W/"b"', 'W/"b"') // true
 */
export function etagMatches(list: string, version: string | undefined): boolean {
  if (list.trim() === '*') return version !== undefined;
  const norm = (s: string) => s.trim().replace(/^W\//, '');
  return version !== undefined && list.split(',').some((t) => norm(t) === norm(version));
}
