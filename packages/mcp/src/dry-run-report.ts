/** The answer of a tool called with `dryRun: true`: what the request would do, from what was recorded. */
import { URN } from '@scimgw/core';
import type { ToolScimRequest, ToolScimResponse } from './call.js';
import type { ServedResourceType } from './discovery.js';
import { failure, ok, resourceDiff, scimFailure, type ToolOutcome, visible } from './outcome.js';
import { redactArguments } from './redact.js';
import type { ToolContext } from './tool.js';

/** A conflict a create would run into: an existing resource holds a unique value. */
export interface Conflict {
  attribute: string;
  value: unknown;
  existingId: string;
}

/**
 * Runs `request` as a dry run and reports what it would change. A request the gateway would refuse
 * or reject is reported as a failure with the same status and detail the real one would get.
 */
export async function dryRunReport(
  request: ToolScimRequest,
  tool: ToolContext,
  hidden: ReadonlySet<string>,
  conflicts: Conflict[] = [],
): Promise<ToolOutcome> {
  const res = await tool.scim({ ...request, dryRun: true });
  // The request as sent, write-only values (passwords) replaced: the agent gave them, nobody needs them back.
  const wouldSend = {
    method: request.method,
    path: request.path,
    ...(request.body === undefined ? {} : { body: redactArguments(request.body, hidden) }),
  };
  const failed = scimFailure(res);
  if (failed)
    return failure(`dry run: the request would fail: ${failed.structured.error}`, {
      ...failed.structured,
      dryRun: true,
      wouldSend,
    });
  if (conflicts.length) {
    const c = conflicts[0] as Conflict;
    return failure(
      `dry run: the request would fail: ${c.attribute} ${JSON.stringify(c.value)} is already used by ${c.existingId}`,
      {
        dryRun: true,
        status: 409,
        scimType: 'uniqueness',
        conflicts,
        wouldSend,
      },
    );
  }
  return ok({ dryRun: true, note: 'Nothing was changed (dry run).', wouldSend, ...summarize(res, hidden) });
}

/** What the recorded writes would do. */
function summarize(res: ToolScimResponse, hidden: ReadonlySet<string>): Record<string, unknown> {
  const records = res.preview ?? [];
  const out: Record<string, unknown>[] = [];
  for (const r of records) {
    switch (r.op) {
      case 'create':
        // The handler's answer is the resource as the core shaped it (write-only attributes dropped).
        out.push({ wouldCreate: visible(res.body as Record<string, unknown> | undefined, hidden) ?? visible(r.after, hidden) });
        break;
      case 'modify':
      case 'replace': {
        const diff = resourceDiff(r.before, r.after, hidden);
        out.push({ id: r.id, wouldChange: diff, ...(Object.keys(diff).length === 0 ? { note: 'nothing would change' } : {}) });
        break;
      }
      case 'delete':
        out.push({ id: r.id, wouldDelete: visible(r.before, hidden) ?? { id: r.id } });
        break;
    }
  }
  return out.length === 1 ? (out[0] as Record<string, unknown>) : { writes: out };
}

/**
 * Existing resources holding the unique values of `body` (by a SCIM search per unique attribute,
 * through the same gateway): what a create would collide with.
 */
export async function uniquenessConflicts(
  rt: ServedResourceType,
  unique: readonly string[],
  body: Record<string, unknown>,
  tool: ToolContext,
): Promise<Conflict[]> {
  const out: Conflict[] = [];
  for (const attribute of unique) {
    const value = body[attribute];
    if (typeof value !== 'string' || value === '') continue;
    const res = await tool.scim({
      method: 'POST',
      path: `${rt.endpoint}/.search`,
      body: { schemas: [URN.SearchRequest], filter: `${attribute} eq ${JSON.stringify(value)}`, count: 1, attributes: ['id'] },
    });
    const found = res.status === 200 ? (res.body as { Resources?: { id?: string }[] }).Resources?.[0]?.id : undefined;
    if (found !== undefined) out.push({ attribute, value, existingId: found });
  }
  return out;
}
