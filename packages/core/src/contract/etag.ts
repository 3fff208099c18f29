/** ETag comparison for `If-Match` / `If-None-Match` lists (RFC 7232 §3.1, weak comparison). */

/**
 * Whether an `If-Match` (or `If-None-Match`) value matches the version of a resource that exists:
 * `*` matches it, with or without a version; otherwise any listed tag, compared without the weak
 * `W/` prefix (a resource without a version matches no tag).
 *
 * @example etagMatches('W/"a", W/"b"', 'W/"b"') // true
 */
export function etagMatches(list: string, version: string | undefined): boolean {
  // Called for a resource that exists: `*` matches it whether or not it has a version.
  if (list.trim() === '*') return true;
  const norm = (s: string) => s.trim().replace(/^W\//, '');
  return version !== undefined && list.split(',').some((t) => norm(t) === norm(version));
}
