/**
 * The tools of one gateway (and tenant), generated from its discovery documents: for each
 * resource type it serves, the tools its operations allow.
 */
import type { Connector } from '@scimgw/core';
import { routeScimPath } from '@scimgw/core/handler';
import type { Discovery, ServedResourceType } from './discovery.js';
import { renderHints } from './describe.js';
import { hiddenPaths } from './outcome.js';
import { type BuildContext, snake, type ToolDefinition } from './tool.js';
import { addMembersTool, removeMembersTool } from './tools-members.js';
import { getTool, searchTool } from './tools-read.js';
import { createTool, deactivateTool, deleteTool, updateTool } from './tools-write.js';

/** Connector operations a tool may need. */
export type ResourceOperation = 'query' | 'get' | 'create' | 'modify' | 'delete';

/**
 * What a connector implements, as {@link ToolSetOptions.supports} wants it: a PATCH works with
 * `modify`, or with `get` and `replace` (the core then applies the changes itself).
 *
 * @example buildToolSet(discovery, { destructiveTools: false, pageSize: 25, supports: connectorSupports(connector) })
 */
export function connectorSupports(connector: Connector): (resourceType: string, operation: ResourceOperation) => boolean {
  return (resourceType, operation) => {
    const ops = connector.resources[resourceType];
    if (!ops) return false;
    if (operation === 'modify')
      return typeof ops.modify === 'function' || (typeof ops.replace === 'function' && typeof ops.get === 'function');
    return typeof ops[operation] === 'function';
  };
}

/** Options of {@link buildToolSet}. */
export interface ToolSetOptions {
  /** List the tools that delete (`delete_<type>`, `remove_<type>_members`). */
  destructiveTools: boolean;
  /** Default page size of the search tools. */
  pageSize: number;
  /**
   * Whether the connector implements `operation` for `resourceType` (the host knows; without it
   * every operation is assumed, and a missing one answers 501 when called).
   */
  supports?: ((resourceType: string, operation: ResourceOperation) => boolean) | undefined;
}

/** The generated tools. */
export interface ToolSet {
  tools: readonly ToolDefinition[];
  byName: ReadonlyMap<string, ToolDefinition>;
  /** Server instructions: what the tools are for, with the schemas' agent hints. */
  instructions: string;
  /** Write-only attributes (passwords) of every type, lower-cased (`urn:…:name` for extensions): never logged. */
  writeOnly: ReadonlySet<string>;
}

/** Whether the type's core schema has a writable attribute `name` of `type`. */
function writableAttribute(rt: ServedResourceType, d: Discovery, name: string, type: string, multiValued: boolean): boolean {
  const a = d.schemas.get(rt.schema.toLowerCase())?.attributes.find((x) => x.name === name);
  return !!a && a.type === type && a.multiValued === multiValued && a.mutability !== 'readOnly' && a.mutability !== 'immutable';
}

/**
 * Builds the tools for what `discovery` describes. Resource types whose endpoint the SCIM router
 * does not serve are left out, as are tools for operations `supports` denies.
 *
 * @example
 * const set = buildToolSet(await discover(call, 'r1'), { destructiveTools: false, pageSize: 25 });
 * set.tools.map((t) => t.name); // ['search_users', 'get_user', 'create_user', …]
 */
export function buildToolSet(discovery: Discovery, options: ToolSetOptions): ToolSet {
  const tools: ToolDefinition[] = [];
  const notes: string[] = [];
  const writeOnly = new Set<string>();
  const can = (rt: ServedResourceType, op: ResourceOperation) => options.supports?.(rt.id, op) ?? true;
  for (const rt of discovery.resourceTypes) {
    const route = routeScimPath(rt.endpoint);
    if (!route || route.id !== undefined || route.search) continue;
    const plural = snake(rt.endpoint);
    const singular = snake(rt.name);
    if (!plural || !singular) continue;
    const ctx: BuildContext = { rt, discovery, singular, plural, pageSize: options.pageSize };
    const add = (t: ToolDefinition) => {
      if (!tools.some((x) => x.name === t.name)) tools.push(t);
    };
    if (can(rt, 'query')) add(searchTool(ctx));
    if (can(rt, 'get')) add(getTool(ctx));
    if (can(rt, 'create')) add(createTool(ctx));
    if (can(rt, 'modify')) {
      add(updateTool(ctx));
      if (writableAttribute(rt, discovery, 'active', 'boolean', false)) add(deactivateTool(ctx));
      if (writableAttribute(rt, discovery, 'members', 'complex', true)) {
        add(addMembersTool(ctx));
        if (options.destructiveTools) add(removeMembersTool(ctx));
      }
    }
    if (can(rt, 'delete') && options.destructiveTools) add(deleteTool(ctx));
    for (const p of hiddenPaths(rt, discovery)) writeOnly.add(p);
    const h = renderHints(discovery.schemas.get(rt.schema.toLowerCase())?.['x-agent-schema']);
    if (h) notes.push(`${rt.name}: ${h}`);
  }
  const instructions = [
    'Tools of a scimgw SCIM provisioning gateway: they search, read and change the users and groups of the systems behind it.',
    'Search tools take SCIM filters and return one page at a time; follow nextStartIndex for more.',
    'Every tool that changes something accepts dryRun: true, which reports what would change and changes nothing: use it before changes the user has not confirmed.',
    options.destructiveTools ? '' : 'Deleting resources and removing group members is turned off on this gateway.',
    notes.length ? `Notes from the schemas: ${notes.join(' | ')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { tools, byName: new Map(tools.map((t) => [t.name, t])), instructions, writeOnly };
}
