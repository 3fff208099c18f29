import type { IncomingMessage } from 'node:http';

/** Whether the request's Content-Type is `application/x-www-form-urlencoded` (parameters such as `charset` allowed). */
export function isForm(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return (type.split(';', 1)[0] ?? '').trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** The first value of each field, as own properties (a field named `__proto__` stays a field). */
export function firstValues(form: URLSearchParams): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const [name, value] of form) {
    if (seen.has(name)) continue;
    seen.add(name);
    entries.push([name, value]);
  }
  return Object.fromEntries(entries);
}

/**
 * A parameter given more than once, which RFC 6749 §3.2 forbids ("Request and response parameters
 * MUST NOT be included more than once"), or `undefined`. Without `names`, any field counts and the
 * one whose second occurrence comes first is named; with `names`, only those count, and the first
 * of them (in the order of `names`) that is repeated is named.
 */
export function repeatedParameter(form: URLSearchParams, names?: readonly string[]): string | undefined {
  if (names) return names.find((name) => form.getAll(name).length > 1);
  const seen = new Set<string>();
  for (const name of form.keys()) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}
