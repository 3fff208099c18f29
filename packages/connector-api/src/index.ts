/**
 * @scimgw/connector-api — the API-gateway mode example: `/api[/{id}]` and the
 * public `GET /pub/api` handed to a REST backend (or a built-in example
 * store), bodies returned as-is. Serves no SCIM resources.
 *
 * @packageDocumentation
 */
export { createApiConnector, createConnector } from './connector.js';
export type { ApiConnectorOptions } from './connector.js';
export { apiConfigZod, configSchema } from './config.js';
export type { ApiConfig } from './config.js';
export { EXAMPLE_ITEMS, exampleBackend, restBackend } from './backend.js';
export type { ApiBackend } from './backend.js';
