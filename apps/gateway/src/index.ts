/**
 * @scimgw/gateway — the deployable gateway as a library (the CLI is `scimgw`).
 *
 * @packageDocumentation
 */
export { expressHost, startInstance } from './instance.js';
export type { GatewayInstance, InstanceOptions } from './instance.js';
export { createPipeline, routeSpecial } from './pipeline.js';
export type { PipelineDeps } from './pipeline.js';
export { loadConnectorFactory } from './connector-loader.js';
export { parseArgs, runCli } from './cli-main.js';
export type { CliArgs } from './cli-main.js';
