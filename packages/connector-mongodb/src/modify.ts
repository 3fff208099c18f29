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
import { pullCondition, type UpdatePlan, planUpdate } from './update-plan.js';
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
  const members = plan.members;
  let adds: MemberElement[] = members.kind === 'delta' ? members.adds : [];
  const removes = members.kind === 'delta' ? members.removes : [];
  /** Set when added members turned out to be there already with fields to merge: a pipeline update. */
  let mergeExisting = false;
  const memberPull = members.kind === 'delta' ? members.pull : undefined;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const filter: Document = { ...tenant.scope(false), id };
    if (observed !== undefined) filter['meta.version'] = observed;
    const $set: Document = {};
    const $unset: Document = {};
    const pulls = new Map<string, unknown[]>();
    for (const op of plan.direct) {
      if (op.k === 'set') $set[op.path] = op.value;
      else if (op.k === 'unset') $unset[op.path] = '';
      else pulls.set(op.path, [...(pulls.get(op.path) ?? []), op.cond]);
    }

    if (plan.cas.size) {
      const cas = await casValues(kind, tenant, coll, id, plan, changes);
      if (!cas.exists) throw new errors.NotFoundError(`${kind.label} "${id}" not found`);
      if (observed !== undefined && cas.version !== observed) throw new errors.PreconditionFailedError();
      filter['meta.version'] = cas.version ?? null;
      Object.assign($set, cas.set);
      for (const top of cas.unset) $unset[top] = '';
    }

    let membersExpr: Document | undefined;
    let $push: Document | undefined;
    let onlyRemoving = false;
    if (members.kind === 'set') {
      if (members.list.length) $set.members = members.list;
      else $unset.members = '';
    } else if (members.kind === 'delta') {
      if (adds.length && (removes.length || memberPull !== undefined || mergeExisting)) {
        membersExpr = mergeMembersExpression(removes, adds);
      } else if (adds.length) {
        const values = adds.map((a) => a.value);
        filter['members.value'] = values.length === 1 ? { $ne: values[0] } : { $nin: values };
        $push = { members: adds.length === 1 ? adds[0] : { $each: adds } };
      } else if (removes.length || memberPull !== undefined) {
        // Either values or one filter (planMembers never combines them).
        if (removes.length) pulls.set('members', [{ value: { $in: removes } }]);
        else if (memberPull !== undefined && memberPull !== false) pulls.set('members', [memberPull === true ? {} : memberPull]);
        onlyRemoving =
          memberPull === undefined && Object.keys($set).length === 0 && Object.keys($unset).length === 0 && pulls.size === 1;
        // Removing absent members from an otherwise unchanged group changes nothing, not even its version.
        if (onlyRemoving) filter['members.value'] = { $in: removes };
      }
    }

    const writes = Object.keys($set).length + Object.keys($unset).length + pulls.size + ($push ? 1 : 0) + (membersExpr ? 1 : 0);
    if (writes === 0) {
      // Nothing to write (an add of members all present, say): the resource must still exist.
      const d = await diagnose(coll, tenant, id, [], maxTimeMS);
      if (!d.exists) throw new errors.NotFoundError(`${kind.label} "${id}" not found`);
      if (observed !== undefined && d.version !== observed) throw new errors.PreconditionFailedError();
      return undefined;
    }

    const version = newVersion();
    const now = new Date().toISOString();
    let result: { matchedCount: number };
    if (membersExpr) {
      const literalSet: Document = {};
      for (const [k, v] of Object.entries($set)) literalSet[k] = { $literal: v };
      const stages: Document[] = [
        {
          $set: {
            ...literalSet,
            members: membersExpr,
            'meta.lastModified': { $literal: now },
            'meta.version': { $literal: version },
          },
        },
      ];
      const unsetKeys = Object.keys($unset);
      if (unsetKeys.length) stages.push({ $unset: unsetKeys });
      result = await coll.updateOne(filter, stages, { maxTimeMS });
    } else {
      const update: Document = { $set: { ...$set, 'meta.lastModified': now, 'meta.version': version } };
      if (Object.keys($unset).length) update.$unset = $unset;
      if ($push) update.$push = $push;
      if (pulls.size) {
        const $pull: Document = {};
        for (const [path, conds] of pulls) $pull[path] = pullCondition(conds);
        update.$pull = $pull;
      }
      result = await coll.updateOne(filter, update, { maxTimeMS });
    }
    if (result.matchedCount === 1) {
      env.versions.replace(ctx, vkey, version);
      return undefined;
    }

    const d = await diagnose(
      coll,
      tenant,
      id,
      adds.length && $push ? adds.map((a) => a.value) : onlyRemoving ? removes : [],
      maxTimeMS,
    );
    if (!d.exists) throw new errors.NotFoundError(`${kind.label} "${id}" not found`);
    if (observed !== undefined && d.version !== observed) throw new errors.PreconditionFailedError();
    if (onlyRemoving && d.present.size === 0) return undefined;
    if ($push && d.present.size) {
      // Members already there keep their element, unless the add brings fields to merge into it.
      if (adds.some((a) => d.present.has(a.value) && Object.keys(a).length > 1)) mergeExisting = true;
      else adds = adds.filter((a) => !d.present.has(a.value));
    }
  }
  throw new errors.ServiceUnavailableError(
    `${kind.label} "${id}" changed too often while this change was being applied; try again`,
    env.retryAfter,
  );
}
