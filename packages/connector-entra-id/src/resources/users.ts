/**
 * The User resource: `/users` in Microsoft Graph, attributes through the mapper, `manager` through
 * `/manager/$ref`, and the relations (`groups`, roles, access packages, licenses) through theirs.
 */
import {
  errors,
  type GetOptions,
  type Logger,
  type QueryRequest,
  type RequestContext,
  type ResourceHandler,
  type ScimResource,
} from '@scimgw/core';
import type { FilterNode, PathResolver } from '@scimgw/core/filter';
import type { Mapper } from '@scimgw/mapper';
import type { EntraIdConfig } from '../config.js';
import { type GraphClient, type GraphTenant, graphObject } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { FreshObjects } from '../graph/fresh.js';
import { ENTERPRISE } from '../mapping.js';
import { type CollectionSpec, type ListPlan, runList } from '../query/list.js';
import { toODataFilter } from '../query/odata.js';
import { USER_ORDERBY, USER_PROPERTIES } from '../query/support.js';
import { isObjectId, mentions, queryAttributes, selectFor, takeEq, wants } from './common.js';
import { attach, type UserRelation } from './relations.js';
import { upnFromGraph, upnToGraph } from './user-body.js';
import { userWrites } from './user-writes.js';

/** What the User handler needs. */
export interface UserDeps {
  graph: GraphClient;
  mapper: Mapper;
  config: EntraIdConfig;
  fresh: FreshObjects;
  relations: readonly UserRelation[];
  /** Resolves paths against the served schemas (post-filtering, local sorting). */
  resolver: () => PathResolver;
  log: Logger;
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

  const { create, modify, replace } = userWrites({ ...deps, toScim, get });

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
          select: selectFor(mapper, { attributes: queryAttributes(request) }, []),
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
