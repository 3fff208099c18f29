/**
 * @scimgw/core — the SCIM protocol core of scimgw. No I/O, no HTTP framework,
 * no logger: schemas, filters, PATCH, queries, errors, the Connector contract
 * and a framework-free request handler.
 *
 * @packageDocumentation
 */

export { CORE_VERSION } from './version.js';

// Errors
export {
  ConflictError,
  ERROR_SCHEMA_V2,
  errorBody,
  ForbiddenError,
  InternalError,
  InvalidCursorError,
  InvalidFilterError,
  InvalidPathError,
  InvalidSyntaxError,
  InvalidValueError,
  isScimError,
  MethodNotAllowedError,
  MutabilityError,
  NoTargetError,
  NotFoundError,
  NotImplementedError,
  PayloadTooLargeError,
  PreconditionFailedError,
  ScimError,
  ServiceUnavailableError,
  TooManyError,
  toScimError,
  UnauthorizedError,
  UniquenessError,
} from './errors.js';
export type { ScimErrorOptions, ScimType } from './errors.js';

// Schemas
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
export {
  builtinSchemas,
  commonAttributes,
  enterpriseUserSchema,
  entitlementSchema,
  groupSchema,
  roleSchema,
  userSchema,
} from './schema/builtin.js';
export { URN, URN_ALIASES } from './schema/urns.js';
export { defaultResourceTypes, SchemaRegistry } from './schema/registry.js';
export { parseSchemaDocument } from './schema/document.js';
export type { SchemaDocument } from './schema/document.js';
export type { ResolvedPath, SchemaRegistryOptions } from './schema/registry.js';

// Filters
export { COMPARE_OPS, formatPath } from './filter/ast.js';
export type {
  AndNode,
  AttrPath,
  CompareNode,
  CompareOp,
  CompValue,
  FilterNode,
  FilterOperator,
  NotNode,
  OrNode,
  PresentNode,
  ValuePathNode,
} from './filter/ast.js';
export { parseFilter } from './filter/parser.js';
export type { FilterLimits } from './filter/parser.js';
export { parseAttrPath } from './filter/path.js';
export { serializeFilter } from './filter/serialize.js';
export { compareOne, matchesFilter } from './filter/evaluate.js';
export type { PathResolution, PathResolver } from './filter/evaluate.js';
export { isNative, planFilter } from './filter/pushdown.js';
export type { FilterPlan } from './filter/pushdown.js';

// Queries
export { Projection, splitAttributeList } from './query/projection.js';
export type { ProjectionRequest } from './query/projection.js';
export { sortResources } from './query/sort.js';

// PATCH and resources
export { parsePatchPath } from './patch/path.js';
export type { PatchPath } from './patch/path.js';
export { patchToChanges, valueSelector } from './patch/normalize.js';
export type { PatchOptions, PatchQuirk } from './patch/normalize.js';
export { applyChanges } from './patch/apply.js';
export type { ApplyContext, ApplyResult } from './patch/apply.js';
export { normalizeResource } from './resource/normalize.js';
export type { NormalizeOptions } from './resource/normalize.js';

// Connector contract
export { defineConnector } from './connector/define.js';
export { satisfies } from './connector/semver.js';
export type {
  ApiOperations,
  Capabilities,
  Change,
  ChangePath,
  Connector,
  ConnectorDefinition,
  ConnectorFactory,
  ConnectorFactoryContext,
  ConnectorLogger,
  ConnectorMailer,
  ConnectorResources,
  PublicRoute,
  FilterCapabilities,
  GetOptions,
  QueryRequest,
  QueryResult,
  ReadOnlyOperations,
  RequestContext,
  ResourceMeta,
  ResourceOperations,
  ScimResource,
  SortSpec,
} from './connector/types.js';

// Handler
export { createScimHandler, errorResponse, registryForConnector } from './handler/handler.js';
export type { ScimHandler } from './handler/handler.js';
export { routeScimPath } from './handler/router.js';
export type { ScimRoute } from './handler/router.js';
export { accessFor, allowedMethods, operationFor, routeShape } from './handler/operations.js';
export type { Access, RouteShape, ScimOperation, ScimOperationName } from './handler/operations.js';
export { computeVersion, listResponse, SCIM_CONTENT_TYPE } from './handler/shape.js';
export type {
  AuthenticationScheme,
  PaginationOptions,
  ScimHandlerOptions,
  ScimRequest,
  ScimResponse,
} from './handler/types.js';
export { MAX_JSON_DEPTH, parseJsonSafe } from './util/object.js';
