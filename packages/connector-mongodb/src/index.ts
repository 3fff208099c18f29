/**
 * @scimgw/connector-mongodb — users, groups, roles and entitlements in MongoDB (official driver):
 * the embedded store's behaviour on an external, shared database, one database or one tenant field
 * per `baseEntity`, with filters, sorting, paging and PATCH pushed down.
 *
 * @packageDocumentation
 */
export { CAPABILITIES, createConnector, createMongoConnector } from './connector.js';
export type { MongoConnector, MongoConnectorOptions } from './connector.js';
export { configSchema, connectionSchema, endpointSchema, entitySchema, timeoutsSchema, tlsSchema } from './config.js';
export type { MongoConfig, MongoConfigInput, MongoConnectionConfig } from './config.js';
export { clientOptions, redactUrl } from './client-options.js';
export { ERROR_CODE_TABLE, MONGO_ERROR_CODES, toScimError } from './errors.js';
export type { MongoErrorCode, Translation } from './errors.js';
export { CASE_INSENSITIVE, translateElementFilter, translateFilter } from './filter.js';
export type { FilterSchema, Query, TranslatedFilter } from './filter.js';
export { indexDefinitions } from './indexes.js';
export type { CollectionRole, IndexDefinition } from './indexes.js';
export { decodeKey, decodeValue, encodeKey, encodeValue } from './keys.js';
export { escapePattern, patternCondition } from './regex.js';
export { exampleDocuments } from './example-data.js';
