/**
 * Applying one message to the subscriber's connector, through its SCIM handler: find the resource
 * here (its record, else its natural key), then create, replace, patch or delete it — with the
 * subscriber options applied. Every operation is written so that applying a message a second time
 * (after a crash between the write and its record) leaves the same result: a create that finds the
 * resource present adopts it, a delete of what is gone is done, PATCH changes are set-like.
 *
 * A resource found by its natural key is adopted only when it is no other publisher resource's
 * (holders.ts): one publisher resource deleted and another created under its name stay two here.
 */
import type { Change, Logger, ScimResource } from '@scimgw/core';
import {
  type NaturalKey,
  naturalKeyOf,
  naturalKeyOfChanges,
  naturalKeysOf,
  PoisonMessageError,
  type StreamMessage,
} from '../message.js';
import { toPatchOp } from '../patch-op.js';
import { applyChanges } from '@scimgw/core/patch';
import { type DomainReplacement, generatePassword, isRolesChange, replaceDomains, roleNames, rolesAfter } from './options.js';
import { type HolderContext, Holders } from './holders.js';
import type { ResourceRecord } from './records.js';
import { type ReferenceLookup, translateChanges, translateResource } from './references.js';
import { RetryableError, type ScimTarget } from './target.js';
import { canonical } from '../canonical.js';

/** The subscriber options of one tenant. */
export interface ApplyOptions {
  deleteUserOnLastGroupRoleRemoval: boolean;
  skipConvertRolesToGroups: boolean;
  generateUserPassword: boolean;
  modifyOnly: boolean;
  replaceDomains: readonly DomainReplacement[];
}

/** What applying did. */
export type ApplyAction = 'created' | 'adopted' | 'replaced' | 'modified' | 'deleted' | 'skipped';

/** The outcome of one message: the resource's new record (without the sequence) and what happened. */
export interface ApplyOutcome {
  record: Pick<ResourceRecord, 'id' | 'roles'>;
  action: ApplyAction;
  /** Why it was skipped, or what was left out. */
  note?: string;
}

/** Everything {@link applyMessage} uses. */
export interface ApplyContext extends ReferenceLookup, Pick<HolderContext, 'owners'> {
  target: ScimTarget;
  options: ApplyOptions;
  log: Logger;
  /**
   * The message may have been applied before (it was delivered to a subscriber that stopped before
   * recording it): each write is read first and left out when it would change nothing.
   */
  mayBeApplied?: boolean | undefined;
}

/** Attributes a write does not set, left out when comparing what is there with what a message writes. */
const NOT_WRITTEN = new Set(['id', 'meta', 'schemas', 'password', 'groups']);

/** True when `current` is what a PUT of `body` would leave (so the PUT is not needed). */
export function coversReplace(current: ScimResource, body: ScimResource): boolean {
  for (const [k, v] of Object.entries(body)) if (!NOT_WRITTEN.has(k) && canonical(current[k]) !== canonical(v)) return false;
  for (const [k, v] of Object.entries(current)) if (!NOT_WRITTEN.has(k) && v !== undefined && !(k in body)) return false;
  return true;
}

/** One message being applied. */
class Application {
  private readonly dropped: string[] = [];
  private readonly type: string;
  private readonly endpoint: string;
  private readonly holders: Holders;
  /** Publisher resources whose resources here hold the key this message's resource was looked for by. */
  private heldBy: string[] = [];

  constructor(
    private readonly ctx: ApplyContext,
    private readonly message: StreamMessage,
    private readonly record: ResourceRecord | undefined,
  ) {
    this.type = message.resourceType;
    this.endpoint = ctx.target.endpoint(message.resourceType);
    this.holders = new Holders(ctx, message.resourceType, message.resourceId, message.id);
  }

  private get convertsRoles(): boolean {
    return this.type === 'User' && !this.ctx.options.skipConvertRolesToGroups;
  }

  private call(method: string, path: string, body?: unknown) {
    return this.ctx.target.call(method, path, this.message.id, body);
  }

  private note(extra?: string): string | undefined {
    const parts = [...(extra ? [extra] : []), ...(this.dropped.length ? [`left out: ${this.dropped.join(', ')}`] : [])];
    return parts.length ? parts.join('; ') : undefined;
  }

  /** This side's id, by record, else by natural key (a resource no other publisher resource owns). */
  private async locate(key: NaturalKey | undefined): Promise<string | undefined> {
    if (this.record?.id) return this.record.id;
    return this.findOwn(key);
  }

  /** The resource here with `key` this message's resource may take (see holders.ts). */
  private async findOwn(key: NaturalKey | undefined): Promise<string | undefined> {
    const { id, heldBy } = await this.holders.find(key);
    this.heldBy = heldBy;
    return id;
  }

  /** A write refused with 409: true when the name it sets was given up meanwhile (write again). */
  private conflictPassed(res: { status: number }, key: NaturalKey | undefined, ownId: string): Promise<boolean> {
    if (res.status !== 409) return Promise.resolve(false);
    return this.holders.afterConflict(key, ownId);
  }

  private async findByKey(type: string, key: NaturalKey | undefined): Promise<string | undefined> {
    if (!key) return undefined;
    for (const attr of naturalKeysOf(type)) {
      const value = key[attr];
      if (value === undefined) continue;
      const ids = await this.ctx.target.find(type, attr, value, this.message.id);
      if (ids.length > 1) throw new PoisonMessageError(`${ids.length} resources here have ${attr} "${value}"`);
      if (ids[0] !== undefined) return ids[0];
    }
    return undefined;
  }

  async run(): Promise<ApplyOutcome> {
    switch (this.message.operation) {
      case 'create':
      case 'replace':
        return this.upsert(
          this.message.data.resource as ScimResource,
          this.message.operation === 'create' ? 'adopted' : 'replaced',
        );
      case 'modify':
        return this.modify();
      case 'delete':
        return this.remove();
    }
  }

  /** The message's resource as this side writes it: domains replaced, references translated, roles taken out. */
  private async prepare(resource: ScimResource): Promise<{ body: ScimResource; roles: string[] | undefined }> {
    const { id: _id, meta: _meta, password: _password, ...rest } = replaceDomains(resource, this.ctx.options.replaceDomains);
    let roles: string[] | undefined;
    if (this.convertsRoles) {
      roles = roleNames(rest.roles);
      delete rest.roles;
    }
    // What this side does not let a client write (a user's `groups`, say) is not translated either.
    const registry = this.ctx.target.scim.registry;
    const rt = registry.resourceType(this.type);
    for (const attr of Object.keys(rest)) {
      if (rt && registry.resolve(rt, { attr })?.attrDef?.mutability === 'readOnly') delete rest[attr];
    }
    return { body: await translateResource(this.ctx, this.type, rest, this.dropped), roles };
  }

  private async upsert(resource: ScimResource, existing: 'adopted' | 'replaced'): Promise<ApplyOutcome> {
    const { body, roles } = await this.prepare(resource);
    const key = naturalKeyOf(this.type, body) ?? replaceDomains(this.message.data.key, this.ctx.options.replaceDomains);
    let id = await this.locate(key);
    let action: ApplyAction = existing;
    const membersBefore = id && this.type === 'Group' ? await this.membersBefore(id) : undefined;
    if (id && !(await this.put(id, body, key))) id = undefined;
    else if (id && !this.record?.id) await this.holders.claim(id);
    if (!id) {
      if (this.ctx.options.modifyOnly)
        return { record: { id: null }, action: 'skipped', note: this.note('modifyOnly: not created') };
      ({ id, action } = await this.create(body, key, 'put'));
    }
    const outcome: ApplyOutcome = { record: { id, ...rolesOf(this.record) }, action };
    if (roles !== undefined) {
      const before = this.record?.roles ?? [];
      outcome.record.roles = await this.syncRoles(id, before, roles);
      if (before.some((r) => !roles.includes(r))) await this.deleteIfOrphaned([id]);
    }
    if (membersBefore) await this.afterMembersRemoved(id, membersBefore, []);
    return this.finish(outcome);
  }

  private finish(outcome: ApplyOutcome): ApplyOutcome {
    const note = this.note(outcome.note);
    return note ? { ...outcome, note } : outcome;
  }

  /** The resource as it is here now; `undefined` when it is not here. */
  private async current(id: string): Promise<ScimResource | undefined> {
    const res = await this.call('GET', `${this.endpoint}/${encodeURIComponent(id)}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.ctx.target.fail(res, `reading ${this.type} ${id}`);
    return res.body as ScimResource;
  }

  /** PUT; false when the resource is not here (any more). */
  private async put(id: string, body: ScimResource, key: NaturalKey | undefined): Promise<boolean> {
    if (this.ctx.mayBeApplied) {
      const now = await this.current(id);
      if (!now) return false;
      if (coversReplace(now, body)) {
        this.dropped.push('the write (already applied)');
        return true;
      }
    }
    let res = await this.call('PUT', `${this.endpoint}/${encodeURIComponent(id)}`, body);
    if (await this.conflictPassed(res, key, id)) res = await this.call('PUT', `${this.endpoint}/${encodeURIComponent(id)}`, body);
    if (res.status === 404) return false;
    if (res.status !== 200) this.ctx.target.fail(res, `replacing ${this.type} ${id}`);
    return true;
  }

  /** PATCH; false when the resource is not here (any more). */
  private async patch(id: string, changes: readonly Change[], key?: NaturalKey): Promise<boolean> {
    if (changes.length === 0) return true;
    if (this.ctx.mayBeApplied) {
      const now = await this.current(id);
      if (!now) return false;
      const rt = this.ctx.target.scim.registry.resourceType(this.type);
      if (rt && !applyChanges(now, changes, { registry: this.ctx.target.scim.registry, resourceType: rt }).changed) {
        this.dropped.push('the write (already applied)');
        return true;
      }
    }
    const path = `${this.endpoint}/${encodeURIComponent(id)}`;
    let res = await this.call('PATCH', path, toPatchOp(changes));
    if (await this.conflictPassed(res, key, id)) res = await this.call('PATCH', path, toPatchOp(changes));
    if (res.status === 404) return false;
    if (res.status !== 200 && res.status !== 204) this.ctx.target.fail(res, `modifying ${this.type} ${id}`);
    return true;
  }

  /**
   * POST. A conflict means the resource is here already (made before this subscriber knew, or by
   * this very message before a crash): it is adopted, and replaced by `body` when `onConflict` is
   * `put` (a body without a group's members must not replace them: `keep`) — unless it is another
   * publisher resource's: then this one waits for the stream to give the name up.
   */
  private async create(
    body: ScimResource,
    key: NaturalKey | undefined,
    onConflict: 'put' | 'keep',
  ): Promise<{ id: string; action: ApplyAction }> {
    const doc = this.type === 'User' && this.ctx.options.generateUserPassword ? { ...body, password: generatePassword() } : body;
    for (let attempt = 1; ; attempt++) {
      const res = await this.call('POST', this.endpoint, doc);
      if (res.status === 201) {
        const id = (res.body as ScimResource | undefined)?.id;
        if (typeof id !== 'string') throw new PoisonMessageError(`creating ${this.type}: the connector returned no id`);
        await this.holders.claim(id);
        return { id, action: 'created' };
      }
      if (res.status === 409) {
        const id = await this.findOwn(key);
        if (id && (onConflict === 'keep' || (await this.put(id, body, key)))) {
          await this.holders.claim(id);
          return { id, action: 'adopted' };
        }
        if (!id && this.heldBy.length > 0) throw this.holders.conflict(key, this.heldBy);
        // Given up while this message waited for its holder: taken now by nobody.
        if (!id && attempt === 1) continue;
      }
      return this.ctx.target.fail(res, `creating ${this.type}`);
    }
  }

  private async modify(): Promise<ApplyOutcome> {
    const data = this.message.data;
    const all = replaceDomains(data.changes ?? [], this.ctx.options.replaceDomains);
    const roleChanges = this.convertsRoles ? all.filter(isRolesChange) : [];
    const changes = await translateChanges(
      this.ctx,
      this.type,
      this.convertsRoles ? all.filter((c) => !isRolesChange(c)) : all,
      this.dropped,
    );
    const key = replaceDomains(
      data.key ?? naturalKeyOf(this.type, data.resource) ?? naturalKeyOfChanges(this.type, data.changes),
      this.ctx.options.replaceDomains,
    );
    let id = await this.locate(key);
    const adopted = id !== undefined && !this.record?.id;
    const membersBefore =
      id && this.type === 'Group' && this.removesMembersWholesale(changes) ? await this.membersBefore(id) : undefined;
    if (id && !(await this.patch(id, changes, key))) {
      // The record named a resource that is gone: look for it by its key once more.
      id = this.record?.id ? await this.findOwn(key) : undefined;
      if (id && !(await this.patch(id, changes, key))) id = undefined;
      else if (id) await this.holders.claim(id);
    } else if (id && adopted) await this.holders.claim(id);
    if (!id) return this.createFromModify(changes, key);
    const outcome: ApplyOutcome = { record: { id, ...rolesOf(this.record) }, action: 'modified' };
    if (this.convertsRoles && roleChanges.length > 0) {
      const before = this.record?.roles ?? [];
      const after = rolesAfter(before, roleChanges);
      outcome.record.roles = await this.syncRoles(id, before, after);
      if (before.some((r) => !after.includes(r))) await this.deleteIfOrphaned([id]);
    }
    if (this.type === 'User' && !this.convertsRoles && all.some((c) => isRolesChange(c) && c.op !== 'add'))
      await this.deleteIfOrphaned([id]);
    if (this.type === 'Group') await this.afterMembersRemoved(id, membersBefore, changes);
    return this.finish(outcome);
  }

  /**
   * A PATCH of a resource that is not here: created from the resource the message carries (the
   * state after the change). A group's message leaves its members out, so its member changes are
   * applied after the create.
   */
  private async createFromModify(changes: readonly Change[], key: NaturalKey | undefined): Promise<ApplyOutcome> {
    if (this.ctx.options.modifyOnly)
      return { record: { id: null }, action: 'skipped', note: this.note('modifyOnly: not here, not created') };
    const resource = this.message.data.resource;
    if (!resource)
      throw new PoisonMessageError(
        `${this.type} ${this.message.resourceId} is not known here, and the message does not carry the whole resource`,
      );
    const { body, roles } = await this.prepare(resource);
    const isGroup = this.type === 'Group';
    if (isGroup) delete body.members;
    const { id, action } = await this.create(body, key, isGroup ? 'keep' : 'put');
    if (
      isGroup &&
      !(await this.patch(
        id,
        changes.filter((c) => c.path.attr === 'members' && c.path.extension === undefined),
      ))
    )
      throw new RetryableError(`group ${id} vanished while it was being created`);
    const outcome: ApplyOutcome = { record: { id }, action };
    if (roles !== undefined) outcome.record.roles = await this.syncRoles(id, [], roles);
    return this.finish(outcome);
  }

  private async remove(): Promise<ApplyOutcome> {
    const id = await this.locate(replaceDomains(this.message.data.key, this.ctx.options.replaceDomains));
    if (!id) return { record: { id: null }, action: 'skipped', note: 'not known here' };
    if (this.ctx.options.modifyOnly)
      return { record: { id, ...rolesOf(this.record) }, action: 'skipped', note: 'modifyOnly: not deleted' };
    const membersBefore = this.type === 'Group' ? await this.membersBefore(id) : undefined;
    const res = await this.call('DELETE', `${this.endpoint}/${encodeURIComponent(id)}`);
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) this.ctx.target.fail(res, `deleting ${this.type} ${id}`);
    if (membersBefore) await this.afterMembersRemoved(id, membersBefore, [], []);
    return { record: { id: null }, action: 'deleted' };
  }

  // --- roles as groups -------------------------------------------------------------------------

  /** Makes the user a member of exactly the groups named by `after` among `before ∪ after`. */
  private async syncRoles(userId: string, before: readonly string[], after: readonly string[]): Promise<string[]> {
    const kept: string[] = [];
    for (const role of after) {
      if (before.includes(role)) {
        kept.push(role);
        continue;
      }
      const groupId = (await this.findByKey('Group', { displayName: role })) ?? (await this.createRoleGroup(role));
      if (groupId === undefined) continue;
      await this.patchMembers(groupId, 'add', userId);
      kept.push(role);
    }
    for (const role of before) {
      if (after.includes(role)) continue;
      const groupId = await this.findByKey('Group', { displayName: role });
      if (groupId !== undefined) await this.patchMembers(groupId, 'remove', userId);
    }
    return kept;
  }

  private async createRoleGroup(role: string): Promise<string | undefined> {
    if (this.ctx.options.modifyOnly) {
      this.dropped.push(`role "${role}" (no such group, and modifyOnly)`);
      return undefined;
    }
    const res = await this.call('POST', this.ctx.target.endpoint('Group'), { displayName: role });
    if (res.status === 201) return (res.body as ScimResource).id as string;
    if (res.status === 409) return this.findByKey('Group', { displayName: role });
    return this.ctx.target.fail(res, `creating group "${role}" for a role`);
  }

  private async patchMembers(groupId: string, op: 'add' | 'remove', userId: string): Promise<void> {
    const change: Change = { op, path: { attr: 'members' }, value: [{ value: userId }] };
    const res = await this.call(
      'PATCH',
      `${this.ctx.target.endpoint('Group')}/${encodeURIComponent(groupId)}`,
      toPatchOp([change]),
    );
    if (res.status !== 200 && res.status !== 204)
      this.ctx.target.fail(res, `${op === 'add' ? 'adding to' : 'removing from'} group ${groupId}`);
  }

  // --- deleteUserOnLastGroupRoleRemoval -----------------------------------------------------------

  private removesMembersWholesale(changes: readonly Change[]): boolean {
    return changes.some((c) => c.path.attr === 'members' && (c.op === 'replace' || (c.op === 'remove' && c.value === undefined)));
  }

  /** The group's members now, when `deleteUserOnLastGroupRoleRemoval` needs to know who leaves. */
  private async membersBefore(groupId: string): Promise<string[] | undefined> {
    if (!this.ctx.options.deleteUserOnLastGroupRoleRemoval || this.ctx.options.modifyOnly) return undefined;
    return this.members(groupId);
  }

  private async members(groupId: string): Promise<string[]> {
    const res = await this.call('GET', `${this.ctx.target.endpoint('Group')}/${encodeURIComponent(groupId)}?attributes=members`);
    if (res.status === 404) return [];
    if (res.status !== 200) this.ctx.target.fail(res, `reading group ${groupId}`);
    const members = (res.body as { members?: { value?: unknown }[] } | undefined)?.members ?? [];
    return members.map((m) => m.value).filter((v): v is string => typeof v === 'string');
  }

  /**
   * After a group lost members: users among them with no group and no role left are deleted.
   * `before` is the member list before a wholesale change (then the list now is read, unless
   * `now` says it), `changes` the removals of single members.
   */
  private async afterMembersRemoved(
    groupId: string,
    before: string[] | undefined,
    changes: readonly Change[],
    now?: string[],
  ): Promise<void> {
    if (!this.ctx.options.deleteUserOnLastGroupRoleRemoval || this.ctx.options.modifyOnly) return;
    const gone = new Set<string>();
    if (before) {
      const current = new Set(now ?? (await this.members(groupId)));
      for (const m of before) if (!current.has(m)) gone.add(m);
    }
    for (const c of changes) {
      if (c.op !== 'remove' || c.path.attr !== 'members' || !Array.isArray(c.value)) continue;
      for (const el of c.value) {
        const v = (el as { value?: unknown })?.value;
        if (typeof v === 'string') gone.add(v);
      }
    }
    if (gone.size > 0) await this.deleteIfOrphaned([...gone]);
  }

  /** Deletes each user that is in no group and has no role. Groups among the ids are left alone. */
  private async deleteIfOrphaned(ids: readonly string[]): Promise<void> {
    if (!this.ctx.options.deleteUserOnLastGroupRoleRemoval || this.ctx.options.modifyOnly) return;
    const users = this.ctx.target.endpoint('User');
    for (const id of ids) {
      const user = await this.call('GET', `${users}/${encodeURIComponent(id)}?attributes=roles`);
      if (user.status === 404) continue;
      if (user.status !== 200) this.ctx.target.fail(user, `reading user ${id}`);
      if (roleNames((user.body as ScimResource).roles).length > 0) continue;
      const filter = `members.value eq ${JSON.stringify(id)}`;
      const groups = await this.call(
        'GET',
        `${this.ctx.target.endpoint('Group')}?filter=${encodeURIComponent(filter)}&attributes=id&count=1`,
      );
      if (groups.status !== 200) this.ctx.target.fail(groups, `finding the groups of user ${id}`);
      if (((groups.body as { totalResults?: number }).totalResults ?? 0) > 0) continue;
      const res = await this.call('DELETE', `${users}/${encodeURIComponent(id)}`);
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) this.ctx.target.fail(res, `deleting user ${id}`);
      this.ctx.log.info('stream: user deleted: its last group or role was removed (deleteUserOnLastGroupRoleRemoval)', {
        userId: id,
        messageId: this.message.id,
      });
    }
  }
}

function rolesOf(rec: ResourceRecord | undefined): Pick<ResourceRecord, 'roles'> {
  return rec?.roles ? { roles: rec.roles } : {};
}

/**
 * Applies one message. Throws `RetryableError` for what another attempt may fix and
 * `PoisonMessageError` for what it cannot.
 */
export function applyMessage(
  ctx: ApplyContext,
  message: StreamMessage,
  record: ResourceRecord | undefined,
): Promise<ApplyOutcome> {
  return new Application(ctx, message, record).run();
}
