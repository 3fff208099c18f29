/**
 * The operations of one resource type (`query`, `get`, `create`, `modify`, `replace`, `delete`) on
 * the tenant of each request.
 */
import { errors, type ReadOnlyResourceHandler, type RequestContext, type ResourceHandler, type ScimResource } from '@scimgw/core';
import type { Collection, Document } from 'mongodb';
import { fromStored, type StoredDoc, toStored } from './documents.js';
import { type Env, guarded, versionKey } from './env.js';
import { serverCodeOf } from './errors.js';
import { type Kind, viewsOf } from './kind.js';
import { modifyResource } from './modify.js';
import { planProjection } from './projection.js';
import { runQuery } from './query.js';
import type { Tenant } from './tenancy.js';
import { newVersion } from './versions.js';

function collectionOf(kind: Kind, tenant: Tenant): Collection<Document> {
  return tenant[kind.role];
}

/** The attribute a duplicate-key error is about, for a 409 detail that names it. */
function uniquenessDetail(kind: Kind, resource?: ScimResource): (e: unknown) => string | undefined {
  const quoted = (v: unknown) => (typeof v === 'string' ? ` "${v}"` : '');
  return (e) => {
    if (serverCodeOf(e) !== 11000) return undefined;
    const keyPattern = (e as { keyPattern?: Record<string, unknown> }).keyPattern ?? {};
    if ('userName' in keyPattern) return `userName${quoted(resource?.userName)} is already in use`;
    if ('displayName' in keyPattern)
      return `displayName${quoted(resource?.displayName)} is already used by another ${kind.label.toLowerCase()}`;
    return `${kind.label} already exists`;
  };
}

/** A group's members as the embedded store keeps them: objects with a non-empty string `value`, once each (later fields win). */
function withUniqueMembers(resource: ScimResource): ScimResource {
  if (!Array.isArray(resource.members)) return resource;
  const byValue = new Map<string, Record<string, unknown>>();
  for (const m of resource.members) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
    const v = (m as Record<string, unknown>).value;
    if (typeof v !== 'string' || v === '') continue;
    byValue.set(v, { ...byValue.get(v), ...(m as Record<string, unknown>) });
  }
  return { ...resource, members: [...byValue.values()] };
}

/** `query` and `get`, shared by every resource type. */
export function readOperations(env: Env, kind: Kind): Required<Pick<ResourceHandler, 'query' | 'get'>> {
  return {
    query(req, ctx) {
      return guarded(env, ctx, `list ${kind.label}s`, async (open) => {
        const tenant = await open();
        return runQuery(kind, tenant, collectionOf(kind, tenant), req);
      });
    },
    get(id, ctx, options) {
      return guarded(env, ctx, `read ${kind.label} "${id}"`, async (open) => {
        const tenant = await open();
        const proj = planProjection(kind.registry, kind.rt, options ?? {}, kind.computed);
        const doc = await collectionOf(kind, tenant).findOne(
          { ...tenant.scope(false), id },
          { ...(proj.projection ? { projection: proj.projection } : {}), maxTimeMS: kind.config.connection.timeouts.operationMS },
        );
        if (!doc) return undefined;
        env.versions.note(ctx, versionKey(kind, id), (doc.meta as Document | undefined)?.version);
        const [view] = await viewsOf(kind, tenant, [doc], proj.computed);
        return view;
      });
    },
  };
}

/** Reads the stored `meta` of a resource (for replace), or throws 404. */
async function currentMeta(kind: Kind, tenant: Tenant, id: string): Promise<Document> {
  const cur = await collectionOf(kind, tenant).findOne(
    { ...tenant.scope(false), id },
    { projection: { _id: 0, meta: 1 }, maxTimeMS: kind.config.connection.timeouts.operationMS },
  );
  if (!cur) throw new errors.NotFoundError(`${kind.label} "${id}" not found`);
  return (cur.meta as Document | undefined) ?? {};
}

function createdOf(meta: Document, fallback: string): string {
  const c = meta.created;
  if (typeof c === 'string') return c;
  if (typeof c === 'number' && Number.isFinite(c)) return new Date(c).toISOString();
  return fallback;
}

/** Writes of a writable resource type (users, groups). */
export function writeOperations(
  env: Env,
  kind: Kind,
): Required<Pick<ResourceHandler, 'create' | 'modify' | 'replace' | 'delete'>> {
  const store = (
    resource: ScimResource,
    id: string,
    tenant: Tenant,
    meta: { created: string; lastModified: string; version: string },
  ): StoredDoc => toStored(kind.rt.id === 'Group' ? withUniqueMembers(resource) : resource, id, meta, kind.store, tenant.field);

  return {
    create(resource, ctx) {
      return guarded(
        env,
        ctx,
        `create ${kind.label.toLowerCase()}`,
        async (open) => {
          const tenant = await open();
          const now = new Date().toISOString();
          const id = env.newId();
          const doc = store(resource, id, tenant, { created: now, lastModified: now, version: newVersion() });
          await collectionOf(kind, tenant).insertOne(doc, { maxTimeMS: kind.config.connection.timeouts.operationMS });
          return fromStored(doc, tenant.field?.name);
        },
        uniquenessDetail(kind, resource),
      );
    },

    modify(id, changes, ctx) {
      return guarded(
        env,
        ctx,
        `modify ${kind.label} "${id}"`,
        async (open) => {
          const tenant = await open();
          return modifyResource(env, kind, tenant, collectionOf(kind, tenant), id, changes, ctx);
        },
        uniquenessDetail(kind),
      );
    },

    replace(id, resource, ctx) {
      return guarded(
        env,
        ctx,
        `replace ${kind.label} "${id}"`,
        async (open) => {
          const tenant = await open();
          const coll = collectionOf(kind, tenant);
          const vkey = versionKey(kind, id);
          const observed = env.versions.of(ctx, vkey);
          for (let attempt = 0; attempt < 16; attempt++) {
            const meta = await currentMeta(kind, tenant, id);
            if (observed !== undefined && meta.version !== observed) throw new errors.PreconditionFailedError();
            const now = new Date().toISOString();
            const version = newVersion();
            const doc = store(resource, id, tenant, { created: createdOf(meta, now), lastModified: now, version });
            const res = await coll.replaceOne({ ...tenant.scope(false), id, 'meta.version': meta.version ?? null }, doc, {
              maxTimeMS: kind.config.connection.timeouts.operationMS,
            });
            if (res.matchedCount === 1) {
              env.versions.replace(ctx, vkey, version);
              const [view] = await viewsOf(kind, tenant, [doc], true);
              return view as ScimResource;
            }
            // Another write came between: with If-Match that is a lost race, otherwise try again.
            if (observed !== undefined) {
              await currentMeta(kind, tenant, id);
              throw new errors.PreconditionFailedError();
            }
          }
          throw new errors.ServiceUnavailableError(
            `${kind.label} "${id}" changed too often while being replaced; try again`,
            env.retryAfter,
          );
        },
        uniquenessDetail(kind, resource),
      );
    },

    delete(id, ctx) {
      return guarded(env, ctx, `delete ${kind.label} "${id}"`, async (open) => {
        const tenant = await open();
        const coll = collectionOf(kind, tenant);
        const observed = env.versions.of(ctx, versionKey(kind, id));
        const filter: Document = { ...tenant.scope(false), id };
        if (observed !== undefined) filter['meta.version'] = observed;
        const maxTimeMS = kind.config.connection.timeouts.operationMS;
        const res = await coll.deleteOne(filter, { maxTimeMS });
        if (res.deletedCount !== 1) {
          const exists = await coll.countDocuments({ ...tenant.scope(false), id }, { limit: 1, maxTimeMS });
          if (exists) throw new errors.PreconditionFailedError();
          throw new errors.NotFoundError(`${kind.label} "${id}" not found`);
        }
        env.versions.replace(ctx, versionKey(kind, id), undefined);
        if (kind.computed === 'groups') await removeFromGroups(env, tenant, id, ctx, maxTimeMS);
      });
    },
  };
}

/** After a user is deleted: out of every group (one update per group that had it). */
async function removeFromGroups(env: Env, tenant: Tenant, userId: string, ctx: RequestContext, maxTimeMS: number): Promise<void> {
  try {
    await tenant.groups.updateMany(
      { ...tenant.scope(false), 'members.value': userId },
      {
        $pull: { members: { value: userId } } as Document,
        $set: { 'meta.lastModified': new Date().toISOString(), 'meta.version': newVersion() },
      },
      { maxTimeMS },
    );
  } catch (e) {
    // The user is gone; its id left in a group is a dangling reference, not worth failing the delete.
    (ctx.log ?? env.log).warn('mongodb: deleted user could not be removed from its groups', {
      user: userId,
      error: e instanceof Error ? e.message : String(e),
    });
  }
}

/** A read-only resource type (roles, entitlements). */
export function readOnlyHandler(env: Env, kind: Kind, capabilities: ResourceHandler['capabilities']): ReadOnlyResourceHandler {
  return { capabilities, ...readOperations(env, kind) };
}
