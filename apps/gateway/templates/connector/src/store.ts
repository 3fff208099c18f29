/** An in-memory stand-in for a backend: what each operation of the contract has to do. */
import {
  type Change,
  errors,
  type QueryRequest,
  type ResourceHandler,
  type SchemaRegistry,
  type ScimResource,
} from '@scimgw/core';
import type { FilterNode } from '@scimgw/core/filter';
import { applyChanges } from '@scimgw/core/patch';

/** `attr eq value` and `members.value eq value`: all this connector declared it evaluates. */
function matches(filter: FilterNode | undefined, r: ScimResource): boolean {
  if (!filter) return true;
  if (filter.type !== 'compare' || filter.op !== 'eq') throw new Error('the core sent a filter this connector did not declare');
  const top = r[filter.path.attr];
  if (Array.isArray(top)) return top.some((m) => (m as Record<string, unknown>)[filter.path.sub ?? 'value'] === filter.value);
  if (typeof top === 'string' && typeof filter.value === 'string') return top.toLowerCase() === filter.value.toLowerCase();
  return top === filter.value;
}

function collection(
  registry: SchemaRegistry,
  type: 'User' | 'Group',
  unique: string,
  rows: Map<string, ScimResource>,
  deleted: (id: string) => void,
): ResourceHandler {
  const rt = registry.resourceType(type);
  if (!rt) throw new Error(`the registry serves no ${type}`);
  const taken = (r: ScimResource, self?: string) =>
    [...rows.values()].some((o) => o.id !== self && String(o[unique]).toLowerCase() === String(r[unique]).toLowerCase());
  const copy = (r: ScimResource) => structuredClone(r);
  return {
    async query(q: QueryRequest) {
      return { resources: [...rows.values()].filter((r) => matches(q.filter, r)).map(copy) };
    },
    async get(id) {
      const r = rows.get(id);
      return r ? copy(r) : undefined;
    },
    async create(resource) {
      if (taken(resource)) throw new errors.UniquenessError(`${unique} "${String(resource[unique])}" already exists`);
      const r = { ...resource, id: crypto.randomUUID() };
      rows.set(r.id, r);
      return copy(r);
    },
    async modify(id, changes: Change[]) {
      const cur = rows.get(id);
      if (!cur) throw new errors.NotFoundError(`${type} "${id}" not found`);
      const next = applyChanges(cur, changes, { registry, resourceType: rt }).resource;
      if (taken(next, id)) throw new errors.UniquenessError(`${unique} "${String(next[unique])}" already exists`);
      rows.set(id, next);
      return copy(next);
    },
    async replace(id, resource) {
      if (!rows.has(id)) throw new errors.NotFoundError(`${type} "${id}" not found`);
      if (taken(resource, id)) throw new errors.UniquenessError(`${unique} "${String(resource[unique])}" already exists`);
      const r = { ...resource, id };
      rows.set(id, r);
      return copy(r);
    },
    async delete(id) {
      if (!rows.delete(id)) throw new errors.NotFoundError(`${type} "${id}" not found`);
      deleted(id);
    },
  };
}

/** Users and groups, optionally seeded with two example users. */
export function createStore(registry: SchemaRegistry, exampleData: boolean) {
  const groupRows = new Map<string, ScimResource>();
  // A deleted user or group leaves every group it was in: no answer may name it again
  // (RFC 7644 §3.6). Your backend may do this itself (a foreign key, referential integrity).
  const leaveGroups = (id: string) => {
    for (const g of groupRows.values()) {
      if (Array.isArray(g.members)) g.members = g.members.filter((m) => (m as { value?: unknown }).value !== id);
    }
  };
  const users = collection(registry, 'User', 'userName', new Map(), leaveGroups);
  const groups = collection(registry, 'Group', 'displayName', groupRows, leaveGroups);
  if (exampleData) {
    for (const userName of ['ada', 'grace']) void users.create?.({ userName, active: true }, {});
  }
  return { users, groups };
}
