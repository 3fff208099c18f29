/**
 * @scimgw/sql — the SQL layer of scimgw's SQL connectors. Users, groups and memberships in tables
 * described by configuration and mapped with `@scimgw/mapper`; SCIM filters translated into
 * parameterized SQL; sorting, paging and RFC 9865 keyset cursors pushed down; PATCH as statements
 * on the changed columns and rows; optimistic concurrency on a version column. A database plugs in
 * a {@link SqlDialect} and a {@link SqlDriver}.
 *
 * @packageDocumentation
 */
export { createSqlConnector, resolveLayout, sqlSectionOptions } from './connector.js';
export type { SqlConnector, SqlConnectorOptions, SqlSectionSettings } from './connector.js';
export { Database, DEFAULT_RETRY } from './database.js';
export type { OperationOptions, RetryOptions, Session } from './database.js';
export { escapeLikeValue, likePattern } from './dialect.js';
export type {
  ColumnKind,
  DialectDdl,
  JsonElements,
  SelectParts,
  SqlDialect,
  SqlErrorKind,
  TransactionOptions,
} from './dialect.js';
export { CommitError } from './driver.js';
export type { QueryResult, RunOptions, RunStatement, SqlDriver } from './driver.js';
export { ERROR_RULES } from './errors.js';
export { applyDdl, defaultDdl, printDdl } from './ddl.js';
export { assertIdentifier, assertQualifiedName, IdentifierError, isIdentifier } from './identifier.js';
export { compileCatalog } from './layout/catalog.js';
export type { Catalog, CatalogOptions, ColumnLengths, KeyStorage, ResourceCatalog, ValueType } from './layout/catalog.js';
export type { ColumnNamer } from './layout/columns.js';
export { defaultSchema } from './layout/default.js';
export type { DefaultSchema, DefaultSchemaOptions } from './layout/default.js';
export type {
  ChildTableStorage,
  JsonColumnStorage,
  MemberOfStorage,
  MultiValuedStorage,
  PageIndexLayout,
  SqlLayout,
  TableLayout,
} from './layout/types.js';
export { whereCompiler } from './filter/where.js';
export type { WhereCompiler } from './filter/where.js';
export { UnsupportedFilter } from './filter/compare.js';
export { checkLayout, LayoutMismatchError } from './schema-check.js';
export { ident, join, param, RenderedStatement, raw, render, Sql, StatementCache, sql } from './sql.js';
export type { RenderedSql, RenderStyle } from './sql.js';
export {
  layoutSchema,
  mapSchema,
  poolSchema,
  retrySchema,
  sqlEndpointShape,
  tableLayoutSchema,
  tlsSchema,
} from './config.js';
