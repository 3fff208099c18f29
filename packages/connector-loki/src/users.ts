/** User operations of the Loki connector. */
import { applyChanges } from '@scimgw/core/patch';
import type { Change, QueryRequest, ResourceHandler, ResourceTypeDefinition, SchemaRegistry, ScimResource } from '@scimgw/core';
import type { PathResolver } from '@scimgw/core/filter';
import { freshMeta, mustGet, storable, touchedMeta } from './meta.js';
import { runQuery } from './query.js';
import type { Doc, TenantStore } from './store/tenant-store.js';

/** The user as clients see it: stored document plus the computed `groups`. */
export function userView(store: TenantStore, d: Doc): ScimResource {
  // A shallow copy without LokiJS's $loki: the core never mutates what a connector returns, and
  // applyChanges copies what it changes.
  const { $loki: _l, ...out } = d as Doc & { $loki?: number };
  const gids = store.membership.groupsOf(d.id);
  if (gids.size) {
    out.groups = [...gids].map((gid) => ({
      value: gid,
      display: store.get('groups', gid)?.displayName,
      type: 'direct',
    }));
  }
  return out as ScimResource;
}

/** Builds the User operations for a store resolver. */
export function userOperations(
  storeFor: (tenant: string | undefined) => Promise<TenantStore>,
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  newId: (resource: ScimResource) => string,
): ResourceHandler {
  const resolve: PathResolver = registry.resolver(rt);
  return {
    async query(req: QueryRequest, ctx) {
      const store = await storeFor(ctx.tenant);
      return runQuery(store, 'users', req, (d) => userView(store, d), resolve);
    },
    async get(id, ctx) {
      const store = await storeFor(ctx.tenant);
      const d = store.get('users', id);
      return d ? userView(store, d) : undefined;
    },
    async create(resource, ctx) {
      const store = await storeFor(ctx.tenant);
      store.assertUserNameFree(resource.userName);
      const id = newId(resource);
      store.assertIdFree('users', id);
      const doc = storable(resource, id, freshMeta(), 'groups');
      await store.commit(() => {
        store.putLocal('users', doc);
        return [{ k: 'put', c: 'users', doc }];
      });
      return userView(store, doc);
    },
    async modify(id, changes: Change[], ctx) {
      const store = await storeFor(ctx.tenant);
      const cur = mustGet(store, 'users', id, 'User', ctx);
      // applyChanges copies what it changes and never touches `cur`; LokiJS's `$loki`, copied along,
      // is dropped by `storable`.
      const { resource, changed } = applyChanges(cur, changes, { registry, resourceType: rt });
      if (!changed) return userView(store, cur);
      // An unchanged userName is this user's already (a lookup decodes every user filed under it).
      if (resource.userName !== cur.userName) store.assertUserNameFree(resource.userName, id);
      const doc = storable(resource, id, touchedMeta(cur), 'groups');
      await store.commit(() => {
        store.putLocal('users', doc);
        return [{ k: 'put', c: 'users', doc }];
      });
      return userView(store, doc);
    },
    async replace(id, resource, ctx) {
      const store = await storeFor(ctx.tenant);
      const cur = mustGet(store, 'users', id, 'User', ctx);
      store.assertUserNameFree(resource.userName, id);
      const doc = storable(resource, id, touchedMeta(cur), 'groups');
      await store.commit(() => {
        store.putLocal('users', doc);
        return [{ k: 'put', c: 'users', doc }];
      });
      return userView(store, doc);
    },
    async delete(id, ctx) {
      const store = await storeFor(ctx.tenant);
      mustGet(store, 'users', id, 'User', ctx);
      await store.commit(() => {
        const groups = [...store.membership.groupsOf(id)];
        for (const g of groups) store.membership.remove(g, [id]);
        store.deleteLocal('users', id);
        return [...groups.map((g) => ({ k: 'mdel' as const, g, v: [id] })), { k: 'del', c: 'users', id }];
      });
    },
  };
}
