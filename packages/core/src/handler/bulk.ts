/**
 * Bulk (RFC 7644 §3.7): `bulkId` references in paths and values, dependency
 * ordering, circular references → 409, `failOnErrors`, per-operation status.
 */
import {
  ConflictError,
  errorBody,
  InvalidSyntaxError,
  InvalidValueError,
  PayloadTooLargeError,
  type ScimError,
  toScimError,
} from '../errors.js';
import { URN } from '../schema/urns.js';
import { getCI, isObject } from '../util/object.js';
import type { ScimResponse } from './types.js';

/** Runs one operation as if it were a request of its own. */
export type BulkRunner = (method: string, path: string, body: unknown, version: string | undefined) => Promise<ScimResponse>;

interface Op {
  index: number;
  method: string;
  bulkId: string | undefined;
  version: string | undefined;
  path: string;
  data: unknown;
  deps: Set<string>;
}

/**
 * A reference to another operation's resource (RFC 7644 §3.7.2): a whole string value
 * `bulkId:<id>` in `data`, or a whole segment of `path`. Text that merely contains `bulkId:` (a
 * note, a description) is a value like any other.
 */
const VALUE_REF = /^bulkId:(.+)$/s;
const PATH_REF = /(?<=\/)bulkId:([^/?#]+)(?=$|[/?#])/g;

function refsIn(path: string, data: unknown): string[] {
  const out = [...path.matchAll(PATH_REF)].map((m) => m[1] as string);
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const id = VALUE_REF.exec(v)?.[1];
      if (id !== undefined) out.push(id);
    } else if (Array.isArray(v)) for (const e of v) walk(e);
    else if (isObject(v)) for (const k in v) walk(v[k]);
  };
  walk(data);
  return out;
}

function replacePathRefs(path: string, ids: Map<string, string>): string {
  return path.replace(PATH_REF, (whole, id: string) => ids.get(id) ?? whole);
}

function replaceRefs(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const id = VALUE_REF.exec(value)?.[1];
    return id === undefined ? value : (ids.get(id) ?? value);
  }
  if (Array.isArray(value)) return value.map((v) => replaceRefs(v, ids));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = replaceRefs(v, ids);
    return out;
  }
  return value;
}

function parseOps(body: unknown, maxOperations: number): { ops: Op[]; failOnErrors: number } {
  if (!isObject(body)) throw new InvalidSyntaxError('Bulk body must be a JSON object');
  const raw = getCI(body, 'Operations');
  if (!Array.isArray(raw)) throw new InvalidSyntaxError('Bulk body needs an "Operations" array');
  if (raw.length > maxOperations) {
    throw new PayloadTooLargeError(`Bulk request has ${raw.length} operations; the maximum is ${maxOperations}`);
  }
  const fail = getCI(body, 'failOnErrors');
  const failOnErrors = fail === undefined || fail === null ? Number.POSITIVE_INFINITY : Number(fail);
  // The number of errors accepted before the rest is not run (RFC 7644 §3.7.3): below 1 would run nothing.
  if ((!Number.isInteger(failOnErrors) || failOnErrors < 1) && failOnErrors !== Number.POSITIVE_INFINITY)
    throw new InvalidValueError('"failOnErrors" must be an integer of at least 1');
  const seen = new Set<string>();
  const ops = raw.map((o, index): Op => {
    if (!isObject(o)) throw new InvalidSyntaxError(`Operations[${index}] must be an object`);
    const method = String(getCI(o, 'method') ?? '').toUpperCase();
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method))
      throw new InvalidSyntaxError(`Operations[${index}].method "${method}" is not POST, PUT, PATCH or DELETE`);
    const path = getCI(o, 'path');
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw new InvalidSyntaxError(`Operations[${index}].path must be a path like /Users`);
    const bulkId = getCI(o, 'bulkId');
    if (method === 'POST' && (typeof bulkId !== 'string' || bulkId === ''))
      throw new InvalidSyntaxError(`Operations[${index}] (POST) needs a bulkId`);
    if (typeof bulkId === 'string') {
      if (seen.has(bulkId)) throw new InvalidValueError(`bulkId "${bulkId}" is used twice`);
      seen.add(bulkId);
    }
    const data = getCI(o, 'data');
    const deps = new Set(refsIn(path, data));
    const version = getCI(o, 'version');
    return {
      index,
      method,
      bulkId: typeof bulkId === 'string' ? bulkId : undefined,
      version: typeof version === 'string' ? version : undefined,
      path,
      data,
      deps,
    };
  });
  return { ops, failOnErrors };
}

/** Orders operations so each runs after the ones it references; returns the ops stuck in cycles separately. */
function order(ops: Op[]): { ordered: Op[]; cyclic: Op[] } {
  const byId = new Map(ops.filter((o) => o.bulkId).map((o) => [o.bulkId as string, o]));
  const state = new Map<Op, 'visiting' | 'done' | 'cyclic'>();
  const ordered: Op[] = [];
  const cyclic = new Set<Op>();
  const visit = (op: Op, stack: Op[]): void => {
    const s = state.get(op);
    if (s === 'done' || s === 'cyclic') return;
    if (s === 'visiting') {
      for (const o of stack.slice(stack.indexOf(op))) cyclic.add(o);
      return;
    }
    state.set(op, 'visiting');
    for (const dep of op.deps) {
      const target = byId.get(dep);
      if (target && target !== op) visit(target, [...stack, op]);
      else if (target === op) cyclic.add(op);
    }
    state.set(op, cyclic.has(op) ? 'cyclic' : 'done');
    if (!cyclic.has(op)) ordered.push(op);
  };
  for (const op of ops) visit(op, []);
  return { ordered: ordered.filter((o) => !cyclic.has(o)), cyclic: ops.filter((o) => cyclic.has(o)) };
}

/**
 * Executes a Bulk request.
 *
 * @see RFC 7644 §3.7
 */
export async function runBulk(
  body: unknown,
  maxOperations: number,
  run: BulkRunner,
  version: '2.0' | '1.1',
): Promise<ScimResponse> {
  const { ops, failOnErrors } = parseOps(body, maxOperations);
  const { ordered, cyclic } = order(ops);
  const results = new Map<Op, Record<string, unknown>>();
  const ids = new Map<string, string>();
  const failedIds = new Set<string>();
  let errors = 0;

  const fail = (op: Op, err: ScimError) => {
    errors++;
    if (op.bulkId) failedIds.add(op.bulkId);
    results.set(op, {
      method: op.method,
      ...(op.bulkId ? { bulkId: op.bulkId } : {}),
      status: String(err.status),
      response: errorBody(err, version),
    });
  };

  for (const op of cyclic) fail(op, new ConflictError(`Circular bulkId reference in operation ${op.index}`));
  for (const op of ordered) {
    if (errors >= failOnErrors) break;
    const missing = [...op.deps].find((d) => failedIds.has(d) || !ids.has(d));
    if (missing !== undefined) {
      fail(
        op,
        new ConflictError(
          `Operation ${op.index} references bulkId "${missing}", which ${failedIds.has(missing) ? 'failed' : 'does not exist'}`,
        ),
      );
      continue;
    }
    const path = replacePathRefs(op.path, ids);
    const data = op.data === undefined ? undefined : replaceRefs(op.data, ids);
    let res: ScimResponse;
    try {
      res = await run(op.method, path, data, op.version);
    } catch (e) {
      fail(op, toScimError(e));
      continue;
    }
    if (res.status >= 400) {
      errors++;
      if (op.bulkId) failedIds.add(op.bulkId);
      results.set(op, {
        method: op.method,
        ...(op.bulkId ? { bulkId: op.bulkId } : {}),
        ...(res.headers.location ? { location: res.headers.location } : {}),
        status: String(res.status),
        response: res.body,
      });
      continue;
    }
    const resource = isObject(res.body) ? res.body : undefined;
    const id = resource?.id;
    if (op.bulkId && typeof id === 'string') ids.set(op.bulkId, id);
    const meta = isObject(resource?.meta) ? resource.meta : undefined;
    const location = res.headers.location ?? (typeof meta?.location === 'string' ? meta.location : undefined);
    const etag = res.headers.etag ?? (typeof meta?.version === 'string' ? meta.version : undefined);
    results.set(op, {
      method: op.method,
      ...(op.bulkId ? { bulkId: op.bulkId } : {}),
      ...(location ? { location } : {}),
      ...(etag ? { version: etag } : {}),
      status: String(res.status),
    });
  }
  const Operations = ops.filter((o) => results.has(o)).map((o) => results.get(o));
  return { status: 200, headers: {}, body: { schemas: [URN.BulkResponse], Operations } };
}
