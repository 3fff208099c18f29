/**
 * @scimgw/connector-loki — the embedded default store of scimgw.
 *
 * @packageDocumentation
 */
export { createConnector, createLokiConnector } from './connector.js';
export type { LokiConnectorOptions } from './connector.js';
export { configSchema } from './config.js';
export type { LokiConfig } from './config.js';
export { seedExampleData } from './example-data.js';
