/**
 * Configuration errors of the mapper. A bad `map` section is an operator
 * mistake found at startup, so it is a plain `Error` naming the JSON path —
 * never a `ScimError` (no SCIM client caused it).
 */

/**
 * Thrown by {@link createMapper} and {@link parseMapTo} for an invalid mapping.
 * `path` is the JSON path of the offending setting, e.g. `map.user.mail.mapTo`.
 *
 * @example
 * try { createMapper(map, { resourceType: 'User' }) }
 * catch (e) { if (e instanceof MapperConfigError) console.error(e.path, e.message) }
 */
export class MapperConfigError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'ERR_MAPPER_CONFIG';
  /** JSON path of the setting at fault. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'MapperConfigError';
    this.path = path;
  }
}
