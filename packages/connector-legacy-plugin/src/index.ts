/**
 * @scimgw/connector-legacy-plugin — runs a plugin file written for the older scimgateway plugin
 * API unmodified, served through the scimgw Connector contract, auth and logging.
 *
 * @packageDocumentation
 */
export { configSchema, legacyPluginConfigZod, legacyPluginOptionsZod } from './config.js';
export type { LegacyPluginConfig, LegacyPluginOptions } from './config.js';
export { createConnector, createLegacyPluginConnector } from './connector.js';
export type { LegacyMethod, LegacyPluginConnectorOptions } from './connector.js';
export { legacyErrorStatus } from './errors.js';
export { changesToAttrObj, toLegacyObject } from './convert/shapes.js';
export type { ShapeInfo } from './convert/shapes.js';
export { toGetObj } from './query.js';
export type { LegacyGetObj } from './query.js';
export { LegacyLock, patchObj } from './shim/object-helpers.js';
