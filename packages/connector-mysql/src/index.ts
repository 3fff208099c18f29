/**
 * @scimgw/connector-mysql — users, groups and memberships in MySQL or MariaDB, through
 * `@scimgw/sql` and the `mysql2` driver.
 *
 * @packageDocumentation
 */
export { createConnector, createMysqlConnector, detectFlavor, parseConfig } from './connector.js';
export type { MysqlConnectorOptions } from './connector.js';
export { configSchema } from './config.js';
export type { MysqlConfig, MysqlConfigInput } from './config.js';
export { binaryCollation, mysqlDialect } from './dialect.js';
export type { MysqlFlavor } from './dialect.js';
export { mysqlDriver } from './driver.js';
export type { MysqlDriverOptions, MysqlTls } from './driver.js';
export { classifyMysqlError } from './errors.js';
