/**
 * PATCH changes → one MongoDB update on the changed paths only: `$set`/`$unset` of single values and
 * sub-attributes, `$set` of a replaced list, `$pull` of removed elements (by value or by a filter
 * MongoDB evaluates exactly), and for group members the plan of `members.ts`.
 *
 * Changes MongoDB's update operators cannot express with the core's meaning (merging an added e-mail
 * into an existing one with the same value, keeping `primary` unique, `emails[type eq "work"].value`
 * that creates the element when none matches, several changes of one attribute that would touch
 * overlapping paths) are marked `cas`: the caller reads those attributes only, applies the changes
 * with the core's `applyChanges`, and `$set`s the result on condition that the resource's version is
 * still the one it read (compare-and-set; retried when another write came between).
 */
import { type Change, errors, type ResourceTypeDefinition, type SchemaRegistry } from '@scimgw/core';
import { cleanValue } from './documents.js';
import { type FilterSchema, translateElementFilter } from './filter.js';
import { encodeKey, encodeValue } from './keys.js';
import { type MemberPlan, planMembers } from './members.js';
import { resolveStored, type StoredPath } from './paths.js';
import { patternRegExp } from './regex.js';

/** One update operation on one stored path. */
export type DirectOp =
  | { k: 'set'; path: string; value: unknown }
  | { k: 'unset'; path: string }
  | { k: 'pull'; path: string; cond: unknown };

/** The compiled form of a PATCH. */
export interface UpdatePlan {
  /** Operations that need no read, in order, on paths that do not overlap. */
  direct: DirectOp[];
  /** Top-level stored keys changed by compare-and-set, with the changes to apply to them (in order). */
  cas: Map<string, Change[]>;
  /** Group members (`none` for users). */
  members: MemberPlan;
}

/** Attributes a PATCH never writes here. */
const IGNORED = new Set(['id', 'meta', 'schemas', 'password']);

function topKey(ch: Change, sp: StoredPath | undefined): string {
  if (sp) return sp.top;
  return encodeKey(ch.path.extension ?? ch.path.attr);
}

/** Makes `primary: true` unique in a replaced list, the last one winning (as the core does). */
function primaryUnique(list: unknown[]): unknown[] {
  const out = list.map((e) => (typeof e === 'object' && e !== null && !Array.isArray(e) ? { ...(e as object) } : e)) as unknown[];
  for (const el of out) {
    if (typeof el !== 'object' || el === null || (el as Record<string, unknown>).primary !== true) continue;
    for (const other of out) {
      if (other !== el && typeof other === 'object' && other !== null && (other as Record<string, unknown>).primary === true) {
        (other as Record<string, unknown>).primary = false;
      }
    }
  }
  return out;
}

/** The direct operation of one change, or `undefined` when it needs compare-and-set. */
function directOp(ch: Change, sp: StoredPath, schema: FilterSchema): DirectOp | undefined {
  const def = sp.attrDef;
  const p = ch.path;
  if (!def.multiValued) {
    if (p.where) return undefined;
    if (p.sub !== undefined) {
      if (def.type !== 'complex' || !sp.subDef) return undefined;
      const path = `${sp.field}.${encodeKey(sp.subDef.name)}`;
      if (ch.op === 'remove') return { k: 'unset', path };
      const v = cleanValue(ch.value, sp.subDef);
      return v === undefined ? { k: 'unset', path } : { k: 'set', path, value: encodeValue(v) };
    }
    if (ch.op === 'remove') return { k: 'unset', path: sp.field };
    const v = cleanValue(ch.value, def);
    return v === undefined ? { k: 'unset', path: sp.field } : { k: 'set', path: sp.field, value: encodeValue(v) };
  }
  if (p.sub !== undefined) return undefined;
  if (p.where) {
    if (ch.op !== 'remove') return undefined;
    const t = translateElementFilter(p.where, sp, schema);
    if (t === undefined) return undefined;
    if (t === false) return { k: 'pull', path: sp.field, cond: { $in: [] } };
    if (t === true) return { k: 'unset', path: sp.field };
    return { k: 'pull', path: sp.field, cond: t };
  }
  if (ch.op === 'replace') {
    const v = cleanValue(Array.isArray(ch.value) ? primaryUnique(ch.value) : ch.value, def);
    return v === undefined ? { k: 'unset', path: sp.field } : { k: 'set', path: sp.field, value: encodeValue(v) };
  }
  if (ch.op === 'remove') {
    if (ch.value === undefined) return { k: 'unset', path: sp.field };
    const valueDef = def.subAttributes?.find((s) => s.name === 'value');
    if (def.type !== 'complex' || !valueDef) return undefined;
    const values: unknown[] = [];
    for (const el of ch.value) {
      const v = typeof el === 'object' && el !== null ? (el as Record<string, unknown>).value : undefined;
      if (v === undefined || v === null || typeof v === 'object') return undefined;
      // Elements match by `value`, case-insensitively unless the value is case-exact (core `applyChanges`).
      values.push(typeof v === 'string' && !valueDef.caseExact ? patternRegExp('eq', v, true) : v);
    }
    return { k: 'pull', path: sp.field, cond: { value: { $in: values } } };
  }
  return undefined; // add: merged by value, primary kept unique
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/**
 * Compiles the changes of one PATCH.
 *
 * @throws MutabilityError for a change of the computed `groups` of a user
 */
export function planUpdate(
  changes: readonly Change[],
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  schema: FilterSchema,
): UpdatePlan {
  const groups = new Map<string, { changes: Change[]; ops: (DirectOp | undefined)[] }>();
  const memberChanges: Change[] = [];
  let membersPath: StoredPath | undefined;
  for (const ch of changes) {
    const p = ch.path;
    if (!p.extension && IGNORED.has(p.attr)) continue;
    const sp = resolveStored(registry, rt, { ...(p.extension ? { uri: p.extension } : {}), attr: p.attr });
    if (sp && !sp.extension && schema.computed?.has(sp.attr)) {
      throw new errors.MutabilityError(
        `"${sp.attr}" is computed from the groups' members; change the membership through the group`,
      );
    }
    if (sp && !sp.extension && sp.attr === 'members' && rt.id === 'Group') {
      membersPath = sp;
      memberChanges.push(ch);
      continue;
    }
    const key = topKey(ch, sp);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { changes: [], ops: [] }));
    g.changes.push(ch);
    g.ops.push(sp ? directOp(ch, sp, schema) : undefined);
  }

  const direct: DirectOp[] = [];
  const cas = new Map<string, Change[]>();
  for (const [key, g] of groups) {
    let ok = g.ops.every((o) => o !== undefined);
    const ops = g.ops as DirectOp[];
    if (ok && ops.length > 1) {
      // Successive set/unset of one path: the last wins. Anything else on overlapping paths: cas.
      const last = new Map<string, DirectOp>();
      for (const op of ops) {
        if (op.k === 'pull') {
          ok = false;
          break;
        }
        last.delete(op.path);
        last.set(op.path, op);
      }
      const paths = [...last.keys()];
      if (ok && paths.some((a, i) => paths.some((b, j) => i !== j && overlaps(a, b)))) ok = false;
      if (ok) {
        direct.push(...last.values());
        continue;
      }
    }
    if (ok) direct.push(...ops);
    else cas.set(key, g.changes);
  }
  const members: MemberPlan = membersPath ? planMembers(memberChanges, membersPath, schema) : { kind: 'none' };
  if (members.kind === 'cas') cas.set('members', memberChanges);
  if (members.kind === 'delta' && members.adds.length > 0 && (members.removes.length > 0 || members.pull !== undefined)) {
    // Member adds and removes together are a pipeline update, which has no $pull: other pulls become cas.
    for (const [key, g] of groups) {
      if (!g.ops.some((o) => o?.k === 'pull')) continue;
      cas.set(key, g.changes);
      for (const op of g.ops) {
        const i = op ? direct.indexOf(op) : -1;
        if (i >= 0) direct.splice(i, 1);
      }
    }
  }
  return { direct, cas, members };
}
