/**
 * The User resource: `/users` in Microsoft Graph, attributes through the mapper, `manager` through
 * `/manager/$ref`, and the relations (`groups`, roles, access packages, licenses) through theirs.
 */
import {
  type Change,
  errors,
  type GetOptions,
  type QueryRequest,
  type RequestContext,
  type ResourceHandler,
  type ScimResource,
} from '@scimgw/core';
import { type FilterNode, matchesFilter, type PathResolver } from '@scimgw/core/filter';
import type { Mapper } from '@scimgw/mapper';
import type { EntraIdConfig } from '../config.js';
import { type GraphClient, type GraphTenant, graphObject } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { FreshObjects } from '../graph/fresh.js';
import { ENTERPRISE } from '../mapping.js';
import { type CollectionSpec, type ListPlan, runList } from '../query/list.js';
import { toODataFilter } from '../query/odata.js';
import { USER_ORDERBY, USER_PROPERTIES } from '../query/support.js';
import { isObjectId, mentions, selectFor, takeEq, wants } from './common.js';
import { attach, byRelation, type Element, elementsOf, type UserRelation } from './relations.js';
import { collectionsTouched, createBody, patchBody, replaceBody, upnFromGraph, upnToGraph } from './user-body.js';

/** What the User handler needs. */
export interface UserDeps {
  graph: GraphClient;
  mapper: Mapper;
  config: EntraIdConfig;
  fresh: FreshObjects;
  relations: readonly UserRelation[];
  /** Resolves paths against the served schemas (post-filtering, local sorting). */
  resolver: () => PathResolver;
}

const MANAGER = 'manager';
const isManagerPath = (p: { uri?: string | undefined; attr: string }) =>
  p.attr.toLowerCase() === MANAGER && (p.uri === undefined || p.uri.toLowerCase() === ENTERPRISE.toLowerCase());

type Record_ = Record<string, unknown>;

/** Creates the User handler. */
export function userHandler(deps: UserDeps): ResourceHandler {
  const { graph, mapper, config, fresh } = deps;
  const relationAttributes = [...new Set(deps.relations.map((r) => r.attribute))];

  const toScim = (tenant: GraphTenant, record: Record_): ScimResource | undefined => {
    const copy = { ...record };
    if (copy.userPrincipalName !== undefined) copy.userPrincipalName = upnFromGraph(copy.userPrincipalName, tenant.upnDomain);
    const resource = mapper.toScim(copy);
    if (!resource) return undefined;
    const manager = record.manager as Record_ | null | undefined;
    if (manager && typeof manager.id === 'string') {
      const ent = (resource[ENTERPRISE] ?? {}) as Record_;
      ent.manager = {
        value: manager.id,
        ...(typeof manager.displayName === 'string' ? { displayName: manager.displayName } : {}),
      };
      resource[ENTERPRISE] = ent;
    }
    return resource;
  };

  /** Reads the relations each resource needs and attaches them. */
  const complete = async (
    tenant: GraphTenant,
    resources: ScimResource[],
    request: GetOptions,
    byDefault: boolean,
    ctx: RequestContext,
  ) => {
    const ids = resources.map((r) => r.id).filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return;
    // Started together, the relations' reads share $batch calls (one call for a single user).
    const wanted = deps.relations.filter((relation) => wants(relation.attribute, request, byDefault));
    const found = await Promise.all(wanted.map((relation) => relation.read(tenant, ids, ctx)));
    wanted.forEach((relation, i) => {
      for (const r of resources) attach(r, relation.attribute, found[i]?.get(r.id as string) ?? []);
    });
  };

  const readUser = async (
    tenant: GraphTenant,
    id: string,
    options: GetOptions,
    ctx: RequestContext,
  ): Promise<Record_ | undefined> => {
    if (!isObjectId(id)) return undefined;
    const select = selectFor(mapper, options, []);
    const expand = wants(`${ENTERPRISE}:manager`, options, true) ? '&$expand=manager($select=id,displayName)' : '';
    try {
      const res = await graph.callRaw<Record_>(
        tenant,
        { method: 'GET', path: `/users/${id}?$select=${select.join(',')}${expand}`, op: 'users.read', fresh: [id] },
        ctx,
      );
      return graphObject(res.body, `user "${id}"`);
    } catch (e) {
      if (e instanceof GraphError && e.status === 404) return undefined;
      throw graph.translate(e, tenant, 'users.read');
    }
  };

  const get = async (id: string, ctx: RequestContext, options: GetOptions): Promise<ScimResource | undefined> => {
    const tenant = graph.tenant(ctx);
    const record = await readUser(tenant, id, options, ctx);
    if (!record) return undefined;
    const resource = toScim(tenant, record);
    if (!resource) return undefined;
    await complete(tenant, [resource], options, true, ctx);
    return resource;
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
    if (!isObjectId(managerId)) throw new errors.InvalidValueError(`manager "${managerId}" is not a user id`);
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

  const applyRelations = async (
    tenant: GraphTenant,
    userId: string,
    attribute: string,
    add: Element[],
    remove: Element[],
    ctx: RequestContext,
  ) => {
    for (const [relation, elements] of byRelation(deps.relations, attribute, remove)) {
      if (!relation.revoke) throw new errors.MutabilityError(`${attribute} of this type are read-only`);
      await relation.revoke(tenant, userId, elements, ctx);
    }
    for (const [relation, elements] of byRelation(deps.relations, attribute, add)) {
      if (!relation.grant) throw new errors.MutabilityError(`${attribute} of this type are read-only`);
      await relation.grant(tenant, userId, elements, ctx);
    }
  };

  /** Makes a relation attribute equal `wanted` (PUT, replace without path). */
  const replaceRelations = async (
    tenant: GraphTenant,
    userId: string,
    attribute: string,
    wanted: Element[],
    ctx: RequestContext,
  ) => {
    const current: Element[] = [];
    for (const r of deps.relations.filter((x) => x.attribute === attribute && x.grant)) {
      current.push(...((await r.read(tenant, [userId], ctx)).get(userId) ?? []));
    }
    const key = (e: Element) => `${(e.type ?? '').toLowerCase()}|${e.value.toLowerCase()}`;
    const same = (a: Element, b: Element) =>
      a.value.toLowerCase() === b.value.toLowerCase() || (!!a.display && a.display.toLowerCase() === b.value.toLowerCase());
    const add = wanted.filter((w) => !current.some((c) => same(c, w) && (!w.type || key(c) === key({ ...w, value: c.value }))));
    const remove = current.filter((c) => !wanted.some((w) => same(c, w)));
    await applyRelations(tenant, userId, attribute, add, remove, ctx);
  };

  const create = async (resource: ScimResource, ctx: RequestContext): Promise<ScimResource> => {
    const tenant = graph.tenant(ctx);
    const body = createBody(mapper, resource, config, tenant.upnDomain);
    const res = await graph.call<Record_>(tenant, { method: 'POST', path: '/users', body, op: 'users.write' }, ctx);
    const id = res.body?.id;
    if (typeof id !== 'string') throw new errors.ScimError(502, 'Microsoft Graph answered the creation of a user without an id');
    fresh.add(id);
    const ent = (resource[ENTERPRISE] ?? {}) as Record_;
    const manager = elementsOf((ent.manager as unknown) ?? undefined)[0]?.value;
    if (manager) await setManager(tenant, id, manager, ctx);
    for (const attribute of relationAttributes) {
      const wanted = elementsOf(resource[attribute]).filter((e) =>
        deps.relations.some((r) => r.attribute === attribute && r.grant && r.owns(e)),
      );
      if (wanted.length) await applyRelations(tenant, id, attribute, wanted, [], ctx);
    }
    const stored = { ...body, ...(res.body ?? {}) };
    delete stored.passwordProfile;
    const out = toScim(tenant, stored) ?? { id };
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
    for (const ch of changes) {
      const attr = ch.path.attr.toLowerCase();
      if (ch.path.extension?.toLowerCase() === ENTERPRISE.toLowerCase() && attr === MANAGER) {
        const value = ch.op === 'remove' ? undefined : ch.value;
        const managerId =
          ch.op === 'remove' ? undefined : typeof value === 'string' ? value : elementsOf(value)[0]?.value || undefined;
        await setManager(tenant, id, managerId, ctx);
        continue;
      }
      if (!ch.path.extension && relationAttributes.includes(ch.path.attr)) {
        await modifyRelation(tenant, id, ch, ctx);
        continue;
      }
      if (!ch.path.extension && attr === 'groups') {
        throw new errors.MutabilityError('groups is read-only: change the membership through /Groups');
      }
      mapped.push(ch);
    }
    if (mapped.length) {
      // Only the mapped attributes matter here: the relations are not read.
      const current = mapper.needsCurrent(mapped)
        ? await get(id, ctx, { excludedAttributes: ['groups', ...relationAttributes, `${ENTERPRISE}:manager`] })
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
      const body = patchBody(endpoint, graphCurrent, config, tenant.upnDomain);
      if (Object.keys(body).length) {
        await graph.call(
          tenant,
          {
            method: 'PATCH',
            path: `/users/${id}`,
            body,
            op: body.passwordProfile ? 'users.password' : 'users.write',
            fresh: [id],
          },
          ctx,
        );
      }
    }
    return undefined;
  };

  const modifyRelation = async (tenant: GraphTenant, id: string, ch: Change, ctx: RequestContext) => {
    const attribute = ch.path.attr;
    if (ch.op === 'add') return applyRelations(tenant, id, attribute, elementsOf(ch.value), [], ctx);
    if (ch.op === 'replace' && !ch.path.where && !ch.path.sub)
      return replaceRelations(tenant, id, attribute, elementsOf(ch.value), ctx);
    if (ch.op === 'remove' && ch.value) return applyRelations(tenant, id, attribute, [], elementsOf(ch.value), ctx);
    // remove with a filter, or clear: resolve against the current elements.
    const current: Element[] = [];
    for (const r of deps.relations.filter((x) => x.attribute === attribute && x.revoke)) {
      current.push(...((await r.read(tenant, [id], ctx)).get(id) ?? []));
    }
    if (ch.op === 'remove') {
      const hit = ch.path.where ? current.filter((e) => matchesFilter(ch.path.where as FilterNode, e)) : current;
      return applyRelations(tenant, id, attribute, [], hit, ctx);
    }
    throw new errors.InvalidPathError(`${attribute}: replace one element by removing and adding it`);
  };

  const replace = async (id: string, resource: ScimResource, ctx: RequestContext): Promise<ScimResource> => {
    const tenant = graph.tenant(ctx);
    if (!isObjectId(id)) throw new errors.NotFoundError(`User "${id}" not found`);
    const body = replaceBody(mapper, resource, config, tenant.upnDomain);
    await graph.call(
      tenant,
      { method: 'PATCH', path: `/users/${id}`, body, op: body.passwordProfile ? 'users.password' : 'users.write', fresh: [id] },
      ctx,
    );
    const ent = (resource[ENTERPRISE] ?? {}) as Record_;
    await setManager(tenant, id, elementsOf(ent.manager)[0]?.value || undefined, ctx);
    // Roles and entitlements change only when the body names them: a PUT from a client that
    // does not manage them must not revoke a directory role.
    for (const attribute of relationAttributes) {
      if (resource[attribute] !== undefined) await replaceRelations(tenant, id, attribute, elementsOf(resource[attribute]), ctx);
    }
    const out = await get(id, ctx, {});
    if (!out) throw new errors.NotFoundError(`User "${id}" not found`);
    return out;
  };

  const del = async (id: string, ctx: RequestContext): Promise<void> => {
    const tenant = graph.tenant(ctx);
    if (!isObjectId(id)) throw new errors.NotFoundError(`User "${id}" not found`);
    await graph.call(tenant, { method: 'DELETE', path: `/users/${id}`, op: 'users.delete', fresh: [id] }, ctx);
    fresh.delete(id);
  };

  const query = async (request: QueryRequest, ctx: RequestContext) => {
    const tenant = graph.tenant(ctx);
    const list = (spec: Partial<CollectionSpec> & { path: string }, plan: ListPlan) =>
      runList(
        { graph, pageSize: config.pageSize, maxLocalResults: config.maxLocalResults, resolver: deps.resolver() },
        tenant,
        {
          relationship: false,
          select: selectFor(mapper, request, []),
          op: 'users.read',
          toScim: (r) => toScim(tenant, r),
          complete: (resources, c) => complete(tenant, resources, request, false, c),
          ...spec,
        },
        plan,
        request,
        ctx,
      );
    // Members of a group, or reports of a manager: read the relationship instead of every user.
    const isGroupsValue = (p: { uri?: string | undefined; attr: string; sub?: string | undefined }) =>
      !p.uri && p.attr.toLowerCase() === 'groups' && (p.sub === undefined || p.sub.toLowerCase() === 'value');
    const byGroup = takeEq(request.filter, isGroupsValue);
    const byManager = takeEq(request.filter, (p) => isManagerPath(p) && (p.sub === undefined || p.sub.toLowerCase() === 'value'));
    const source = byGroup
      ? {
          id: byGroup.value,
          rest: byGroup.rest,
          path: `/groups/${byGroup.value}/${config.users.transitiveGroups ? 'transitiveMembers' : 'members'}/microsoft.graph.user`,
        }
      : byManager
        ? { id: byManager.value, rest: byManager.rest, path: `/users/${byManager.value}/directReports` }
        : undefined;
    if (source) {
      if (!isObjectId(source.id)) return { resources: [], totalResults: 0 };
      const plan: ListPlan = {
        odata: { filter: undefined, advanced: false, exact: true, none: false },
        residual: source.rest,
        ...(request.sort ? { localSort: request.sort } : {}),
      };
      try {
        // directReports may hold organizational contacts: only users become SCIM users.
        const usersOnly = (r: Record_) =>
          r['@odata.type'] === undefined || r['@odata.type'] === '#microsoft.graph.user' ? toScim(tenant, r) : undefined;
        return await list({ path: source.path, relationship: true, toScim: usersOnly }, plan);
      } catch (e) {
        if (e instanceof errors.NotFoundError) return { resources: [], totalResults: 0 };
        throw e;
      }
    }
    if (
      mentions(request.filter, (p) => !p.uri && ['groups', ...relationAttributes].includes(p.attr)) ||
      mentions(request.filter, isManagerPath)
    ) {
      throw new errors.InvalidFilterError(
        'Filters on groups, manager, roles or entitlements are supported only as "<attribute>.value eq <id>" (groups, manager)',
      );
    }
    const translated = mapper.translateFilter(request.filter);
    if (translated.kind === 'none') return { resources: [], totalResults: 0 };
    const endpointFilter = translated.kind === 'filter' ? withUpnDomain(translated.filter, tenant.upnDomain) : undefined;
    const odata = toODataFilter(USER_PROPERTIES, endpointFilter);
    const exact = translated.exact && odata.exact;
    const plan: ListPlan = { odata, ...(exact ? {} : { residual: request.filter }) };
    if (request.sort) {
      const props = mapper.endpointAttributesFor(request.sort.path);
      const prop = props.length === 1 ? props[0] : undefined;
      if (prop && USER_ORDERBY.has(prop)) plan.orderBy = `${prop}${request.sort.order === 'descending' ? ' desc' : ''}`;
      else plan.localSort = request.sort;
    }
    return list(
      { path: '/users', expand: wants(`${ENTERPRISE}:manager`, request, false) ? 'manager($select=id,displayName)' : undefined },
      plan,
    );
  };

  return {
    capabilities: {
      filter: {
        operators: ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'],
        attributes: '*',
        logical: ['and', 'or', 'not'],
        valuePath: true,
      },
      sort: true,
      paging: { index: true, cursor: true },
    },
    query,
    get,
    create,
    modify,
    replace,
    delete: del,
  };
}

/** Adds the configured domain to `userPrincipalName` comparisons with a bare name. */
function withUpnDomain(node: FilterNode, domain: string | undefined): FilterNode {
  if (!domain) return node;
  switch (node.type) {
    case 'compare':
      return node.path.attr === 'userPrincipalName' && node.op !== 'sw' && node.op !== 'co'
        ? { ...node, value: upnToGraph(node.value, domain) as typeof node.value }
        : node;
    case 'and':
    case 'or':
      return { ...node, filters: node.filters.map((f) => withUpnDomain(f, domain)) };
    case 'not':
      return { ...node, filter: withUpnDomain(node.filter, domain) };
    default:
      return node;
  }
}
