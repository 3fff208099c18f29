/**
 * Where `/api` calls go: a REST backend through helper-rest, or the built-in
 * example store. Both return backend bodies as they are.
 */
import { errors, type RequestContext } from '@scimgw/core';
import { type HelperRest, restErrorToScimError } from '@scimgw/helper-rest';

/** A collection of JSON items behind `/api`. */
export interface ApiBackend {
  list(query: Record<string, string>, ctx: RequestContext): Promise<unknown>;
  get(id: string, ctx: RequestContext): Promise<unknown>;
  create(body: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  replace(id: string, body: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  update(id: string, body: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  /** Resolves to the backend's answer, `undefined` for an empty one (the gateway answers 204). */
  remove(id: string, ctx: RequestContext): Promise<unknown>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** A backend reached over REST: `<resourcePath>[/{id}]` on the tenant's connection. */
export function restBackend(rest: HelperRest, resourcePath: string): ApiBackend {
  const at = (id?: string) => (id === undefined ? resourcePath : `${resourcePath}/${encodeURIComponent(id)}`);
  const call = async (ctx: RequestContext, method: string, path: string, body?: unknown, query?: Record<string, string>) => {
    try {
      const res = await rest.doRequest(ctx.tenant, method, path, body, ctx, query ? { query } : {});
      return res.body;
    } catch (e) {
      throw restErrorToScimError(e);
    }
  };
  return {
    list: (query, ctx) => call(ctx, 'GET', at(), undefined, query),
    get: (id, ctx) => call(ctx, 'GET', at(id)),
    create: (body, ctx) => call(ctx, 'POST', at(), body),
    replace: (id, body, ctx) => call(ctx, 'PUT', at(id), body),
    update: (id, body, ctx) => call(ctx, 'PATCH', at(id), body),
    remove: (id, ctx) => call(ctx, 'DELETE', at(id)),
    close: () => rest.close(),
  };
}

/** Items the example store starts with (per tenant). */
export const EXAMPLE_ITEMS: readonly Record<string, unknown>[] = [
  { id: '1', model: 'Tesla', title: 'Model 3', price: 42990, year: 2024, cost: 31000, supplier: 'Giga Berlin' },
  { id: '2', model: 'Tesla', title: 'Model Y', price: 46990, year: 2024, cost: 34000, supplier: 'Giga Texas' },
  { id: '3', model: 'Volvo', title: 'EX30', price: 36590, year: 2024, cost: 27000, supplier: 'Zhangjiakou' },
  { id: '4', model: 'Polestar', title: 'Polestar 2', price: 49900, year: 2023, cost: 38000, supplier: 'Luqiao' },
];

/**
 * An in-process store with example items, one per tenant: lets the API mode
 * be tried without any backend. Query parameters filter by equal field values.
 */
export function exampleBackend(): ApiBackend {
  const tenants = new Map<string, Map<string, Record<string, unknown>>>();
  let seq = 100;
  const store = (ctx: RequestContext) => {
    const key = ctx.tenant ?? '';
    let s = tenants.get(key);
    if (!s) tenants.set(key, (s = new Map(EXAMPLE_ITEMS.map((i) => [String(i.id), structuredClone(i)]))));
    return s;
  };
  const must = (ctx: RequestContext, id: string) => {
    const item = store(ctx).get(id);
    if (!item) throw new errors.NotFoundError(`Item "${id}" not found`);
    return item;
  };
  return {
    async list(query, ctx) {
      const items = [...store(ctx).values()].filter((i) =>
        Object.entries(query).every(([k, v]) => String(i[k] ?? '').toLowerCase() === v.toLowerCase()),
      );
      return structuredClone(items);
    },
    async get(id, ctx) {
      return structuredClone(must(ctx, id));
    },
    async create(body, ctx) {
      const item = { ...structuredClone(body), id: String(++seq) };
      store(ctx).set(item.id, item);
      return structuredClone(item);
    },
    async replace(id, body, ctx) {
      must(ctx, id);
      const item = { ...structuredClone(body), id };
      store(ctx).set(id, item);
      return structuredClone(item);
    },
    async update(id, body, ctx) {
      const item = { ...must(ctx, id), ...structuredClone(body), id };
      store(ctx).set(id, item);
      return structuredClone(item);
    },
    async remove(id, ctx) {
      must(ctx, id);
      store(ctx).delete(id);
      return undefined;
    },
  };
}
