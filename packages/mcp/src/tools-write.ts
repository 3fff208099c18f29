/**
 * The writing tools of a resource type: `create_<type>`, `update_<type>` (a SCIM PATCH),
 * `deactivate_<type>` (PATCH `active` false) and `delete_<type>`.
 */
import { configSection, z } from '@scimgw/config';
import { URN } from '@scimgw/core';
import type { ToolScimRequest } from './call.js';
import { dryRunReport, uniquenessConflicts } from './dry-run-report.js';
import { extensionsUsed, resourceInput } from './input.js';
import { failure, hiddenPaths, ok, scimFailure, type ToolOutcome, visible } from './outcome.js';
import { accessOf, type BuildContext, DRY_RUN_DOC, hints, itemPath, type ToolContext, type ToolDefinition } from './tool.js';
import { typeNotes } from './tools-read.js';

/** PATCH operations one update may carry. */
const MAX_OPERATIONS = 100;

const idArg = (ctx: BuildContext) => z.string().min(1).max(1024).describe(`The ${ctx.rt.name}'s id`);
const dryRunArg = () => z.boolean().default(false).describe(DRY_RUN_DOC);

/** A PATCH request body. */
function patchBody(operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [URN.PatchOp], Operations: operations };
}

/** Runs a PATCH (or its dry run) and answers with the resource or what would change. */
async function runPatch(
  ctx: BuildContext,
  id: string,
  operations: Record<string, unknown>[],
  dryRun: boolean,
  tool: ToolContext,
): Promise<ToolOutcome> {
  const request: ToolScimRequest = { method: 'PATCH', path: itemPath(ctx.rt, id), body: patchBody(operations) };
  const hidden = hiddenPaths(ctx.rt, ctx.discovery);
  if (dryRun) return dryRunReport(request, tool, hidden);
  const res = await tool.scim(request);
  const failed = scimFailure(res);
  if (failed) return failed;
  const resource = visible(res.body as Record<string, unknown> | undefined, hidden);
  return ok({ updated: id, ...(resource ? { resource } : {}) });
}

/** `create_user`. */
export function createTool(ctx: BuildContext): ToolDefinition {
  const { rt, singular } = ctx;
  const resource = resourceInput(rt, ctx.discovery, 'create');
  const input = configSection(
    z.strictObject({
      [singular]: resource.describe(`The new ${rt.name}: its attributes (extension attributes under the extension's URN)`),
      dryRun: dryRunArg(),
    }),
  );
  const core = ctx.discovery.schemas.get(rt.schema.toLowerCase());
  const required = (core?.attributes ?? []).filter((a) => a.required && a.mutability !== 'readOnly').map((a) => a.name);
  const unique = (core?.attributes ?? [])
    .filter((a) => a.uniqueness !== 'none' && a.type === 'string' && !a.multiValued && a.name !== 'id')
    .map((a) => a.name);
  const access = accessOf(rt, 'collection', 'POST');
  return {
    name: `create_${singular}`,
    description: [
      `Create a ${rt.name}.`,
      typeNotes(ctx),
      required.length ? `Required: ${required.join(', ')}.` : '',
      'Returns the new resource with its id.',
      'With dryRun: true, reports the resource that would be created and any existing resource holding its unique values, and creates nothing.',
    ]
      .filter(Boolean)
      .join(' '),
    resourceType: rt.id,
    access,
    destructive: false,
    input,
    annotations: hints(`Create a ${rt.name}`, access, false, false),
    async run(args, tool) {
      const { schemas: _ignored, ...attributes } = args[singular] as Record<string, unknown>;
      const body = { schemas: [rt.schema, ...extensionsUsed(rt, attributes)], ...attributes };
      const request: ToolScimRequest = { method: 'POST', path: rt.endpoint, body };
      const hidden = hiddenPaths(rt, ctx.discovery);
      if (args.dryRun === true)
        return dryRunReport(request, tool, hidden, await uniquenessConflicts(rt, unique, attributes, tool));
      const res = await tool.scim(request);
      return scimFailure(res) ?? ok({ created: visible(res.body as Record<string, unknown>, hidden) });
    },
  };
}

/** `update_user`: replace attributes, remove attributes, or any PATCH operations. */
export function updateTool(ctx: BuildContext): ToolDefinition {
  const { rt, singular } = ctx;
  const replace = resourceInput(rt, ctx.discovery, 'replace', { schemas: false });
  const input = configSection(
    z.strictObject({
      id: idArg(ctx),
      replace: replace
        .optional()
        .describe('Attributes to set: each one given replaces its current value (a multi-valued one as a whole list)'),
      remove: z
        .array(z.string().min(1).max(1024))
        .max(MAX_OPERATIONS)
        .optional()
        .describe('Attribute paths to clear, e.g. ["title", "emails[type eq \\"home\\"]", "urn:…:User:department"]'),
      operations: z
        .array(
          z.strictObject({
            op: z.enum(['add', 'remove', 'replace']),
            path: z.string().min(1).max(1024).optional(),
            value: z.unknown().optional(),
          }),
        )
        .max(MAX_OPERATIONS)
        .optional()
        .describe(
          'Further SCIM PATCH operations (RFC 7644 §3.5.2), applied after replace and remove, e.g. adding one e-mail address',
        ),
      dryRun: dryRunArg(),
    }),
  );
  const access = accessOf(rt, 'item', 'PATCH');
  return {
    name: `update_${singular}`,
    description: [
      `Change a ${rt.name} with a SCIM PATCH: set attributes (replace), clear them (remove), or send PATCH operations.`,
      'Attributes not named stay as they are.',
      typeNotes(ctx),
      'With dryRun: true, reports each attribute that would change (before and after) and changes nothing.',
    ]
      .filter(Boolean)
      .join(' '),
    resourceType: rt.id,
    access,
    destructive: false,
    input,
    annotations: hints(`Update a ${rt.name}`, access, true, false),
    async run(args, tool) {
      const operations: Record<string, unknown>[] = [];
      const set = args.replace as Record<string, unknown> | undefined;
      if (set && Object.keys(set).length > 0) operations.push({ op: 'replace', value: set });
      for (const path of (args.remove as string[] | undefined) ?? []) operations.push({ op: 'remove', path });
      for (const op of (args.operations as Record<string, unknown>[] | undefined) ?? []) operations.push(op);
      if (operations.length === 0) return failure('nothing to change: give replace, remove or operations');
      return runPatch(ctx, args.id as string, operations, args.dryRun === true, tool);
    },
  };
}

/** `deactivate_user`: `active` set to false (the resource stays). */
export function deactivateTool(ctx: BuildContext): ToolDefinition {
  const { rt, singular } = ctx;
  const input = configSection(z.strictObject({ id: idArg(ctx), dryRun: dryRunArg() }));
  const access = accessOf(rt, 'item', 'PATCH');
  return {
    name: `deactivate_${singular}`,
    description: `Deactivate a ${rt.name}: set active to false, keeping the resource (update_${singular} with replace {"active": true} reactivates it). With dryRun: true, reports the change and changes nothing.`,
    resourceType: rt.id,
    access,
    destructive: false,
    input,
    annotations: hints(`Deactivate a ${rt.name}`, access, true, true),
    run: (args, tool) =>
      runPatch(ctx, args.id as string, [{ op: 'replace', path: 'active', value: false }], args.dryRun === true, tool),
  };
}

/** `delete_user` (destructive: listed only with `mcp.destructiveTools`). */
export function deleteTool(ctx: BuildContext): ToolDefinition {
  const { rt, singular } = ctx;
  const input = configSection(z.strictObject({ id: idArg(ctx), dryRun: dryRunArg() }));
  const access = accessOf(rt, 'item', 'DELETE');
  return {
    name: `delete_${singular}`,
    description: `Delete a ${rt.name} permanently. With dryRun: true, reports the resource that would be deleted and deletes nothing.`,
    resourceType: rt.id,
    access,
    destructive: true,
    input,
    annotations: hints(`Delete a ${rt.name}`, access, true, true),
    async run(args, tool) {
      const id = args.id as string;
      const request: ToolScimRequest = { method: 'DELETE', path: itemPath(rt, id) };
      if (args.dryRun === true) return dryRunReport(request, tool, hiddenPaths(rt, ctx.discovery));
      const res = await tool.scim(request);
      return scimFailure(res) ?? ok({ deleted: id });
    },
  };
}
