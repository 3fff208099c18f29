/**
 * @scimgw/connector-mssql — users, groups and memberships in Microsoft SQL Server or Azure SQL,
 * through `@scimgw/sql` and the `mssql` (tedious) driver.
 *
 * @packageDocumentation
 */
export { createConnector, createMssqlConnector, parseConfig } from './connector.js';
export type { MssqlConnectorOptions } from './connector.js';
export { authenticationSchema, configSchema } from './config.js';
export type { MssqlAuthentication, MssqlConfig, MssqlConfigInput } from './config.js';
export { BINARY_COLLATION, MAX_PARAMETERS, mssqlDialect } from './dialect.js';
export { mssqlConfig, mssqlDriver } from './driver.js';
export type { MssqlDriverOptions } from './driver.js';
export { classifyMssqlError, ERROR_NUMBERS, errorNumber } from './errors.js';
