/**
 * @scimgw/testing-sql — test suites shared by scimgw's SQL connectors (PostgreSQL, MySQL/MariaDB,
 * and later SQL Server and SAP HANA against their emulators). Private; never published.
 *
 * @packageDocumentation
 */
export { replay, replayCases } from './replay.js';
export type { FreshConnector, FreshFactory, SuiteCase } from './types.js';
export { check } from './types.js';
export { filterArb, semanticsCases, semanticsUsers } from './semantics.js';
export { hasNul, INJECTION_CORPUS, injectionCases } from './injection.js';
export type { InjectionOptions } from './injection.js';
export { startTcpProxy } from './proxy.js';
export type { TcpProxy } from './proxy.js';
export { restartCases } from './restart.js';
export type { RestartOptions } from './restart.js';
export { sideBySideCases, startGatewayProcess } from './gateways.js';
export type { GatewayProcess, SideBySideOptions } from './gateways.js';
export { ACME, CUSTOM_MAP, customLayout, customLayoutCases } from './custom-layout.js';
export { comparable, patchCases } from './patch.js';
export { memberOfCases } from './member-of.js';
export { groupCases } from './groups.js';
export { caseFoldingCases } from './folding.js';
export type { FoldingOptions } from './folding.js';
export type { MemberOfOptions } from './member-of.js';
export { checkRejects, connectThrough } from './dialect.js';
export type { SqlDialect, TestDatabase } from './dialect.js';
export { configCases } from './config.js';
export type { ConfigOptions } from './config.js';
export { timeoutCases } from './timeout.js';
export type { RowLocker, TimeoutOptions } from './timeout.js';
