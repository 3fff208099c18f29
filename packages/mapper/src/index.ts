/**
 * @scimgw/mapper — the attribute mapper of scimgw connectors. Configured by
 * the `endpoint.map` section (seed `endpointMapper` shape), it maps endpoint
 * records to SCIM resources and back, turns core change lists into
 * endpoint modifications, translates filters, and generates the schemas the
 * gateway serves under `/Schemas`. Pure: no I/O.
 *
 * @packageDocumentation
 */
export { createMapper, createMappers, connectorSchemas } from './mapper.js';
export type { Mapper, MapperOptions } from './mapper.js';
export { parseMapTo } from './map-to.js';
export { mapErrorPath, MapperConfigError } from './errors.js';
export { convertScalar, formatDate, parseDate } from './convert.js';
export { endpointPath } from './filter.js';
export type { GeneratedSchema } from './schema.js';
export type {
  DatetimeFormat,
  EndpointChanges,
  GeneratedAttribute,
  MapConfig,
  MapEntryConfig,
  MappedAttribute,
  MappedTarget,
  MapScalar,
  MapValueType,
  RawTarget,
  ResourceMapConfig,
  ScalarType,
  TargetShape,
  TranslatedFilter,
} from './types.js';
