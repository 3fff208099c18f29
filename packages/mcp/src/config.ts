/**
 * The `mcp` section of a gateway configuration (`scimgateway.mcp`), owned by this package: the
 * validator the gateway's configuration loader runs, and the JSON Schema editors use. Kept apart
 * from the server code (exported as `@scimgw/mcp/config`) so that validating a configuration does
 * not load the MCP SDK.
 */
import { configSection, z } from '@scimgw/config';

/** Zod schema of the `mcp` section. */
export const mcpConfigSchema = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe('Serve MCP over Streamable HTTP at /mcp (and /<baseEntity>/mcp); `scimgw mcp` serves stdio either way'),
  destructiveTools: z
    .boolean()
    .default(false)
    .describe('Offer the tools that delete resources or remove group members; without it they are not listed'),
  pageSize: z.number().int().min(1).default(25).describe('Results per page of the search tools when the agent asks for no count'),
  rateLimit: z
    .union([
      z.literal(false),
      z.strictObject({
        maxCalls: z.number().int().min(1).default(60).describe('Tool calls per principal in one window'),
        windowSeconds: z.number().int().min(1).default(60).describe('Window length in seconds'),
      }),
    ])
    .default({ maxCalls: 60, windowSeconds: 60 })
    .describe('Tool calls per principal and window; false turns the limit off'),
  allowedOrigins: z
    .array(z.string().min(1))
    .default([])
    .describe('Origins of browser-based MCP clients allowed on /mcp; a request with any other Origin header gets 403'),
});

/** The `mcp` section with defaults applied. */
export type McpConfig = z.output<typeof mcpConfigSchema>;

/** The `mcp` section as a configuration section: `validate` with JSON paths, and its JSON Schema. */
export const mcpSection = configSection(mcpConfigSchema, {
  title: 'scimgw MCP server',
  description: 'The MCP server: provisioning tools for AI agents',
});

/** The settings of a configuration without an `mcp` section. */
export function defaultMcpConfig(): McpConfig {
  return mcpConfigSchema.parse({});
}
