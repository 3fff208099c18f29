/** User operations of the Loki connector. */
import { applyChanges } from '@scimgw/core/patch';
import type { Change, QueryRequest, ResourceHandler, ResourceTypeDefinition, SchemaRegistry, ScimResource } from '@scimgw/core';
import type { PathResolver } from '@scimgw/core/filter';
import { freshMeta, mustGet, storable, touchedMeta } from './meta.js';
import { runQuery } from './query.js';
import type { Doc, TenantStore } from './store/tenant-store.js';

/** Per frozen stored user (a read, see TenantStore.read), its view and the `groups` it was made with. */
const views = new WeakMap<Doc, { groups: readonly unknown[]; generation: number; view: ScimResource }>();

/**
 * The user as clients see it: stored document plus the computed `groups`. For a frozen document
 * (a read) the view is frozen too and the same object while the document and the user's `groups`
 * are unchanged, so the core and the server can keep their work for it; for a write's document it
 * is a new object, and nothing is kept.
 */
export function userView(store: TenantStore, d: Doc): ScimResource {
  const read = Object.isFrozen(d);
  const kept = read ? views.get(d) : undefined;
  // No membership or group name changed since the view was made: nothing to look up.
  const generation = store.groupsGeneration;
  if (kept !== undefined && kept.generation === generation) return kept.view;
  const groups = store.userGroups(d.id, read);
  if (kept !== undefined && kept.groups === groups) {
    kept.generation = generation;
    return kept.view;
  }
  // A shallow copy without LokiJS's $loki: the core never mutates what a connector returns, and
  // applyChanges copies what it changes.
  let out: ScimResource;
  if (read && groups.length === 0 && !Object.hasOwn(d, '$loki')) out = d;
  else {
    const { $loki: _l, ...rest } = d as Doc & { $loki?: number };
    if (groups.length) (rest as ScimResource).groups = groups;
    out = rest;
  }
  if (read) views.set(d, { groups, generation, view: Object.freeze(out) });
  return out;
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
      const d = store.read('users', id);
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
