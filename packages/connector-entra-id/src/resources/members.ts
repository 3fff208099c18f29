/**
 * Group membership, one member at a time: `POST /groups/{id}/members/$ref` to add and
 * `DELETE /groups/{id}/members/{member}/$ref` to remove — one call for one member whatever the
 * size of the group, a JSON `$batch` (20 per call) for several. The group's member list is read
 * only when a client replaces it whole.
 */
import { errors, type RequestContext } from '@scimgw/core';
import { type BatchDeps, type BatchResult, runBatch } from '../graph/batch.js';
import type { GraphClient, GraphTenant } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { FreshObjects } from '../graph/fresh.js';
import { isObjectId } from './common.js';

/** What membership changes need. */
export interface MemberDeps {
  graph: GraphClient;
  batch: BatchDeps;
  fresh: FreshObjects;
}

function describe(failures: { id: string; error: GraphError }[]): string {
  const shown = failures.slice(0, 5).map((f) => `${f.id}: ${f.error.message}`);
  return `${failures.length} member change(s) failed — ${shown.join('; ')}`;
}

async function groupExists(deps: MemberDeps, tenant: GraphTenant, groupId: string, ctx: RequestContext): Promise<boolean> {
  try {
    await deps.graph.callRaw(
      tenant,
      { method: 'GET', path: `/groups/${groupId}?$select=id`, op: 'groups.read', fresh: [groupId] },
      ctx,
    );
    return true;
  } catch (e) {
    if (e instanceof GraphError && e.status === 404) return false;
    throw deps.graph.translate(e, tenant, 'groups.read');
  }
}

/** The `@odata.id` of a directory object. */
export function reference(tenant: GraphTenant, id: string): { '@odata.id': string } {
  return { '@odata.id': `${tenant.baseUrl}/directoryObjects/${id}` };
}

/** Adds members; ones already there count as added. */
export async function addMembers(
  deps: MemberDeps,
  tenant: GraphTenant,
  groupId: string,
  memberIds: readonly string[],
  ctx: RequestContext,
): Promise<void> {
  const ids = [...new Set(memberIds.map((m) => m.toLowerCase()))];
  const bad = ids.filter((m) => !isObjectId(m));
  if (bad.length) throw new errors.InvalidValueError(`members: "${bad[0]}" is not a user or group id`);
  if (ids.length === 0) return;
  // A 404 cannot say whether the group or the member is missing. A group created a moment ago is
  // first read until it has replicated, so that a later 404 is about the member alone.
  if (deps.fresh.has(groupId) && !(await groupExists(deps, tenant, groupId, ctx))) {
    throw new errors.NotFoundError(`Group "${groupId}" not found`);
  }
  const request = (id: string) => ({
    method: 'POST' as const,
    url: `/groups/${groupId}/members/$ref`,
    body: reference(tenant, id),
    fresh: [id],
    // Adding a member twice only answers "already exists": a repeat is harmless.
    idempotent: true,
  });
  let results: BatchResult[];
  if (ids.length === 1) {
    const r = request(ids[0] as string);
    try {
      await deps.graph.callRaw(
        tenant,
        { method: r.method, path: r.url, body: r.body, op: 'groups.members', fresh: r.fresh, idempotent: true },
        ctx,
      );
      results = [{ ok: true, status: 204, body: undefined }];
    } catch (e) {
      if (!(e instanceof GraphError)) throw e;
      results = [{ ok: false, error: e }];
    }
  } else {
    results = await runBatch(deps.batch, tenant, 'groups.members', ids.map(request), ctx);
  }
  const failures: { id: string; error: GraphError }[] = [];
  results.forEach((r, i) => {
    if (!r.ok && !r.error.isExistingReference()) failures.push({ id: ids[i] as string, error: r.error });
  });
  if (failures.length === 0) return;
  const first = (failures[0] as { error: GraphError }).error;
  if (first.status === 404 && !(await groupExists(deps, tenant, groupId, ctx))) {
    throw new errors.NotFoundError(`Group "${groupId}" not found`);
  }
  if (failures.length === 1) throw deps.graph.translate(first, tenant, 'groups.members');
  const translated = deps.graph.translate(first, tenant, 'groups.members') as errors.ScimError;
  throw new errors.ScimError(translated.status, describe(failures), translated.scimType, {
    cause: first,
    headers: { ...translated.headers },
  });
}

/** Removes members; ones not there count as removed. */
export async function removeMembers(
  deps: MemberDeps,
  tenant: GraphTenant,
  groupId: string,
  memberIds: readonly string[],
  ctx: RequestContext,
): Promise<void> {
  // An id that is no directory object id cannot be a member: nothing to remove.
  const ids = [...new Set(memberIds.map((m) => m.toLowerCase()))].filter(isObjectId);
  if (ids.length === 0) return;
  const request = (id: string) => ({ method: 'DELETE' as const, url: `/groups/${groupId}/members/${id}/$ref`, fresh: [groupId] });
  let results: BatchResult[];
  if (ids.length === 1) {
    const r = request(ids[0] as string);
    try {
      await deps.graph.callRaw(tenant, { method: 'DELETE', path: r.url, op: 'groups.members', fresh: r.fresh }, ctx);
      results = [{ ok: true, status: 204, body: undefined }];
    } catch (e) {
      if (!(e instanceof GraphError)) throw e;
      results = [{ ok: false, error: e }];
    }
  } else {
    results = await runBatch(deps.batch, tenant, 'groups.members', ids.map(request), ctx);
  }
  const failures: { id: string; error: GraphError }[] = [];
  let notFound = false;
  results.forEach((r, i) => {
    if (r.ok) return;
    if (r.error.status === 404) notFound = true;
    else failures.push({ id: ids[i] as string, error: r.error });
  });
  if (notFound && !(await groupExists(deps, tenant, groupId, ctx)))
    throw new errors.NotFoundError(`Group "${groupId}" not found`);
  if (failures.length === 0) return;
  const first = (failures[0] as { error: GraphError }).error;
  if (failures.length === 1) throw deps.graph.translate(first, tenant, 'groups.members');
  const translated = deps.graph.translate(first, tenant, 'groups.members') as errors.ScimError;
  throw new errors.ScimError(translated.status, describe(failures), translated.scimType, {
    cause: first,
    headers: { ...translated.headers },
  });
}

/** One member of a group as SCIM shows it. */
export interface MemberElement {
  value: string;
  display?: string;
  type: 'User' | 'Group';
}

/**
 * Reads a group's direct members that SCIM can see, page by page (for GET and for whole-list
 * replaces): users and groups. A group in Entra ID may also hold devices, service principals and
 * contacts; no SCIM resource stands for them, so they are not shown, and because every whole-list
 * write works from this list, no IdP write removes them.
 */
export async function readMembers(
  deps: MemberDeps,
  tenant: GraphTenant,
  groupId: string,
  ctx: RequestContext,
): Promise<MemberElement[]> {
  const out: MemberElement[] = [];
  type Member = { id?: string; displayName?: string; '@odata.type'?: string };
  for await (const page of deps.graph.pages<Member>(
    tenant,
    { path: `/groups/${groupId}/members?$select=id,displayName&$top=999`, op: 'groups.read', fresh: [groupId] },
    ctx,
  )) {
    for (const m of page.items) {
      const type = MEMBER_TYPES[m['@odata.type'] ?? ''];
      if (typeof m.id !== 'string' || !type) continue;
      out.push({ value: m.id, ...(m.displayName ? { display: m.displayName } : {}), type });
    }
  }
  return out;
}

/** The member kinds SCIM shows, by Graph's `@odata.type`. */
const MEMBER_TYPES: Readonly<Record<string, 'User' | 'Group'>> = Object.assign(Object.create(null), {
  '#microsoft.graph.user': 'User',
  '#microsoft.graph.group': 'Group',
});

/** Makes the member list equal `wanted`: reads the current members once, then changes only the difference. */
export async function replaceMembers(
  deps: MemberDeps,
  tenant: GraphTenant,
  groupId: string,
  wanted: readonly string[],
  ctx: RequestContext,
): Promise<void> {
  const current = new Set((await readMembers(deps, tenant, groupId, ctx)).map((m) => m.value.toLowerCase()));
  const target = new Set(wanted.map((w) => w.toLowerCase()));
  await removeMembers(
    deps,
    tenant,
    groupId,
    [...current].filter((c) => !target.has(c)),
    ctx,
  );
  await addMembers(
    deps,
    tenant,
    groupId,
    [...target].filter((t) => !current.has(t)),
    ctx,
  );
}
