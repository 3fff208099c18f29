/**
 * Directory roles, access packages and licenses: the user relations that carry them (a user's
 * `roles` and `entitlements` by default, configurable) and the read-only `/Roles` and
 * `/Entitlements` resources that list what can be granted.
 *
 * - Permanent roles: `roleManagement/directory/roleAssignments` (created and deleted).
 * - Eligible roles (PIM): `roleEligibilityScheduleRequests` with `adminAssign` / `adminRemove`.
 * - Access packages: entitlement-management `assignmentRequests` with `adminAdd` / `adminRemove`.
 * - Licenses: `licenseDetails` of a user and the tenant's `subscribedSkus`, read-only.
 */
import { errors, type RequestContext, type ResourceHandler, type ScimResource } from '@scimgw/core';
import type { EntraIdConfig } from '../config.js';
import type { BatchDeps } from '../graph/batch.js';
import type { GraphClient, GraphTenant } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { GraphOperation } from '../graph/permissions.js';
import { isObjectId } from './common.js';
import { type Element, readPerUser, type UserRelation } from './relations.js';

/** What the governance relations need. */
export interface GovernanceDeps {
  graph: GraphClient;
  batch: BatchDeps;
  config: EntraIdConfig;
}

const ROLES = '/roleManagement/directory';
const EM = '/identityGovernance/entitlementManagement';
const CACHE_MS = 5 * 60_000;

interface Named {
  id: string;
  displayName?: string;
  description?: string;
  templateId?: string;
  isEnabled?: boolean;
}

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
const eqCI = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** A per-tenant list read through all pages and kept for a few minutes (role definitions, packages, SKUs). */
function cachedList(graph: GraphClient, path: string, op: GraphOperation) {
  const cache = new Map<string, { at: number; items: Named[] }>();
  return {
    async get(tenant: GraphTenant, ctx: RequestContext, fresh = false): Promise<Named[]> {
      const hit = cache.get(tenant.key);
      if (hit && !fresh && Date.now() - hit.at < CACHE_MS) return hit.items;
      const items: Named[] = [];
      for await (const page of graph.pages<Named>(tenant, { path, op }, ctx)) items.push(...page.items);
      cache.set(tenant.key, { at: Date.now(), items });
      return items;
    },
    /** The item whose id (or templateId, or display name) is `value`; refreshes once on a miss. */
    async find(tenant: GraphTenant, value: string, ctx: RequestContext): Promise<Named | undefined> {
      const pick = (list: Named[]) =>
        list.find((d) => eqCI(d.id, value)) ??
        list.find((d) => eqCI(d.templateId, value)) ??
        list.find((d) => eqCI(d.displayName, value));
      return pick(await this.get(tenant, ctx)) ?? pick(await this.get(tenant, ctx, true));
    },
  };
}

/**
 * Which elements a relation owns: those with one of its `types`; an element without `type` only
 * when the relation has its attribute to itself and takes untyped elements.
 */
function ownership(types: string[], shared: boolean, untyped: boolean) {
  return (e: Element) => (e.type ? types.some((t) => eqCI(t, e.type)) : !shared && untyped);
}

/** The governance relations and resources configured. */
export function governanceResources(deps: GovernanceDeps): {
  relations: UserRelation[];
  resources: Record<string, ResourceHandler>;
} {
  const { graph, config } = deps;
  const relations: UserRelation[] = [];
  const resources: Record<string, ResourceHandler> = {};
  const attributes = [config.roles.attribute, config.accessPackages.attribute, config.licenses.attribute];
  const shared = (a: string | null) => a !== null && attributes.filter((x) => x === a).length > 1;
  const definitions = cachedList(
    graph,
    `${ROLES}/roleDefinitions?$select=id,displayName,description,templateId,isEnabled`,
    'roles.read',
  );
  const packages = cachedList(graph, `${EM}/accessPackages?$select=id,displayName,description`, 'accessPackages.read');
  const skus = cachedList(graph, '/subscribedSkus', 'licenses.read');

  const roleAttr = config.roles.attribute;
  if (roleAttr && (config.roles.permanent || config.roles.eligible)) {
    relations.push(rolesRelation(deps, roleAttr, shared(roleAttr), definitions));
    resources.Role = listResource(graph, async (tenant, ctx) =>
      (await definitions.get(tenant, ctx)).map((d) => ({
        id: d.id,
        value: d.id,
        displayName: d.displayName,
        ...(d.description ? { description: d.description } : {}),
        type: 'DirectoryRole',
        enabled: d.isEnabled !== false,
      })),
    );
  }
  const pkgAttr = config.accessPackages.attribute;
  if (pkgAttr) relations.push(accessPackageRelation(deps, pkgAttr, shared(pkgAttr), packages));
  const licAttr = config.licenses.attribute;
  if (licAttr) relations.push(licenseRelation(deps, licAttr, shared(licAttr)));
  if (pkgAttr || licAttr) {
    resources.Entitlement = listResource(graph, async (tenant, ctx) => {
      const out: ScimResource[] = [];
      if (licAttr) {
        for (const s of (await skus.get(tenant, ctx)) as (Named & {
          skuId?: string;
          skuPartNumber?: string;
          capabilityStatus?: string;
        })[]) {
          const id = s.skuId ?? s.id;
          out.push({
            id,
            value: id,
            displayName: s.skuPartNumber ?? id,
            type: config.licenses.type,
            enabled: s.capabilityStatus !== 'Suspended' && s.capabilityStatus !== 'Deleted',
          });
        }
      }
      if (pkgAttr) {
        for (const p of await packages.get(tenant, ctx)) {
          out.push({
            id: p.id,
            value: p.id,
            displayName: p.displayName,
            ...(p.description ? { description: p.description } : {}),
            type: config.accessPackages.type,
            enabled: true,
          });
        }
      }
      return out;
    });
  }
  return { relations, resources };
}

/** A read-only resource over a small list (the core filters, sorts and pages it). */
function listResource(
  graph: GraphClient,
  list: (tenant: GraphTenant, ctx: RequestContext) => Promise<ScimResource[]>,
): ResourceHandler {
  return {
    async query(_request, ctx) {
      // Role definitions, SKUs and access packages are few (hundreds): the core filters and pages them.
      return { resources: await list(graph.tenant(ctx), ctx) };
    },
    async get(id, ctx) {
      return (await list(graph.tenant(ctx), ctx)).find((r) => eqCI(r.id, id));
    },
  };
}

function rolesRelation(
  deps: GovernanceDeps,
  attribute: string,
  shared: boolean,
  definitions: ReturnType<typeof cachedList>,
): UserRelation {
  const { graph, config } = deps;
  const PERMANENT = 'Permanent';
  const ELIGIBLE = 'Eligible';
  const typeOf = (e: Element) =>
    eqCI(e.type, ELIGIBLE) ? ELIGIBLE : eqCI(e.type, PERMANENT) ? PERMANENT : config.roles.defaultType;
  const resolve = async (tenant: GraphTenant, e: Element, ctx: RequestContext) => {
    const d = await definitions.find(tenant, e.value || e.display || '', ctx);
    if (!d) throw new errors.InvalidValueError(`${attribute}: no directory role "${e.value || e.display}"`);
    return d;
  };
  type Assignment = { id: string; roleDefinitionId?: string; directoryScopeId?: string };
  const permanentOf = async (tenant: GraphTenant, userId: string, ctx: RequestContext) => {
    const out: Assignment[] = [];
    for await (const page of graph.pages<Assignment>(
      tenant,
      {
        path: `${ROLES}/roleAssignments?$filter=${encodeURIComponent(`principalId eq ${quote(userId)}`)}`,
        op: 'roles.read',
        fresh: [userId],
      },
      ctx,
    ))
      out.push(...page.items);
    return out.filter((a) => (a.directoryScopeId ?? '/') === '/');
  };
  return {
    attribute,
    owns: ownership([PERMANENT, ELIGIBLE], shared, true),
    async read(tenant, userIds, ctx) {
      const filter = (id: string) => encodeURIComponent(`principalId eq ${quote(id)}`);
      // Both reads start before anything is awaited, so they share the request's $batch round.
      const [permanent, eligible] = await Promise.all([
        config.roles.permanent
          ? readPerUser<Assignment>(
              deps,
              tenant,
              'roles.read',
              userIds,
              (id) => `${ROLES}/roleAssignments?$filter=${filter(id)}`,
              ctx,
            )
          : undefined,
        config.roles.eligible
          ? readPerUser<Assignment>(
              deps,
              tenant,
              'eligibility.read',
              userIds,
              (id) => `${ROLES}/roleEligibilitySchedules?$filter=${filter(id)}`,
              ctx,
            )
          : undefined,
      ]);
      const names = new Map((await definitions.get(tenant, ctx)).map((d) => [d.id.toLowerCase(), d.displayName]));
      const out = new Map<string, Element[]>(userIds.map((id) => [id, []]));
      const add = (found: Map<string, Assignment[]> | undefined, type: string) => {
        for (const [id, list] of found ?? []) {
          for (const a of list) {
            if (!a.roleDefinitionId || (a.directoryScopeId ?? '/') !== '/') continue;
            out.get(id)?.push({ value: a.roleDefinitionId, display: names.get(a.roleDefinitionId.toLowerCase()), type });
          }
        }
      };
      add(permanent, PERMANENT);
      add(eligible, ELIGIBLE);
      return out;
    },
    async grant(tenant, userId, elements, ctx) {
      for (const e of elements) {
        const type = typeOf(e);
        const d = await resolve(tenant, e, ctx);
        if (type === PERMANENT) {
          if (!config.roles.permanent) throw new errors.MutabilityError(`${attribute}: permanent roles are not managed here`);
          if ((await permanentOf(tenant, userId, ctx)).some((a) => eqCI(a.roleDefinitionId, d.id))) continue;
          await graph.call(
            tenant,
            {
              method: 'POST',
              path: `${ROLES}/roleAssignments`,
              body: { principalId: userId, roleDefinitionId: d.id, directoryScopeId: '/' },
              op: 'roles.assign',
              fresh: [userId],
            },
            ctx,
          );
        } else {
          if (!config.roles.eligible) throw new errors.MutabilityError(`${attribute}: eligible roles are not managed here`);
          await eligibility(tenant, userId, d.id, 'adminAssign', ctx);
        }
      }
    },
    async revoke(tenant, userId, elements, ctx) {
      for (const e of elements) {
        const type = typeOf(e);
        const d = await definitions.find(tenant, e.value || e.display || '', ctx);
        if (!d) continue;
        if (type === PERMANENT && config.roles.permanent) {
          for (const a of (await permanentOf(tenant, userId, ctx)).filter((x) => eqCI(x.roleDefinitionId, d.id))) {
            try {
              await graph.callRaw(
                tenant,
                { method: 'DELETE', path: `${ROLES}/roleAssignments/${a.id}`, op: 'roles.assign' },
                ctx,
              );
            } catch (err) {
              if (!(err instanceof GraphError && err.status === 404)) throw graph.translate(err, tenant, 'roles.assign');
            }
          }
        } else if (type === ELIGIBLE && config.roles.eligible) {
          await eligibility(tenant, userId, d.id, 'adminRemove', ctx);
        }
      }
    },
  };

  async function eligibility(
    tenant: GraphTenant,
    userId: string,
    roleDefinitionId: string,
    action: 'adminAssign' | 'adminRemove',
    ctx: RequestContext,
  ) {
    const body: Record<string, unknown> = {
      action,
      principalId: userId,
      roleDefinitionId,
      directoryScopeId: '/',
      justification: config.roles.justification,
    };
    if (action === 'adminAssign') {
      body.scheduleInfo = {
        startDateTime: new Date().toISOString(),
        expiration: config.roles.eligibilityDuration
          ? { type: 'afterDuration', duration: config.roles.eligibilityDuration }
          : { type: 'noExpiration' },
      };
    }
    try {
      await graph.callRaw(
        tenant,
        { method: 'POST', path: `${ROLES}/roleEligibilityScheduleRequests`, body, op: 'eligibility.write', fresh: [userId] },
        ctx,
      );
    } catch (err) {
      // Already eligible (assign) or not eligible (remove): the wanted state holds.
      if (err instanceof GraphError && (err.code === 'RoleAssignmentExists' || err.code === 'RoleAssignmentDoesNotExist')) return;
      throw graph.translate(err, tenant, 'eligibility.write');
    }
  }
}

function accessPackageRelation(
  deps: GovernanceDeps,
  attribute: string,
  shared: boolean,
  packages: ReturnType<typeof cachedList>,
): UserRelation {
  const { graph, config } = deps;
  const type = config.accessPackages.type;
  type Assignment = { id: string; state?: string; accessPackage?: { id?: string; displayName?: string } };
  const active = (a: Assignment) => a.state === 'delivered' || a.state === 'delivering';
  const assignmentsOf = async (tenant: GraphTenant, userIds: readonly string[], ctx: RequestContext) =>
    readPerUser<Assignment>(
      deps,
      tenant,
      'accessPackages.read',
      userIds,
      (id) => `${EM}/assignments?$filter=${encodeURIComponent(`target/objectId eq ${quote(id)}`)}&$expand=accessPackage`,
      ctx,
    );
  const request = (tenant: GraphTenant, body: unknown, userId: string, ctx: RequestContext) =>
    graph.call(
      tenant,
      { method: 'POST', path: `${EM}/assignmentRequests`, body, op: 'accessPackages.assign', fresh: [userId] },
      ctx,
    );
  return {
    attribute,
    owns: ownership([type], shared, true),
    async read(tenant, userIds, ctx) {
      const out = new Map<string, Element[]>();
      for (const [id, list] of await assignmentsOf(tenant, userIds, ctx)) {
        out.set(
          id,
          list
            .filter((a) => active(a) && a.accessPackage?.id)
            .map((a) => ({ value: a.accessPackage?.id as string, display: a.accessPackage?.displayName, type })),
        );
      }
      return out;
    },
    async grant(tenant, userId, elements, ctx) {
      const current = (await assignmentsOf(tenant, [userId], ctx)).get(userId) ?? [];
      for (const e of elements) {
        const pkg = await packages.find(tenant, e.value || e.display || '', ctx);
        if (!pkg) throw new errors.InvalidValueError(`${attribute}: no access package "${e.value || e.display}"`);
        if (current.some((a) => active(a) && eqCI(a.accessPackage?.id, pkg.id))) continue;
        const policy = config.accessPackages.policies[pkg.id] ?? (await firstPolicy(tenant, pkg.id, ctx));
        await request(
          tenant,
          { requestType: 'adminAdd', assignment: { targetId: userId, assignmentPolicyId: policy, accessPackageId: pkg.id } },
          userId,
          ctx,
        );
      }
    },
    async revoke(tenant, userId, elements, ctx) {
      const current = (await assignmentsOf(tenant, [userId], ctx)).get(userId) ?? [];
      for (const e of elements) {
        const pkg = await packages.find(tenant, e.value || e.display || '', ctx);
        if (!pkg) continue;
        for (const a of current.filter((x) => x.state === 'delivered' && eqCI(x.accessPackage?.id, pkg.id))) {
          await request(tenant, { requestType: 'adminRemove', assignment: { id: a.id } }, userId, ctx);
        }
      }
    },
  };

  async function firstPolicy(tenant: GraphTenant, packageId: string, ctx: RequestContext): Promise<string> {
    if (!isObjectId(packageId)) throw new errors.InvalidValueError(`${attribute}: "${packageId}" is not an access package id`);
    const res = await graph.call<{ value?: { id?: string }[] }>(
      tenant,
      { method: 'GET', path: `${EM}/accessPackages/${packageId}/assignmentPolicies?$select=id`, op: 'accessPackages.read' },
      ctx,
    );
    const id = res.body?.value?.[0]?.id;
    if (!id) throw new errors.InvalidValueError(`${attribute}: access package "${packageId}" has no assignment policy`);
    return id;
  }
}

function licenseRelation(deps: GovernanceDeps, attribute: string, shared: boolean): UserRelation {
  const type = deps.config.licenses.type;
  type Detail = { skuId?: string; skuPartNumber?: string };
  return {
    attribute,
    owns: ownership([type], shared, false),
    async read(tenant, userIds, ctx) {
      const found = await readPerUser<Detail>(
        deps,
        tenant,
        'users.licenses',
        userIds,
        (id) => `/users/${id}/licenseDetails?$select=skuId,skuPartNumber`,
        ctx,
      );
      const out = new Map<string, Element[]>();
      for (const [id, list] of found) {
        out.set(
          id,
          list
            .filter((d) => d.skuId)
            .map((d) => ({ value: d.skuId as string, ...(d.skuPartNumber ? { display: d.skuPartNumber } : {}), type })),
        );
      }
      return out;
    },
  };
}
