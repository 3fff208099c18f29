/** One emulated tenant: directory, licenses, roles, PIM eligibility and entitlement management. */
import { Replication } from '../graph/replication.js';
import { Directory } from './directory.js';
import { Eligibility } from './eligibility.js';
import { type AccessPackageSeed, Entitlement, type EntitlementTiming } from './entitlement.js';
import type { GroupContext } from './groups.js';
import { Licenses, type SkuSeed } from './licenses.js';
import type { RoleDefinitionSeed } from './role-definitions.js';
import { Roles } from './roles.js';
import type { UserContext } from './users.js';

/** What a tenant is built from. */
export interface TenantSeed {
  readonly tenantId: string;
  /** Verified domains; the first is the initial `*.onmicrosoft.com` domain. */
  readonly domains: readonly string[];
  readonly skus: readonly SkuSeed[];
  readonly roles: readonly RoleDefinitionSeed[];
  readonly accessPackages: readonly AccessPackageSeed[];
  readonly entitlementTiming: EntitlementTiming;
  readonly now: () => number;
}

/** The state of one tenant. */
export class Tenant implements UserContext, GroupContext {
  readonly tenantId: string;
  readonly directory = new Directory();
  readonly domains: ReadonlySet<string>;
  readonly domainList: readonly string[];
  readonly defaultDomain: string;
  readonly licenses: Licenses;
  readonly roles: Roles;
  readonly eligibility: Eligibility;
  readonly entitlement: Entitlement;
  readonly replication = new Replication();
  readonly now: () => number;

  constructor(seed: TenantSeed) {
    this.tenantId = seed.tenantId;
    this.now = seed.now;
    this.domainList = seed.domains.map((d) => d.toLowerCase());
    this.domains = new Set(this.domainList);
    this.defaultDomain = this.domainList[0] as string;
    this.licenses = new Licenses(seed.tenantId, seed.skus);
    this.roles = new Roles(this.directory, seed.roles);
    this.eligibility = new Eligibility(this.directory, this.roles);
    this.entitlement = new Entitlement(this.directory, seed.accessPackages, seed.entitlementTiming, seed.now());
  }

  /** Deletes a directory object and everything that refers to it. */
  deleteObject(id: string): void {
    const object = this.directory.get(id);
    if (!object) return;
    if (object.kind === 'user') this.licenses.release(object as Parameters<Licenses['release']>[0]);
    this.roles.forgetPrincipal(id);
    this.eligibility.forgetPrincipal(id);
    this.directory.remove(id);
  }
}
