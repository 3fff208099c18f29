/**
 * Create, replace, modify and delete, each inside one transaction. Every write starts with one
 * UPDATE of the resource's own row (new version, new `lastModified`, `WHERE version = ?` when the
 * client sent `If-Match`): it proves the row exists, locks it against concurrent writers, and
 * makes the version check atomic. PATCH then touches only the columns and rows it changes, and
 * moves the version only when one of them did change: a member added again, or removed when it
 * was not there, leaves the version (and so the ETag) as it was.
 */
import { type Change, errors, type ScimResource } from '@scimgw/core';
import type { EndpointChanges } from '@scimgw/mapper';
import { type ApplyContext, applyChanges } from '@scimgw/core/patch';
import type { Session } from '../database.js';
import {
  type ChildStorage,
  type JsonStorage,
  type KeyStorage,
  type MemberOfStorage,
  type ResourceCatalog,
  type ValueType,
  valueColumnOf,
  numericColumn,
} from '../layout/catalog.js';
import { loadLists, resourceOf, selectById } from '../read.js';
import { ident, join, type Sql, sql } from '../sql.js';
import { toColumn } from '../values.js';

/** Versions an `If-Match` accepts (`undefined`: no condition); see `versionGuard`. */
type Guard = readonly number[] | undefined;
import {
  addElements,
  changedJson,
  clearElements,
  deleteElements,
  fitsColumn,
  insertElements,
  member,
  storable,
} from './elements.js';
import { addMemberships, membershipsOf, removeMemberships } from './memberships.js';

/** What writes need besides the session. */
export interface WriteEnv {
  catalog: ResourceCatalog;
  /** Every resource type's catalog (memberships span users and groups). */
  catalogs: ReadonlyMap<string, ResourceCatalog>;
  newId(): string;
  now(): Date;
  /** The registry and resource type `applyChanges` needs (PATCHes that read the resource first). */
  apply(): ApplyContext;
}

/** A resource and the raw value of its version column, as read. */
export interface Loaded {
  resource: ScimResource;
  version: unknown;
}

/** Reads one resource by id (`undefined` when absent). */
export async function loadById(
  session: Session,
  catalog: ResourceCatalog,
  id: unknown,
  wanted: ReadonlySet<string> | undefined,
): Promise<Loaded | undefined> {
  const res = await session.query(selectById(catalog, id, wanted));
  const row = res.rows[0];
  if (!row) return undefined;
  const lists = await loadLists(session, catalog, [row], wanted);
  const resource = resourceOf(catalog, row, lists.get(String(row[catalog.key])), (v) => session.dialect.readJson(v));
  if (!resource) return undefined;
  return { resource, version: catalog.version ? row[catalog.version] : undefined };
}

/** The groups' members storage, when groups are served (memberships of a deleted resource go with it). */
function membersStorage(catalogs: ReadonlyMap<string, ResourceCatalog>): ChildStorage | undefined {
  const groups = catalogs.get('Group');
  if (!groups) return undefined;
  return [...groups.storages.values()].find(
    (s): s is ChildStorage =>
      s.kind === 'child' &&
      groups.mapper.attributes.some((a) => a.endpoint === s.key && a.targets.some((t) => t.attr === 'members')),
  );
}

/** `version = version + 1`, `lastModified = now`: what marks a resource as changed. */
function changeMarks(env: WriteEnv): Sql[] {
  const { catalog } = env;
  const out: Sql[] = [];
  if (catalog.version) out.push(sql`${ident(catalog.version)} = ${ident(catalog.version)} + 1`);
  if (catalog.lastModified) out.push(sql`${ident(catalog.lastModified)} = ${env.now()}`);
  return out;
}

/**
 * `UPDATE … SET <sets>, version = version + 1, lastModified = now WHERE key = id [AND version IN guard]`;
 * with `mark: false` only `<sets>`, or an assignment of a column to itself, which locks the row
 * and proves it exists without marking it changed. Throws 404 when the row is missing and 412 when
 * only the version differs.
 */
async function lockRow(session: Session, env: WriteEnv, id: unknown, sets: Sql[], guard: Guard, mark = true): Promise<void> {
  const { catalog } = env;
  const all = mark ? [...sets, ...changeMarks(env)] : [...sets];
  if (all.length === 0) {
    // An assignment to itself locks the row and counts it. Not the key where there is another
    // column: SQL Server refuses any assignment to an IDENTITY key.
    const self = catalog.version ?? catalog.lastModified ?? catalog.key;
    all.push(sql`${ident(self)} = ${ident(self)}`);
  }
  const conds = [sql`${ident(catalog.key)} = ${id}`];
  if (guard !== undefined && catalog.version) {
    conds.push(guard.length === 0 ? sql`1 = 0` : sql`${ident(catalog.version)} IN (${join(guard.map((v) => sql`${v}`))})`);
  }
  const res = await session.query(sql`UPDATE ${ident(catalog.table)} SET ${join(all)} WHERE ${join(conds, ' AND ')}`);
  if (res.rowCount > 0) return;
  if (guard !== undefined && catalog.version) {
    const exists = await session.query(
      sql`SELECT ${ident(catalog.key)} FROM ${ident(catalog.table)} WHERE ${ident(catalog.key)} = ${id}`,
    );
    if (exists.rows.length) throw new errors.PreconditionFailedError();
  }
  throw new errors.NotFoundError(`${catalog.rt.name} "${String(id)}" not found`);
}

/** Bumps the version of groups whose members changed through a user's `groups`. */
async function touchGroups(session: Session, env: WriteEnv, groupIds: readonly unknown[]): Promise<void> {
  const groups = env.catalogs.get('Group');
  if (!groups || groupIds.length === 0) return;
  const sets: Sql[] = [];
  if (groups.version) sets.push(sql`${ident(groups.version)} = ${ident(groups.version)} + 1`);
  if (groups.lastModified) sets.push(sql`${ident(groups.lastModified)} = ${env.now()}`);
  const kind = numericColumn(groups.numeric, groups.table, groups.key);
  const ids = [...new Set(groupIds.map(String))].filter((g) => fitsColumn(kind, g));
  if (sets.length === 0 || ids.length === 0) return;
  await session.query(
    sql`UPDATE ${ident(groups.table)} SET ${join(sets)} WHERE ${ident(groups.key)} IN (${join(ids.map((g) => sql`${g}`))})`,
  );
}

const groupIdsOf = (elements: readonly unknown[]) =>
  elements
    .map((el) => (typeof el === 'object' && el !== null ? member(el, 'value') : el))
    .filter((v) => v !== undefined && v !== null);

function listOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** Creates a resource; returns it as stored. */
export async function createResource(session: Session, env: WriteEnv, resource: ScimResource): Promise<ScimResource> {
  const { catalog } = env;
  const d = session.dialect;
  const record = catalog.mapper.toEndpoint(resource);
  const now = env.now();
  const columns: Sql[] = [];
  const values: Sql[] = [];
  const put = (column: string, value: Sql) => {
    columns.push(ident(column));
    values.push(value);
  };
  let id: unknown;
  if (catalog.keyGeneration === 'uuid') {
    id = env.newId();
    put(catalog.key, sql`${id}`);
  }
  if (catalog.version) put(catalog.version, sql`${1}`);
  if (catalog.created) put(catalog.created, sql`${now}`);
  if (catalog.lastModified) put(catalog.lastModified, sql`${now}`);
  for (const s of catalog.storages.values()) {
    if (!s.writable || !(s.key in record)) continue;
    if (s.kind === 'column' && s.column !== catalog.key) put(s.column, sql`${columnValue(catalog, s, record[s.key])}`);
    else if (s.kind === 'json') put(s.column, d.jsonValue(record[s.key]));
  }
  if (catalog.keyGeneration === 'database') {
    const res = await session.query(
      d.insertReturningKey({ table: ident(catalog.table), columns, values, key: ident(catalog.key) }),
    );
    id = res.rows[0]?.[catalog.key] ?? res.insertId;
    if (id === undefined || id === null) throw new Error(`the database returned no key for the new ${catalog.rt.name}`);
    id = String(id);
  } else await session.query(d.insert({ table: ident(catalog.table), columns, rows: [values] }));
  for (const s of catalog.lists) {
    if (!s.writable || !(s.key in record)) continue;
    if (s.kind === 'child') await insertElements(session, s, id, listOf(record[s.key]), catalog);
    else if (s.kind === 'memberOf') {
      const groups = groupIdsOf(listOf(record[s.key]));
      await touchGroups(session, env, await addMemberships(session, s, id, groups, catalog));
    }
  }
  const stored = await loadById(session, catalog, id, undefined);
  if (!stored) throw new Error(`the new ${catalog.rt.name} could not be read back`);
  return stored.resource;
}

/**
 * Replaces a resource (PUT): every writable column and list gets the new value or none, except a
 * write-only column (`password`) the PUT leaves out: no client can send back what it never reads,
 * so leaving it out keeps it (RFC 7644 §3.5.1 lets a PUT clear omitted readWrite attributes only).
 */
export async function replaceResource(
  session: Session,
  env: WriteEnv,
  id: unknown,
  resource: ScimResource,
  guard: Guard,
): Promise<ScimResource> {
  const { catalog } = env;
  const d = session.dialect;
  const record = catalog.mapper.toEndpoint(resource);
  const sets: Sql[] = [];
  for (const s of catalog.storages.values()) {
    if (!s.writable) continue;
    if (s.kind === 'column' && s.column !== catalog.key) {
      if (s.writeOnly && record[s.key] === undefined) continue;
      sets.push(sql`${ident(s.column)} = ${columnValue(catalog, s, record[s.key])}`);
    } else if (s.kind === 'json') {
      sets.push(
        record[s.key] === undefined ? sql`${ident(s.column)} = NULL` : sql`${ident(s.column)} = ${d.jsonValue(record[s.key])}`,
      );
    }
  }
  await lockRow(session, env, id, sets, guard);
  for (const s of catalog.lists) {
    if (!s.writable) continue;
    if (s.kind === 'child') {
      await clearElements(session, s, id);
      await insertElements(session, s, id, listOf(record[s.key]), catalog);
    } else if (s.kind === 'memberOf') {
      await replaceMemberships(session, env, s, id, groupIdsOf(listOf(record[s.key])));
    }
  }
  const stored = await loadById(session, catalog, id, undefined);
  if (!stored) throw new errors.NotFoundError(`${catalog.rt.name} "${String(id)}" not found`);
  return stored.resource;
}

/** A scalar for a column of the main table (see `storable`: text in a numeric column must be canonical). */
function columnValue(catalog: ResourceCatalog, s: { column: string; type: ValueType }, value: unknown): unknown {
  return storable(catalog, catalog.table, s.column, toColumn(value, s.type));
}

/**
 * Makes the user a member of exactly `groups`: leaves the memberships it keeps as they are, removes
 * the others and adds the new ones; the groups whose members changed get a new version. Returns
 * whether anything changed.
 */
async function replaceMemberships(
  session: Session,
  env: WriteEnv,
  s: MemberOfStorage,
  id: unknown,
  groups: unknown[],
): Promise<boolean> {
  if (!s.via) return false;
  const { numeric } = env.catalog;
  const before = new Set((await membershipsOf(session, s, id)).map(String));
  const wanted = new Set(groups.map(String));
  const gone = [...before].filter((g) => !wanted.has(g));
  const added = groups.filter((g) => !before.has(String(g)));
  if (gone.length) await removeMemberships(session, s, id, gone, numeric);
  const touched = [...gone, ...(await addMemberships(session, s, id, added, env.catalog))];
  await touchGroups(session, env, touched);
  return touched.length > 0;
}

/** The storage of an endpoint key, or of the JSON object a nested key (`name.givenName`) belongs to. */
function storageOfKey(catalog: ResourceCatalog, key: string): { s: KeyStorage; sub?: string } | undefined {
  const s = catalog.storages.get(key);
  if (s) return { s };
  const dot = key.indexOf('.');
  if (dot > 0) {
    const parent = catalog.storages.get(key.slice(0, dot));
    if (parent?.kind === 'json' && parent.object) return { s: parent, sub: key.slice(dot + 1) };
  }
  return undefined;
}

type JsonChange = { set?: unknown; clear?: boolean; add?: unknown[]; remove?: unknown[]; members?: Record<string, unknown> };

/** A column assignment waiting for the final UPDATE: a value, or an expression of the stored value. */
type PendingColumn = { value: unknown } | { expr: Sql };

/** True when the endpoint changes touch columns of the main table only. */
function columnsOnly(catalog: ResourceCatalog, ec: EndpointChanges): boolean {
  const keys = [...ec.clear, ...Object.keys(ec.set), ...Object.keys(ec.add), ...Object.keys(ec.remove)];
  return keys.every((k) => catalog.storages.get(k)?.kind === 'column');
}

/**
 * Applies a PATCH (`changes`, normalized by the core) to the changed columns and rows only. The
 * changes are applied one after the other, in the order the client sent them, exactly as the
 * core's `applyChanges` would apply them to a document: an `add` then a `remove` of the same
 * element leaves nothing, two `add`s of one element merge. The row is locked first; its version
 * and `lastModified` move at the end, and only when a statement changed something (columns and
 * JSON documents count as changed when assigned; rows of child tables as the database counts them).
 */
export async function modifyResource(
  session: Session,
  env: WriteEnv,
  id: unknown,
  changes: Change[],
  guard: Guard,
): Promise<void> {
  const { catalog } = env;
  const mapper = catalog.mapper;
  const numeric = catalog.numeric;
  const needs = mapper.needsCurrent(changes);
  if (!needs && changes.length === 1) {
    // The common case — one attribute replaced — is one UPDATE.
    const ec = mapper.changesToEndpoint(changes);
    if (columnsOnly(catalog, ec)) {
      const pending = new Map<string, PendingColumn>();
      applyColumnChanges(catalog, ec, pending);
      await lockRow(session, env, id, columnAssignments(pending), guard, pending.size > 0);
      return;
    }
  }
  await lockRow(session, env, id, [], guard, false);
  let current: ScimResource | undefined;
  if (needs) {
    current = (await loadById(session, catalog, id, undefined))?.resource;
    if (!current) throw new errors.NotFoundError(`${catalog.rt.name} "${String(id)}" not found`);
  }
  const pending = new Map<string, PendingColumn>();
  const json = new Map<JsonStorage, { value: unknown }>();
  const touched = new Set<unknown>();
  /** Rows of child tables and memberships inserted, changed or deleted. */
  let rows = 0;
  const jsonValue = async (s: JsonStorage) => {
    let slot = json.get(s);
    if (!slot) {
      const res = await session.query(
        sql`SELECT ${ident(s.column)} AS ${ident('v')} FROM ${ident(catalog.table)} WHERE ${ident(catalog.key)} = ${id}`,
      );
      const raw = res.rows[0]?.v;
      let value: unknown;
      try {
        value = raw === undefined || raw === null ? undefined : session.dialect.readJson(raw);
      } catch {
        value = undefined;
      }
      json.set(s, (slot = { value }));
    }
    return slot;
  };
  const applyJson = async (s: JsonStorage, change: JsonChange) => {
    const slot = change.set !== undefined || change.clear ? (json.get(s) ?? { value: undefined }) : await jsonValue(s);
    slot.value = changedJson(s, slot.value, change);
    json.set(s, slot);
  };

  for (const ch of changes) {
    const ec = mapper.changesToEndpoint([ch], needs ? { current } : {});
    applyColumnChanges(catalog, ec, pending);
    for (const key of ec.clear) {
      const hit = storageOfKey(catalog, key);
      if (!hit || hit.s.kind === 'column') continue;
      const { s, sub } = hit;
      if (s.kind === 'json') await applyJson(s, sub ? { members: { [sub]: undefined } } : { clear: true });
      else if (s.kind === 'child') rows += await clearElements(session, s, id);
      else if (s.kind === 'memberOf' && (await replaceMemberships(session, env, s, id, []))) rows++;
    }
    for (const [key, values] of Object.entries(ec.remove)) {
      const hit = storageOfKey(catalog, key);
      if (!hit || hit.s.kind === 'column') continue;
      const { s } = hit;
      if (s.kind === 'json') await applyJson(s, { remove: values });
      else if (s.kind === 'child') rows += await deleteElements(session, s, id, values, numeric);
      else if (s.kind === 'memberOf') {
        // Only the groups the user was in are touched (their versions move).
        const groups = await membershipsOf(session, s, id, groupIdsOf(values), numeric);
        for (const g of groups) touched.add(String(g));
        rows += await removeMemberships(session, s, id, groups, numeric);
      }
    }
    for (const [key, value] of Object.entries(ec.set)) {
      const hit = storageOfKey(catalog, key);
      if (!hit || hit.s.kind === 'column') continue;
      const { s, sub } = hit;
      if (s.kind === 'json') await applyJson(s, sub ? { members: { [sub]: value } } : { set: value });
      else if (s.kind === 'child') {
        rows += await clearElements(session, s, id);
        rows += await insertElements(session, s, id, listOf(value), catalog);
      } else if (s.kind === 'memberOf' && (await replaceMemberships(session, env, s, id, groupIdsOf(listOf(value))))) rows++;
    }
    for (const [key, values] of Object.entries(ec.add)) {
      const hit = storageOfKey(catalog, key);
      if (!hit || hit.s.kind === 'column') continue;
      const { s } = hit;
      if (s.kind === 'json') await applyJson(s, { add: values });
      else if (s.kind === 'child') rows += await addElements(session, s, id, values, catalog);
      else if (s.kind === 'memberOf') {
        const groups = await addMemberships(session, s, id, groupIdsOf(values), catalog);
        for (const g of groups) touched.add(String(g));
        rows += groups.length;
      }
    }
    if (current) current = applyChanges(current, [ch], env.apply()).resource;
  }
  const d = session.dialect;
  const sets = columnAssignments(pending);
  for (const [s, slot] of json) {
    sets.push(slot.value === undefined ? sql`${ident(s.column)} = NULL` : sql`${ident(s.column)} = ${d.jsonValue(slot.value)}`);
  }
  if (sets.length || rows > 0) {
    const all = [...sets, ...changeMarks(env)];
    if (all.length) await session.query(sql`UPDATE ${ident(catalog.table)} SET ${join(all)} WHERE ${ident(catalog.key)} = ${id}`);
  }
  if (touched.size) await touchGroups(session, env, [...touched]);
}

/** Column parts of endpoint changes, folded into the pending assignments in the mapper's order. */
function applyColumnChanges(catalog: ResourceCatalog, ec: EndpointChanges, pending: Map<string, PendingColumn>): void {
  for (const key of ec.clear) {
    const s = catalog.storages.get(key);
    if (s?.kind === 'column') pending.set(s.column, { value: null });
  }
  for (const [key, values] of Object.entries(ec.remove)) {
    const s = catalog.storages.get(key);
    if (s?.kind !== 'column') continue;
    const before = pending.get(s.column);
    const typed = values.map((v) => toColumn(v, s.type));
    if (before && 'value' in before) {
      // Decided here: the value the column will hold is known.
      if (typed.some((v) => v === before.value)) pending.set(s.column, { value: null });
    } else {
      const list = join(typed.map((v) => sql`${v}`));
      pending.set(s.column, { expr: sql`CASE WHEN ${ident(s.column)} IN (${list}) THEN NULL ELSE ${ident(s.column)} END` });
    }
  }
  for (const [key, value] of Object.entries(ec.set)) {
    const s = catalog.storages.get(key);
    if (s?.kind === 'column') pending.set(s.column, { value: columnValue(catalog, s, value) });
  }
  for (const [key, values] of Object.entries(ec.add)) {
    const s = catalog.storages.get(key);
    if (s?.kind === 'column') pending.set(s.column, { value: columnValue(catalog, s, values[0]) });
  }
}

function columnAssignments(pending: Map<string, PendingColumn>): Sql[] {
  return [...pending].map(([column, p]) =>
    'expr' in p ? sql`${ident(column)} = ${p.expr}` : sql`${ident(column)} = ${p.value}`,
  );
}

/** Deletes a resource, its elements and the memberships that name it. */
export async function deleteResource(session: Session, env: WriteEnv, id: unknown, guard: Guard): Promise<void> {
  const { catalog } = env;
  await lockRow(session, env, id, [], guard);
  const members = membersStorage(env.catalogs);
  const vcol = members ? valueColumnOf(members) : undefined;
  if (members && vcol) await session.query(sql`DELETE FROM ${ident(members.table)} WHERE ${ident(vcol)} = ${id}`);
  for (const s of catalog.lists) if (s.kind === 'child') await clearElements(session, s, id);
  await session.query(sql`DELETE FROM ${ident(catalog.table)} WHERE ${ident(catalog.key)} = ${id}`);
}
