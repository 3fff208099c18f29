/**
 * A small SCIM 1.1 service for tests (node:http, loopback): `/Users` and
 * `/Groups` with 1.1 bodies, 1.1 ListResponses and errors, and 1.1 PATCH
 * (partial resource, `meta.attributes`, `operation: "delete"`). It rejects 2.0
 * shapes, so a test passing against it proves the connector spoke 1.1.
 *
 * Like the 1.1 services the gateway meets, it answers a filter that matches
 * nothing with `404 {"Errors":[…]}` (1.1 says nothing about empty results;
 * RFC 7644 §3.4.2 later required 200 with an empty list), honours the 1.1
 * `attributes` parameter and has no `excludedAttributes` (a 2.0 addition).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type FilterNode, matchesFilter, parseFilter } from '@scimgw/core/filter';

const CORE_11 = 'urn:scim:schemas:core:1.0';
type Res = Record<string, unknown>;

export interface Scim11Server {
  base: string;
  /** Every request received, in order, with the status it was answered with. */
  requests: { method: string; url: string; body: any; status?: number }[];
  users: Map<string, Res>;
  groups: Map<string, Res>;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Res => typeof v === 'object' && v !== null && !Array.isArray(v);

function uses11Filter(node: FilterNode): void {
  switch (node.type) {
    case 'compare':
      if (node.op === 'ne' || node.op === 'ew') throw new HttpError(400, `operator ${node.op} is not SCIM 1.1`);
      return;
    case 'present':
      return;
    case 'and':
    case 'or':
      node.filters.forEach(uses11Filter);
      return;
    default:
      throw new HttpError(400, `${node.type} filters are not SCIM 1.1`);
  }
}

function sameElement(a: unknown, b: Res): boolean {
  if (isObject(a) && a.value !== undefined) return a.value === b.value;
  const { operation: _o, ...rest } = b;
  return JSON.stringify(a) === JSON.stringify(rest);
}

/** SCIM 1.1 partial modify (1.1 Protocol §3.3.2). */
function applyPatch11(cur: Res, body: Res): Res {
  if (Array.isArray(body.Operations)) throw new HttpError(400, 'Operations is SCIM 2.0; this service speaks SCIM 1.1');
  const next = structuredClone(cur);
  const meta = isObject(body.meta) ? body.meta : {};
  for (const name of Array.isArray(meta.attributes) ? (meta.attributes as string[]) : []) {
    const m = /^(urn:.*):([^:]+)$/.exec(name);
    const [holder, path] = m ? [next[m[1] as string] as Res | undefined, m[2] as string] : [next, name];
    if (!isObject(holder)) continue;
    const [a, sub] = path.split('.') as [string, string | undefined];
    if (sub && isObject(holder[a])) delete (holder[a] as Res)[sub];
    else delete holder[a];
  }
  const merge = (target: Res, src: Res) => {
    for (const [k, v] of Object.entries(src)) {
      if (k === 'schemas' || k === 'meta' || k === 'id') continue;
      if (Array.isArray(v)) {
        let list = Array.isArray(target[k]) ? [...(target[k] as unknown[])] : [];
        for (const el of v as Res[]) {
          if (isObject(el) && el.operation === 'delete') list = list.filter((x) => !sameElement(x, el));
          else {
            list = list.filter((x) => !sameElement(x, el));
            list.push(el);
          }
        }
        if (list.length) target[k] = list;
        else delete target[k];
      } else if (isObject(v)) {
        const inner = isObject(target[k]) ? (target[k] as Res) : {};
        merge(inner, v);
        target[k] = inner;
      } else target[k] = v;
    }
  };
  merge(next, body);
  return next;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const c of req) text += c;
  return text ? JSON.parse(text) : undefined;
}

/** Starts the emulator on 127.0.0.1 with basic auth gwadmin/password. */
export async function startScim11Server(): Promise<Scim11Server> {
  const users = new Map<string, Res>();
  const groups = new Map<string, Res>();
  const requests: Scim11Server['requests'] = [];
  const expected = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;

  const server: Server = createServer((req, res) => {
    const entry: Scim11Server['requests'][number] = { method: req.method ?? '', url: req.url ?? '', body: undefined };
    const send = (status: number, body?: unknown) => {
      entry.status = status;
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push(entry);
      entry.body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readJson(req);
      const body = entry.body;
      if (url.searchParams.has('excludedAttributes')) throw new HttpError(400, 'excludedAttributes is not SCIM 1.1');
      // 1.1 `attributes`: return only these (and `id`).
      const only = url.searchParams
        .get('attributes')
        ?.split(',')
        .map((a) => a.trim().toLowerCase());
      const project = (r: Res): Res =>
        only
          ? Object.fromEntries(
              Object.entries(r).filter(
                ([k]) =>
                  k === 'id' ||
                  k === 'schemas' ||
                  only.some(
                    (a) => a === k.toLowerCase() || a.startsWith(`${k.toLowerCase()}.`) || a.startsWith(`${k.toLowerCase()}:`),
                  ),
              ),
            )
          : r;
      if (req.headers.authorization !== expected) throw new HttpError(401, 'Unauthorized');
      const [, coll, id] = url.pathname.split('/') as [string, string | undefined, string | undefined];
      const store = coll === 'Users' ? users : coll === 'Groups' ? groups : undefined;
      if (!store) throw new HttpError(404, `No endpoint ${url.pathname}`);
      const now = new Date().toISOString();
      const checkBody = (b: unknown): Res => {
        if (!isObject(b)) throw new HttpError(400, 'Body must be an object');
        if (typeof b.displayName === 'string' && b.displayName.length > 64) {
          throw new HttpError(400, 'displayName is longer than 64 characters');
        }
        const schemas = Array.isArray(b.schemas) ? (b.schemas as string[]) : [];
        if (!schemas.includes(CORE_11) || schemas.some((s) => s.includes(':2.0'))) {
          throw new HttpError(400, `schemas must be SCIM 1.1 (${CORE_11}), got ${JSON.stringify(schemas)}`);
        }
        return b;
      };
      const unique = (r: Res, self?: string) => {
        if (coll !== 'Users') return;
        for (const [k, o] of users)
          if (k !== self && String(o.userName).toLowerCase() === String(r.userName).toLowerCase())
            throw new HttpError(409, `userName ${String(r.userName)} exists`);
      };
      const must = (i: string) => {
        const r = store.get(i);
        if (!r) throw new HttpError(404, `Resource ${i} not found`);
        return r;
      };
      switch (req.method) {
        case 'GET': {
          if (id) return send(200, project(must(decodeURIComponent(id))));
          let list = [...store.values()];
          const f = url.searchParams.get('filter');
          if (f) {
            const node = parseFilter(f);
            uses11Filter(node);
            list = list.filter((r) => matchesFilter(node, r));
          }
          const sortBy = url.searchParams.get('sortBy');
          if (sortBy) {
            const dir = url.searchParams.get('sortOrder') === 'descending' ? -1 : 1;
            list.sort((a, b) => dir * String(a[sortBy] ?? '').localeCompare(String(b[sortBy] ?? '')));
          }
          const start = Number(url.searchParams.get('startIndex') ?? 1);
          const count = url.searchParams.has('count') ? Number(url.searchParams.get('count')) : list.length;
          const page = list.slice(start - 1, start - 1 + count).map(project);
          if (f && list.length === 0) throw new HttpError(404, `No ${coll} match the filter ${f}`);
          return send(200, {
            schemas: [CORE_11],
            totalResults: list.length,
            itemsPerPage: page.length,
            startIndex: start,
            Resources: page,
          });
        }
        case 'POST': {
          const b = checkBody(body);
          unique(b);
          const r = { ...b, id: randomUUID(), meta: { created: now, lastModified: now } };
          store.set(r.id, r);
          return send(201, r);
        }
        case 'PUT': {
          const cur = must(decodeURIComponent(id ?? ''));
          const b = checkBody(body);
          unique(b, cur.id as string);
          const r = { ...b, id: cur.id, meta: { ...(cur.meta as Res), lastModified: now } };
          store.set(cur.id as string, r);
          return send(200, r);
        }
        case 'PATCH': {
          const cur = must(decodeURIComponent(id ?? ''));
          const next = applyPatch11(cur, checkBody(body));
          unique(next, cur.id as string);
          next.meta = { ...(cur.meta as Res), lastModified: now };
          store.set(cur.id as string, next);
          return send(200, next);
        }
        case 'DELETE': {
          const gone = must(decodeURIComponent(id ?? '')).id as string;
          store.delete(gone);
          // A deleted user or group leaves the groups it was in, as a SCIM service does.
          for (const g of groups.values()) {
            if (Array.isArray(g.members)) g.members = g.members.filter((m) => !isObject(m) || m.value !== gone);
          }
          return send(204);
        }
        default:
          throw new HttpError(405, 'Method not allowed');
      }
    })().catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      // SCIM 1.1 error body.
      send(status, { Errors: [{ description: (e as Error).message, code: String(status) }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    users,
    groups,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
