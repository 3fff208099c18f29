/** The mappers of the generic connector: one per resource type the map names, each checked. */
import type { SchemaRegistry } from '@scimgw/core';
import { createMapper, type MapConfig, type Mapper, MapperConfigError } from '@scimgw/mapper';

/** The resource types the generic connector serves, in order. */
export const RESOURCE_TYPES = ['User', 'Group'] as const;

/**
 * Compiles the mapper of each resource type `map` names (`user`, `group`), against `registry`.
 * The target's `id` must map to `id`: it is how the connector finds a resource again.
 *
 * @throws MapperConfigError naming the JSON path (`endpoint.map…`)
 */
export function compileMappers(map: MapConfig, registry: SchemaRegistry): Map<(typeof RESOURCE_TYPES)[number], Mapper> {
  const out = new Map<(typeof RESOURCE_TYPES)[number], Mapper>();
  const keys = Object.keys(map);
  for (const rt of RESOURCE_TYPES) {
    if (!keys.some((k) => k.toLowerCase() === rt.toLowerCase())) continue;
    const mapper = createMapper(map, { resourceType: rt, configPath: 'endpoint.map', registry });
    const where = `endpoint.map.${keys.find((k) => k.toLowerCase() === rt.toLowerCase())}`;
    const idEntry = mapper.attributes.find((a) => a.targets.some((t) => t.path === 'id'));
    if (idEntry && idEntry.endpoint !== 'id') {
      throw new MapperConfigError(
        `${where}.${idEntry.endpoint}`,
        `"id" must be mapped from the target's "id" (found "${idEntry.endpoint}")`,
      );
    }
    if (!idEntry) throw new MapperConfigError(where, 'map "id" (e.g. "id": { "mapTo": "id" })');
    out.set(rt, mapper);
  }
  return out;
}
