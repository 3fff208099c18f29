/**
 * @scimgw/connector-generic — SCIM clients on one side, any SCIM 2.0 or 1.1
 * service on the other, mapped by configuration (`endpoint.map`).
 *
 * @packageDocumentation
 */
export { createConnector, createGenericConnector } from './connector.js';
export type { GenericConnectorOptions } from './connector.js';
export { configSchema, DEFAULT_MAP, genericConfigZod, supportFor } from './config.js';
export type { GenericConfig, GenericEntityConfig, TargetScimVersion, TargetSupport } from './config.js';
export { fromTarget, patch11, patch20, toTarget, URN_11 } from './scim-version.js';
