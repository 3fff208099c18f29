/**
 * Seeding and inspecting the emulated tenant from a test, without HTTP. Seeding skips the
 * API's permission checks and replication delay but keeps the directory's invariants
 * (unique userPrincipalName, existing members); bulk seeding is O(n).
 */
import { randomUUID } from 'node:crypto';
import type { DirectoryObject, UserObject } from './model/directory.js';
import type { AccessPackageSeed } from './model/entitlement.js';
import type { Tenant } from './model/tenant.js';

/** Properties for a seeded user; `userPrincipalName` defaults to `user<n>@<default domain>`. */
export type UserSeed = Record<string, unknown> & { userPrincipalName?: string; password?: string; managerId?: string };

/** Properties for a seeded group; a security group unless `groupTypes` says otherwise. */
export type GroupSeed = Record<string, unknown> & {
  displayName?: string;
  members?: readonly string[];
  owners?: readonly string[];
};

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Seed and inspect helpers of one emulator. */
export class EmulatorState {
  private counter = 0;

  constructor(private readonly tenant: Tenant) {}

  /** The tenant id. */
  get tenantId(): string {
    return this.tenant.tenantId;
  }

  /** The initial `*.onmicrosoft.com` domain. */
  get defaultDomain(): string {
    return this.tenant.defaultDomain;
  }

  get userCount(): number {
    return this.tenant.directory.users.size;
  }

  get groupCount(): number {
    return this.tenant.directory.groups.size;
  }

  /** Adds a user and returns its id. */
  addUser(seed: UserSeed = {}): string {
    const { password, managerId, ...props } = seed;
    const n = ++this.counter;
    const upn = String(props.userPrincipalName ?? `user${n}.${randomUUID().slice(0, 8)}@${this.tenant.defaultDomain}`);
    if (this.tenant.directory.upnOwner(upn)) throw new Error(`userPrincipalName already exists: ${upn}`);
    const local = upn.split('@')[0] as string;
    // Seeds come from test code, not from clients: a plain literal keeps 100,000 users cheap.
    const data: Record<string, unknown> = {
      accountEnabled: true,
      displayName: local,
      mailNickname: local.replace(/[^A-Za-z0-9._-]/g, ''),
      userType: 'Member',
      proxyAddresses: typeof props.mail === 'string' ? [`SMTP:${props.mail}`] : [],
      createdDateTime: this.stamp(),
      ...props,
      userPrincipalName: upn,
    };
    const user = this.tenant.directory.insert(
      'user',
      String(props.id ?? randomUUID()).toLowerCase(),
      data,
      password,
    ) as UserObject;
    if (managerId) this.setManager(user.id, managerId);
    return user.id;
  }

  private stamp(): string {
    return new Date(this.tenant.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Adds `count` users built by `make(i)`; returns their ids. */
  addUsers(count: number, make: (index: number) => UserSeed = () => ({})): string[] {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(this.addUser(make(i)));
    return ids;
  }

  /** Adds a group (security group by default) and returns its id. */
  addGroup(seed: GroupSeed = {}): string {
    const { members, owners, ...props } = seed;
    const n = ++this.counter;
    const data: Record<string, unknown> = Object.assign(Object.create(null), {
      displayName: `group ${n}`,
      mailEnabled: false,
      securityEnabled: true,
      mailNickname: `group${n}`,
      groupTypes: [],
      proxyAddresses: [],
      resourceBehaviorOptions: [],
      resourceProvisioningOptions: [],
      createdDateTime: new Date(this.tenant.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...props,
    });
    const group = this.tenant.directory.insert('group', String(props.id ?? randomUUID()).toLowerCase(), data);
    if (members) this.addMembers(group.id, members);
    for (const owner of owners ?? []) this.tenant.directory.addOwner(group.id, owner);
    return group.id;
  }

  /** Adds members to a group (ids must exist); one index update each. */
  addMembers(groupId: string, memberIds: readonly string[]): void {
    const { directory } = this.tenant;
    if (!directory.group(groupId)) throw new Error(`no group ${groupId}`);
    for (const id of memberIds) {
      if (!directory.get(id)) throw new Error(`no directory object ${id}`);
      directory.addMember(groupId, id);
    }
  }

  setManager(userId: string, managerId: string | undefined): void {
    const user = this.tenant.directory.user(userId);
    if (!user) throw new Error(`no user ${userId}`);
    if (managerId && !this.tenant.directory.user(managerId)) throw new Error(`no user ${managerId}`);
    this.tenant.directory.setManager(user, managerId);
  }

  /** A copy of a user's stored properties (never the password), by id or userPrincipalName. */
  user(idOrUpn: string): Record<string, unknown> | undefined {
    const { directory } = this.tenant;
    const id = idOrUpn.includes('@') ? directory.userIdByUpn(idOrUpn) : idOrUpn.toLowerCase();
    const user = id ? directory.user(id) : undefined;
    return user ? { ...copy(user.data), managerId: user.managerId ?? null } : undefined;
  }

  /** A copy of a group's stored properties. */
  group(id: string): Record<string, unknown> | undefined {
    const group = this.tenant.directory.group(id.toLowerCase());
    return group ? copy(group.data) : undefined;
  }

  /** Whether `candidate` is the user's current password (compared in constant time). */
  checkPassword(userId: string, candidate: string): boolean {
    return this.tenant.directory.checkPassword(userId.toLowerCase(), candidate);
  }

  /** Direct member ids of a group, in insertion order. */
  members(groupId: string): string[] {
    return this.tenant.directory.membersOf(groupId.toLowerCase()).values();
  }

  memberCount(groupId: string): number {
    return this.tenant.directory.membersOf(groupId.toLowerCase()).size;
  }

  isMember(groupId: string, memberId: string): boolean {
    return this.tenant.directory.isMember(groupId.toLowerCase(), memberId.toLowerCase());
  }

  /** Group ids an object is a direct member of. */
  memberOf(id: string): string[] {
    return [...this.tenant.directory.groupsOf(id.toLowerCase())];
  }

  owners(groupId: string): string[] {
    return this.tenant.directory.ownersOf(groupId.toLowerCase()).values();
  }

  /** Whether an object exists (replicated or not). */
  exists(id: string): boolean {
    return this.tenant.directory.get(id.toLowerCase()) !== undefined;
  }

  /** Role assignments as Graph returns them. */
  roleAssignments(): Record<string, unknown>[] {
    const { roles } = this.tenant;
    return [...roles.assignments.values()].map((a) => roles.assignmentJson(a));
  }

  /** Eligibility schedules as Graph returns them. */
  eligibilitySchedules(): Record<string, unknown>[] {
    const { eligibility } = this.tenant;
    return [...eligibility.schedules.values()].map((s) => eligibility.scheduleJson(s));
  }

  /** Access package assignments (state and target), after advancing pending requests. */
  accessPackageAssignments(): Array<{ id: string; accessPackageId: string; targetId: string; state: string }> {
    const { entitlement } = this.tenant;
    entitlement.advance(this.tenant.now());
    return [...entitlement.assignments.values()].map(({ id, accessPackageId, targetId, state }) => ({
      id,
      accessPackageId,
      targetId,
      state,
    }));
  }

  /** Adds an access package; returns its id. */
  addAccessPackage(seed: AccessPackageSeed): string {
    return this.tenant.entitlement.addPackage(seed, this.tenant.now());
  }

  /** Policy ids of an access package. */
  assignmentPolicyIds(accessPackageId: string): string[] {
    return this.tenant.entitlement.packages.get(accessPackageId.toLowerCase())?.policies.map((p) => p.id) ?? [];
  }

  /** Deletes a directory object as DELETE would. */
  delete(id: string): void {
    this.tenant.deleteObject(id.toLowerCase());
  }

  /** @internal */
  raw(id: string): DirectoryObject | undefined {
    return this.tenant.directory.get(id);
  }
}
