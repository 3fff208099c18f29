/**
 * @scimgw/connector-loki — the embedded default store of scimgw.
 *
 * @packageDocumentation
 */
export { createConnector, createLokiConnector } from './connector.js';
export type { LokiConfig, LokiConnectorOptions } from './connector.js';
export { seedExampleData } from './example-data.js';
