/**
 * The Connector contract's resource handler for one SQL-backed resource type: capabilities
 * declared from what the catalog compiles exactly, each operation one read or one transaction.
 */
import {
  type Change,
  errors,
  type GetOptions,
  type Logger,
  type QueryRequest,
  type RequestContext,
  type ResourceCapabilities,
  type ResourceHandler,
  type SchemaRegistry,
  type ScimResource,
} from '@scimgw/core';
import { type CompValue, type FilterNode, type FilterOperator, parseAttrPath } from '@scimgw/core/filter';
import type { Database } from './database.js';
import { UnsupportedFilter } from './filter/compare.js';
import type { WhereCompiler } from './filter/where.js';
import type { ResourceCatalog } from './layout/catalog.js';
import { columnNamer } from './layout/columns.js';
import { listResources, wantedLists } from './query.js';
import { createResource, deleteResource, loadById, modifyResource, replaceResource, type WriteEnv } from './write/resource.js';

const OPERATORS: FilterOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];

/** Everything one resource type's handler needs. */
export interface SqlResourceOptions {
  db: Database;
  catalog: ResourceCatalog;
  catalogs: ReadonlyMap<string, ResourceCatalog>;
  registry: SchemaRegistry;
  where: WhereCompiler;
  maxScan: number;
  newId(): string;
  now(): Date;
  /** Where unexpected errors are logged when a request brings no logger. */
  log?: Logger | undefined;
}

/**
 * The versions `If-Match` accepts, as the write's condition (`WHERE version IN (…)`), so a change
 * made by another gateway between the client's read and this write is refused (412) instead of
 * overwritten. `undefined`: no condition (no header, `*`, or no version column). A tag that is
 * not one of ours (not `W/"<integer>"`) can match no row, so it is dropped; none left → `[]`.
 */
export function versionGuard(ifMatch: string | undefined, hasVersion: boolean): readonly number[] | undefined {
  if (!hasVersion || ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const out: number[] = [];
  for (const raw of ifMatch.split(',')) {
    const m = /^(?:W\/)?"(\d{1,15})"$/.exec(raw.trim());
    if (m) out.push(Number(m[1]));
  }
  return out;
}

const SAMPLE: Record<string, CompValue> = {
  boolean: true,
  integer: 1,
  decimal: 1.5,
  dateTime: '2024-01-01T00:00:00.000Z',
};

/** The attribute paths whose every operator this catalog translates and compiles exactly. */
export function exactAttributes(catalog: ResourceCatalog, registry: SchemaRegistry, where: WhereCompiler): string[] {
  const out: string[] = [];
  const paths = ['id', ...catalog.mapper.scimPaths()];
  for (const p of paths) {
    let path: ReturnType<typeof parseAttrPath>;
    try {
      path = parseAttrPath(p);
    } catch {
      continue;
    }
    const r = registry.resolve(catalog.rt, path);
    const leaf =
      path.sub !== undefined
        ? r?.subDef
        : r?.attrDef?.type === 'complex'
          ? r.attrDef.subAttributes?.find((s) => s.name === 'value')
          : r?.attrDef;
    const sample = SAMPLE[leaf?.type ?? 'string'] ?? 'x';
    const ok = OPERATORS.every((op) => {
      const node: FilterNode = op === 'pr' ? { type: 'present', path } : { type: 'compare', path, op, value: sample };
      const t = catalog.mapper.translateFilter(node);
      if (t.kind === 'none') return true;
      if (!t.exact) return false;
      if (t.kind === 'all') return true;
      try {
        where.compile(t.filter, 't');
        return true;
      } catch (e) {
        if (e instanceof UnsupportedFilter) return false;
        throw e;
      }
    });
    if (ok && !out.some((x) => x.toLowerCase() === p.toLowerCase())) out.push(p);
  }
  return out;
}

/**
 * An id the table can hold; anything else is simply not found. An id is an opaque string (RFC 7643
 * §3.1): a key the database numbers is served as its canonical decimal text, and only that text
 * names it. `01`, `+1`, `-0` or ` 1` would be read as the number 1 by the database, so they are
 * refused here instead of reaching a `WHERE key = ?`.
 */
export function plausibleId(catalog: Pick<ResourceCatalog, 'keyGeneration'>, id: string): boolean {
  if (typeof id !== 'string' || id === '' || id.length > 1024 || id.includes('\u0000')) return false;
  return catalog.keyGeneration !== 'database' || /^(?:0|-?[1-9]\d{0,17})$/.test(id);
}

/**
 * Runs one operation of the handler. An error that is not a SCIM error (a bug, such as a
 * `RangeError` while building a statement) reaches the client as an opaque 500, which carries no
 * message; its message and stack go to the log here, or nobody would ever see them.
 */
async function logged<T>(log: Logger | undefined, operation: string, resourceType: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (errors.isScimError(e)) throw e;
    log?.error('unexpected error in the SQL connector', {
      operation,
      resourceType,
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
    });
    throw new errors.InternalError({ cause: e });
  }
}

/** Builds the handler of one resource type. */
export function sqlResourceHandler(o: SqlResourceOptions): ResourceHandler {
  const { db, catalog } = o;
  const env: WriteEnv = {
    catalog,
    catalogs: o.catalogs,
    newId: o.newId,
    now: o.now,
    apply: () => ({ registry: o.registry, resourceType: catalog.rt }),
  };
  const listEnv = { catalog, where: o.where, registry: o.registry, maxScan: o.maxScan };
  const capabilities: ResourceCapabilities = {
    filter: {
      operators: OPERATORS,
      attributes: exactAttributes(catalog, o.registry, o.where),
      logical: ['and', 'or', 'not'],
      valuePath: true,
    },
    sort: true,
    paging: { index: true, cursor: true },
    ...(catalog.version ? { etag: true } : {}),
  };
  const name = catalog.rt.name;
  const uniqueDetail =
    catalog.resourceType === 'User'
      ? 'A User with this userName (or another value the database keeps unique) already exists'
      : `A ${name} with a value the database keeps unique already exists`;
  const nameColumn = columnNamer(o.catalogs.values());
  const opts = (ctx: RequestContext) => ({ signal: ctx.signal, log: ctx.log, uniqueDetail, nameColumn });
  const guardOf = (ctx: RequestContext) => versionGuard(ctx.ifMatch, catalog.version !== undefined);
  const notFound = (id: string) => new errors.NotFoundError(`${name} "${id}" not found`);

  const run = <T>(ctx: RequestContext, operation: string, fn: () => Promise<T>) => logged(ctx.log ?? o.log, operation, name, fn);

  return {
    capabilities,
    query(request: QueryRequest, ctx: RequestContext) {
      return run(ctx, 'query', () => db.read((session) => listResources(session, listEnv, request), opts(ctx)));
    },
    get(id: string, ctx: RequestContext, options: GetOptions): Promise<ScimResource | undefined> {
      return run(ctx, 'get', async () => {
        if (!plausibleId(catalog, id)) return undefined;
        const wanted = wantedLists(catalog, options.attributes, options.excludedAttributes);
        const loaded = await db.read((session) => loadById(session, catalog, id, wanted), opts(ctx));
        return loaded?.resource;
      });
    },
    create(resource: ScimResource, ctx: RequestContext) {
      return run(ctx, 'create', () => db.write((session) => createResource(session, env, resource), opts(ctx)));
    },
    modify(id: string, changes: Change[], ctx: RequestContext) {
      return run(ctx, 'modify', async () => {
        if (!plausibleId(catalog, id)) throw notFound(id);
        const guard = guardOf(ctx);
        await db.write((session) => modifyResource(session, env, id, changes, guard), opts(ctx));
        // The core reads the resource back only when the response needs it (a group PATCH answers 204).
        return undefined;
      });
    },
    replace(id: string, resource: ScimResource, ctx: RequestContext) {
      return run(ctx, 'replace', async () => {
        if (!plausibleId(catalog, id)) throw notFound(id);
        const guard = guardOf(ctx);
        return db.write((session) => replaceResource(session, env, id, resource, guard), opts(ctx));
      });
    },
    delete(id: string, ctx: RequestContext) {
      return run(ctx, 'delete', async () => {
        if (!plausibleId(catalog, id)) throw notFound(id);
        const guard = guardOf(ctx);
        await db.write((session) => deleteResource(session, env, id, guard), opts(ctx));
      });
    },
  };
}
