/**
 * Identifiers (table and column names) come only from configuration. They are checked once at
 * startup against a strict pattern, so that quoting is a formality and no name can carry syntax.
 */

/** Letters, digits, `_` and `$`, starting with a letter or `_`; at most 63 characters (PostgreSQL's limit). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** An identifier that failed the check; `path` names where it came from in the configuration. */
export class IdentifierError extends Error {
  override name = 'IdentifierError';
  readonly path: string | undefined;
  constructor(message: string, path?: string) {
    super(path ? `${path}: ${message}` : message);
    this.path = path;
  }
}

/** True when `name` is one identifier part the SQL layer accepts. */
export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name);
}

/**
 * Returns `name` when it is a valid identifier part, else throws {@link IdentifierError}.
 *
 * @example
 * assertIdentifier('user_name'); // 'user_name'
 * assertIdentifier('x; DROP TABLE y'); // throws
 */
export function assertIdentifier(name: string, path?: string): string {
  if (!isIdentifier(name)) {
    throw new IdentifierError(
      `"${String(name).slice(0, 80)}" is not a valid SQL identifier (letters, digits, _ and $, starting with a letter or _, at most 63 characters)`,
      path,
    );
  }
  return name;
}

/** Checks a possibly schema-qualified name (`schema.table`): one or two parts. */
export function assertQualifiedName(name: string, path?: string): string {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2)
    throw new IdentifierError(`"${String(name)}" must be "table" or "schema.table"`, path);
  for (const p of parts) assertIdentifier(p, path);
  return name;
}

/** The pattern as text, for configuration schemas and documentation. */
export const IDENTIFIER_PATTERN = IDENTIFIER.source;
/** The pattern of a possibly schema-qualified table name. */
export const QUALIFIED_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_$]{0,62}(\\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$';
