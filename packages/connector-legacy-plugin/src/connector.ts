/**
 * The connector: a plugin written for the older API, served through the Connector contract. Each
 * SCIM operation becomes the plugin method the older gateway called for it, with that API's
 * argument shapes (see convert/ and query.ts), and what the plugin returns or throws is turned
 * back into resources and SCIM errors (plugin-call.ts, errors.ts).
 */
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import {
  type Change,
  type Connector,
  type ConnectorFactoryContext,
  defineConnector,
  type QueryRequest,
  type RequestContext,
  type ResourceHandler,
  type ScimResource,
  type SchemaRegistry,
  URN,
} from '@scimgw/core';
import type { HelperRest } from '@scimgw/helper-rest';
import type { LegacyPluginConfig, LegacyPluginOptions } from './config.js';
import { legacyPluginOptionsZod } from './config.js';
import { changesToAttrObj, fromLegacyObject, needsCurrent, type ShapeInfo, toLegacyObject } from './convert/shapes.js';
import { legacyApi } from './api.js';
import { type GatewayModule, loadLegacyPlugin } from './loader.js';
import { callPlugin, type PluginCallDeps } from './plugin-call.js';
import { type LegacyGetObj, toGetObj } from './query.js';
import { LegacyGatewayObject, type LegacyMethod, type PluginMethodName } from './shim/gateway-object.js';
import { legacyHelperRestClass } from './shim/helper-rest.js';

type Obj = Record<string, unknown>;
type Kind = 'User' | 'Group' | 'Role' | 'Entitlement';
type Methods = { get: PluginMethodName; create?: PluginMethodName; modify?: PluginMethodName; delete?: PluginMethodName };
/** The plugin methods behind each resource type: `/Roles` and `/Entitlements` are read-only, as in the older API. */
const METHODS: Record<Kind, Methods> = {
  User: { get: 'getUsers', create: 'createUser', modify: 'modifyUser', delete: 'deleteUser' },
  Group: { get: 'getGroups', create: 'createGroup', modify: 'modifyGroup', delete: 'deleteGroup' },
  Role: { get: 'getRoles' },
  Entitlement: { get: 'getEntitlements' },
};

function shapeInfo(registry: SchemaRegistry, urn: string, skipTypeConvert: boolean): ShapeInfo {
  const attrs = registry.schema(urn)?.attributes ?? [];
  const typed = new Set(attrs.filter((a) => a.multiValued && a.subAttributes?.some((s) => s.name === 'type')).map((a) => a.name));
  // groups, members and roles always travelled as plain arrays in the older API.
  for (const plain of ['groups', 'members', 'roles']) typed.delete(plain);
  return {
    typed,
    skipTypeConvert,
    isMultiValued(attr, extension) {
      const def = registry.attribute(extension ?? urn, attr);
      return def?.multiValued ?? false;
    },
  };
}

/** The plugin's list result (`{ Resources, totalResults }`, an array, or one object) as a list. */
function resultList(res: unknown): { list: Obj[]; total: number | undefined } {
  if (Array.isArray(res)) return { list: res.filter((r): r is Obj => typeof r === 'object' && r !== null), total: undefined };
  if (res && typeof res === 'object') {
    const r = res as { Resources?: unknown; totalResults?: unknown };
    if (Array.isArray(r.Resources)) {
      const total = typeof r.totalResults === 'number' ? r.totalResults : undefined;
      return { list: r.Resources.filter((x): x is Obj => typeof x === 'object' && x !== null), total };
    }
    if (Object.keys(res).length > 0) return { list: [res as Obj], total: undefined };
  }
  return { list: [], total: undefined };
}

/** Page size when scimgw needs every match (the older API's plugins defaulted to 200 without a count). */
const ALL_PAGE = 200;

/**
 * Every match, page by page: plugins written for the older API return at most `count` (200 when
 * none is given), while the core, evaluating a filter itself, needs them all. Stops at
 * `totalResults`, at a short page, and when a plugin that ignores `startIndex` repeats a page.
 */
async function everyPage(getObj: LegacyGetObj, fetchPage: (getObj: LegacyGetObj) => Promise<unknown>): Promise<Obj[]> {
  const out: Obj[] = [];
  let previousFirst: unknown;
  for (let startIndex = 1; ; startIndex += ALL_PAGE) {
    const { list, total } = resultList(await fetchPage({ ...getObj, startIndex, count: ALL_PAGE }));
    // More than a page: the plugin ignored paging and returned everything.
    if (startIndex === 1 && list.length > ALL_PAGE) return list;
    const first = list[0]?.id;
    if (list.length === 0 || (startIndex > 1 && first !== undefined && first === previousFirst)) break;
    previousFirst = first;
    out.push(...list);
    if (list.length < ALL_PAGE || (total !== undefined && out.length >= total)) break;
  }
  return out;
}

interface Deps extends PluginCallDeps {
  options: LegacyPluginOptions;
  registry: SchemaRegistry;
}

function resourceHandler(kind: Kind, deps: Deps): ResourceHandler {
  const { options } = deps;
  const info = shapeInfo(deps.registry, URN[kind], options.skipTypeConvert);
  const names = METHODS[kind];
  const call = (name: PluginMethodName, ctx: RequestContext, ...args: unknown[]) => callPlugin(deps, name, ctx, args);
  const byId = async (id: string, ctx: RequestContext, attributes: string[] = []): Promise<ScimResource | undefined> => {
    const res = await call(names.get, ctx, { attribute: 'id', operator: 'eq', value: id }, attributes);
    const { list } = resultList(res);
    const found = list.filter((r) => String(r.id) === id);
    return found.length === 1 ? fromLegacyObject(found[0] as Obj, info) : undefined;
  };
  const uniqueKey = kind === 'User' ? 'userName' : 'displayName';

  const reads: ResourceHandler = {
    capabilities: {
      filter: { operators: options.filterOperators, attributes: '*' },
      ...(options.paging ? { paging: { index: true } } : {}),
    },
    async query(request: QueryRequest, ctx) {
      const getObj = toGetObj(request, info);
      if (request.count === undefined) {
        const list = await everyPage(getObj, (o) => call(names.get, ctx, o, request.attributes ?? []));
        return { resources: list.map((r) => fromLegacyObject(r, info)) };
      }
      const res = await call(names.get, ctx, getObj, request.attributes ?? []);
      let { list, total } = resultList(res);
      const start = request.startIndex ?? 1;
      // A plugin that ignored startIndex/count returned everything: page it here.
      if (list.length > request.count) {
        total = list.length;
        list = list.slice(start - 1, start - 1 + request.count);
      }
      const resources = list.map((r) => fromLegacyObject(r, info));
      return { resources, totalResults: total ?? start - 1 + resources.length };
    },
    get: (id, ctx, opts) => byId(id, ctx, opts.attributes ?? []),
  };
  const { create, modify, delete: remove } = names;
  if (!create || !modify || !remove) return reads;
  return {
    ...reads,
    async create(resource, ctx) {
      const body = toLegacyObject(resource, info);
      const res = await call(create, ctx, body);
      let id = res && typeof res === 'object' && 'id' in res ? String((res as Obj).id) : undefined;
      // The older gateway looked the new object up by its unique name when the plugin returned no id.
      if (!id) {
        const name = resource[uniqueKey] ?? resource.externalId;
        const attribute = resource[uniqueKey] !== undefined ? uniqueKey : 'externalId';
        const found = resultList(await call(names.get, ctx, { attribute, operator: 'eq', value: name }, ['id']));
        id = found.list[0]?.id !== undefined ? String(found.list[0].id) : undefined;
      }
      if (!id) throw new Error(`${create} returned no id and the new object could not be found`);
      return (await byId(id, ctx)) ?? { ...resource, id };
    },
    async modify(id, changes: Change[], ctx) {
      const current = needsCurrent(changes, info) ? await byId(id, ctx) : undefined;
      const attrObj = changesToAttrObj(changes, info, current);
      if (Object.keys(attrObj).length > 0) await call(modify, ctx, id, attrObj);
      return undefined;
    },
    async delete(id, ctx) {
      await call(remove, ctx, id);
    },
  };
}

/** Options of {@link createLegacyPluginConnector} beyond the factory context. */
export interface LegacyPluginConnectorOptions {
  /** The configuration file's path (what the plugin sees as `scimgateway.configFile`). */
  configFile?: string;
}

/**
 * Loads the plugin named by `endpoint.legacyPlugin.file` and returns a connector serving it.
 *
 * @example
 * ```ts
 * const connector = await createConnector(context); // endpoint: { legacyPlugin: { file: 'lib/plugin-hr.ts' }, … }
 * ```
 */
export async function createLegacyPluginConnector(
  context: ConnectorFactoryContext<LegacyPluginConfig>,
  extra: LegacyPluginConnectorOptions = {},
): Promise<Connector> {
  const { legacyPlugin, ...endpoint } = context.config;
  const options = legacyPluginOptionsZod.parse(legacyPlugin);
  const file = isAbsolute(options.file) ? options.file : resolve(context.baseDir, options.file);
  const pluginName = basename(file, extname(file));
  const clients: HelperRest[] = [];
  const userInfo = shapeInfo(context.registry, URN.User, options.skipTypeConvert);
  const gateway = new LegacyGatewayObject({
    endpoint: endpoint as Obj,
    pluginName,
    pluginDir: dirname(file),
    configDir: dirname(context.certsDir),
    configFile: extra.configFile ?? resolve(dirname(context.certsDir), `${pluginName}.json`),
    log: context.log,
    multiValueTypes: [...userInfo.typed],
  });
  const HelperRestClass = legacyHelperRestClass({ certsDir: context.certsDir, log: context.log, clients });
  const ScimGateway = function ScimGateway() {
    return gateway;
  } as unknown as GatewayModule;
  ScimGateway.ScimGateway = ScimGateway;
  ScimGateway.HelperRest = HelperRestClass;
  await loadLegacyPlugin(file, ScimGateway);
  if (!gateway.method('getUsers'))
    throw new Error(`plugin ${file} defines no getUsers: is it written for the older scimgateway plugin API?`);
  const deps: Deps = { gateway, options, registry: context.registry, gatewayLog: context.log };
  const resources: Record<string, ResourceHandler> = { User: resourceHandler('User', deps) };
  if (options.groups && gateway.method('getGroups')) resources.Group = resourceHandler('Group', deps);
  if (gateway.method('getRoles')) resources.Role = resourceHandler('Role', deps);
  if (gateway.method('getEntitlements')) resources.Entitlement = resourceHandler('Entitlement', deps);
  const api = legacyApi(deps);
  return defineConnector({
    name: `connector-legacy-plugin (${pluginName})`,
    coreVersion: '^1.0.0',
    registry: context.registry,
    resources,
    passThroughAuth: gateway.authPassThroughAllowed,
    host: {
      attach: (services) => gateway.attachMailer(services.mailer),
      ...(api ? { api } : {}),
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.close()));
    },
  });
}

/** The factory the gateway calls (`connector: "@scimgw/connector-legacy-plugin"`). */
export function createConnector(context: ConnectorFactoryContext<LegacyPluginConfig>): Promise<Connector> {
  return createLegacyPluginConnector(context);
}

export type { LegacyMethod };
