/**
 * Writes of the User resource: create, PATCH and PUT. One client write can take several Graph
 * calls: the user's properties, its manager (`/manager/$ref`), its roles and access packages
 * (their relations), and a password. They are answered as one (`UndoLog` of @scimgw/core):
 *
 * - a manager id is checked before the first call (an unknown one is 400, never a 404 for a user
 *   that exists), and so are the relations' elements;
 * - the properties go first, then the manager, then the relations, the password last;
 * - when a call fails, the calls before it are undone: old property values written back, the old
 *   manager set again, relation grants and revocations reversed, a user just created deleted.
 *
 * The reads an undo needs (old property values, the old manager) are made only when a later call
 * could fail: a PATCH of properties alone costs what it did.
 */
import { type Change, errors, type GetOptions, type Logger, type RequestContext, type ScimResource, UndoLog } from '@scimgw/core';
import { type FilterNode, matchesFilter } from '@scimgw/core/filter';
import type { Mapper } from '@scimgw/mapper';
import type { EntraIdConfig } from '../config.js';
import type { GraphClient, GraphTenant } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { FreshObjects } from '../graph/fresh.js';
import { ENTERPRISE } from '../mapping.js';
import { isObjectId } from './common.js';
import { byRelation, type Element, elementsOf, type UserRelation } from './relations.js';
import { collectionsTouched, createBody, patchBody, replaceBody } from './user-body.js';

type Record_ = Record<string, unknown>;

/** What the writes need from the User handler. */
export interface UserWriteDeps {
  graph: GraphClient;
  mapper: Mapper;
  config: EntraIdConfig;
  fresh: FreshObjects;
  relations: readonly UserRelation[];
  log: Logger;
  toScim: (tenant: GraphTenant, record: Record_) => ScimResource | undefined;
  get: (id: string, ctx: RequestContext, options: GetOptions) => Promise<ScimResource | undefined>;
}

/** Elements to grant and revoke for one relation attribute. */
interface RelationDelta {
  attribute: string;
  add: Element[];
  remove: Element[];
}

const MANAGER = 'manager';
const sameId = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** Creates the User writes. */
export function userWrites(deps: UserWriteDeps) {
  const { graph, mapper, config, fresh, log } = deps;
  const relationAttributes = [...new Set(deps.relations.map((r) => r.attribute))];

  /** Refuses a manager id that is no user, before anything is written. */
  const checkManager = async (tenant: GraphTenant, managerId: string | undefined, ctx: RequestContext) => {
    if (managerId === undefined) return;
    if (!isObjectId(managerId)) throw new errors.InvalidValueError(`manager "${managerId}" is not a user id`);
    try {
      await graph.callRaw(
        tenant,
        { method: 'GET', path: `/users/${managerId}?$select=id`, op: 'users.read', fresh: [managerId] },
        ctx,
      );
    } catch (e) {
      if (e instanceof GraphError && e.status === 404)
        throw new errors.InvalidValueError(`manager: no user has the id "${managerId}"`);
      throw graph.translate(e, tenant, 'users.read');
    }
  };

  /** The id of the user's manager, or undefined. */
  const currentManager = async (tenant: GraphTenant, userId: string, ctx: RequestContext): Promise<string | undefined> => {
    try {
      const res = await graph.callRaw<Record_>(
        tenant,
        { method: 'GET', path: `/users/${userId}/manager?$select=id`, op: 'users.read' },
        ctx,
      );
      return typeof res.body?.id === 'string' ? res.body.id : undefined;
    } catch (e) {
      // 404: no manager (or no user, which the write itself then reports).
      if (e instanceof GraphError && e.status === 404) return undefined;
      throw graph.translate(e, tenant, 'users.read');
    }
  };

  const setManager = async (tenant: GraphTenant, userId: string, managerId: string | undefined, ctx: RequestContext) => {
    if (managerId === undefined) {
      try {
        // No `fresh` here: 404 is the ordinary answer for a user without a manager.
        await graph.callRaw(tenant, { method: 'DELETE', path: `/users/${userId}/manager/$ref`, op: 'users.manager' }, ctx);
      } catch (e) {
        // No manager to remove: the wanted state already holds.
        if (!(e instanceof GraphError && e.status === 404)) throw graph.translate(e, tenant, 'users.manager');
      }
      return;
    }
    await graph.call(
      tenant,
      {
        method: 'PUT',
        path: `/users/${userId}/manager/$ref`,
        body: { '@odata.id': `${tenant.baseUrl}/users/${managerId}` },
        op: 'users.manager',
        fresh: [userId, managerId],
      },
      ctx,
    );
  };

  /** Refuses elements no relation may grant or revoke, before anything is written. */
  const checkDelta = (d: RelationDelta) => {
    for (const [relation] of byRelation(deps.relations, d.attribute, d.remove))
      if (!relation.revoke) throw new errors.MutabilityError(`${d.attribute} of this type are read-only`);
    for (const [relation] of byRelation(deps.relations, d.attribute, d.add))
      if (!relation.grant) throw new errors.MutabilityError(`${d.attribute} of this type are read-only`);
    return d;
  };

  /** Grants and revokes a delta, each call's reverse recorded in `undo`. */
  const applyDelta = async (tenant: GraphTenant, userId: string, d: RelationDelta, ctx: RequestContext, undo?: UndoLog) => {
    for (const [relation, elements] of byRelation(deps.relations, d.attribute, d.remove)) {
      await relation.revoke?.(tenant, userId, elements, ctx);
      undo?.push(`${d.attribute} revoked`, () => relation.grant?.(tenant, userId, elements, ctx) ?? Promise.resolve());
    }
    for (const [relation, elements] of byRelation(deps.relations, d.attribute, d.add)) {
      await relation.grant?.(tenant, userId, elements, ctx);
      undo?.push(`${d.attribute} granted`, () => relation.revoke?.(tenant, userId, elements, ctx) ?? Promise.resolve());
    }
  };

  /** The user's elements of `attribute` in the relations that can `change` them. */
  const currentElements = async (
    tenant: GraphTenant,
    userId: string,
    attribute: string,
    change: 'grant' | 'revoke',
    ctx: RequestContext,
  ) => {
    const current: Element[] = [];
    for (const r of deps.relations.filter((x) => x.attribute === attribute && x[change])) {
      current.push(...((await r.read(tenant, [userId], ctx)).get(userId) ?? []));
    }
    return current;
  };

  const key = (e: Element) => `${(e.type ?? '').toLowerCase()}|${e.value.toLowerCase()}`;
  /** Whether element `c` (the user's) is the one a client named as `w` (by id or display name). */
  const same = (c: Element, w: Element) =>
    c.value.toLowerCase() === w.value.toLowerCase() || (!!c.display && c.display.toLowerCase() === w.value.toLowerCase());
  /** Whether the user's element `c` already is `w`, its type included when `w` names one. */
  const has = (c: Element, w: Element) => same(c, w) && (!w.type || key(c) === key({ ...w, value: c.value }));

  /** The delta that makes a relation attribute equal `wanted` (PUT, replace without path). */
  const towards = async (
    tenant: GraphTenant,
    userId: string,
    attribute: string,
    wanted: Element[],
    ctx: RequestContext,
  ): Promise<RelationDelta> => {
    const current = await currentElements(tenant, userId, attribute, 'grant', ctx);
    const add = wanted.filter((w) => !current.some((c) => has(c, w)));
    const remove = current.filter((c) => !wanted.some((w) => same(c, w)));
    return { attribute, add, remove };
  };

  /** The delta of one PATCH operation on a relation attribute. */
  const deltaOf = async (tenant: GraphTenant, id: string, ch: Change, ctx: RequestContext): Promise<RelationDelta> => {
    const attribute = ch.path.attr;
    // Adds and removes keep to what changes: granting a role the user has (or revoking one it has
    // not) does nothing, so a failed write's undo never revokes a role the user had before.
    if (ch.op === 'add') {
      const wanted = checkDelta({ attribute, add: elementsOf(ch.value), remove: [] }).add;
      const current = await currentElements(tenant, id, attribute, 'grant', ctx);
      return { attribute, add: wanted.filter((w) => !current.some((c) => has(c, w))), remove: [] };
    }
    if (ch.op === 'replace' && !ch.path.where && !ch.path.sub) return towards(tenant, id, attribute, elementsOf(ch.value), ctx);
    if (ch.op === 'remove' && ch.value) {
      const named = checkDelta({ attribute, add: [], remove: elementsOf(ch.value) }).remove;
      const current = await currentElements(tenant, id, attribute, 'revoke', ctx);
      return { attribute, add: [], remove: current.filter((c) => named.some((w) => has(c, w))) };
    }
    if (ch.op === 'remove') {
      // remove with a filter, or clear: resolve against the current elements.
      const current = await currentElements(tenant, id, attribute, 'revoke', ctx);
      const hit = ch.path.where ? current.filter((e) => matchesFilter(ch.path.where as FilterNode, e)) : current;
      return { attribute, add: [], remove: hit };
    }
    throw new errors.InvalidPathError(`${attribute}: replace one element by removing and adding it`);
  };

  /**
   * What an undo needs, in one read: the user's current values of `keys` (null where it has none)
   * and, with `withManager`, its manager's id.
   */
  const readBefore = async (
    tenant: GraphTenant,
    id: string,
    keys: string[],
    withManager: boolean,
    ctx: RequestContext,
  ): Promise<{ properties: Record_; manager: string | undefined }> => {
    const select = keys.length ? keys.join(',') : 'id';
    const expand = withManager ? '&$expand=manager($select=id)' : '';
    const res = await graph.call<Record_>(
      tenant,
      { method: 'GET', path: `/users/${id}?$select=${select}${expand}`, op: 'users.read', fresh: [id] },
      ctx,
    );
    const properties: Record_ = {};
    for (const k of keys) properties[k] = res.body?.[k] ?? null;
    const manager = (res.body?.manager as Record_ | null | undefined)?.id;
    return { properties, manager: typeof manager === 'string' ? manager : undefined };
  };

  const patchUser = (tenant: GraphTenant, id: string, body: Record_, ctx: RequestContext) =>
    graph.call(
      tenant,
      { method: 'PATCH', path: `/users/${id}`, body, op: body.passwordProfile ? 'users.password' : 'users.write', fresh: [id] },
      ctx,
    );

  /**
   * Writes `body`, a manager change and relation deltas to a user as one write: the properties
   * first (with the password when nothing follows), then the manager, then the relations, then the
   * password; each undone when a later one fails. What an undo needs (old property values, the old
   * manager) is read in one call, and only when a later call could fail.
   *
   * @param known - the user's manager when the caller has read it already
   */
  const writeAll = async (
    tenant: GraphTenant,
    id: string,
    body: Record_,
    manager: { to: string | undefined } | undefined,
    known: { manager: string | undefined } | undefined,
    deltas: RelationDelta[],
    ctx: RequestContext,
  ) => {
    const changing = deltas.filter((d) => d.add.length || d.remove.length);
    const { passwordProfile, ...properties } = body;
    const keys = Object.keys(properties);
    const others = keys.length > 0 || passwordProfile !== undefined || changing.length > 0;
    let from = known;
    let before: Record_ | undefined;
    // A manager change with other calls: its old value (to undo it, or to leave out a change that
    // changes nothing) comes with the old property values. Alone, it is just set.
    if (manager && others && !from) {
      const read = await readBefore(tenant, id, keys, true, ctx);
      if (keys.length) before = read.properties;
      from = { manager: read.manager };
    }
    const managerStep =
      manager && !(from && sameId(from.manager, manager.to)) ? { from: from?.manager, to: manager.to } : undefined;
    const later = managerStep !== undefined || changing.length > 0;
    if (later && keys.length && !before) before = (await readBefore(tenant, id, keys, false, ctx)).properties;
    const first = later ? properties : body;
    const undo = new UndoLog(log, 'entra-id', { user: id });
    await undo.guard(async () => {
      if (Object.keys(first).length) {
        await patchUser(tenant, id, first, ctx);
        if (later && before) {
          const old = before;
          undo.push('properties', () => patchUser(tenant, id, old, ctx));
        }
      }
      if (managerStep) {
        const { from: old, to } = managerStep;
        await setManager(tenant, id, to, ctx);
        undo.push('manager', () => setManager(tenant, id, old, ctx));
      }
      for (const d of changing) await applyDelta(tenant, id, d, ctx, undo);
      if (later && passwordProfile !== undefined) await patchUser(tenant, id, { passwordProfile }, ctx);
    });
  };

  const create = async (resource: ScimResource, ctx: RequestContext): Promise<ScimResource> => {
    const tenant = graph.tenant(ctx);
    const body = createBody(mapper, resource, config, tenant.upnDomain);
    const ent = (resource[ENTERPRISE] ?? {}) as Record_;
    const manager = elementsOf((ent.manager as unknown) ?? undefined)[0]?.value;
    await checkManager(tenant, manager, ctx);
    const deltas = relationAttributes.map((attribute) =>
      checkDelta({
        attribute,
        add: elementsOf(resource[attribute]).filter((e) =>
          deps.relations.some((r) => r.attribute === attribute && r.grant && r.owns(e)),
        ),
        remove: [],
      }),
    );
    const res = await graph.call<Record_>(tenant, { method: 'POST', path: '/users', body, op: 'users.write' }, ctx);
    const id = res.body?.id;
    if (typeof id !== 'string') throw new errors.ScimError(502, 'Microsoft Graph answered the creation of a user without an id');
    fresh.add(id);
    const undo = new UndoLog(log, 'entra-id', { user: id });
    // The calls after the creation belong to it: when one fails, the user goes again.
    undo.push('the new user', async () => {
      await graph.call(tenant, { method: 'DELETE', path: `/users/${id}`, op: 'users.delete', fresh: [id] }, ctx);
      fresh.delete(id);
    });
    await undo.guard(async () => {
      if (manager) await setManager(tenant, id, manager, ctx);
      for (const d of deltas) if (d.add.length) await applyDelta(tenant, id, d, ctx);
    });
    const stored = { ...body, ...(res.body ?? {}) };
    delete stored.passwordProfile;
    const out = deps.toScim(tenant, stored) ?? { id };
    if (manager) out[ENTERPRISE] = { ...((out[ENTERPRISE] as Record_) ?? {}), manager: { value: manager } };
    for (const attribute of relationAttributes) {
      const given = elementsOf(resource[attribute]);
      if (given.length) out[attribute] = given;
    }
    return out;
  };

  const modify = async (id: string, changes: Change[], ctx: RequestContext): Promise<ScimResource | undefined> => {
    const tenant = graph.tenant(ctx);
    if (!isObjectId(id)) throw new errors.NotFoundError(`User "${id}" not found`);
    const mapped: Change[] = [];
    const relationChanges: Change[] = [];
    let manager: { to: string | undefined } | undefined;
    for (const ch of changes) {
      const attr = ch.path.attr.toLowerCase();
      if (ch.path.extension?.toLowerCase() === ENTERPRISE.toLowerCase() && attr === MANAGER) {
        // The last change of the manager wins, as it would applied one after another.
        const to =
          ch.op === 'remove'
            ? undefined
            : typeof ch.value === 'string'
              ? ch.value || undefined
              : elementsOf(ch.value)[0]?.value || undefined;
        manager = { to };
        continue;
      }
      if (!ch.path.extension && relationAttributes.includes(ch.path.attr)) {
        relationChanges.push(ch);
        continue;
      }
      if (!ch.path.extension && attr === 'groups') {
        throw new errors.MutabilityError('groups is read-only: change the membership through /Groups');
      }
      mapped.push(ch);
    }
    // Everything that can be checked is checked before the first write.
    await checkManager(tenant, manager?.to, ctx);
    const deltas: RelationDelta[] = [];
    for (const ch of relationChanges) deltas.push(checkDelta(await deltaOf(tenant, id, ch, ctx)));
    let body: Record_ = {};
    if (mapped.length) {
      // Only the mapped attributes matter here: the relations are not read.
      const current = mapper.needsCurrent(mapped)
        ? await deps.get(id, ctx, { excludedAttributes: ['groups', ...relationAttributes, `${ENTERPRISE}:manager`] })
        : undefined;
      if (mapper.needsCurrent(mapped) && !current) throw new errors.NotFoundError(`User "${id}" not found`);
      const endpoint = mapper.changesToEndpoint(mapped, { current });
      const touched = collectionsTouched(endpoint);
      let graphCurrent: Record_ = {};
      if (touched.length) {
        const read = await graph.call<Record_>(
          tenant,
          { method: 'GET', path: `/users/${id}?$select=${touched.join(',')}`, op: 'users.read', fresh: [id] },
          ctx,
        );
        graphCurrent = read.body ?? {};
      }
      body = patchBody(endpoint, graphCurrent, config, tenant.upnDomain);
    }
    await writeAll(tenant, id, body, manager, undefined, deltas, ctx);
    return undefined;
  };

  const replace = async (id: string, resource: ScimResource, ctx: RequestContext): Promise<ScimResource> => {
    const tenant = graph.tenant(ctx);
    if (!isObjectId(id)) throw new errors.NotFoundError(`User "${id}" not found`);
    const body = replaceBody(mapper, resource, config, tenant.upnDomain);
    const ent = (resource[ENTERPRISE] ?? {}) as Record_;
    const manager = elementsOf(ent.manager)[0]?.value || undefined;
    // A PUT names the manager every time: read first, checked and written only when it changes.
    const current = await currentManager(tenant, id, ctx);
    if (!sameId(current, manager)) await checkManager(tenant, manager, ctx);
    // Roles and entitlements change only when the body names them: a PUT from a client that
    // does not manage them must not revoke a directory role.
    const deltas: RelationDelta[] = [];
    for (const attribute of relationAttributes) {
      if (resource[attribute] !== undefined)
        deltas.push(checkDelta(await towards(tenant, id, attribute, elementsOf(resource[attribute]), ctx)));
    }
    await writeAll(tenant, id, body, { to: manager }, { manager: current }, deltas, ctx);
    const out = await deps.get(id, ctx, {});
    if (!out) throw new errors.NotFoundError(`User "${id}" not found`);
    return out;
  };

  return { create, modify, replace };
}
