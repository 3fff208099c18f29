/**
 * Multi-valued user attributes that are relationships in Graph rather than properties: `groups`
 * (memberOf), directory roles, access packages and licenses. Each relation reads its elements for
 * a page of users (in `$batch`es) and, when writable, grants and revokes single elements, so a
 * change never rewrites the others.
 */
import { errors, type RequestContext, type ScimResource } from '@scimgw/core';
import { type BatchDeps, type BatchRequest, type BatchResult, runBatch } from '../graph/batch.js';
import type { GraphClient, GraphTenant } from '../graph/client.js';
import type { GraphOperation } from '../graph/permissions.js';

/** One element of `groups`, `roles` or `entitlements`. */
export interface Element {
  value: string;
  display?: string | undefined;
  type?: string | undefined;
  primary?: boolean | undefined;
}

/** A relation carried by a SCIM attribute of the user. */
export interface UserRelation {
  /** SCIM attribute (`groups`, `roles`, `entitlements`). */
  readonly attribute: string;
  /** True for the elements of this relation (attributes can be shared, told apart by `type`). */
  owns(element: Element): boolean;
  /** Reads the elements of each user id. */
  read(tenant: GraphTenant, userIds: readonly string[], ctx: RequestContext): Promise<Map<string, Element[]>>;
  /** Grants elements; absent for read-only relations. */
  grant?(tenant: GraphTenant, userId: string, elements: readonly Element[], ctx: RequestContext): Promise<void>;
  /** Revokes elements. */
  revoke?(tenant: GraphTenant, userId: string, elements: readonly Element[], ctx: RequestContext): Promise<void>;
}

/** Reads SCIM elements from an attribute value (objects with `value`, or bare strings). */
export function elementsOf(value: unknown): Element[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const out: Element[] = [];
  for (const v of list) {
    if (typeof v === 'string') out.push({ value: v });
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const get = (k: string) => {
        const key = Object.keys(o).find((x) => x.toLowerCase() === k);
        return key === undefined ? undefined : o[key];
      };
      const value = get('value');
      const display = get('display');
      const type = get('type');
      if (typeof value === 'string' || typeof display === 'string') {
        out.push({
          value: typeof value === 'string' ? value : '',
          ...(typeof display === 'string' ? { display } : {}),
          ...(typeof type === 'string' ? { type } : {}),
        });
      }
    }
  }
  return out;
}

/** Adds `elements` to `resource[attribute]` (relations sharing an attribute each add theirs). */
export function attach(resource: ScimResource, attribute: string, elements: readonly Element[]): void {
  const current = Array.isArray(resource[attribute]) ? (resource[attribute] as unknown[]) : [];
  const clean = elements.map((e) => ({
    value: e.value,
    ...(e.display !== undefined ? { display: e.display } : {}),
    ...(e.type !== undefined ? { type: e.type } : {}),
  }));
  resource[attribute] = [...current, ...clean];
}

/** What the relations need. */
export interface RelationDeps {
  graph: GraphClient;
  batch: BatchDeps;
}

interface Queued {
  request: BatchRequest;
  resolve(result: BatchResult): void;
  reject(error: unknown): void;
}

/** Reads queued per request (its context) and tenant, sent together in one `$batch` round. */
const queues = new WeakMap<RequestContext, Map<string, Queued[]>>();

/**
 * Queues one GET; every GET queued for the same request and tenant before the next turn of the
 * event loop goes out in the same `$batch` (20 per call): the relations of a user (groups, roles,
 * access packages, licenses) cost one Graph call together.
 */
function enqueue(deps: RelationDeps, tenant: GraphTenant, request: BatchRequest, ctx: RequestContext): Promise<BatchResult> {
  let byTenant = queues.get(ctx);
  if (!byTenant) {
    byTenant = new Map();
    queues.set(ctx, byTenant);
  }
  let queue = byTenant.get(tenant.key);
  if (!queue) {
    const fresh: Queued[] = [];
    queue = fresh;
    byTenant.set(tenant.key, fresh);
    setImmediate(() => {
      byTenant?.delete(tenant.key);
      runBatch(
        deps.batch,
        tenant,
        'users.read',
        fresh.map((q) => q.request),
        ctx,
      ).then(
        (results) => {
          for (const [i, q] of fresh.entries()) q.resolve(results[i] as BatchResult);
        },
        (e: unknown) => {
          for (const q of fresh) q.reject(e);
        },
      );
    });
  }
  const list = queue;
  return new Promise((resolve, reject) => list.push({ request, resolve, reject }));
}

/**
 * Reads one collection per user, through the request's shared `$batch` rounds, following
 * `@odata.nextLink` of users with more than one page.
 */
export async function readPerUser<T = Record<string, unknown>>(
  deps: RelationDeps,
  tenant: GraphTenant,
  op: GraphOperation,
  userIds: readonly string[],
  url: (userId: string) => string,
  ctx: RequestContext,
): Promise<Map<string, T[]>> {
  const out = new Map<string, T[]>();
  if (userIds.length === 0) return out;
  const results = await Promise.all(
    userIds.map((id) => enqueue(deps, tenant, { method: 'GET', url: url(id), fresh: [id] }, ctx)),
  );
  for (let i = 0; i < userIds.length; i++) {
    const id = userIds[i] as string;
    const r = results[i];
    if (!r) continue;
    if (!r.ok) {
      if (r.error.status === 404) {
        out.set(id, []);
        continue;
      }
      throw deps.graph.translate(r.error, tenant, op);
    }
    const body = (r.body ?? {}) as { value?: T[]; '@odata.nextLink'?: string };
    const items = [...(body.value ?? [])];
    if (typeof body['@odata.nextLink'] === 'string') {
      for await (const page of deps.graph.pages<T>(tenant, { path: body['@odata.nextLink'], op }, ctx)) items.push(...page.items);
    }
    out.set(id, items);
  }
  return out;
}

/** `groups` of a user: the groups it is a member of (direct, or also nested with `transitive`). Read-only. */
export function groupsRelation(deps: RelationDeps, transitive: boolean): UserRelation {
  type Member = { id?: string; displayName?: string; '@odata.type'?: string };
  const isGroup = (m: Member) => m['@odata.type'] === '#microsoft.graph.group' && typeof m.id === 'string';
  return {
    attribute: 'groups',
    owns: () => true,
    async read(tenant, userIds, ctx) {
      const [direct, all] = await Promise.all([
        readPerUser<Member>(
          deps,
          tenant,
          'users.memberOf',
          userIds,
          (id) => `/users/${id}/memberOf?$select=id,displayName&$top=999`,
          ctx,
        ),
        transitive
          ? readPerUser<Member>(
              deps,
              tenant,
              'users.memberOf',
              userIds,
              (id) => `/users/${id}/transitiveMemberOf?$select=id,displayName&$top=999`,
              ctx,
            )
          : undefined,
      ]);
      const out = new Map<string, Element[]>();
      for (const id of userIds) {
        const directIds = new Set((direct.get(id) ?? []).filter(isGroup).map((m) => m.id as string));
        const list = (all ?? direct).get(id) ?? [];
        out.set(
          id,
          list.filter(isGroup).map((m) => ({
            value: m.id as string,
            ...(m.displayName ? { display: m.displayName } : {}),
            ...(transitive ? { type: directIds.has(m.id as string) ? 'direct' : 'indirect' } : {}),
          })),
        );
      }
      return out;
    },
  };
}

/** Splits add/remove elements among relations sharing an attribute; an element no relation owns is refused. */
export function byRelation(
  relations: readonly UserRelation[],
  attribute: string,
  elements: readonly Element[],
): Map<UserRelation, Element[]> {
  const out = new Map<UserRelation, Element[]>();
  for (const e of elements) {
    const r = relations.find((x) => x.attribute === attribute && x.owns(e));
    if (!r) throw new errors.InvalidValueError(`${attribute}: no ${attribute} of type "${e.type ?? ''}" can be managed here`);
    const list = out.get(r) ?? [];
    list.push(e);
    out.set(r, list);
  }
  return out;
}
