/**
 * The SCIM operations of one resource type (User or Group), each carried out by the WSDL
 * operations the configuration names. Operations the configuration leaves out are left out here,
 * so the core answers 501 for them (or uses another: PATCH through get + replace, PUT through modify).
 */
import {
  type Change,
  errors,
  type Logger,
  type QueryRequest,
  type QueryResult,
  type RequestContext,
  type ResourceCapabilities,
  type ResourceHandler,
  type ScimResource,
  type SchemaRegistry,
  UndoLog,
} from '@scimgw/core';
import { type FilterNode, matchesFilter } from '@scimgw/core/filter';
import { applyChanges } from '@scimgw/core/patch';
import type { EndpointChanges, Mapper } from '@scimgw/mapper';
import type { ArrayWrapping } from './arrays.js';
import { applyChangesTo, asList, isEmpty, needsRecord, partialChanges } from './changes.js';
import type { ListOperationConfig, OperationConfig, ResourceOperationsConfig, SearchOperationConfig } from './config.js';
import { SoapCallError, toScimError } from './errors.js';
import { integerAt, recordsAt as recordsIn, writeAnswer } from './result.js';
import type { SecretMask } from './secrets.js';
import type { SoapServices } from './services.js';
import { type CompiledTemplate, compileTemplate, pages, type TemplateKind, type TemplateValues } from './template.js';
import { prepareMessage, XmlValueError } from './xml-guard.js';

/** What one resource type needs. */
export interface ResourceDeps {
  resourceType: 'User' | 'Group';
  ops: ResourceOperationsConfig;
  mapper: Mapper;
  services: SoapServices;
  secrets: SecretMask;
  /** The registry the connector serves (for PATCH through replace and local filtering). */
  registry(): SchemaRegistry;
  /** `operations.user` — for configuration errors. */
  where: string;
  /** Lists written as one element per item (SOAP-encoded arrays). */
  arrays: ArrayWrapping;
  /** Where an undo the service refused is reported. */
  log: Logger;
}

const IDEMPOTENT: Readonly<Record<TemplateKind, boolean>> = {
  list: true,
  search: true,
  get: true,
  create: false,
  modify: false,
  replace: true,
  delete: true,
  addMember: false,
  removeMember: false,
};

type AnyOp = OperationConfig | ListOperationConfig | SearchOperationConfig;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A problem in the operations of a resource type, found at startup. */
export class OperationConfigError extends Error {
  override name = 'OperationConfigError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** The endpoint attribute `search` compares for one SCIM attribute. */
function searchKeys(mapper: Mapper, search: SearchOperationConfig, where: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, path] of search.attributes.entries()) {
    const keys = mapper.endpointAttributesFor(path);
    if (keys.length !== 1) {
      throw new OperationConfigError(
        `${where}.search.attributes[${i}]`,
        keys.length === 0
          ? `"${path}" is not mapped (map it in endpoint.map first)`
          : `"${path}" is held by several endpoint attributes (${keys.join(', ')}); search needs exactly one`,
      );
    }
    out.set(path.toLowerCase(), keys[0] as string);
  }
  return out;
}

/** Builds the handler of one resource type. */
export function resourceHandler(deps: ResourceDeps): ResourceHandler {
  const { mapper, ops, services, secrets, where, arrays } = deps;
  /** The records of a result, lists unwrapped. */
  const recordsAt = (result: unknown, path: string | undefined) => recordsIn(result, path).map((r) => arrays.unwrap(r));
  const rt = deps.resourceType;
  const templates = new Map<TemplateKind, CompiledTemplate>();
  for (const kind of Object.keys(ops) as TemplateKind[]) {
    const op = ops[kind] as AnyOp | undefined;
    if (op) templates.set(kind, compileTemplate(op.request, kind, `${where}.${kind}.request`));
  }
  if (rt !== 'Group' && (ops.addMember || ops.removeMember)) {
    throw new OperationConfigError(`${where}`, 'addMember/removeMember are for groups');
  }
  const searchKeyOf = ops.search ? searchKeys(mapper, ops.search, where) : new Map<string, string>();
  const memberKey =
    rt === 'Group'
      ? mapper.attributes.find((a) => a.targets.some((t) => t.attr.toLowerCase() === 'members' && !t.extension))?.endpoint
      : undefined;
  const secretKeys = mapper.attributes
    .filter((a) => a.targets.some((t) => t.path.toLowerCase() === 'password' || t.writeOnly))
    .map((a) => a.endpoint);
  // A paged operation without a total would end every listing after its first page.
  for (const kind of ['list', 'search'] as const) {
    const op = ops[kind];
    if (op && pages(templates.get(kind) as CompiledTemplate) && op.total === undefined) {
      throw new OperationConfigError(
        `${where}.${kind}.total`,
        'the request pages ($startIndex, $offset or $count): say where the total count is',
      );
    }
  }
  const listPages = ops.list !== undefined && pages(templates.get('list') as CompiledTemplate);
  const searchPages = ops.search !== undefined && pages(templates.get('search') as CompiledTemplate);

  /** Runs one configured operation. */
  const run = async (kind: TemplateKind, ctx: RequestContext, values: TemplateValues): Promise<unknown> => {
    const op = ops[kind] as AnyOp;
    const template = templates.get(kind) as CompiledTemplate;
    const filled = template.fill({
      ...values,
      ...(values.record ? { record: arrays.wrap(values.record) } : {}),
      ...(values.set ? { set: arrays.wrap(values.set) } : {}),
      tenant: ctx.tenant,
      readKey: (r, k) => mapper.getEndpointValue(r, k),
    });
    let message: Record<string, unknown>;
    try {
      message = prepareMessage(filled) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof XmlValueError) throw new errors.InvalidValueError(e.message);
      throw e;
    }
    return services.call(ctx, op.service, op.method, message, {
      idempotent: op.idempotent ?? IDEMPOTENT[kind],
      timeout: op.timeout,
    });
  };

  const remember = (record: Record<string, unknown> | undefined) => {
    if (!record) return;
    for (const k of secretKeys) {
      const v = mapper.getEndpointValue(record, k);
      if (typeof v === 'string') secrets.add(v);
    }
  };

  const view = (record: Record<string, unknown>): ScimResource | undefined => {
    const r = mapper.toScim(record);
    return r && typeof r.id === 'string' && r.id !== '' ? r : undefined;
  };

  const isNotFound = (e: unknown) => e instanceof SoapCallError && e.category === 'notFound';

  /** Every record `list` returns, page by page when it pages. */
  const listAll = async (ctx: RequestContext): Promise<Record<string, unknown>[]> => {
    const list = ops.list as ListOperationConfig;
    if (!listPages) return recordsAt(await run('list', ctx, {}), list.result);
    const out: Record<string, unknown>[] = [];
    for (let page = 0; page < list.maxPages; page++) {
      const offset = out.length;
      const result = await run('list', ctx, { startIndex: offset + 1, offset, count: list.pageSize });
      const records = recordsAt(result, list.result);
      out.push(...records);
      const total = integerAt(result, list.total);
      if (records.length === 0 || (total !== undefined && out.length >= total)) return out;
    }
    throw new SoapCallError('invalidResponse', list.service, list.method, `paging did not end within ${list.maxPages} pages`);
  };

  /** The endpoint filter `search` can answer, or `undefined`. */
  const searchTerm = (filter: FilterNode): { attribute: string; value: unknown } | 'none' | undefined => {
    if (filter.type !== 'compare' || filter.op !== 'eq') return undefined;
    const plainPath = filter.path.sub ? `${filter.path.attr}.${filter.path.sub}` : filter.path.attr;
    const scimPath = filter.path.uri ? `${filter.path.uri}:${plainPath}` : plainPath;
    const key = searchKeyOf.get(scimPath.toLowerCase());
    if (key === undefined) return undefined;
    const tr = mapper.translateFilter(filter);
    if (tr.kind === 'none') return 'none';
    if (tr.kind !== 'filter' || tr.filter.type !== 'compare' || tr.filter.op !== 'eq') return undefined;
    return { attribute: key, value: tr.filter.value };
  };

  const getRecord = async (id: string, ctx: RequestContext): Promise<Record<string, unknown> | undefined> => {
    if (ops.get) {
      try {
        return recordsAt(await run('get', ctx, { id }), ops.get.result)[0];
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    }
    const idKey = searchKeyOf.get('id');
    const records =
      ops.search && idKey
        ? recordsAt(
            await run('search', ctx, { attribute: idKey, value: id, startIndex: 1, offset: 0, count: 2 }),
            ops.search.result,
          )
        : await listAll(ctx);
    return records.find((r) => view(r)?.id === id);
  };
  const canGet = ops.get !== undefined || (ops.search !== undefined && searchKeyOf.has('id')) || ops.list !== undefined;

  const get = async (id: string, ctx: RequestContext): Promise<ScimResource | undefined> => {
    const rec = await getRecord(id, ctx);
    return rec ? view(rec) : undefined;
  };

  const mustRecord = async (id: string, ctx: RequestContext): Promise<Record<string, unknown>> => {
    const rec = await getRecord(id, ctx);
    if (!rec || !view(rec)) throw new errors.NotFoundError(`${rt} "${id}" not found`);
    return rec;
  };

  /** A resource an allowlist hides does not exist for writes either. */
  const mustBeVisible = async (id: string, ctx: RequestContext) => {
    if (mapper.hidesResources && canGet) await mustRecord(id, ctx);
  };

  /** What a create/replace/modify answered, as the stored resource. */
  const answered = async (op: AnyOp, result: unknown, ctx: RequestContext, id?: string): Promise<ScimResource | undefined> => {
    const ans = writeAnswer(result, op.result);
    if (ans.kind === 'record') {
      const r = view(arrays.unwrap(ans.record));
      if (r) return r;
    }
    const newId = ans.kind === 'id' ? ans.id : id;
    if (newId !== undefined && canGet) return get(newId, ctx);
    return undefined;
  };

  const mustTotal = (op: ListOperationConfig | SearchOperationConfig, result: unknown): number => {
    const total = integerAt(result, op.total);
    if (total === undefined) {
      throw new SoapCallError('invalidResponse', op.service, op.method, `the answer has no total count at "${op.total}"`);
    }
    return total;
  };

  const query = async (req: QueryRequest, ctx: RequestContext): Promise<QueryResult> => {
    // The service pages only when a count is asked for; otherwise everything is read and paged here.
    const startIndex = req.startIndex ?? 1;
    const count = req.count;
    let records: Record<string, unknown>[] | undefined;
    let total: number | undefined;
    let exact = req.filter === undefined;
    if (req.filter && ops.search) {
      const term = searchTerm(req.filter);
      if (term === 'none') return { resources: [], totalResults: 0 };
      if (term) {
        const paged = searchPages && count !== undefined;
        const result = await run('search', ctx, { ...term, ...(paged ? { startIndex, offset: startIndex - 1, count } : {}) });
        records = recordsAt(result, ops.search.result);
        if (paged) total = mustTotal(ops.search, result);
        exact = true;
      }
    }
    if (!records) {
      if (!ops.list) throw new errors.NotImplementedError(`${rt} list is not supported by this connector`);
      if (listPages && count !== undefined && exact) {
        const result = await run('list', ctx, { startIndex, offset: startIndex - 1, count });
        records = recordsAt(result, ops.list.result);
        total = mustTotal(ops.list, result);
      } else records = await listAll(ctx);
    }
    let resources = records.map(view).filter((r): r is ScimResource => r !== undefined);
    if (!exact && req.filter) {
      const reg = deps.registry();
      const def = reg.resourceType(rt);
      if (def) resources = resources.filter((r) => matchesFilter(req.filter as FilterNode, r, reg.resolver(def)));
    }
    if (total !== undefined) return { resources, totalResults: total };
    if (req.startIndex === undefined && count === undefined) return { resources };
    const from = startIndex - 1;
    return { resources: resources.slice(from, count === undefined ? undefined : from + count), totalResults: resources.length };
  };

  const modify = async (id: string, changes: Change[], ctx: RequestContext): Promise<ScimResource | undefined> => {
    await mustBeVisible(id, ctx);
    let current: ScimResource | undefined;
    if (mapper.needsCurrent(changes)) {
      current = await get(id, ctx);
      if (!current) throw new errors.NotFoundError(`${rt} "${id}" not found`);
    }
    const mod: EndpointChanges = mapper.changesToEndpoint(changes, { current });
    const adds: string[] = [];
    const removes: string[] = [];
    /** Members known to change (from the current list): only their operations are reversed. */
    const known = new Set<string>();
    if (memberKey && ops.addMember && ops.removeMember) {
      const ids = (values: unknown) =>
        asList(values)
          .map((v) => (isRecord(v) ? v.value : v))
          .filter((v): v is string => typeof v === 'string' && v !== '');
      if (memberKey in mod.set || mod.clear.includes(memberKey)) {
        // The whole list is replaced (`replace members`): only this reads the current members.
        const target = ids(mod.set[memberKey]);
        const have = ids(mapper.getEndpointValue(await mustRecord(id, ctx), memberKey));
        adds.push(...target.filter((m) => !have.includes(m)));
        removes.push(...have.filter((m) => !target.includes(m)));
        for (const m of [...adds, ...removes]) known.add(m);
        delete mod.set[memberKey];
        mod.clear = mod.clear.filter((k) => k !== memberKey);
      }
      removes.push(...ids(mod.remove[memberKey]));
      adds.push(...ids(mod.add[memberKey]));
      delete mod.remove[memberKey];
      delete mod.add[memberKey];
    }
    // One client write, several operations, answered as one: the members first, then the other
    // attributes (the one step with no reverse at hand); when one fails, the member operations
    // before it are reversed, newest first. Only those of members known to change: a service may
    // take a member it has already without a fault, and reversing that add would take out a member
    // that was there before. Members named by an add or a remove are not read (a group of 5,000
    // is not read to add one), so their operations stay: they are idempotent, and the IdP's retry
    // ends where it meant to.
    const undo = new UndoLog(deps.log, 'soap', { resourceType: rt, id });
    return undo.guard(async () => {
      for (const member of new Set(removes)) {
        try {
          await run('removeMember', ctx, { id, member });
          if (known.has(member)) undo.push(`removeMember ${member}`, () => run('addMember', ctx, { id, member }));
        } catch (e) {
          // Removing a member that is not there is done already.
          if (!isNotFound(e)) throw e;
        }
      }
      for (const member of new Set(adds)) {
        try {
          await run('addMember', ctx, { id, member });
          if (known.has(member)) undo.push(`addMember ${member}`, () => run('removeMember', ctx, { id, member }));
        } catch (e) {
          if (!(e instanceof SoapCallError && e.category === 'duplicate')) throw e;
        }
      }
      return isEmpty(mod) ? undefined : await modifyAttributes(id, changes, mod, ctx);
    });
  };

  /** The non-membership part of a modification. */
  const modifyAttributes = async (
    id: string,
    changes: Change[],
    mod: EndpointChanges,
    ctx: RequestContext,
  ): Promise<ScimResource | undefined> => {
    const template = templates.get('modify');
    if (!ops.modify || !template) {
      if (!ops.replace || !canGet) {
        throw new errors.NotImplementedError(
          `${rt}: changing ${[...Object.keys(mod.set), ...mod.clear].join(', ')} needs a "modify" operation`,
        );
      }
      // Through replace: the current resource with the changes (membership went through addMember/removeMember).
      const reg = deps.registry();
      const def = reg.resourceType(rt);
      const cur = await get(id, ctx);
      if (!cur || !def) throw new errors.NotFoundError(`${rt} "${id}" not found`);
      const others = changes.filter((c) => !(memberKey && c.path.attr.toLowerCase() === 'members' && ops.addMember));
      const next = applyChanges(cur, others, { registry: reg, resourceType: def }).resource;
      delete next.meta;
      const record = mapper.toEndpoint(next);
      remember(record);
      return answered(ops.replace, await run('replace', ctx, { id, record }), ctx, id);
    }
    if (template.uses.has('record')) {
      const record = applyChangesTo(mapper, structuredClone(await mustRecord(id, ctx)), mod);
      remember(record);
      const partial = partialChanges(mapper, mod, record);
      return answered(ops.modify, await run('modify', ctx, { id, record, set: partial.set, clear: partial.clear }), ctx);
    }
    const partial = partialChanges(mapper, mod, needsRecord(mod) ? await mustRecord(id, ctx) : undefined);
    remember(partial.set);
    const values: TemplateValues = { id };
    if (Object.keys(partial.set).length) values.set = partial.set;
    if (partial.clear.length) values.clear = partial.clear;
    return answered(ops.modify, await run('modify', ctx, values), ctx);
  };

  const capabilities: ResourceCapabilities = {};
  if (ops.search) capabilities.filter = { operators: ['eq'], attributes: [...ops.search.attributes] };
  if (listPages && (!ops.search || searchPages) && !mapper.hidesResources) capabilities.paging = { index: true };

  const handler: ResourceHandler = { capabilities };
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (e) {
        throw toScimError(e);
      }
    };
  if (ops.list || ops.search) handler.query = guard(query);
  if (canGet) handler.get = guard((id: string, ctx: RequestContext) => get(id, ctx));
  if (ops.create) {
    const create = ops.create;
    handler.create = guard(async (resource: ScimResource, ctx: RequestContext) => {
      const record = mapper.toEndpoint(resource);
      remember(record);
      const stored = await answered(create, await run('create', ctx, { record }), ctx);
      if (!stored) {
        throw toScimError(
          new SoapCallError(
            'invalidResponse',
            create.service,
            create.method,
            'create answered without the new resource or its id',
          ),
        );
      }
      return stored;
    });
  }
  if (ops.replace) {
    const replace = ops.replace;
    handler.replace = guard(async (id: string, resource: ScimResource, ctx: RequestContext) => {
      await mustBeVisible(id, ctx);
      const record = mapper.toEndpoint(resource);
      remember(record);
      return (await answered(replace, await run('replace', ctx, { id, record }), ctx, id)) ?? { ...resource, id };
    });
  }
  if (ops.modify || (ops.addMember && ops.removeMember)) handler.modify = guard(modify);
  if (ops.delete) {
    handler.delete = guard(async (id: string, ctx: RequestContext) => {
      await mustBeVisible(id, ctx);
      await run('delete', ctx, { id });
    });
  }
  return handler;
}
