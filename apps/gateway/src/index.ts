/**
 * @scimgw/gateway — the deployable gateway as a library (the CLI is `scimgw`).
 *
 * @packageDocumentation
 */
export { buildInstance, startInstance } from './instance.js';
export { scimMiddleware } from './express.js';
export type { ScimMiddleware } from './express.js';
export type { BuildOptions, GatewayInstance, InstanceOptions, InstanceParts } from './instance.js';
export { MCP_AUTHORIZATION_ENV, MCP_TOKEN_ENV, runMcpStdio } from './mcp-stdio.js';
export type { McpStdioOptions } from './mcp-stdio.js';
export { createPipeline, routeSpecial } from './pipeline.js';
export type { PipelineDeps, PipelineListener } from './pipeline.js';
export { loadConnectorFactory, loadConnectorModule } from './connector-loader.js';
export type { ConnectorModule } from './connector-loader.js';
export { prepareAll, prepareConfig, prepareLoaded } from './prepare.js';
export type { PrepareOptions, PreparedConfig } from './prepare.js';
export { hostRegistry } from './instance.js';
export { GatewayMetrics } from './telemetry/metrics.js';
export type { ConnectorSample, GatewayMetricsOptions, RequestSample, StreamLagSource } from './telemetry/metrics.js';
export { configJsonSchemaFor, parseArgs, runCli } from './cli-main.js';
export type { CliArgs } from './cli-main.js';
