/**
 * @scimgw/testing-graph-emulator — an in-process emulator of Microsoft Graph v1.0 (directory,
 * licenses, roles, PIM eligibility, entitlement management) and the Microsoft identity
 * platform v2.0 token endpoint, written from Microsoft's public documentation.
 */
export { startGraphEmulator } from './emulator.js';
export type { CloudEndpoints, GraphEmulator, GraphEmulatorOptions } from './emulator.js';
export { CLOUDS, GRAPH_APP_ID } from './clouds.js';
export type { CloudDefinition, CloudName } from './clouds.js';
export type { AppRegistration, FederatedCredential } from './identity/apps.js';
export { FEDERATION_AUDIENCE } from './identity/federation.js';
export type { FederationOptions } from './identity/federation.js';
export { ROLE_TEMPLATES } from './model/role-definitions.js';
export type { RoleDefinitionSeed } from './model/role-definitions.js';
export type { ServicePlan, SkuSeed } from './model/licenses.js';
export type { AccessPackageSeed, EntitlementTiming } from './model/entitlement.js';
export type { CallFilter, CallLog, CallRecord, TokenCallRecord } from './graph/calls.js';
export type { FaultHandle, FaultMatch, Faults, LatencyRule, ThrottleRule } from './graph/faults.js';
export type { ReplicationDelay } from './graph/replication.js';
export type { LogEntry } from './graph/service.js';
export { EmulatorState } from './state.js';
export type { GroupSeed, UserSeed } from './state.js';
export type { EmulatorFetch, MsalNetworkModule } from './net/client.js';
export type { TlsMaterial } from './net/tls.js';
export { parseFilter } from './odata/parser.js';
export type { FilterNode } from './odata/ast.js';
export { GraphError } from './graph/errors.js';
