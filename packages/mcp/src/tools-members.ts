/**
 * Membership tools of a type with a writable `members` list (Group): `add_group_members` and
 * `remove_group_members`. Each sends one PATCH that names only the given members, so changing one
 * member of a big group neither reads nor writes the others.
 */
import { configSection, z } from '@scimgw/config';
import { URN } from '@scimgw/core';
import type { ToolScimRequest } from './call.js';
import { dryRunReport } from './dry-run-report.js';
import { MAX_ITEMS } from './input.js';
import { hiddenPaths, ok, scimFailure, type ToolOutcome } from './outcome.js';
import { accessOf, type BuildContext, DRY_RUN_DOC, hints, itemPath, type ToolContext, type ToolDefinition } from './tool.js';

function membersInput(ctx: BuildContext, verb: string) {
  return configSection(
    z.strictObject({
      id: z.string().min(1).max(1024).describe(`The ${ctx.rt.name}'s id`),
      members: z
        .array(z.string().min(1).max(1024))
        .min(1)
        .max(MAX_ITEMS)
        .describe(`Ids of the users or groups to ${verb} (as search_users or search_groups return them)`),
      dryRun: z.boolean().default(false).describe(DRY_RUN_DOC),
    }),
  );
}

async function runMembers(
  ctx: BuildContext,
  args: Record<string, unknown>,
  operations: Record<string, unknown>[],
  tool: ToolContext,
  done: string,
): Promise<ToolOutcome> {
  const id = args.id as string;
  const request: ToolScimRequest = {
    method: 'PATCH',
    path: itemPath(ctx.rt, id),
    body: { schemas: [URN.PatchOp], Operations: operations },
  };
  if (args.dryRun === true) return dryRunReport(request, tool, hiddenPaths(ctx.rt, ctx.discovery));
  const res = await tool.scim(request);
  return scimFailure(res) ?? ok({ [ctx.singular]: id, [done]: args.members });
}

/** `add_group_members`. */
export function addMembersTool(ctx: BuildContext): ToolDefinition {
  const access = accessOf(ctx.rt, 'item', 'PATCH');
  return {
    name: `add_${ctx.singular}_members`,
    description: `Add members (user or group ids) to a ${ctx.rt.name}. Members already in it stay; adding one twice changes nothing. With dryRun: true, reports which members would be added and changes nothing.`,
    resourceType: ctx.rt.id,
    access,
    destructive: false,
    input: membersInput(ctx, 'add'),
    annotations: hints(`Add ${ctx.rt.name} members`, access, false, true),
    run: (args, tool) =>
      runMembers(
        ctx,
        args,
        [{ op: 'add', path: 'members', value: (args.members as string[]).map((value) => ({ value })) }],
        tool,
        'added',
      ),
  };
}

/** `remove_group_members` (destructive: listed only with `mcp.destructiveTools`). */
export function removeMembersTool(ctx: BuildContext): ToolDefinition {
  const access = accessOf(ctx.rt, 'item', 'PATCH');
  return {
    name: `remove_${ctx.singular}_members`,
    description: `Remove members (user or group ids) from a ${ctx.rt.name}; the users and groups themselves stay. With dryRun: true, reports which members would be removed and changes nothing.`,
    resourceType: ctx.rt.id,
    access,
    destructive: true,
    input: membersInput(ctx, 'remove'),
    annotations: hints(`Remove ${ctx.rt.name} members`, access, true, true),
    run: (args, tool) =>
      runMembers(
        ctx,
        args,
        // A value filter per member: the id is a JSON string inside the filter, never filter syntax.
        (args.members as string[]).map((value) => ({ op: 'remove', path: `members[value eq ${JSON.stringify(value)}]` })),
        tool,
        'removed',
      ),
  };
}
