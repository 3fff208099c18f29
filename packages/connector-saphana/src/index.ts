/**
 * @scimgw/connector-saphana — SAP HANA database users with SAML identities, and their roles.
 *
 * @packageDocumentation
 */
export { createConnector, createHanaConnector, parseConfig } from './connector.js';
export type { HanaConnectorOptions } from './connector.js';
export { configSchema } from './config.js';
export type { HanaConfig, HanaConfigInput } from './config.js';
export { nativeHanaClient } from './client.js';
export type { HanaClient, HanaConnectOptions, HanaSession } from './client.js';
export { HANA_NAME, identityLiteral, isHanaName, quoteName, SAML_IDENTITY } from './identifier.js';
export { createHanaUserConnector } from './users.js';
export type { HanaUserModeOptions } from './users.js';
export { HANA_CODES, hanaCode, toScimError } from './errors.js';
