/**
 * @scimgw/mcp — an MCP (Model Context Protocol) server for scimgw: provisioning tools for AI
 * agents, generated from the SCIM schemas a gateway serves, over stdio and Streamable HTTP. Every
 * tool call is a SCIM request the host runs through its own pipeline (authentication, read-only
 * and tenant decisions, the core handler, the request log).
 *
 * @packageDocumentation
 */
export type { McpSession, ScimCall, ToolCallInfo, ToolMethod, ToolScimRequest, ToolScimResponse } from './call.js';
export { defaultMcpConfig, mcpConfigSchema, mcpSection } from './config.js';
export type { McpConfig } from './config.js';
export { createDryRun, DRY_RUN_ID } from './dry-run.js';
export type { DryRun, DryRunRecord } from './dry-run.js';
export { discover, DiscoveryError } from './discovery.js';
export type { Discovery, ServedAttribute, ServedResourceType, ServedSchema } from './discovery.js';
export { buildToolSet, connectorSupports } from './toolset.js';
export type { ResourceOperation, ToolSet, ToolSetOptions } from './toolset.js';
export type { ToolContext, ToolDefinition, ToolHints } from './tool.js';
export type { ToolOutcome } from './outcome.js';
export { CallLimiter } from './rate-limit.js';
export type { CallLimiterOptions, CallVerdict } from './rate-limit.js';
export { redactArguments, REDACTED } from './redact.js';
export { createMcpService, MCP_VERSION } from './service.js';
export type { McpService, McpServiceOptions } from './service.js';
export { handleMcpHttp, originAllowed } from './http.js';
export type { McpHttpRequest, McpHttpResponse } from './http.js';
export { serveMcpStdio } from './stdio.js';
export type { StdioOptions, StdioSession } from './stdio.js';
