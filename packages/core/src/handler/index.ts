/**
 * @scimgw/core/handler: the framework-free SCIM request handler and what hosts need around it:
 * routing, the operation table authorization is decided from, body parsing, error bodies and
 * custom schema documents.
 *
 * @packageDocumentation
 */
export { createScimHandler, errorResponse } from './handler.js';
export type { ScimHandler } from './handler.js';
export type { AuthenticationScheme, PaginationOptions, ScimHandlerOptions, ScimRequest, ScimResponse } from './types.js';
export { routeScimPath } from './router.js';
export type { ScimRoute } from './router.js';
export { accessFor, allowedMethods, operationFor, routeShape } from './operations.js';
export type { Access, RouteShape, ScimOperation, ScimOperationName } from './operations.js';
export { decodeUtf8, parseJsonBody } from './body.js';
export { MAX_JSON_DEPTH } from '../util/object.js';
export { SCIM_CONTENT_TYPE } from './shape.js';
export { errorBody } from '../errors.js';
export { parseSchemaDocument } from '../schema/document.js';
export type { SchemaDocument } from '../schema/document.js';
export { coreSatisfies } from '../contract/semver.js';
