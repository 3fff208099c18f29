/**
 * The Group resource: `/groups` in Microsoft Graph (security or Microsoft 365 groups), attributes
 * through the mapper, members through `members/$ref` one member at a time.
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
import type { BatchDeps } from '../graph/batch.js';
import { type GraphClient, graphObject } from '../graph/client.js';
import { GraphError } from '../graph/errors.js';
import type { FreshObjects } from '../graph/fresh.js';
import { type CollectionSpec, type ListPlan, runList } from '../query/list.js';
import { toODataFilter } from '../query/odata.js';
import { GROUP_ORDERBY, GROUP_PROPERTIES } from '../query/support.js';
import { RELATION_PREFIX } from '../mapping.js';
import {
  isObjectId,
  mentions,
  nicknameFrom,
  propertiesOnly,
  queryAttributes,
  selectFor,
  setPath,
  takeEq,
  wants,
} from './common.js';
import { addMembers, readMembers, reference, removeMembers, replaceMembers } from './members.js';
import { elementsOf } from './relations.js';

/** What the Group handler needs. */
export interface GroupDeps {
  graph: GraphClient;
  batch: BatchDeps;
  mapper: Mapper;
  config: EntraIdConfig;
  fresh: FreshObjects;
  resolver: () => PathResolver;
}

/** Most references Graph takes in one `members@odata.bind`. */
const MAX_BINDS = 20;

type Record_ = Record<string, unknown>;

const isMembersPath = (p: { uri?: string | undefined; attr: string; sub?: string | undefined }) =>
  !p.uri && p.attr.toLowerCase() === 'members';

/** Creates the Group handler. */
export function groupHandler(deps: GroupDeps): ResourceHandler {
  const { graph, mapper, config, fresh } = deps;
  const memberDeps = { graph, batch: deps.batch, fresh };

  const toScim = (record: Record_) => mapper.toScim(record);

  const get = async (id: string, ctx: RequestContext, options: GetOptions): Promise<ScimResource | undefined> => {
    const tenant = graph.tenant(ctx);
    if (!isObjectId(id)) return undefined;
    let record: Record_;
    try {
      const select = selectFor(mapper, options, []);
      record = graphObject(
        (
          await graph.callRaw<Record_>(
            tenant,
            { method: 'GET', path: `/groups/${id}?$select=${select.join(',')}`, op: 'groups.read', fresh: [id] },
            ctx,
          )
        ).body,
        `group "${id}"`,
      );
    } catch (e) {
      if (e instanceof GraphError && e.status === 404) return undefined;
      throw graph.translate(e, tenant, 'groups.read');
    }
    const resource = toScim(record);
    if (!resource) return undefined;
    if (wants('members', options, true)) resource.members = await readMembers(memberDeps, tenant, id, ctx);
    return resource;
  };

  const createBody = (resource: ScimResource): Record_ => {
    const body: Record_ = { ...config.groups.createDefaults, ...propertiesOnly(mapper.toEndpoint(resource)) };
    const name = typeof body.displayName === 'string' ? body.displayName : '';
    if (body.mailNickname === undefined) body.mailNickname = nicknameFrom(name.replace(/[^A-Za-z0-9._-]/g, ''));
    if (config.groups.kind === 'microsoft365') {
      body.groupTypes ??= ['Unified'];
      body.mailEnabled ??= true;
      body.securityEnabled ??= false;
    } else {
      body.mailEnabled ??= false;
      body.securityEnabled ??= true;
    }
    return body;
  };

  const create = async (resource: ScimResource, ctx: RequestContext): Promise<ScimResource> => {
    const tenant = graph.tenant(ctx);
    const body = createBody(resource);
    const members = elementsOf(resource.members).map((m) => m.value);
    const bad = members.find((m) => !isObjectId(m));
    if (bad !== undefined) throw new errors.InvalidValueError(`members: "${bad}" is not a user or group id`);
    const unique = [...new Set(members.map((m) => m.toLowerCase()))];
    // Up to 20 members go into the create itself: the group appears with all of them or not at all.
    if (unique.length > 0 && unique.length <= MAX_BINDS) {
      body['members@odata.bind'] = unique.map((m) => reference(tenant, m)['@odata.id']);
    }
    const res = await graph.call<Record_>(
      tenant,
      { method: 'POST', path: '/groups', body, op: 'groups.create', fresh: unique.length <= MAX_BINDS ? unique : [] },
      ctx,
    );
    const id = res.body?.id;
    if (typeof id !== 'string') throw new errors.ScimError(502, 'Microsoft Graph answered the creation of a group without an id');
    fresh.add(id);
    if (unique.length > MAX_BINDS) {
      try {
        await addMembers(memberDeps, tenant, id, unique, ctx);
      } catch (e) {
        // All or nothing, as for the smaller create: remove the half-made group.
        await graph
          .call(tenant, { method: 'DELETE', path: `/groups/${id}`, op: 'groups.write', fresh: [id] }, ctx)
          .catch(() => undefined);
        throw e;
      }
    }
    const stored = { ...body, ...(res.body ?? {}) };
    delete stored['members@odata.bind'];
    const out = toScim(stored) ?? { id };
    out.members = unique.map((value) => ({ value }));
    return out;
  };

  const modify = async (id: string, changes: Change[], ctx: RequestContext): Promise<ScimResource | undefined> => {
    const tenant = graph.tenant(ctx);
    if (!isObjectId(id)) throw new errors.NotFoundError(`Group "${id}" not found`);
    const mapped: Change[] = [];
    // Membership changes keep their order: a remove then an add of the same member must end with it.
    for (const ch of changes) {
      if (!isMembersPath(ch.path)) {
        mapped.push(ch);
        continue;
      }
      if (ch.op === 'add')
        await addMembers(
          memberDeps,
          tenant,
          id,
          elementsOf(ch.value).map((m) => m.value),
          ctx,
        );
      else if (ch.op === 'replace' && !ch.path.where)
        await replaceMembers(
          memberDeps,
          tenant,
          id,
          elementsOf(ch.value).map((m) => m.value),
          ctx,
        );
      else if (ch.op === 'remove' && ch.value)
        await removeMembers(
          memberDeps,
          tenant,
          id,
          elementsOf(ch.value).map((m) => m.value),
          ctx,
        );
      else if (ch.op === 'remove' && ch.path.where) {
        const ids = selectedIds(ch.path.where);
        if (ids) await removeMembers(memberDeps, tenant, id, ids, ctx);
        else {
          const current = await readMembers(memberDeps, tenant, id, ctx);
          const hit = current.filter((m) => matchesFilter(ch.path.where as FilterNode, m)).map((m) => m.value);
          await removeMembers(memberDeps, tenant, id, hit, ctx);
        }
      } else if (ch.op === 'remove') await replaceMembers(memberDeps, tenant, id, [], ctx);
      else throw new errors.InvalidPathError('members: this change cannot be applied to a member list');
    }
    if (mapped.length) {
      const current = mapper.needsCurrent(mapped) ? await get(id, ctx, { excludedAttributes: ['members'] }) : undefined;
      const endpoint = mapper.changesToEndpoint(mapped, { current });
      const body: Record_ = {};
      for (const key of endpoint.clear) setPath(body, key, null);
      for (const [key, value] of Object.entries(endpoint.set)) setPath(body, key, value);
      if (Object.keys(body).length) {
        await graph.call(tenant, { method: 'PATCH', path: `/groups/${id}`, body, op: 'groups.write', fresh: [id] }, ctx);
      }
    }
    return undefined;
  };

  const replace = async (id: string, resource: ScimResource, ctx: RequestContext): Promise<ScimResource> => {
    const tenant = graph.tenant(ctx);
    if (!isObjectId(id)) throw new errors.NotFoundError(`Group "${id}" not found`);
    const body = propertiesOnly(mapper.toEndpoint(resource));
    for (const a of mapper.attributes) {
      if (a.readOnly || a.endpoint === 'id' || a.endpoint === 'displayName' || a.endpoint.startsWith(RELATION_PREFIX)) continue;
      if (mapper.getEndpointValue(body, a.endpoint) === undefined) setPath(body, a.endpoint, null);
    }
    if (Object.keys(body).length) {
      await graph.call(tenant, { method: 'PATCH', path: `/groups/${id}`, body, op: 'groups.write', fresh: [id] }, ctx);
    }
    await replaceMembers(
      memberDeps,
      tenant,
      id,
      elementsOf(resource.members).map((m) => m.value),
      ctx,
    );
    const out = await get(id, ctx, {});
    if (!out) throw new errors.NotFoundError(`Group "${id}" not found`);
    return out;
  };

  const del = async (id: string, ctx: RequestContext): Promise<void> => {
    const tenant = graph.tenant(ctx);
    if (!isObjectId(id)) throw new errors.NotFoundError(`Group "${id}" not found`);
    await graph.call(tenant, { method: 'DELETE', path: `/groups/${id}`, op: 'groups.write', fresh: [id] }, ctx);
    fresh.delete(id);
  };

  const query = async (request: QueryRequest, ctx: RequestContext) => {
    const tenant = graph.tenant(ctx);
    const withMembers = wants('members', request, false);
    const list = (spec: Partial<CollectionSpec> & { path: string }, plan: ListPlan) =>
      runList(
        { graph, pageSize: config.pageSize, maxLocalResults: config.maxLocalResults, resolver: deps.resolver() },
        tenant,
        {
          relationship: false,
          select: selectFor(mapper, { attributes: queryAttributes(request) }, []),
          op: 'groups.read',
          toScim,
          ...(withMembers
            ? {
                complete: async (resources: ScimResource[], c: RequestContext) => {
                  for (const r of resources) r.members = await readMembers(memberDeps, tenant, r.id as string, c);
                },
              }
            : {}),
          ...spec,
        },
        plan,
        request,
        ctx,
      );
    // The groups of one member: its memberOf, not a scan of every group.
    const byMember = takeEq(request.filter, (p) => isMembersPath(p) && (p.sub === undefined || p.sub.toLowerCase() === 'value'));
    if (byMember) {
      if (!isObjectId(byMember.value)) return { resources: [], totalResults: 0 };
      const plan: ListPlan = {
        odata: { filter: undefined, advanced: false, exact: true, none: false },
        residual: byMember.rest,
        ...(request.sort ? { localSort: request.sort } : {}),
      };
      for (const kind of ['users', 'groups']) {
        try {
          return await list({ path: `/${kind}/${byMember.value}/memberOf/microsoft.graph.group`, relationship: true }, plan);
        } catch (e) {
          if (!(e instanceof errors.NotFoundError)) throw e;
        }
      }
      return { resources: [], totalResults: 0 };
    }
    if (mentions(request.filter, isMembersPath)) {
      throw new errors.InvalidFilterError('Filters on members are supported only as "members.value eq <id>"');
    }
    const translated = mapper.translateFilter(request.filter);
    if (translated.kind === 'none') return { resources: [], totalResults: 0 };
    const odata = toODataFilter(GROUP_PROPERTIES, translated.kind === 'filter' ? translated.filter : undefined);
    const exact = translated.exact && odata.exact;
    const plan: ListPlan = { odata, ...(exact ? {} : { residual: request.filter }) };
    if (request.sort) {
      const props = mapper.endpointAttributesFor(request.sort.path);
      const prop = props.length === 1 ? props[0] : undefined;
      if (prop && GROUP_ORDERBY.has(prop)) plan.orderBy = `${prop}${request.sort.order === 'descending' ? ' desc' : ''}`;
      else plan.localSort = request.sort;
    }
    return list({ path: '/groups' }, plan);
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

/** `value eq "a"` or `value eq "a" or value eq "b"`: the ids; anything else `undefined`. */
function selectedIds(where: FilterNode): string[] | undefined {
  const terms = where.type === 'or' ? where.filters : [where];
  const out: string[] = [];
  for (const t of terms) {
    if (t.type !== 'compare' || t.op !== 'eq' || t.path.attr.toLowerCase() !== 'value' || typeof t.value !== 'string')
      return undefined;
    out.push(t.value);
  }
  return out;
}
