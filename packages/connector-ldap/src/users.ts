/**
 * User operations: entries under `userBase` matching `userFilter`, mapped
 * attribute by attribute. Writes touch only the LDAP attributes whose SCIM
 * attributes changed; a change of the naming attribute is a rename.
 */
import { applyChanges } from '@scimgw/core/patch';
import { type Change, errors, type QueryRequest, type ResourceHandler, type ScimResource, UndoLog } from '@scimgw/core';
import { matchesFilter } from '@scimgw/core/filter';
import type { LdapValue } from './codec.js';
import { dnKey, dnRefs, serializeDn } from './dn.js';
import type { Modification } from './directory.js';
import { type LdapEntry, values } from './entry.js';
import { and, eq } from './filter.js';
import { dropFromAllGroups, planMembers, writeMembers } from './membership.js';
import { passwordForAdd, passwordMods, randomPassword, setPassword, splitPassword } from './passwords.js';
import { specialTerms } from './special.js';
import type { Tenant } from './tenant.js';
import { listEntries } from './listing.js';
import { managerDnIntoChanges, managerDnIntoResource, managerIdsIntoResources, rewriteManagerRefs } from './references.js';
import { fillRequiredForAdd, keepRequired, keepUndeletable } from './required.js';
import { translateFilter } from './translate.js';
import { restoringMods } from './undo.js';
import { assertRenameAllowed, attributeMods, currentRdn, nameChanges, parentOf, rdnFor, addRdnValues } from './write.js';

type TenantOf = (tenant: string | undefined) => Tenant;

/** The groups a user joins and leaves, by id, each with its DN. */
interface GroupsPlan {
  add: Map<string, string>;
  remove: Map<string, string>;
}

/** Whether to compute `groups`: cheap with a memberOf attribute, one search per user without. */
function wantGroups(
  t: Tenant,
  req: { attributes?: string[] | undefined; excludedAttributes?: string[] | undefined },
  single: boolean,
): boolean {
  if ((req.excludedAttributes ?? []).some((a) => a.toLowerCase() === 'groups' || a.toLowerCase().startsWith('groups.')))
    return false;
  if (req.attributes !== undefined) return req.attributes.some((a) => a.toLowerCase().startsWith('groups'));
  return single || t.memberOfAttr !== undefined;
}

/** Group DNs of each user: from memberOf when the directory keeps it, else one search per user. */
async function groupDnsOf(t: Tenant, entries: LdapEntry[]): Promise<string[][]> {
  if (t.memberOfAttr) {
    return entries.map((e) => values(e, t.memberOfAttr as string).map((v) => (typeof v === 'string' ? v : v.toString('utf8'))));
  }
  const out: string[][] = [];
  for (const e of entries) {
    const groups = await t.dir.search(
      { base: t.s.groupBase, filter: and(t.groupFilter, eq(t.memberAttr, e.dn)), attributes: ['1.1'] },
      'find groups of a user',
    );
    out.push(groups.map((g) => g.dn));
  }
  return out;
}

/** Builds SCIM users from entries (group and manager DNs of the whole list resolved in batches). */
export async function toUsers(t: Tenant, entries: LdapEntry[], withGroups: boolean): Promise<ScimResource[]> {
  const groupDns = withGroups ? await groupDnsOf(t, entries) : [];
  const ids = withGroups ? await t.resolver.dnsToIds(groupDns.flat(), t.scope(['group'])) : new Map<string, string>();
  const mapped = entries.map((e) => t.users.toScim(e));
  await managerIdsIntoResources(t, entries, mapped);
  const out: ScimResource[] = [];
  entries.forEach((e, i) => {
    const id = t.codec.idOf(e);
    const res = mapped[i];
    if (id === undefined || res === undefined || res.userName === undefined) return;
    res.id = id;
    const meta = t.meta(e);
    if (meta) res.meta = meta;
    if (withGroups) {
      const groups = dnRefs(groupDns[i] ?? [], ids, { type: 'direct' });
      if (groups.length) res.groups = groups;
    }
    out.push(res);
  });
  return out;
}

/**
 * After a user's rename, the references to it that the directory does not keep itself
 * (`maintainMembership`): group members and users' managers, part of the write.
 */
async function keepReferences(t: Tenant, from: string, to: string): Promise<void> {
  await dropFromAllGroups(t, from, to, true);
  await rewriteManagerRefs(t, from, to, true);
}

/** Builds the User operations. */
export function userOperations(tenantOf: TenantOf, opts: { groupMemberOfUser: boolean }): ResourceHandler {
  const mustRead = async (t: Tenant, id: string) => {
    const e = await t.find('user', id, t.readAttributes('user', false), 'read user');
    if (!e || (await toUsers(t, [e], false)).length === 0) throw new errors.NotFoundError(`User "${id}" not found`);
    return e;
  };
  const nameOf = (r: ScimResource) => String(r.userName ?? '');

  /** Refuses a userName another entry already has (directories rarely enforce it beyond the RDN). */
  async function assertUserNameFree(
    t: Tenant,
    ldap: Map<string, { attr: string; values: LdapValue[] }>,
    selfDn?: string,
  ): Promise<void> {
    for (const attr of t.users.attributesFor('userName')) {
      const v = ldap.get(attr.toLowerCase())?.values[0];
      if (v === undefined) continue;
      const hits = await t.dir.search(
        { base: t.s.userBase, filter: eq(attr, v), attributes: ['1.1'], sizeLimit: 2 },
        'check userName',
      );
      if (hits.some((h) => selfDn === undefined || dnKey(h.dn) !== dnKey(selfDn))) {
        throw new errors.UniquenessError(`userName "${String(v)}" is already taken`);
      }
    }
  }

  /** Reads a new entry back; some directories (Samba AD) need a moment before it is visible. */
  async function readBack(t: Tenant, dn: string): Promise<ScimResource> {
    for (let attempt = 0; ; attempt++) {
      const e = await t.dir.read(dn, t.userFilter, t.readAttributes('user', false), t.binaryAttributes('user'), 'read user');
      const out = e ? (await toUsers(t, [e], true))[0] : undefined;
      if (out) return out;
      if (attempt >= 3) throw new errors.NotFoundError('The user was written but cannot be read back; check userFilter');
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }

  /**
   * Writes a user's name and attributes: rename first when the naming value
   * changes, then one modify with the attribute changes (and `pwMods`, a
   * password the directory takes in the same modify). Each step records its
   * undo in `undo` (see undo.ts). Returns the entry's DN afterwards.
   *
   * @param mods - attribute modifications, computed against `entry`
   */
  async function write(
    t: Tenant,
    entry: LdapEntry,
    next: ScimResource,
    mods: Modification[],
    pwMods: Modification[] | undefined,
    undo: UndoLog,
  ): Promise<string> {
    const cur = t.users.toScim(entry) ?? {};
    const nextLdap = t.users.toLdap(next, entry);
    const naming = t.s.naming.user;
    const renaming = nameChanges(t.users, naming, cur, next);
    if (renaming) assertRenameAllowed(t.s.allowModifyDN, naming.map((n) => n.mapTo).join(', '));
    const userNameAttrs = new Set(t.users.attributesFor('userName').map((a) => a.toLowerCase()));
    if (renaming || mods.some((m) => userNameAttrs.has(m.type.toLowerCase()))) await assertUserNameFree(t, nextLdap, entry.dn);
    let dn = entry.dn;
    if (renaming) {
      const rdn = rdnFor(naming, next, nextLdap);
      await t.dir.rename(dn, rdn, `rename user "${nameOf(next)}"`);
      const renamed = serializeDn([rdn, ...parentOf(entry)]);
      // Back under the old name first, then the groups back to it: a directory that keeps memberOf
      // only sets it on an entry that exists under the DN a group is given.
      undo.push('rename back', async () => {
        await t.dir.rename(renamed, currentRdn(entry), `rename user "${nameOf(cur)}" back`);
        if (t.s.maintainMembership) await keepReferences(t, renamed, entry.dn);
      });
      dn = renamed;
      if (t.s.maintainMembership) await keepReferences(t, entry.dn, dn);
    }
    // RDN attributes change by rename only.
    const skip = new Set(currentRdn(entry).map((a) => a.type.toLowerCase()));
    const kept = keepUndeletable(t.s.isActiveDirectory, keepRequired(t.required, mods, entry, next)).filter(
      (m) => !skip.has(m.type.toLowerCase()),
    );
    await t.dir.modify(dn, [...kept, ...(pwMods ?? [])], `update user "${nameOf(next)}"`);
    const restore = restoringMods(entry, kept, readWith(t), neverRestored(t));
    if (restore.length) undo.push('attributes', () => t.dir.modify(dn, restore, `restore user "${nameOf(cur)}"`));
    return dn;
  }

  /**
   * Writes a user (see {@link write}) and then its groups, the password last: it cannot be undone,
   * so nothing that can fail comes after it. On Active Directory the password goes in the
   * attributes' modify when no group write follows, else in a modify of its own at the end.
   */
  async function writeAll(
    t: Tenant,
    entry: LdapEntry,
    next: ScimResource,
    mods: Modification[],
    password: string | undefined,
    groups: GroupsPlan | undefined,
  ): Promise<string> {
    const pwMods = password === undefined ? undefined : passwordMods(t, password);
    const groupWrites = groups !== undefined && (groups.add.size > 0 || groups.remove.size > 0);
    const together = groupWrites ? undefined : pwMods;
    const undo = new UndoLog(t.log, 'ldap');
    return undo.guard(async () => {
      const dn = await write(t, entry, next, mods, together, undo);
      if (groups && groupWrites) await writeGroupsOfUser(t, groups, dn, undo);
      if (password !== undefined && !together) {
        const what = `set password of "${nameOf(next)}"`;
        if (pwMods) await t.dir.modify(dn, pwMods, what);
        else await setPassword(t, dn, password, what);
      }
      return dn;
    });
  }

  /** The attributes a user entry is read with, lower case: the ones a failed write can put back. */
  const readWith = (t: Tenant) => new Set(t.readAttributes('user', false).map((a) => a.toLowerCase()));
  /** Attributes never put back: the password's (its old value cannot be read). */
  const neverRestored = (t: Tenant) =>
    new Set(['unicodepwd', 'userpassword', ...(t.passwordAttr ? [t.passwordAttr.toLowerCase()] : [])]);

  /**
   * The group writes of `groups` changes when the gateway keeps membership
   * on the user (`groupMemberOfUser`), planned before anything is written:
   * an unknown group is refused while the user is still as it was.
   */
  async function planGroupsOfUser(t: Tenant, entry: LdapEntry, changes: Change[]): Promise<GroupsPlan> {
    const plan = planMembers(changes);
    if (plan.complex.length)
      throw new errors.InvalidValueError('groups can only be changed by value (add, remove by value, replace)');
    let { add, remove } = plan;
    if (plan.replace) {
      const current =
        ((await toUsers(t, [entry], true))[0]?.groups as { value: string }[] | undefined)?.map((g) => g.value) ?? [];
      add = plan.replace.filter((id) => !current.includes(id));
      remove = current.filter((id) => !plan.replace?.includes(id));
    }
    const scope = t.scope(['group']);
    const addDns = await t.resolver.idsToDns(add, scope, true);
    const missing = add.filter((id) => !addDns.has(id));
    if (missing.length)
      throw new errors.InvalidValueError(`Unknown group${missing.length > 1 ? 's' : ''}: ${missing.slice(0, 5).join(', ')}`);
    const removeDns = await t.resolver.idsToDns(remove, scope, false);
    // Only the groups that change: joining a group the user is in (or leaving one it is not in)
    // writes nothing, so a failed write's undo never takes the user out of a group it was in.
    const member = new Set((await groupDnsOf(t, [entry]))[0]?.map((dn) => dnKey(dn)) ?? []);
    const only = (m: Map<string, string>, keep: boolean) => new Map([...m].filter(([, dn]) => member.has(dnKey(dn)) === keep));
    return { add: only(addDns, false), remove: only(removeDns, true) };
  }

  /** Writes a {@link planGroupsOfUser} plan: one modify per group, each adding or removing only this user. */
  async function writeGroupsOfUser(t: Tenant, plan: GroupsPlan, userDn: string, undo: UndoLog): Promise<void> {
    const one = (g: string, add: string[], remove: string[], what: string) => writeMembers(t, g, { add, remove }, [], what);
    for (const [id, g] of plan.add) {
      await one(g, [userDn], [], `update group "${id}"`);
      undo.push(`membership of group "${id}"`, () => one(g, [], [userDn], `restore group "${id}"`));
    }
    for (const [id, g] of plan.remove) {
      await one(g, [], [userDn], `update group "${id}"`);
      undo.push(`membership of group "${id}"`, () => one(g, [userDn], [], `restore group "${id}"`));
    }
  }

  return {
    async query(req: QueryRequest, ctx) {
      const t = tenantOf(ctx.tenant);
      const tr = req.filter ? await translateFilter(req.filter, t.users, specialTerms(t, 'user')) : undefined;
      if (tr?.kind === 'false') return { resources: [] };
      const listed = await listEntries(t, 'user', req, tr, t.readAttributes('user', false), 'list users');
      const recheck = tr !== undefined && !tr.exact && req.filter !== undefined;
      let resources = await toUsers(t, listed.entries, wantGroups(t, req, false) || recheck);
      const resolve = t.registry.resolver(t.userRt);
      if (recheck) resources = resources.filter((r) => matchesFilter(req.filter as NonNullable<typeof req.filter>, r, resolve));
      return listed.total === undefined ? { resources } : { resources, totalResults: listed.total };
    },

    async get(id, ctx, opts) {
      const t = tenantOf(ctx.tenant);
      const e = await t.find('user', id, t.readAttributes('user', false), 'read user');
      return e ? (await toUsers(t, [e], wantGroups(t, opts, true)))[0] : undefined;
    },

    async create(sent, ctx) {
      const t = tenantOf(ctx.tenant);
      const resource = await managerDnIntoResource(t, sent);
      const given = typeof resource.password === 'string' && resource.password !== '' ? resource.password : undefined;
      const password = given ?? (t.s.isActiveDirectory && t.s.generateInitialPassword ? randomPassword() : undefined);
      const ldap = t.users.toLdap(resource);
      await assertUserNameFree(t, ldap);
      const rdn = rdnFor(t.s.naming.user, resource, ldap);
      const attrs = new Map<string, LdapValue[]>([['objectClass', t.s.objectClasses.user]]);
      for (const { attr, values: vs } of ldap.values()) if (vs.length) attrs.set(attr, vs);
      addRdnValues(attrs, rdn);
      fillRequiredForAdd(t.required, attrs, resource);
      const pw = passwordForAdd(t, password);
      if (pw) attrs.set(pw[0], pw[1]);
      const dn = serializeDn([rdn, ...t.s.userBase]);
      const undo = new UndoLog(t.log, 'ldap');
      await t.dir.add(dn, attrs, `create user "${nameOf(resource)}"`);
      // The steps after the add belong to the same create: when one fails, the entry goes again.
      undo.push('the new entry', () => t.dir.del(dn, `remove user "${nameOf(resource)}" again`));
      await undo.guard(async () => {
        if (password !== undefined && !pw) await setPassword(t, dn, password, `set password of "${nameOf(resource)}"`);
        if (t.codec.strategy === 'mS-DS-ConsistencyGuid') {
          // The source anchor starts as the objectGUID, as Entra Connect sets it.
          const e = await t.dir.read(dn, t.userFilter, ['objectGUID'], ['objectGUID'], 'read user');
          const guid = e ? values(e, 'objectGUID')[0] : undefined;
          if (guid)
            await t.dir.modify(
              dn,
              [{ operation: 'replace', type: 'mS-DS-ConsistencyGuid', values: [guid] }],
              'set source anchor',
            );
        }
      });
      return readBack(t, dn);
    },

    async modify(id, changes, ctx) {
      const t = tenantOf(ctx.tenant);
      const entry = await mustRead(t, id);
      const { password, rest } = splitPassword(changes);
      const groupChanges = rest.filter((c) => c.path.attr.toLowerCase() === 'groups' && !c.path.extension);
      const valueChanges = await managerDnIntoChanges(
        t,
        rest.filter((c) => !groupChanges.includes(c)),
      );
      const next = applyChanges(t.users.toScim(entry) ?? {}, valueChanges, {
        registry: t.registry,
        resourceType: t.userRt,
      }).resource;
      const mods = t.users.changesToMods(valueChanges, entry);
      const groups = opts.groupMemberOfUser && groupChanges.length ? await planGroupsOfUser(t, entry, groupChanges) : undefined;
      return readBack(t, await writeAll(t, entry, next, mods, password, groups));
    },

    async replace(id, sent, ctx) {
      const t = tenantOf(ctx.tenant);
      const entry = await mustRead(t, id);
      const resource = await managerDnIntoResource(t, sent);
      const password = typeof resource.password === 'string' && resource.password !== '' ? resource.password : undefined;
      const skip = new Set(t.s.naming.user.map((n) => n.attribute.toLowerCase()));
      const mods = attributeMods(t.users, entry, t.users.toLdap(resource, entry), skip);
      const groups =
        opts.groupMemberOfUser && resource.groups !== undefined
          ? await planGroupsOfUser(t, entry, [{ op: 'replace', path: { attr: 'groups' }, value: resource.groups }])
          : undefined;
      return readBack(t, await writeAll(t, entry, resource, mods, password, groups));
    },

    async delete(id, ctx) {
      const t = tenantOf(ctx.tenant);
      const entry = await mustRead(t, id);
      await t.dir.del(entry.dn, `delete user "${id}"`);
      if (t.s.maintainMembership) {
        await dropFromAllGroups(t, entry.dn);
        await rewriteManagerRefs(t, entry.dn);
      }
    },
  };
}
