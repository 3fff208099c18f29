/**
 * Group membership writes. A PATCH's member changes become one LDAP modify
 * that names only the members being added or removed — the group's other
 * members are never read or rewritten. Idempotency: with the permissive
 * modify control (AD, OpenLDAP) adding a present member or removing an
 * absent one simply succeeds; without it, result codes 20
 * (attributeOrValueExists) and 16 (noSuchAttribute) are caught (and 68 and
 * 53, which Samba's AD DC answers even with the control), the values at
 * fault found (compare, or one read for long lists) and the modify sent
 * again without them. `groupOfNames` must keep one member: a placeholder
 * takes the place of the last one and is dropped when a real member arrives.
 */
import { type Change, errors } from '@scimgw/core';
import type { FilterNode } from '@scimgw/core/filter';
import { dnKey, tryDnKey } from './dn.js';
import type { Modification } from './directory.js';
import { type LdapEntry, values } from './entry.js';
import { resultCodeOf, toScimFromLdap } from './errors.js';
import { chunks } from './ids.js';
import { permissiveModifyControl } from './pool.js';
import type { Tenant } from './tenant.js';

/** Member changes after folding a PATCH's change list, as SCIM ids. */
export interface MemberPlan {
  add: string[];
  remove: string[];
  /** Set when the whole list is replaced (replace, or remove without a value). */
  replace?: string[];
  /** Changes too irregular to fold (sub-attribute paths, filters other than `value eq`): applied to the read list. */
  complex: Change[];
}

/** The ids a `value eq "x"` (or an `or` of them) selects; undefined for anything else. */
export function selectedValues(where: FilterNode): string[] | undefined {
  if (where.type === 'compare' && where.op === 'eq' && where.path.attr.toLowerCase() === 'value' && !where.path.sub) {
    return where.value === null ? [] : [String(where.value)];
  }
  if (where.type === 'or') {
    const parts = where.filters.map(selectedValues);
    return parts.every((p) => p !== undefined) ? (parts as string[][]).flat() : undefined;
  }
  return undefined;
}

/** Member values of a change value (`[{ value }]`, one object, or bare strings). */
export function memberIds(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: string[] = [];
  for (const m of list) {
    const value =
      typeof m === 'string' ? m : typeof m === 'object' && m !== null ? (m as Record<string, unknown>).value : undefined;
    if (typeof value === 'string' && value !== '') out.push(value);
  }
  return out;
}

/** Folds member changes in order into one plan. */
export function planMembers(changes: Change[]): MemberPlan {
  const plan: MemberPlan = { add: [], remove: [], complex: [] };
  const add = new Set<string>();
  const remove = new Set<string>();
  let replace: Set<string> | undefined;
  for (const ch of changes) {
    const p = ch.path;
    if (plan.complex.length || p.sub) {
      plan.complex.push(ch);
      continue;
    }
    if (ch.op === 'add' || (ch.op === 'replace' && p.where)) {
      if (ch.op === 'replace') {
        plan.complex.push(ch);
        continue;
      }
      for (const id of memberIds(ch.value)) {
        if (replace) replace.add(id);
        else {
          add.add(id);
          remove.delete(id);
        }
      }
    } else if (ch.op === 'replace') {
      replace = new Set(memberIds(ch.value));
      add.clear();
      remove.clear();
    } else {
      const ids = ch.value !== undefined ? memberIds(ch.value) : p.where ? selectedValues(p.where) : undefined;
      if (ids === undefined && p.where) {
        plan.complex.push(ch);
        continue;
      }
      if (ids === undefined) {
        replace = new Set();
        add.clear();
        remove.clear();
        continue;
      }
      for (const id of ids) {
        if (replace) replace.delete(id);
        else {
          remove.add(id);
          add.delete(id);
        }
      }
    }
  }
  plan.add = [...add];
  plan.remove = [...remove];
  if (replace) plan.replace = [...replace];
  return plan;
}

/** Member DNs of a group entry, placeholder left out. */
export function memberDns(t: Tenant, entry: LdapEntry): string[] {
  return values(entry, t.memberAttr)
    .map((v) => (typeof v === 'string' ? v : v.toString('utf8')))
    .filter((dn) => !t.isPlaceholder(dn));
}

/** Resolves member ids to DNs; ids that do not name a user or group in scope are refused when `strict`. */
export async function idsToMemberDns(t: Tenant, ids: string[], strict: boolean): Promise<string[]> {
  if (!ids.length) return [];
  const map = await t.resolver.idsToDns(ids, t.scope(['user', 'group']), strict);
  if (strict) {
    const missing = ids.filter((id) => !map.has(id));
    if (missing.length) {
      throw new errors.InvalidValueError(
        `Unknown member${missing.length > 1 ? 's' : ''}: ${missing
          .slice(0, 5)
          .map((m) => JSON.stringify(m))
          .join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`,
      );
    }
  }
  return [...new Set(map.values())];
}

/** DN deltas for one group: a group's member list is never written whole (see complexDelta). */
export interface DnDelta {
  add: string[];
  remove: string[];
}

/** Finds which of `dns` the group has: compare for short lists, one read of the member attribute otherwise. */
async function presentOf(t: Tenant, group: string, dns: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (dns.length <= 16) {
    for (const dn of dns) if (await t.dir.compare(group, t.memberAttr, dn, 'check group members')) out.add(dnKey(dn));
    return out;
  }
  const entry = await t.dir.read(group, { type: 'present', attribute: 'objectClass' }, [t.memberAttr], [], 'read group members');
  for (const v of entry ? values(entry, t.memberAttr) : []) {
    try {
      out.add(dnKey(typeof v === 'string' ? v : v.toString('utf8')));
    } catch {
      // an unparsable value cannot equal one of ours
    }
  }
  return out;
}

function memberMods(t: Tenant, d: DnDelta, placeholder: 'add' | 'drop' | 'none'): Modification[] {
  const attr = t.memberAttr;
  const ph = t.s.placeholderMemberDn;
  const mods: Modification[] = [];
  if (d.add.length) mods.push({ operation: 'add', type: attr, values: d.add });
  if (d.remove.length) mods.push({ operation: 'delete', type: attr, values: d.remove });
  if (ph && placeholder === 'drop') mods.push({ operation: 'delete', type: attr, values: [ph] });
  if (ph && placeholder === 'add') mods.push({ operation: 'add', type: attr, values: [ph] });
  return mods;
}

/**
 * Writes member deltas (plus any `extra` attribute modifications) to one
 * group in a single modify where the server allows it.
 *
 * The permissive-modify control goes out non-critical whenever enabled:
 * OpenLDAP honours it without listing it in its root DSE, and a server that
 * ignores it (or an overlay that checks values itself) answers 20/16, which
 * the fallback below handles.
 */
export async function writeMembers(t: Tenant, group: string, d: DnDelta, extra: Modification[], what: string): Promise<void> {
  const controls = t.s.permissiveModify ? [permissiveModifyControl()] : undefined;
  const ph = t.s.placeholderMemberDn;
  let delta: DnDelta = d;
  // Dropping the placeholder is only sent when it is there (one compare, no modify): a delete of an
  // absent value fails even with permissive modify on some servers (OpenLDAP's memberof overlay).
  let placeholder: 'add' | 'drop' | 'none' = ph && d.add.length && (await presentOf(t, group, [ph])).size ? 'drop' : 'none';
  let last: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await t.dir.modify(group, [...extra, ...memberMods(t, delta, placeholder)], what, controls, [16, 20, 53, 65, 68]);
      return;
    } catch (e) {
      const code = resultCodeOf(e);
      if (code === undefined) throw e; // already translated by the directory layer
      last = e;
      if (code === 65 && ph && placeholder !== 'add') {
        // The last member went: keep the group valid with the placeholder.
        placeholder = 'add';
        continue;
      }
      // Samba's AD DC refuses a member that is there already with 68 ("Attribute member already
      // exists for target GUID") and one removed before with 53 ("… already deleted …"), permissive
      // modify or not. 53 also means other refusals (a protected group): after a 53 the modify is
      // sent again only when values at fault explain it. 20, 16 and 68 on a modify can only mean
      // values at fault, and are retried even when a concurrent change has moved them meanwhile.
      if (code === 20 || code === 16 || code === 68 || code === 53) {
        // The server applied nothing: find the values at fault and send only what changes something.
        const present = await presentOf(t, group, [...delta.add, ...delta.remove, ...(ph && placeholder === 'drop' ? [ph] : [])]);
        const next = {
          add: delta.add.filter((dn) => !present.has(dnKey(dn))),
          remove: delta.remove.filter((dn) => present.has(dnKey(dn))),
        };
        const phGone = ph !== undefined && placeholder === 'drop' && !present.has(dnKey(ph));
        const unexplained = next.add.length === delta.add.length && next.remove.length === delta.remove.length && !phGone;
        if (code === 53 && unexplained) break;
        delta = next;
        if (phGone) placeholder = 'none';
        if (!delta.add.length && !delta.remove.length && !extra.length && placeholder === 'none') return;
        continue;
      }
      break;
    }
  }
  throw toScimFromLdap(last, { what, retryAfter: t.s.retryAfterSeconds });
}

/**
 * Irregular member changes (sub-attribute paths, filters other than `value eq`) are applied to the
 * materialized list — the only path that reads a group's members in order to change them. What
 * is written is the difference, not the list: the DNs to add and to remove. Members the
 * changes leave alone are not written at all, so a member added by someone else meanwhile, and
 * one the gateway cannot see (outside its bases, or an entry that no longer exists), stay.
 */
export async function complexDelta(
  t: Tenant,
  entry: LdapEntry,
  apply: (members: { value: string }[]) => unknown[],
): Promise<DnDelta> {
  const dns = memberDns(t, entry);
  // As for a group read: where members list their groups, one search finds them all.
  const hint = t.memberOfAttr ? { attribute: t.memberOfAttr, groups: [entry.dn] } : undefined;
  const ids = await t.resolver.dnsToIds(dns, t.scope(['user', 'group']), hint);
  const current: { value: string }[] = [];
  const dnOf = new Map<string, string>();
  for (const dn of dns) {
    const key = tryDnKey(dn);
    const id = key === undefined ? undefined : ids.get(key);
    if (id === undefined || dnOf.has(id)) continue;
    dnOf.set(id, dn);
    current.push({ value: id });
  }
  const after = new Set(memberIds(apply(current)));
  return {
    // Members added are resolved (and unknown ones refused) here, before anything is written.
    add: await idsToMemberDns(
      t,
      [...after].filter((id) => !dnOf.has(id)),
      true,
    ),
    remove: [...dnOf].filter(([id]) => !after.has(id)).map(([, dn]) => dn),
  };
}

/**
 * Removes one DN from every group that lists it, or puts `replacement` in its place (directories
 * without referential integrity). After a delete this is best effort: a group that cannot be
 * updated is logged and left. After a rename it is part of the write (`strict`): the first
 * failure is thrown once the groups in flight have settled, and the rename's undo swaps back the
 * groups already updated.
 */
export async function dropFromAllGroups(t: Tenant, dn: string, replacement?: string, strict = false): Promise<void> {
  const groups = await t.dir.search(
    { base: t.s.groupBase, filter: { type: 'eq', attribute: t.memberAttr, value: dn }, attributes: ['1.1'] },
    'find groups of a member',
  );
  for (const part of chunks(groups, 8)) {
    const results = await Promise.allSettled(
      part.map((g) =>
        writeMembers(t, g.dn, { add: replacement ? [replacement] : [], remove: [dn] }, [], 'update group membership'),
      ),
    );
    results.forEach((r, i) => {
      if (r.status === 'rejected' && !strict)
        t.log.warn('ldap: could not update a group after a member changed', {
          group: part[i]?.dn,
          error: (r.reason as Error).message,
        });
    });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && strict) throw failed.reason;
  }
}
