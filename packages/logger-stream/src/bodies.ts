/**
 * Request and response bodies ride on the final request line only for sinks
 * at `debug`. The line is built once; sinks (and stream subscribers) at a
 * higher level get a copy without the body fields.
 */

/** Field names that carry bodies on a request line. */
export const BODY_FIELDS = ['requestBody', 'responseBody'] as const;

/** Cheap pre-check on the raw JSON line. */
export function hasBodies(line: string): boolean {
  return line.includes('"requestBody"') || line.includes('"responseBody"');
}

/**
 * Removes the body fields from one JSON line. Keeps the trailing newline if
 * there was one; returns the input when it is not JSON.
 */
export function stripBodies(line: string): string {
  try {
    const rec = JSON.parse(line) as Record<string, unknown>;
    for (const f of BODY_FIELDS) delete rec[f];
    return JSON.stringify(rec) + (line.endsWith('\n') ? '\n' : '');
  } catch {
    return line;
  }
}
