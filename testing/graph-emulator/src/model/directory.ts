/**
 * The directory: users, groups and service principals with the indexes Graph's behaviour
 * needs — userPrincipalName and proxy-address uniqueness, membership in both directions,
 * owners, managers and direct reports. Every membership change is O(1).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { OrderedIds } from './ordered-ids.js';

/** Kinds of directory object the emulator stores. */
export type ObjectKind = 'user' | 'group' | 'servicePrincipal' | 'directoryRole';

/** A stored directory object; `data` holds the Graph properties under canonical names. */
export interface DirectoryObject {
  readonly id: string;
  readonly kind: ObjectKind;
  readonly seq: number;
  data: Record<string, unknown>;
}

/** A stored user; the password is kept only as a digest for {@link Directory.checkPassword}. */
export interface UserObject extends DirectoryObject {
  readonly kind: 'user';
  passwordDigest: Buffer | undefined;
  managerId: string | undefined;
}

function digest(password: string): Buffer {
  return createHash('sha256').update(password, 'utf8').digest();
}

function lower(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/** Strips the `smtp:`/`SMTP:` style prefix a proxy address carries. */
export function proxyKey(address: string): string {
  const colon = address.indexOf(':');
  return (colon >= 0 ? address.slice(colon + 1) : address).toLowerCase();
}

/** In-memory directory of one tenant. */
export class Directory {
  private seq = 0;
  readonly objects = new Map<string, DirectoryObject>();
  readonly users = new OrderedIds();
  readonly groups = new OrderedIds();
  readonly servicePrincipals = new OrderedIds();
  private readonly byUpn = new Map<string, string>();
  private readonly byImmutableId = new Map<string, string>();
  private readonly byProxy = new Map<string, string>();
  private readonly members = new Map<string, OrderedIds>();
  private readonly memberOf = new Map<string, Set<string>>();
  private readonly owners = new Map<string, OrderedIds>();
  private readonly ownerOf = new Map<string, Set<string>>();
  private readonly reports = new Map<string, Set<string>>();

  /** The next sequence number: every stored item and membership gets one, strictly growing. */
  nextSeq(): number {
    return ++this.seq;
  }

  get(id: string): DirectoryObject | undefined {
    return this.objects.get(id);
  }

  user(id: string): UserObject | undefined {
    const object = this.objects.get(id);
    return object?.kind === 'user' ? (object as UserObject) : undefined;
  }

  group(id: string): DirectoryObject | undefined {
    const object = this.objects.get(id);
    return object?.kind === 'group' ? object : undefined;
  }

  userIdByUpn(upn: string): string | undefined {
    return this.byUpn.get(upn.toLowerCase());
  }

  /** Owner of a unique value, for conflict checks (`undefined` when free). */
  upnOwner(upn: string): string | undefined {
    return this.byUpn.get(upn.toLowerCase());
  }

  immutableIdOwner(immutableId: string): string | undefined {
    return this.byImmutableId.get(immutableId.toLowerCase());
  }

  proxyOwner(address: string): string | undefined {
    return this.byProxy.get(proxyKey(address));
  }

  /** Stores a new object of `kind` with `data` (already validated). */
  insert(kind: ObjectKind, id: string, data: Record<string, unknown>, password?: string): DirectoryObject {
    const seq = this.nextSeq();
    data.id = id;
    const object: DirectoryObject =
      kind === 'user'
        ? ({
            id,
            kind,
            seq,
            data,
            passwordDigest: password === undefined ? undefined : digest(password),
            managerId: undefined,
          } as UserObject)
        : { id, kind, seq, data };
    this.objects.set(id, object);
    this.collection(kind).add(id, seq);
    this.indexUnique(object, undefined);
    return object;
  }

  /** Replaces values of an object, keeping the unique indexes right. */
  update(object: DirectoryObject, values: ReadonlyMap<string, unknown>): void {
    const before = { ...object.data };
    for (const [name, value] of values) {
      if (value === null || value === undefined) delete object.data[name];
      else object.data[name] = value;
    }
    this.indexUnique(object, before);
  }

  setPassword(user: UserObject, password: string): void {
    user.passwordDigest = digest(password);
  }

  /** Compares a candidate password with the stored one in constant time. */
  checkPassword(userId: string, candidate: string): boolean {
    const stored = this.user(userId)?.passwordDigest;
    return stored !== undefined && timingSafeEqual(stored, digest(candidate));
  }

  /** Removes an object and every link to or from it. */
  remove(id: string): void {
    const object = this.objects.get(id);
    if (!object) return;
    this.indexUnique({ ...object, data: {} }, object.data);
    this.collection(object.kind).delete(id);
    for (const groupId of this.memberOf.get(id) ?? []) this.members.get(groupId)?.delete(id);
    this.memberOf.delete(id);
    for (const groupId of this.ownerOf.get(id) ?? []) this.owners.get(groupId)?.delete(id);
    this.ownerOf.delete(id);
    for (const memberId of this.members.get(id)?.values() ?? []) this.memberOf.get(memberId)?.delete(id);
    this.members.delete(id);
    for (const ownerId of this.owners.get(id)?.values() ?? []) this.ownerOf.get(ownerId)?.delete(id);
    this.owners.delete(id);
    if (object.kind === 'user') {
      const user = object as UserObject;
      if (user.managerId) this.reports.get(user.managerId)?.delete(id);
      for (const reportId of this.reports.get(id) ?? []) {
        const report = this.user(reportId);
        if (report) report.managerId = undefined;
      }
      this.reports.delete(id);
    }
    this.objects.delete(id);
  }

  // ---- membership ----

  /** Adds `memberId` to `groupId`; false when it already is a member. */
  addMember(groupId: string, memberId: string): boolean {
    let set = this.members.get(groupId);
    if (!set) {
      set = new OrderedIds();
      this.members.set(groupId, set);
    }
    if (!set.add(memberId, this.nextSeq())) return false;
    let groups = this.memberOf.get(memberId);
    if (!groups) {
      groups = new Set();
      this.memberOf.set(memberId, groups);
    }
    groups.add(groupId);
    return true;
  }

  removeMember(groupId: string, memberId: string): boolean {
    if (!this.members.get(groupId)?.delete(memberId)) return false;
    this.memberOf.get(memberId)?.delete(groupId);
    return true;
  }

  isMember(groupId: string, memberId: string): boolean {
    return this.members.get(groupId)?.has(memberId) ?? false;
  }

  /** Direct members of a group, resumable by sequence number. */
  membersOf(groupId: string): OrderedIds {
    return this.members.get(groupId) ?? new OrderedIds();
  }

  /** Groups `id` is a direct member of. */
  groupsOf(id: string): ReadonlySet<string> {
    return this.memberOf.get(id) ?? new Set();
  }

  /** Every object reachable through nested groups below `groupId`, each once. */
  transitiveMembers(groupId: string): string[] {
    const seen = new Set<string>();
    const queue = [groupId];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      for (const { id } of this.membersOf(current).after()) {
        if (seen.has(id) || id === groupId) continue;
        seen.add(id);
        if (this.objects.get(id)?.kind === 'group') queue.push(id);
      }
    }
    return [...seen];
  }

  /** Every group `id` belongs to directly or through nesting, each once. */
  transitiveGroupsOf(id: string): string[] {
    const seen = new Set<string>();
    const queue = [id];
    while (queue.length > 0) {
      const current = queue.shift() as string;
      for (const groupId of this.groupsOf(current)) {
        if (seen.has(groupId) || groupId === id) continue;
        seen.add(groupId);
        queue.push(groupId);
      }
    }
    return [...seen];
  }

  // ---- owners ----

  addOwner(groupId: string, ownerId: string): boolean {
    let set = this.owners.get(groupId);
    if (!set) {
      set = new OrderedIds();
      this.owners.set(groupId, set);
    }
    if (!set.add(ownerId, this.nextSeq())) return false;
    let groups = this.ownerOf.get(ownerId);
    if (!groups) {
      groups = new Set();
      this.ownerOf.set(ownerId, groups);
    }
    groups.add(groupId);
    return true;
  }

  removeOwner(groupId: string, ownerId: string): boolean {
    if (!this.owners.get(groupId)?.delete(ownerId)) return false;
    this.ownerOf.get(ownerId)?.delete(groupId);
    return true;
  }

  ownersOf(groupId: string): OrderedIds {
    return this.owners.get(groupId) ?? new OrderedIds();
  }

  // ---- manager ----

  setManager(user: UserObject, managerId: string | undefined): void {
    if (user.managerId) this.reports.get(user.managerId)?.delete(user.id);
    user.managerId = managerId;
    if (!managerId) return;
    let set = this.reports.get(managerId);
    if (!set) {
      set = new Set();
      this.reports.set(managerId, set);
    }
    set.add(user.id);
  }

  directReports(id: string): string[] {
    return [...(this.reports.get(id) ?? [])];
  }

  collection(kind: ObjectKind): OrderedIds {
    if (kind === 'directoryRole') throw new Error('directory roles are not stored in the directory');
    return kind === 'user' ? this.users : kind === 'group' ? this.groups : this.servicePrincipals;
  }

  /** Moves unique-value index entries from `before` to the object's current data. */
  private indexUnique(object: DirectoryObject, before: Record<string, unknown> | undefined): void {
    const swap = (index: Map<string, string>, oldKey: string | undefined, newKey: string | undefined) => {
      if (oldKey === newKey) return;
      if (oldKey !== undefined && index.get(oldKey) === object.id) index.delete(oldKey);
      if (newKey !== undefined) index.set(newKey, object.id);
    };
    if (object.kind === 'user' || before?.userPrincipalName !== undefined) {
      swap(this.byUpn, lower(before?.userPrincipalName), lower(object.data.userPrincipalName));
      swap(this.byImmutableId, lower(before?.onPremisesImmutableId), lower(object.data.onPremisesImmutableId));
    }
    const previous = (before?.proxyAddresses as string[] | undefined) ?? [];
    const after = (object.data.proxyAddresses as string[] | undefined) ?? [];
    if (previous.length === 0 && after.length === 0) return;
    const oldProxies = new Set(previous.map(proxyKey));
    const newProxies = new Set(after.map(proxyKey));
    for (const key of oldProxies) if (!newProxies.has(key) && this.byProxy.get(key) === object.id) this.byProxy.delete(key);
    for (const key of newProxies) this.byProxy.set(key, object.id);
  }
}
