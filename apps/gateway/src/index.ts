/**
 * @scimgw/gateway — the deployable gateway as a library (the CLI is `scimgw`).
 *
 * @packageDocumentation
 */
export { expressHost, startInstance } from './instance.js';
export type { GatewayInstance, InstanceOptions } from './instance.js';
export { createPipeline, routeSpecial } from './pipeline.js';
export type { PipelineDeps } from './pipeline.js';
export { loadConnectorFactory, loadConnectorModule } from './connector-loader.js';
export type { ConnectorModule } from './connector-loader.js';
export { prepareAll, prepareConfig, prepareLoaded } from './prepare.js';
export type { PrepareOptions, PreparedConfig } from './prepare.js';
export { hostRegistry } from './instance.js';
export { configJsonSchemaFor, parseArgs, runCli } from './cli-main.js';
export type { CliArgs } from './cli-main.js';
