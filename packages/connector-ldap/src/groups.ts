/**
 * Group operations. Members live in the group's `member` (or `uniqueMember`)
 * attribute as DNs and reach SCIM as ids, resolved in batches. A membership
 * PATCH is one LDAP modify naming only the members it changes.
 */
import { createHash } from 'node:crypto';
import { applyChanges } from '@scimgw/core/patch';
import { type Change, errors, type QueryRequest, type ResourceHandler, type ScimResource, UndoLog } from '@scimgw/core';
import { matchesFilter } from '@scimgw/core/filter';
import { groupTypeValue } from './ad/grouptype.js';
import type { LdapValue } from './codec.js';
import { dnIds, serializeDn } from './dn.js';
import type { Modification } from './directory.js';
import { first, type LdapEntry } from './entry.js';
import type { IdCacheView, MemberIds } from './id-cache.js';
import {
  type DnDelta,
  dropFromAllGroups,
  idsToMemberDns,
  memberDns,
  memberIds,
  planMembers,
  complexDelta,
  writeMembers,
} from './membership.js';
import { keepUndeletable } from './required.js';
import { specialTerms } from './special.js';
import type { Tenant } from './tenant.js';
import { listEntries } from './listing.js';
import { translateFilter } from './translate.js';
import { assertRenameAllowed, attributeMods, currentRdn, nameChanges, parentOf, rdnFor, addRdnValues } from './write.js';

type TenantOf = (tenant: string | undefined) => Tenant;

const excludesMembers = (req: { excludedAttributes?: string[] | undefined; attributes?: string[] | undefined }) =>
  (req.excludedAttributes ?? []).some((a) => a.toLowerCase() === 'members' || a.toLowerCase().startsWith('members.')) ||
  (req.attributes !== undefined && !req.attributes.some((a) => a.toLowerCase().startsWith('members')));

const isMembers = (ch: Change) => ch.path.attr.toLowerCase() === 'members' && !ch.path.extension;

/** The member ids kept for a group entry, if its change stamp is still the one they were resolved at. */
function keptMembers(t: Tenant, view: IdCacheView | undefined, e: LdapEntry): MemberIds | undefined {
  if (!view || !t.groupStamp) return undefined;
  const id = t.codec.idOf(e);
  const stamp = first(e, t.groupStamp);
  const known = id === undefined ? undefined : view.members(id);
  return known !== undefined && stamp !== undefined && known.stamp === stamp ? known : undefined;
}

const digest = (text: string) => createHash('sha1').update(text).digest('base64url').slice(0, 16);

/** A group's member ids with a digest of them (hashed once, when they are resolved). */
const memberIdsOf = (ids: readonly string[]): MemberIds => ({
  ids,
  refs: Object.freeze(ids.map((value) => Object.freeze({ value }))),
  digest: digest(JSON.stringify(ids)),
});

/**
 * The group's weak ETag when it is read with its members: a digest of everything but the
 * members (small) joined to the members' digest, so a kept member list is not serialized and
 * hashed again on every read. Any change of a value or of a member id changes it.
 */
function groupVersion(res: ScimResource, members: MemberIds): string {
  const { meta: _meta, members: _members, ...rest } = res;
  return `W/"${digest(JSON.stringify(rest))}.${members.digest}"`;
}

/**
 * Builds SCIM groups from entries, resolving all member DNs in one batch.
 * Groups whose change stamp is the one their member ids were kept at
 * reuse those ids (and need no member values); `kept` gives them for
 * entries read without members.
 */
export async function toGroups(
  t: Tenant,
  entries: LdapEntry[],
  withMembers: boolean,
  kept?: readonly (MemberIds | undefined)[],
): Promise<ScimResource[]> {
  const scope = t.scope(['user', 'group']);
  // Taken before the searches below: what they find is kept only while it is current.
  const view = withMembers ? t.resolver.cacheView(scope) : undefined;
  const idsByEntry: (MemberIds | undefined)[] = entries.map((e, i) =>
    withMembers ? (kept?.[i] ?? keptMembers(t, view, e)) : undefined,
  );
  const open: number[] = [];
  idsByEntry.forEach((ids, i) => {
    if (withMembers && ids === undefined) open.push(i);
  });
  if (open.length) {
    const dnsByEntry = open.map((i) => memberDns(t, entries[i] as LdapEntry));
    // Members list their groups in memberOf where the directory keeps it: one search finds them all.
    const hint = t.memberOfAttr
      ? { attribute: t.memberOfAttr, groups: open.map((i) => (entries[i] as LdapEntry).dn) }
      : undefined;
    const found = await t.resolver.dnsToIds(dnsByEntry.flat(), scope, hint);
    open.forEach((i, j) => {
      const e = entries[i] as LdapEntry;
      const members = memberIdsOf(dnIds(dnsByEntry[j] ?? [], found));
      idsByEntry[i] = members;
      const id = t.codec.idOf(e);
      const stamp = t.groupStamp ? first(e, t.groupStamp) : undefined;
      if (view && id !== undefined && stamp !== undefined) view.setMembers(id, { stamp, ...members });
    });
  }
  const out: ScimResource[] = [];
  entries.forEach((e, i) => {
    const id = t.codec.idOf(e);
    const res = t.groups.toScim(e);
    // A value map on displayName is an allowlist: groups outside it do not exist for SCIM.
    if (id === undefined || res === undefined || res.displayName === undefined) return;
    res.id = id;
    const meta = t.meta(e);
    if (meta) res.meta = meta;
    const members = idsByEntry[i];
    if (members) {
      if (members.refs.length) res.members = members.refs as unknown as ScimResource['members'];
      res.meta = { ...res.meta, version: groupVersion(res, members) };
    }
    out.push(res);
  });
  return out;
}

/** Builds the Group operations. */
export function groupOperations(tenantOf: TenantOf): ResourceHandler {
  const read = async (t: Tenant, id: string, withMembers: boolean) =>
    t.find('group', id, t.readAttributes('group', withMembers), 'read group');
  const mustRead = async (t: Tenant, id: string, withMembers: boolean) => {
    const e = await read(t, id, withMembers);
    if (!e || (await toGroups(t, [e], false)).length === 0) throw new errors.NotFoundError(`Group "${id}" not found`);
    return e;
  };
  const displayOf = (r: ScimResource) => String(r.displayName ?? '');

  /**
   * A group with its member ids. Ids kept from an earlier read are used when the group's change
   * stamp has not moved since: the group is read without its member values first.
   */
  async function readGroup(t: Tenant, id: string): Promise<ScimResource | undefined> {
    const known = t.groupStamp ? t.resolver.cacheView(t.scope(['user', 'group']))?.members(id) : undefined;
    if (known) {
      const e = await read(t, id, false);
      if (!e) return undefined;
      if (t.groupStamp && first(e, t.groupStamp) === known.stamp) return (await toGroups(t, [e], true, [known]))[0];
      const full = await t.dir.read(
        e.dn,
        t.groupFilter,
        t.readAttributes('group', true),
        t.binaryAttributes('group'),
        'read group',
      );
      return full ? (await toGroups(t, [full], true))[0] : undefined;
    }
    const e = await read(t, id, true);
    return e ? (await toGroups(t, [e], true))[0] : undefined;
  }

  /**
   * Renames the group when its naming value changes; returns the DN afterwards. The rename's undo
   * goes to `undo`: a member write that fails after it renames the group back.
   */
  async function renameIfNeeded(t: Tenant, entry: LdapEntry, next: ScimResource, undo: UndoLog): Promise<string> {
    const naming = t.s.naming.group;
    if (!nameChanges(t.groups, naming, t.groups.toScim(entry) ?? {}, next)) return entry.dn;
    assertRenameAllowed(t.s.allowModifyDN, naming.map((n) => n.mapTo).join(', '));
    const rdn = rdnFor(naming, next, t.groups.toLdap(next, entry));
    await t.dir.rename(entry.dn, rdn, `rename group "${displayOf(next)}"`);
    const dn = serializeDn([rdn, ...parentOf(entry)]);
    // Back under the old name first, then the groups back to it: a directory that keeps memberOf
    // only sets it on an entry that exists under the DN a group is given.
    undo.push('rename back', async () => {
      await t.dir.rename(dn, currentRdn(entry), `rename group "${displayOf(next)}" back`);
      if (t.s.maintainMembership) await dropFromAllGroups(t, dn, entry.dn, true);
    });
    // Groups nested in other groups: without referential integrity their old DN would linger.
    if (t.s.maintainMembership) await dropFromAllGroups(t, entry.dn, dn, true);
    return dn;
  }

  /** RDN attributes change by rename only. */
  const withoutRdn = (entry: LdapEntry, mods: Modification[]) => {
    const skip = new Set(currentRdn(entry).map((a) => a.type.toLowerCase()));
    return mods.filter((m) => !skip.has(m.type.toLowerCase()));
  };

  return {
    async query(req: QueryRequest, ctx) {
      const t = tenantOf(ctx.tenant);
      const tr = req.filter ? await translateFilter(req.filter, t.groups, specialTerms(t, 'group')) : undefined;
      if (tr?.kind === 'false') return { resources: [] };
      const withMembers = !excludesMembers(req) || (tr !== undefined && !tr.exact);
      const listed = await listEntries(t, 'group', req, tr, t.readAttributes('group', withMembers), 'list groups');
      let resources = await toGroups(t, listed.entries, withMembers);
      const resolve = t.registry.resolver(t.groupRt);
      if (tr && !tr.exact && req.filter)
        resources = resources.filter((r) => matchesFilter(req.filter as NonNullable<typeof req.filter>, r, resolve));
      if (excludesMembers(req)) for (const r of resources) delete r.members;
      return listed.total === undefined ? { resources } : { resources, totalResults: listed.total };
    },

    async get(id, ctx, opts) {
      const t = tenantOf(ctx.tenant);
      // A read without members still carries the ETag of the whole group (the one a later write's
      // If-Match is checked against), and that version covers the member ids: so the ids are
      // resolved here too (from the kept ones when current), and only the answer leaves them out.
      if (excludesMembers(opts)) {
        const whole = await readGroup(t, id);
        if (whole) delete whole.members;
        return whole;
      }
      return readGroup(t, id);
    },

    async create(resource, ctx) {
      const t = tenantOf(ctx.tenant);
      const ldap = t.groups.toLdap(resource);
      const rdn = rdnFor(t.s.naming.group, resource, ldap);
      const attrs = new Map<string, LdapValue[]>([['objectClass', t.s.objectClasses.group]]);
      for (const { attr, values } of ldap.values()) if (values.length) attrs.set(attr, values);
      addRdnValues(attrs, rdn);
      if (t.s.isActiveDirectory && ![...attrs.keys()].some((k) => k.toLowerCase() === 'grouptype')) {
        attrs.set('groupType', [groupTypeValue(t.s.adGroupType)]);
      }
      const members = await idsToMemberDns(t, memberIds(resource.members), true);
      if (members.length) attrs.set(t.memberAttr, members);
      else if (t.s.placeholderMemberDn) attrs.set(t.memberAttr, [t.s.placeholderMemberDn]);
      const dn = [rdn, ...t.s.groupBase];
      await t.dir.add(dn, attrs, `create group "${displayOf(resource)}"`);
      const created = await t.dir.read(
        dn,
        t.groupFilter,
        t.readAttributes('group', true),
        t.binaryAttributes('group'),
        'read group',
      );
      const out = created ? (await toGroups(t, [created], true))[0] : undefined;
      if (!out)
        throw new errors.InvalidValueError('The group was created but does not match groupFilter; check the configuration');
      return out;
    },

    async modify(id, changes, ctx) {
      const t = tenantOf(ctx.tenant);
      const memberChanges = changes.filter(isMembers);
      const other = changes.filter((c) => !isMembers(c));
      const plan = planMembers(memberChanges);
      // Adding and removing by value never reads the member attribute; irregular changes and
      // replacing the list must (what is written is the difference to the members read).
      const entry = await mustRead(t, id, plan.complex.length > 0 || plan.replace !== undefined);
      // Members are resolved (and unknown ones refused) before anything is written.
      let delta: DnDelta | undefined;
      if (plan.complex.length) {
        delta = await complexDelta(t, entry, (members) => {
          const res = applyChanges({ members }, memberChanges, { registry: t.registry, resourceType: t.groupRt }).resource;
          return (res.members as unknown[] | undefined) ?? [];
        });
      } else if (plan.replace) {
        const wanted = plan.replace;
        delta = await complexDelta(t, entry, () => wanted.map((value) => ({ value })));
      } else if (plan.add.length || plan.remove.length) {
        delta = {
          add: await idsToMemberDns(t, plan.add, true),
          remove: await idsToMemberDns(t, plan.remove, false),
        };
      }
      const next = other.length
        ? applyChanges(t.groups.toScim(entry) ?? {}, other, { registry: t.registry, resourceType: t.groupRt }).resource
        : undefined;
      const undo = new UndoLog(t.log, 'ldap');
      const dn = await undo.guard(async () => {
        const dn = next ? await renameIfNeeded(t, entry, next, undo) : entry.dn;
        const mods = next ? keepUndeletable(t.s.isActiveDirectory, withoutRdn(entry, t.groups.changesToMods(other, entry))) : [];
        if (delta) await writeMembers(t, dn, delta, mods, `update group "${id}"`);
        else await t.dir.modify(dn, mods, `update group "${id}"`);
        return dn;
      });
      // With DN ids a rename changes the id: hand back the group so the core does not look up the old one.
      if (dn !== entry.dn && t.codec.strategy === 'dn') {
        const e = await read(t, dn, true);
        return e ? (await toGroups(t, [e], true))[0] : undefined;
      }
      return undefined;
    },

    async replace(id, resource, ctx) {
      const t = tenantOf(ctx.tenant);
      // The members SCIM can see become the list given; the difference is written (see complexDelta).
      const entry = await mustRead(t, id, true);
      const wanted = memberIds(resource.members);
      const delta = await complexDelta(t, entry, () => wanted.map((value) => ({ value })));
      const mods = keepUndeletable(
        t.s.isActiveDirectory,
        withoutRdn(entry, attributeMods(t.groups, entry, t.groups.toLdap(resource, entry), new Set())),
      );
      const undo = new UndoLog(t.log, 'ldap');
      const dn = await undo.guard(async () => {
        const dn = await renameIfNeeded(t, entry, resource, undo);
        await writeMembers(t, dn, delta, mods, `replace group "${id}"`);
        return dn;
      });
      const newId = t.codec.strategy === 'dn' ? dn : id;
      const e = await read(t, newId, true);
      const out = e ? (await toGroups(t, [e], true))[0] : undefined;
      if (!out) throw new errors.NotFoundError(`Group "${id}" not found`);
      return out;
    },

    async delete(id, ctx) {
      const t = tenantOf(ctx.tenant);
      const entry = await mustRead(t, id, false);
      await t.dir.del(entry.dn, `delete group "${id}"`);
      if (t.s.maintainMembership) {
        await dropFromAllGroups(t, entry.dn);
      }
    },
  };
}
