/** User operations of the Loki connector. */
import { applyChanges } from '@scimgw/core/patch';
import type { Change, QueryRequest, ResourceHandler, ResourceTypeDefinition, SchemaRegistry, ScimResource } from '@scimgw/core';
import type { PathResolver } from '@scimgw/core/filter';
import { freshMeta, mustGet, storable, touchedMeta } from './meta.js';
import { runQuery } from './query.js';
import { type Doc, KeptDoc, type TenantStore } from './store/tenant-store.js';

/** A frozen user's view and the `groups` it was made with. */
interface KeptView {
  groups: readonly unknown[];
  generation: number;
  view: ScimResource;
}

/**
 * Per frozen stored user (a read, see TenantStore.read), its view. A page finds it on the read
 * cache's entry instead ({@link KeptDoc.attached}, the same object: see {@link pageUserView}).
 */
const views = new WeakMap<Doc, KeptView>();

/**
 * The user as clients see it: stored document plus the computed `groups`. For a frozen document
 * (a read) the view is frozen too and the same object while the document and the user's `groups`
 * are unchanged, so the core and the server can keep their work for it; for a write's document it
 * is a new object, and nothing is kept.
 */
export function userView(store: TenantStore, d: Doc): ScimResource {
  const read = Object.isFrozen(d);
  return keptView(store, d, read, read ? views.get(d) : undefined);
}

/**
 * {@link userView} of a page's element: a read cache entry carries the user's view with it, so a
 * page of kept users looks nothing up per user but the stored text (one lookup, not two).
 */
export function pageUserView(store: TenantStore, e: KeptDoc | Doc): ScimResource {
  if (!(e instanceof KeptDoc)) return userView(store, e);
  const kept = e.attached as KeptView | undefined;
  if (kept !== undefined && kept.generation === store.groupsGeneration) return kept.view;
  // The same entry as reads by id use (they reach it through `views`).
  return keptView(store, e.doc, true, kept ?? views.get(e.doc), e);
}

function keptView(store: TenantStore, d: Doc, read: boolean, kept: KeptView | undefined, entry?: KeptDoc): ScimResource {
  // No membership or group name changed since the view was made: nothing to look up.
  const generation = store.groupsGeneration;
  if (entry !== undefined && kept !== undefined) entry.attached = kept;
  if (kept !== undefined && kept.generation === generation) return kept.view;
  const groups = store.userGroups(d.id, read);
  if (kept !== undefined && kept.groups === groups) {
    kept.generation = generation;
    return kept.view;
  }
  // A shallow copy without LokiJS's $loki: the core never mutates what a connector returns, and
  // applyChanges copies what it changes. A document that is not frozen is a write's, or a read's
  // decoded for it alone: nothing else holds it (the journal has serialized a write's already), so
  // it is completed in place rather than copied.
  let out: ScimResource;
  if (!Object.hasOwn(d, '$loki') && (!read || groups.length === 0)) {
    out = d;
    if (!read && groups.length) out.groups = groups;
  } else {
    const { $loki: _l, ...rest } = d as Doc & { $loki?: number };
    if (groups.length) (rest as ScimResource).groups = groups;
    out = rest;
  }
  if (read) {
    const made: KeptView = { groups, generation, view: Object.freeze(out) };
    views.set(d, made);
    if (entry !== undefined) entry.attached = made;
  }
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
      return runQuery(
        store,
        'users',
        req,
        (d) => userView(store, d),
        resolve,
        (e) => pageUserView(store, e),
      );
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
