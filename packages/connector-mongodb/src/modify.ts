/**
 * PATCH: the compiled changes (`update-plan.ts`) as ONE `updateOne` on the changed paths. It never
 * reads the resource, except the attributes a compare-and-set change needs. Its filter carries the
 * conditions that make it safe without a read:
 *
 * - the version a request observed for `If-Match` (a write that lost the race matches nothing: 412);
 * - the version read for compare-and-set attributes (another write came between: read again, retry);
 * - for member adds, "not a member yet" (when some are, the group is asked which of these values it
 *   holds — filtered on the server — and the others are pushed).
 *
 * When the update matches nothing, one small aggregation tells why: no such resource (404), another
 * version (412, or retry), members already present (push the rest), nothing to remove (done).
 */
import { type Change, errors, type RequestContext } from '@scimgw/core';
import { applyChanges } from '@scimgw/core/patch';
import type { Collection, Document } from 'mongodb';
import { fromStored, storedAttributes } from './documents.js';
import type { Env } from './env.js';
import { versionKey } from './env.js';
import { decodeKey } from './keys.js';
import type { Kind } from './kind.js';
import { type MemberElement, memberElements, mergeMembersExpression } from './members.js';
import type { Tenant } from './tenancy.js';
import type { Query } from './filter.js';
import { type UpdatePlan, planUpdate } from './update-plan.js';
import { newVersion } from './versions.js';

/** How often a compare-and-set or member push is tried before giving up with 503. */
const MAX_ATTEMPTS = 16;

/** What one attempt learned when its update matched nothing. */
interface Diagnosis {
  exists: boolean;
  version: unknown;
  /** Of the member values asked about, those the group holds. */
  present: Set<string>;
}

async function diagnose(
  coll: Collection<Document>,
  tenant: Tenant,
  id: string,
  askMembers: string[],
  maxTimeMS: number,
): Promise<Diagnosis> {
  const project: Document = { _id: 0, v: '$meta.version' };
  if (askMembers.length) {
    project.present = {
      $map: {
        input: {
          $filter: { input: { $ifNull: ['$members', []] }, as: 'm', cond: { $in: ['$$m.value', { $literal: askMembers }] } },
        },
        as: 'm',
        in: '$$m.value',
      },
    };
  }
  const [row] = await coll
    .aggregate([{ $match: { ...tenant.scope(false), id } }, { $project: project }], { maxTimeMS })
    .toArray();
  if (!row) return { exists: false, version: undefined, present: new Set() };
  const present = new Set<string>(
    Array.isArray(row.present) ? row.present.filter((v: unknown): v is string => typeof v === 'string') : [],
  );
  return { exists: true, version: row.v, present };
}

/** Members deduplicated by value (a list read back for compare-and-set may have been written by others). */
function uniqueMembers(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  const seen = new Set<unknown>();
  return list.filter((m) => {
    const v = typeof m === 'object' && m !== null ? (m as Record<string, unknown>).value : undefined;
    if (v === undefined) return true;
    if (seen.has(v)) return false;
    seen.add(v);
    return true;
  });
}

/** Reads the compare-and-set attributes and computes their new stored values. */
async function casValues(
  kind: Kind,
  tenant: Tenant,
  coll: Collection<Document>,
  id: string,
  plan: UpdatePlan,
  changes: readonly Change[],
): Promise<{ exists: boolean; version: unknown; set: Document; unset: string[] }> {
  const projection: Document = { _id: 0, meta: 1 };
  for (const top of plan.cas.keys()) projection[top] = 1;
  const cur = await coll.findOne(
    { ...tenant.scope(false), id },
    { projection, maxTimeMS: kind.config.connection.timeouts.operationMS },
  );
  if (!cur) return { exists: false, version: undefined, set: {}, unset: [] };
  const version = (cur.meta as Document | undefined)?.version;
  const partial = fromStored({ ...cur, meta: undefined }, undefined);
  const casChanges = new Set([...plan.cas.values()].flat());
  const ordered = changes.filter((c) => casChanges.has(c));
  const { resource } = applyChanges(partial, ordered, { registry: kind.registry, resourceType: kind.rt });
  const set: Document = {};
  const unset: string[] = [];
  for (const top of plan.cas.keys()) {
    const name = decodeKey(top);
    let value: unknown;
    if (top === 'members' && kind.rt.id === 'Group') {
      const list = memberElements(resource.members);
      value = list.length ? uniqueMembers(list) : undefined;
    } else {
      value = resource[name] === undefined ? undefined : storedAttributes({ [name]: resource[name] }, kind.store)[top];
    }
    if (value === undefined) unset.push(top);
    else set[top] = value;
  }
  return { exists: true, version, set, unset };
}

/** What the member part of a PATCH still has to do, as learnt across attempts. */
interface MemberState {
  adds: MemberElement[];
  removes: string[];
  pull: Query | boolean | undefined;
  /** Added members turned out to be there already with fields to merge: a pipeline update. */
  mergeExisting: boolean;
}

/** One update, ready to send. */
interface Attempt {
  filter: Document;
  /** Operator update, or pipeline update. */
  update: Document | Document[];
  version: string;
  /** Member values to ask the group about when the update matches nothing. */
  ask: string[];
  /** A pure removal of members, on condition that one of them is there. */
  onlyRemoving: boolean;
  /** A `$push` on condition that none of the added members is there. */
  pushing: boolean;
}

/** The member part of an attempt: conditions, `$push`/`$pull`, or a pipeline expression. */
function memberOperations(
  plan: UpdatePlan,
  m: MemberState,
  filter: Document,
  ops: { $set: Document; $unset: Document; pulls: Map<string, unknown> },
): { expr?: Document; $push?: Document; onlyRemoving: boolean } {
  if (plan.members.kind === 'set') {
    if (plan.members.list.length) ops.$set.members = plan.members.list;
    else ops.$unset.members = '';
    return { onlyRemoving: false };
  }
  if (plan.members.kind !== 'delta') return { onlyRemoving: false };
  if (m.adds.length && (m.removes.length || m.pull !== undefined || m.mergeExisting)) {
    return { expr: mergeMembersExpression(m.removes, m.adds), onlyRemoving: false };
  }
  if (m.adds.length) {
    const values = m.adds.map((a) => a.value);
    filter['members.value'] = values.length === 1 ? { $ne: values[0] } : { $nin: values };
    return { $push: { members: m.adds.length === 1 ? m.adds[0] : { $each: m.adds } }, onlyRemoving: false };
  }
  // Values or one filter (planMembers never combines them in one $pull).
  if (m.removes.length) ops.pulls.set('members', { value: { $in: m.removes } });
  else if (m.pull !== undefined && m.pull !== false) ops.pulls.set('members', m.pull === true ? {} : m.pull);
  const onlyRemoving =
    m.removes.length > 0 && Object.keys(ops.$set).length === 0 && Object.keys(ops.$unset).length === 0 && ops.pulls.size === 1;
  // Removing absent members from an otherwise unchanged group changes nothing, not even its version.
  if (onlyRemoving) filter['members.value'] = { $in: m.removes };
  return { onlyRemoving };
}

/** Builds one attempt; `undefined` when there is nothing to write. */
async function buildAttempt(
  kind: Kind,
  tenant: Tenant,
  coll: Collection<Document>,
  id: string,
  changes: readonly Change[],
  plan: UpdatePlan,
  m: MemberState,
  observed: unknown,
): Promise<Attempt | undefined> {
  const filter: Document = { ...tenant.scope(false), id };
  if (observed !== undefined) filter['meta.version'] = observed;
  const ops = { $set: {} as Document, $unset: {} as Document, pulls: new Map<string, unknown>() };
  for (const op of plan.direct) {
    if (op.k === 'set') ops.$set[op.path] = op.value;
    else if (op.k === 'unset') ops.$unset[op.path] = '';
    else ops.pulls.set(op.path, op.cond);
  }
  if (plan.cas.size) {
    const cas = await casValues(kind, tenant, coll, id, plan, changes);
    if (!cas.exists) throw new errors.NotFoundError(`${kind.label} "${id}" not found`);
    if (observed !== undefined && cas.version !== observed) throw new errors.PreconditionFailedError();
    filter['meta.version'] = cas.version ?? null;
    Object.assign(ops.$set, cas.set);
    for (const top of cas.unset) ops.$unset[top] = '';
  }
  const members = memberOperations(plan, m, filter, ops);
  const writes = Object.keys(ops.$set).length + Object.keys(ops.$unset).length + ops.pulls.size;
  if (writes === 0 && !members.$push && !members.expr) return undefined;

  const version = newVersion();
  const now = new Date().toISOString();
  const ask = members.$push ? m.adds.map((a) => a.value) : members.onlyRemoving ? m.removes : [];
  const common = { filter, version, ask, onlyRemoving: members.onlyRemoving, pushing: members.$push !== undefined };
  if (members.expr) {
    const literal: Document = {};
    for (const [k, v] of Object.entries(ops.$set)) literal[k] = { $literal: v };
    const stages: Document[] = [
      {
        $set: {
          ...literal,
          members: members.expr,
          'meta.lastModified': { $literal: now },
          'meta.version': { $literal: version },
        },
      },
    ];
    const unsetKeys = Object.keys(ops.$unset);
    if (unsetKeys.length) stages.push({ $unset: unsetKeys });
    return { ...common, update: stages };
  }
  const update: Document = { $set: { ...ops.$set, 'meta.lastModified': now, 'meta.version': version } };
  if (Object.keys(ops.$unset).length) update.$unset = ops.$unset;
  if (members.$push) update.$push = members.$push;
  if (ops.pulls.size) update.$pull = Object.fromEntries(ops.pulls);
  return { ...common, update };
}

/**
 * Applies normalized changes to one resource.
 *
 * @returns `undefined`: the core reads the resource back when the response needs it
 */
export async function modifyResource(
  env: Env,
  kind: Kind,
  tenant: Tenant,
  coll: Collection<Document>,
  id: string,
  changes: readonly Change[],
  ctx: RequestContext,
): Promise<undefined> {
  const plan = planUpdate(changes, kind.registry, kind.rt, kind.schema);
  const vkey = versionKey(kind, id);
  const observed = env.versions.of(ctx, vkey);
  const maxTimeMS = kind.config.connection.timeouts.operationMS;
  const delta = plan.members.kind === 'delta' ? plan.members : undefined;
  const m: MemberState = { adds: delta?.adds ?? [], removes: delta?.removes ?? [], pull: delta?.pull, mergeExisting: false };
  const notFound = () => new errors.NotFoundError(`${kind.label} "${id}" not found`);

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const a = await buildAttempt(kind, tenant, coll, id, changes, plan, m, observed);
    if (!a) {
      // Nothing to write (members added that are all there, say): the resource must still exist.
      const d = await diagnose(coll, tenant, id, [], maxTimeMS);
      if (!d.exists) throw notFound();
      if (observed !== undefined && d.version !== observed) throw new errors.PreconditionFailedError();
      return undefined;
    }
    const result = await coll.updateOne(a.filter, a.update, { maxTimeMS });
    if (result.matchedCount === 1) {
      env.versions.replace(ctx, vkey, a.version);
      return undefined;
    }
    // Matched nothing: learn why.
    const d = await diagnose(coll, tenant, id, a.ask, maxTimeMS);
    if (!d.exists) throw notFound();
    if (observed !== undefined && d.version !== observed) throw new errors.PreconditionFailedError();
    if (a.onlyRemoving && d.present.size === 0) return undefined;
    if (a.pushing && d.present.size) {
      // Members already there keep their element, unless the add brings fields to merge into it.
      if (m.adds.some((x) => d.present.has(x.value) && Object.keys(x).length > 1)) m.mergeExisting = true;
      else m.adds = m.adds.filter((x) => !d.present.has(x.value));
    }
    // Otherwise a compare-and-set lost to another write: read again and retry.
  }
  throw new errors.ServiceUnavailableError(
    `${kind.label} "${id}" changed too often while this change was being applied; try again`,
    env.retryAfter,
  );
}
