/**
 * Environment values are read as the JSON primitive they spell (`"8880"` → 8880), which is right
 * for ports and flags and wrong for a password of digits. A field whose schema wants text gets
 * the variable's text back, exactly as it was set (leading zeros and all).
 */
import { formatConfigPath } from '@scimgw/config';

/** A section validator's result, as `configSection(…).validate` returns it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; issues: { path: (string | number)[]; message: string }[] };

/**
 * Validates `value` (the configuration at `prefix`); where a field refused the number, boolean or
 * null read from an environment variable (it wants text, or one of some texts: `"1.1"`), validates
 * again with the variable's text.
 */
export function validateWithEnvText<T>(
  value: unknown,
  envText: ReadonlyMap<string, string> | undefined,
  prefix: string,
  validate: (value: unknown) => Checked<T>,
): Checked<T> {
  const first = validate(value);
  if (first.ok || !envText?.size) return first;
  const fixes = first.issues.filter((i) => envText.has(formatConfigPath(i.path, prefix)));
  if (fixes.length === 0) return first;
  const copy = structuredClone(value);
  for (const i of fixes) setAt(copy, i.path, envText.get(formatConfigPath(i.path, prefix)));
  return validate(copy);
}

function setAt(root: unknown, path: (string | number)[], text: string | undefined): void {
  let node = root as Record<string | number, unknown> | undefined;
  for (const key of path.slice(0, -1)) node = node?.[key] as Record<string | number, unknown> | undefined;
  const last = path[path.length - 1];
  if (node && typeof node === 'object' && last !== undefined) node[last] = text;
}
