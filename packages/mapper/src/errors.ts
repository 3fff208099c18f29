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

/** The key of `keys` that `path` starts with (the longest: keys may contain dots), and what follows it. */
function splitKey(path: string, keys: readonly string[]): [string, string] | undefined {
  let best: string | undefined;
  for (const k of keys) if ((path === k || path.startsWith(`${k}.`)) && k.length > (best?.length ?? -1)) best = k;
  return best === undefined ? undefined : [best, path.slice(best.length + 1)];
}

/**
 * The path of a {@link MapperConfigError} as segments below the map section, for validators that
 * report paths as arrays. Endpoint attribute names may contain dots (`meta.created`, OIDs), so the
 * keys of `map` decide where a name ends.
 *
 * @param configPath - the `configPath` the mapper was created with (default `map`)
 * @example
 * mapErrorPath(new MapperConfigError('map.user.meta.created.type', '…'), { user: { 'meta.created': { mapTo: 'meta.created' } } })
 * // ['user', 'meta.created', 'type']
 */
export function mapErrorPath(error: MapperConfigError, map: Record<string, unknown>, configPath = 'map'): string[] {
  if (error.path === configPath || !error.path.startsWith(`${configPath}.`)) return [];
  const rest = error.path.slice(configPath.length + 1);
  const section = splitKey(rest, Object.keys(map));
  if (!section) return rest.split('.');
  const [name, below] = section;
  if (below === '') return [name];
  const entries = map[name];
  const entry = splitKey(below, typeof entries === 'object' && entries !== null ? Object.keys(entries) : []);
  if (!entry) return [name, ...below.split('.')];
  const [key, tail] = entry;
  if (tail === '') return [name, key];
  // valueMap keys are endpoint values: anything, dots included.
  if (tail.startsWith('valueMap.')) return [name, key, 'valueMap', tail.slice('valueMap.'.length)];
  return [name, key, ...tail.split('.')];
}
