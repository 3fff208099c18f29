/** The shape of one generated tool, and what the tool builders share. */
import type { ConnectorConfigSchema } from '@scimgw/core';
import { type Access, operationFor } from '@scimgw/core/handler';
import type { ToolMethod, ToolScimRequest, ToolScimResponse } from './call.js';
import type { Discovery, ServedResourceType } from './discovery.js';
import type { ToolOutcome } from './outcome.js';

/** MCP tool annotations (hints for clients, never trusted for decisions). */
export interface ToolHints {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a running tool may do. */
export interface ToolContext {
  /** Runs one SCIM request of this tool call as the session's caller. */
  scim(request: ToolScimRequest): Promise<ToolScimResponse>;
  /** Default page size of search tools (`mcp.pageSize`). */
  pageSize: number;
}

/** One generated tool. */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  /** Resource type id the tool works on (`User`, `Group` …). */
  readonly resourceType: string;
  /**
   * What the tool's SCIM request needs, from core's operation table (the one the handler
   * dispatches from and authorization decides from).
   */
  readonly access: Access;
  /** Deletes something (listed only with `mcp.destructiveTools`). */
  readonly destructive: boolean;
  /** Validator and JSON Schema of the arguments. */
  readonly input: ConnectorConfigSchema<Record<string, unknown>>;
  readonly annotations: ToolHints;
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome>;
}

/** What every tool builder receives. */
export interface BuildContext {
  rt: ServedResourceType;
  discovery: Discovery;
  /** Snake-case singular of the resource type (`user`). */
  singular: string;
  /** Snake-case plural from its endpoint (`users`). */
  plural: string;
  /** Default page size of search tools. */
  pageSize: number;
}

/**
 * The access the SCIM request `method` on the type's collection (`item`: on one resource,
 * `search`: its `.search`) needs, read from core's operation table.
 */
export function accessOf(rt: ServedResourceType, shape: 'collection' | 'item' | 'search', method: ToolMethod): Access {
  const endpoint = rt.endpoint.replace(/^\//, '');
  const route = shape === 'item' ? { endpoint, id: 'x' } : shape === 'search' ? { endpoint, search: true } : { endpoint };
  const op = operationFor(route, method);
  if (!op) throw new Error(`${method} is not a SCIM operation on ${rt.endpoint} (${shape})`);
  return op.access;
}

/** `/Users/<id>` with the id encoded, and an optional query. */
export function itemPath(rt: ServedResourceType, id: string, query?: URLSearchParams): string {
  const q = query?.toString();
  return `${rt.endpoint}/${encodeURIComponent(id)}${q ? `?${q}` : ''}`;
}

/** `userName` → `user_name`, `Users` → `users`, anything else outside `[a-z0-9_]` dropped. */
export function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** The hints of a tool whose SCIM request needs `access`. */
export function hints(title: string, access: Access, destructive: boolean, idempotent: boolean): ToolHints {
  return {
    title,
    readOnlyHint: access === 'read',
    destructiveHint: destructive,
    idempotentHint: idempotent,
    openWorldHint: false,
  };
}

/** Common description of the `dryRun` argument. */
export const DRY_RUN_DOC =
  'true: check the request (authorization, validation, existing resources) and report what would change, without changing anything';
