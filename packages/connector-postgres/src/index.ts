/**
 * @scimgw/connector-postgres — users, groups and memberships in PostgreSQL, through `@scimgw/sql`
 * and the `pg` driver.
 *
 * @packageDocumentation
 */
export { createConnector, createPostgresConnector, parseConfig } from './connector.js';
export type { PostgresConnectorOptions } from './connector.js';
export { configSchema } from './config.js';
export type { PostgresConfig, PostgresConfigInput } from './config.js';
export { postgresDialect } from './dialect.js';
export { postgresDriver } from './driver.js';
export type { PostgresDriverOptions, PostgresTls } from './driver.js';
export { classifyPostgresError } from './errors.js';
