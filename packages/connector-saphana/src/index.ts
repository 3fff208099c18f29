/**
 * @scimgw/connector-saphana — SAP HANA: database users with SAML identities and their roles
 * (mode `users`), or users, groups and memberships in tables through `@scimgw/sql` (mode `tables`).
 *
 * @packageDocumentation
 */
export { createConnector, createHanaConnector, parseConfig } from './connector.js';
export type { HanaConnectorOptions } from './connector.js';
export { configSchema } from './config.js';
export type { HanaConfig, HanaConfigInput, HanaTablesConfig, HanaUsersConfig } from './config.js';
export { nativeHanaClient } from './client.js';
export type { HanaClient, HanaConnectOptions, HanaSession } from './client.js';
export { HANA_NAME, identityLiteral, isHanaName, quoteName, SAML_IDENTITY } from './identifier.js';
export { createHanaUserConnector } from './users.js';
export type { HanaUserModeOptions } from './users.js';
export { HANA_CODES, hanaCode, toScimError } from './errors.js';
export { connectProperties, createHanaTableConnector } from './tables/connector.js';
export type { HanaTableModeOptions } from './tables/connector.js';
export { hanaDdl, ifMissing } from './tables/ddl.js';
export { hanaDialect, IDENTITY_MARK, MAX_PARAMETERS } from './tables/dialect.js';
export { hanaDriver } from './tables/driver.js';
export type { HanaDriverOptions } from './tables/driver.js';
export { breaksConnection, classifyHanaError, HANA_ERROR_KINDS, hanaErrorCode, MergeConflictError } from './tables/errors.js';
export { loadHanaModule } from './tables/native.js';
export type { HanaCallback, HanaModule, HanaNativeConnection, HanaNativeStatement } from './tables/native.js';
export { HanaPool, PoolTimeoutError } from './tables/pool.js';
export type { HanaPoolOptions } from './tables/pool.js';
