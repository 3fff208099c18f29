/** What a tool answers: SCIM responses and dry-run records turned into tool results. */
import type { ToolScimResponse } from './call.js';
import type { Discovery, ServedResourceType } from './discovery.js';

/** The result of one tool call, before it becomes an MCP `CallToolResult`. */
export interface ToolOutcome {
  isError: boolean;
  /** JSON the agent reads (also sent as text, for clients that show only text). */
  structured: Record<string, unknown>;
}

/** A successful outcome. */
export function ok(structured: Record<string, unknown>): ToolOutcome {
  return { isError: false, structured };
}

/** A failed outcome with a message the agent can act on. */
export function failure(message: string, extra: Record<string, unknown> = {}): ToolOutcome {
  return { isError: true, structured: { error: message, ...extra } };
}

/**
 * The SCIM error of a response (status ≥ 400) as a failed outcome, or `undefined` for a success.
 * Refusals of the host (401, 403 for a tenant, 405 for a read-only credential, 429) arrive the
 * same way: as SCIM error bodies.
 */
export function scimFailure(res: ToolScimResponse): ToolOutcome | undefined {
  if (res.status < 400) return undefined;
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<string, unknown>;
  const detail = typeof body.detail === 'string' ? body.detail : `request failed with status ${res.status}`;
  const scimType = typeof body.scimType === 'string' ? body.scimType : undefined;
  const retryAfter = res.headers['retry-after'] ?? res.headers['Retry-After'];
  return failure(`${res.status}${scimType ? ` ${scimType}` : ''}: ${detail}`, {
    status: res.status,
    ...(scimType ? { scimType } : {}),
    detail,
    ...(retryAfter ? { retryAfterSeconds: Number(retryAfter) } : {}),
  });
}

/** Paths of attributes that are never returned (write-only), lower-cased, extension URN in front. */
export function hiddenPaths(rt: ServedResourceType, discovery: Discovery): Set<string> {
  const out = new Set<string>();
  const add = (urn: string | undefined) => {
    const schema = urn && discovery.schemas.get(urn.toLowerCase());
    if (!schema) return;
    const prefix = urn === rt.schema ? '' : `${urn.toLowerCase()}:`;
    for (const a of schema.attributes) {
      if (a.returned === 'never' || a.mutability === 'writeOnly') out.add(`${prefix}${a.name.toLowerCase()}`);
    }
  };
  add(rt.schema);
  for (const e of rt.schemaExtensions) add(e.schema);
  return out;
}

const SKIP = new Set(['id', 'meta', 'schemas']);

/** A resource with write-only attributes (passwords) removed, for showing it to an agent. */
export function visible(
  resource: Record<string, unknown> | undefined,
  hidden: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  if (!resource) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) {
    if (hidden.has(k.toLowerCase())) continue;
    if (k.toLowerCase().startsWith('urn:') && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const inner: Record<string, unknown> = {};
      for (const [ik, iv] of Object.entries(v)) if (!hidden.has(`${k.toLowerCase()}:${ik.toLowerCase()}`)) inner[ik] = iv;
      out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

type Json = Record<string, unknown>;

function valueKeyed(list: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(list)) return list === undefined ? new Map() : undefined;
  const out = new Map<string, unknown>();
  for (const e of list) {
    if (typeof e !== 'object' || e === null || !('value' in e)) return undefined;
    out.set(String((e as Json).value), e);
  }
  return out;
}

/** Difference of one attribute; `undefined` when equal. */
function attributeDiff(path: string, from: unknown, to: unknown, hidden: ReadonlySet<string>): unknown {
  if (JSON.stringify(from) === JSON.stringify(to)) return undefined;
  if (hidden.has(path.toLowerCase())) return 'changed (write-only: value not shown)';
  const a = valueKeyed(from);
  const b = valueKeyed(to);
  if (a && b && (Array.isArray(from) || Array.isArray(to))) {
    // Lists of {value, …} (members, emails …): what is added and removed, not two whole lists.
    const added = [...b.keys()].filter((k) => !a.has(k));
    const removed = [...a.keys()].filter((k) => !b.has(k));
    if (added.length || removed.length) return { added, removed, countBefore: a.size, countAfter: b.size };
  }
  return { before: from ?? null, after: to ?? null };
}

/**
 * What differs between two states of a resource, attribute by attribute (extension attributes as
 * `urn:…:name`); write-only attributes are reported as changed without their values.
 *
 * @example resourceDiff({ title: 'a' }, { title: 'b' }, new Set()) // { title: { before: 'a', after: 'b' } }
 */
export function resourceDiff(before: Json | undefined, after: Json | undefined, hidden: ReadonlySet<string>): Json {
  const out: Json = {};
  const from = before ?? {};
  const to = after ?? {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    if (SKIP.has(key)) continue;
    const x = from[key];
    const y = to[key];
    const isExt =
      key.toLowerCase().startsWith('urn:') &&
      [x, y].every((v) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v)));
    if (isExt) {
      const xi = (x ?? {}) as Json;
      const yi = (y ?? {}) as Json;
      for (const inner of new Set([...Object.keys(xi), ...Object.keys(yi)])) {
        const d = attributeDiff(`${key}:${inner}`, xi[inner], yi[inner], hidden);
        if (d !== undefined) out[`${key}:${inner}`] = d;
      }
      continue;
    }
    const d = attributeDiff(key, x, y, hidden);
    if (d !== undefined) out[key] = d;
  }
  return out;
}
