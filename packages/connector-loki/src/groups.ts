/**
 * Group operations of the Loki connector. Membership changes go to the
 * membership index and the journal one member at a time, so a PATCH adding
 * one member to a 50,000-member group neither reads nor writes the others.
 */
import { applyChanges } from '@scimgw/core/patch';
import type { Change, QueryRequest, ResourceHandler, ResourceTypeDefinition, SchemaRegistry, ScimResource } from '@scimgw/core';
import { type FilterNode, matchesFilter, type PathResolver } from '@scimgw/core/filter';
import { freshMeta, mustGet, storable, touchedMeta } from './meta.js';
import { runQuery } from './query.js';
import type { JournalRecord } from './store/journal.js';
import type { Doc, TenantStore } from './store/tenant-store.js';

/** Member elements as stored: `value` plus optional `display`/`type`. */
function memberList(v: unknown): Record<string, unknown>[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: Record<string, unknown>[] = [];
  for (const m of list) {
    if (typeof m !== 'object' || m === null) continue;
    const { value, display, type } = m as Record<string, unknown>;
    if (typeof value !== 'string' || value === '') continue;
    out.push({ value, ...(display !== undefined ? { display } : {}), ...(type !== undefined ? { type } : {}) });
  }
  return out;
}

/** The value of a `value eq "<string>"` member filter, or undefined for any other filter. */
function exactMemberValue(where: FilterNode): string | undefined {
  if (where.type !== 'compare' || where.op !== 'eq' || typeof where.value !== 'string') return undefined;
  return where.path.attr.toLowerCase() === 'value' && where.path.sub === undefined && where.path.uri === undefined
    ? where.value
    : undefined;
}

/** The group as clients see it; members are left out when the client excluded them. */
export function groupView(store: TenantStore, d: Doc, withMembers = true): ScimResource {
  const { $loki: _l, ...doc } = d as Doc & { $loki?: number };
  // Shallow copy: the core never mutates what a connector returns, and applyChanges clones.
  const out: ScimResource = { ...doc };
  if (withMembers && store.membership.count(d.id)) out.members = store.membership.members(d.id);
  return out;
}

const excludesMembers = (req: { excludedAttributes?: string[] | undefined; attributes?: string[] | undefined }) =>
  (req.excludedAttributes ?? []).some((a) => a.toLowerCase() === 'members') ||
  (req.attributes !== undefined && !req.attributes.some((a) => a.toLowerCase().startsWith('members')));

/** Builds the Group operations for a store resolver. */
export function groupOperations(
  storeFor: (tenant: string | undefined) => Promise<TenantStore>,
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  newId: (resource: ScimResource) => string,
): ResourceHandler {
  const resolve: PathResolver = registry.resolver(rt);

  /** Applies membership changes in place; returns journal records of what changed. */
  function applyMemberChange(store: TenantStore, id: string, ch: Change): JournalRecord[] {
    const p = ch.path;
    if (ch.op === 'add' && !p.where && !p.sub) {
      const added = store.membership.add(id, memberList(ch.value));
      return added.length ? [{ k: 'madd', g: id, m: added }] : [];
    }
    if (ch.op === 'remove' && ch.value !== undefined && !p.where && !p.sub) {
      const values = memberList(ch.value).map((m) => m.value as string);
      const removed = store.membership.remove(id, values);
      return removed.length ? [{ k: 'mdel', g: id, v: removed }] : [];
    }
    if (ch.op === 'remove' && p.where && !p.sub) {
      // `members[value eq "<id>"]`, how Entra ID removes a member: one lookup, not a scan of the group.
      // (`value` compares case-exactly, as when the filter is matched against each member.)
      const one = exactMemberValue(p.where);
      if (one !== undefined) {
        const removed = store.membership.remove(id, [one]);
        return removed.length ? [{ k: 'mdel', g: id, v: removed }] : [];
      }
      // Other filters are matched against each member.
      const hit = store.membership
        .list(id)
        .filter((m) => matchesFilter(p.where as NonNullable<typeof p.where>, m))
        .map((m) => m.value as string);
      const removed = store.membership.remove(id, hit);
      return removed.length ? [{ k: 'mdel', g: id, v: removed }] : [];
    }
    if (ch.op === 'remove' && !p.where && !p.sub) {
      store.membership.drop(id);
      return [{ k: 'mset', g: id, m: [] }];
    }
    if (ch.op === 'replace' && !p.where && !p.sub) {
      const list = memberList(ch.value);
      store.membership.set(id, list);
      return [{ k: 'mset', g: id, m: list }];
    }
    // Rare forms (sub-attribute or filtered replace): apply on the materialized list.
    // On copies: the stored members are frozen (see Membership.members).
    const { resource } = applyChanges({ members: store.membership.list(id).map((m) => ({ ...m })) }, [ch], {
      registry,
      resourceType: rt,
    });
    const list = memberList(resource.members);
    store.membership.set(id, list);
    return [{ k: 'mset', g: id, m: list }];
  }

  return {
    async query(req: QueryRequest, ctx) {
      const store = await storeFor(ctx.tenant);
      const withMembers = !excludesMembers(req);
      return runQuery(store, 'groups', req, (d, forFilter) => groupView(store, d, forFilter || withMembers), resolve);
    },
    async get(id, ctx, opts) {
      const store = await storeFor(ctx.tenant);
      const d = store.read('groups', id);
      return d ? groupView(store, d, !excludesMembers(opts)) : undefined;
    },
    async create(resource, ctx) {
      const store = await storeFor(ctx.tenant);
      const id = newId(resource);
      store.assertIdFree('groups', id);
      const doc = storable(resource, id, freshMeta(), 'members');
      await store.commit(() => {
        store.putLocal('groups', doc);
        const members = memberList(resource.members);
        store.membership.set(id, members);
        return [
          { k: 'put', c: 'groups', doc },
          { k: 'mset', g: id, m: members },
        ];
      });
      return groupView(store, doc);
    },
    async modify(id, changes, ctx) {
      const store = await storeFor(ctx.tenant);
      const cur = mustGet(store, 'groups', id, 'Group', ctx);
      // A later change of the same request may be refused: commit undoes the member changes before it.
      await store.commit(() => {
        const records: JournalRecord[] = [];
        const other: Change[] = [];
        for (const ch of changes) {
          if (ch.path.attr === 'members' && !ch.path.extension) records.push(...applyMemberChange(store, id, ch));
          else other.push(ch);
        }
        // applyChanges copies what it changes and never touches `cur`; `storable` drops `$loki`.
        const { resource, changed } = other.length
          ? applyChanges(cur, other, { registry, resourceType: rt })
          : { resource: cur, changed: false };
        if (changed || records.length) {
          const doc = storable(resource, id, touchedMeta(cur), 'members');
          store.putLocal('groups', doc, cur);
          records.push({ k: 'put', c: 'groups', doc });
        }
        return records;
      });
      return undefined;
    },
    async replace(id, resource, ctx) {
      const store = await storeFor(ctx.tenant);
      const cur = mustGet(store, 'groups', id, 'Group', ctx);
      const doc = storable(resource, id, touchedMeta(cur), 'members');
      await store.commit(() => {
        store.putLocal('groups', doc, cur);
        const members = memberList(resource.members);
        store.membership.set(id, members);
        return [
          { k: 'put', c: 'groups', doc },
          { k: 'mset', g: id, m: members },
        ];
      });
      return groupView(store, doc);
    },
    async delete(id, ctx) {
      const store = await storeFor(ctx.tenant);
      mustGet(store, 'groups', id, 'Group', ctx);
      await store.commit(() => {
        store.deleteLocal('groups', id);
        return [{ k: 'del', c: 'groups', id }];
      });
    },
  };
}
