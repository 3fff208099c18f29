/**
 * @scimgw/core: the SCIM protocol core of scimgw, and the Connector contract (version 1.0).
 *
 * This entry is what a connector needs: the contract, `defineConnector`, errors, and schemas.
 * Filter and PATCH tools are in `@scimgw/core/filter` and `@scimgw/core/patch`, the request
 * handler for hosts in `@scimgw/core/handler`, host extensions in `@scimgw/core/host`, and the
 * contract test kit in `@scimgw/core/testkit`.
 *
 * @packageDocumentation
 */

export { CORE_VERSION } from './version.js';

// The Connector contract
export { defineConnector } from './contract/define.js';
export { etagMatches } from './contract/etag.js';
export { checksPassThrough } from './contract/pass-through.js';
export type {
  Change,
  ChangePath,
  ConfigIssue,
  Connector,
  ConnectorConfigSchema,
  ConnectorDefinition,
  ConnectorFactory,
  ConnectorFactoryContext,
  ConnectorResources,
  FilterCapabilities,
  GetOptions,
  PassThroughTenants,
  QueryRequest,
  QueryResult,
  ReadOnlyResourceHandler,
  RequestContext,
  ResourceCapabilities,
  ResourceHandler,
  ResourceMeta,
  ScimResource,
  SortSpec,
} from './contract/types.js';
export type { Logger } from './contract/logger.js';
export { UndoLog } from './contract/undo.js';

// Errors, as one namespace: `throw new errors.UniquenessError('userName "x" already exists')`
export * as errors from './errors.js';

// Schemas
export { SchemaRegistry } from './schema/registry.js';
export type { ResolvedPath, SchemaRegistryOptions } from './schema/registry.js';
export { attr } from './schema/types.js';
export type {
  AttributeDefinition,
  AttributeInput,
  AttributeType,
  Mutability,
  ResourceTypeDefinition,
  Returned,
  SchemaDefinition,
  Uniqueness,
} from './schema/types.js';
export { commonAttributes, enterpriseUserSchema, groupSchema, userSchema } from './schema/builtin.js';
export { URN } from './schema/urns.js';
