/**
 * Dry runs through the real core handler: a connector that reads through to the real one and
 * records the writes it is asked for instead of doing them. A host builds a second SCIM handler
 * on it (same options as its real one), so a dry run is parsed, normalized, validated and
 * authorized by the same code as the real request, and stops where the backend would be written.
 */
import {
  type Change,
  type Connector,
  CORE_VERSION,
  defineConnector,
  errors,
  type RequestContext,
  type ResourceHandler,
  type SchemaRegistry,
  type ScimResource,
} from '@scimgw/core';
import { applyChanges } from '@scimgw/core/patch';

/** One write a dry run did not do. `before`/`after` are the resource as stored and as it would be. */
export type DryRunRecord =
  | { op: 'create'; resourceType: string; after: ScimResource }
  | { op: 'modify'; resourceType: string; id: string; changes: Change[]; before: ScimResource; after: ScimResource }
  | { op: 'replace'; resourceType: string; id: string; before: ScimResource | undefined; after: ScimResource }
  | { op: 'delete'; resourceType: string; id: string; before: ScimResource | undefined };

/** A recording connector and the way to collect what it recorded. */
export interface DryRun {
  /** Reads go to the real connector; writes are recorded under `ctx.requestId`. */
  connector: Connector;
  /** The records of one request (in order), removed from the recorder. */
  take(requestId: string): DryRunRecord[];
}

/** The id a dry-run create answers with: no resource has it. */
export const DRY_RUN_ID = '(dry-run: not created)';

/** Records kept at most for requests nobody collected (a host that forgets to call `take`). */
const MAX_PENDING = 1000;

/**
 * Wraps `connector` for dry runs. Only the operations the real connector has are present, so the
 * core takes the same branch it takes for the real request (a connector without `modify` gets
 * its PATCH as get + `replace`, in the dry run too).
 *
 * @param registry - the schemas the host serves (to apply PATCH changes as a document store would)
 * @example
 * const dry = createDryRun(connector, registry);
 * const preview = createScimHandler({ ...options, connector: dry.connector });
 * const res = await preview.handle({ method: 'DELETE', url: '/Users/42', context: { requestId: 'r1' } });
 * dry.take('r1'); // [{ op: 'delete', resourceType: 'User', id: '42', before: {...} }]
 */
export function createDryRun(connector: Connector, registry: SchemaRegistry): DryRun {
  const pending = new Map<string, DryRunRecord[]>();
  const record = (ctx: RequestContext, entry: DryRunRecord) => {
    const key = ctx.requestId ?? '';
    const list = pending.get(key);
    if (list) list.push(entry);
    else {
      if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
      pending.set(key, [entry]);
    }
  };

  const resources: Record<string, ResourceHandler> = {};
  for (const [type, real] of Object.entries(connector.resources)) {
    if (!real) continue;
    resources[type] = wrap(type, real, registry, record);
  }
  return {
    connector: defineConnector({
      name: `${connector.name} (dry run)`,
      coreVersion: `^${CORE_VERSION}`,
      resources,
      ...(connector.registry ? { registry: connector.registry } : {}),
      ...(connector.passThroughAuth === undefined ? {} : { passThroughAuth: connector.passThroughAuth }),
    }),
    take(requestId) {
      const list = pending.get(requestId) ?? [];
      pending.delete(requestId);
      return list;
    },
  };
}

type Recorder = (ctx: RequestContext, entry: DryRunRecord) => void;

/** The dry-run handler of one resource type. */
function wrap(type: string, real: ResourceHandler, registry: SchemaRegistry, record: Recorder): ResourceHandler {
  const out: ResourceHandler = {};
  if (real.capabilities) out.capabilities = real.capabilities;
  if (real.query) out.query = real.query.bind(real);
  if (real.get) out.get = real.get.bind(real);
  const read = async (id: string, ctx: RequestContext): Promise<ScimResource | undefined> =>
    real.get ? real.get(id, ctx, {}) : undefined;
  const existing = async (id: string, ctx: RequestContext): Promise<ScimResource> => {
    const found = await read(id, ctx);
    if (!found) throw new errors.NotFoundError(`${type} "${id}" not found`);
    return found;
  };

  if (real.create) {
    out.create = async (resource, ctx) => {
      const now = new Date().toISOString();
      const after: ScimResource = { ...resource, id: DRY_RUN_ID, meta: { resourceType: type, created: now, lastModified: now } };
      record(ctx, { op: 'create', resourceType: type, after });
      return after;
    };
  }
  if (real.modify) {
    out.modify = async (id, changes, ctx) => {
      const before = await existing(id, ctx);
      const rt = registry.resourceType(type);
      const after = applyChanges(before, changes, rt ? { registry, resourceType: rt } : undefined).resource;
      record(ctx, { op: 'modify', resourceType: type, id, changes, before, after });
      return after;
    };
  }
  if (real.replace) {
    out.replace = async (id, resource, ctx) => {
      const before = real.get ? await existing(id, ctx) : undefined;
      const after: ScimResource = { ...resource, id, ...(before?.meta ? { meta: before.meta } : {}) };
      record(ctx, { op: 'replace', resourceType: type, id, before, after });
      return after;
    };
  }
  if (real.delete) {
    out.delete = async (id, ctx) => {
      const before = real.get ? await existing(id, ctx) : undefined;
      record(ctx, { op: 'delete', resourceType: type, id, before });
    };
  }
  return out;
}
