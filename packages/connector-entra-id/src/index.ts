/**
 * @scimgw/connector-entra-id — Microsoft Entra ID through Microsoft Graph: users, groups,
 * directory roles (permanent and PIM-eligible), access packages and licenses, with tokens from
 * `@azure/msal-node` (client secret, certificate, federated credential).
 *
 * @packageDocumentation
 */
export { createConnector, createEntraIdConnector } from './connector.js';
export type { EntraIdConnectorOptions } from './connector.js';
export { CLOUD_NAMES, configSchema, parseConfig } from './config.js';
export type { CloudName, EntraIdConfig, EntraIdConfigInput, EntraIdEntityConfig, RetrySettings } from './config.js';
export { CLOUDS, GRAPH_VERSION } from './clouds.js';
export type { CloudEndpoints } from './clouds.js';
export { DEFAULT_MAP, ENTERPRISE, ENTRA_USER_EXTENSION } from './mapping.js';
export { GRAPH_PERMISSIONS, permissionText } from './graph/permissions.js';
export type { GraphOperation } from './graph/permissions.js';
export { GRAPH_ERROR_CODES, GraphError, toScimError } from './graph/errors.js';
export type { Translation } from './graph/errors.js';
export { toODataFilter } from './query/odata.js';
export type { ODataFilter } from './query/odata.js';
export { GROUP_PROPERTIES, USER_PROPERTIES } from './query/support.js';
export type { PropertySupport } from './query/support.js';
export { retryDelayMs } from './graph/retry.js';
