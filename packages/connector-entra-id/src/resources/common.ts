/** Helpers shared by the User and Group handlers: attribute requests, `$select`, ids, names. */
import { randomInt } from 'node:crypto';
import { type AttrPath, type FilterNode, formatPath } from '@scimgw/core/filter';
import type { Mapper } from '@scimgw/mapper';
import { RELATION_PREFIX } from '../mapping.js';

/** Drops the reserved relationship keys from a Graph property body. */
export function propertiesOnly(body: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(body)) if (k.startsWith(RELATION_PREFIX)) delete body[k];
  return body;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a directory object id (Graph ids are GUIDs; anything else cannot exist). */
export function isObjectId(id: unknown): id is string {
  return typeof id === 'string' && GUID.test(id);
}

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;

function normalize(attribute: string): string {
  return attribute.replace(CORE_PREFIX, '').toLowerCase();
}

/**
 * Whether a SCIM attribute (`groups`, `urn:…:User:manager`) is to be returned: always unless
 * excluded when `byDefault`, else only when asked for by `attributes`.
 */
export function wants(
  attribute: string,
  request: { attributes?: string[] | undefined; excludedAttributes?: string[] | undefined },
  byDefault: boolean,
): boolean {
  const name = attribute.toLowerCase();
  const hit = (list: string[] | undefined) =>
    (list ?? []).some((a) => {
      const n = normalize(a);
      return n === name || n.startsWith(`${name}.`) || name.startsWith(`${n}:`) || name.startsWith(`${n}.`);
    });
  if (request.attributes?.length) return hit(request.attributes);
  if (hit(request.excludedAttributes)) return false;
  return byDefault;
}

/**
 * `$select` for a request: the top-level Graph properties behind the requested SCIM attributes
 * (every mapped one when none were named), `id` always, write-only ones never.
 */
/**
 * The attributes a query must read from Graph: those the client asked for, and with them every
 * attribute its filter and sort name, which the connector may evaluate itself on what it read
 * (RFC 7644 §3.4.2.5: `attributes` changes what is returned, never what matches). `undefined`: all.
 */
export function queryAttributes(request: {
  attributes?: string[] | undefined;
  filter?: FilterNode | undefined;
  sort?: { path: AttrPath } | undefined;
}): string[] | undefined {
  if (!request.attributes?.length) return request.attributes;
  const out = new Set(request.attributes);
  const walk = (n: FilterNode): void => {
    if (n.type === 'and' || n.type === 'or') for (const f of n.filters) walk(f);
    else if (n.type === 'not') walk(n.filter);
    else if (n.type === 'valuePath') out.add(formatPath({ ...(n.path.uri ? { uri: n.path.uri } : {}), attr: n.path.attr }));
    else out.add(formatPath(n.path));
  };
  if (request.filter) walk(request.filter);
  if (request.sort) out.add(formatPath(request.sort.path));
  return [...out];
}

export function selectFor(mapper: Mapper, request: { attributes?: string[] | undefined }, always: readonly string[]): string[] {
  const writeOnly = new Set(
    mapper.attributes.filter((a) => a.targets.every((t) => t.writeOnly)).map((a) => a.endpoint.split('.')[0] as string),
  );
  const keys = request.attributes?.length
    ? request.attributes.flatMap((a) => mapper.endpointAttributesFor(a.replace(CORE_PREFIX, '')))
    : mapper.endpointAttributes();
  const out = new Set<string>(['id', ...always]);
  for (const k of keys) {
    const top = k.split('.')[0] as string;
    if (!writeOnly.has(top) && !top.startsWith(RELATION_PREFIX) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(top)) out.add(top);
  }
  return [...out];
}

/** Sets a dotted Graph property path in a body (`employeeOrgData.costCenter`). */
export function setPath(body: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let holder = body;
  for (const p of parts.slice(0, -1)) {
    const next = holder[p];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) holder[p] = {};
    holder = holder[p] as Record<string, unknown>;
  }
  holder[parts[parts.length - 1] as string] = value;
}

/** A `mailNickname` from a name: Graph refuses `@()\[]";:<>,`, spaces and non-ASCII. */
export function nicknameFrom(name: string): string {
  const base = name.split('@')[0] ?? '';
  const cleaned = base.replace(/[@()\\[\]";:<>,\s]/g, '').replace(/[^\x21-\x7e]/g, '');
  return (cleaned || `scimgw${randomInt(1e9)}`).slice(0, 64);
}

/** A random password that meets Entra's complexity rule (four character classes). */
export function randomPassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '!#%+-=?@^_~'];
  const chars: string[] = sets.map((s) => s[randomInt(s.length)] as string);
  const all = sets.join('');
  while (chars.length < 24) chars.push(all[randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** `attr eq "<id>"` anywhere at the top of an `and`: the id and what is left of the filter. */
export function takeEq(
  node: FilterNode | undefined,
  match: (path: AttrPath) => boolean,
): { value: string; rest: FilterNode | undefined } | undefined {
  if (!node) return undefined;
  if (node.type === 'compare' && node.op === 'eq' && typeof node.value === 'string' && match(node.path)) {
    return { value: node.value, rest: undefined };
  }
  if (node.type === 'and') {
    const i = node.filters.findIndex(
      (f) => f.type === 'compare' && f.op === 'eq' && typeof f.value === 'string' && match(f.path),
    );
    if (i === -1) return undefined;
    const hit = node.filters[i] as { value: string };
    const others = node.filters.filter((_, j) => j !== i);
    return { value: hit.value, rest: others.length === 1 ? others[0] : { type: 'and', filters: others } };
  }
  return undefined;
}

/** True when `node` mentions an attribute `match` accepts. */
export function mentions(node: FilterNode | undefined, match: (path: AttrPath) => boolean): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'compare':
    case 'present':
      return match(node.path);
    case 'valuePath':
      return match(node.path) || mentions(node.filter, () => false);
    case 'not':
      return mentions(node.filter, match);
    case 'and':
    case 'or':
      return node.filters.some((f) => mentions(f, match));
  }
}
