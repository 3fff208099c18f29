/**
 * The enterprise extension's `manager` in SCIM 1.1 names the manager's id `managerId`
 * (`{"managerId": "…", "displayName": "…"}`), where 2.0 calls it `value` (and adds `$ref`).
 * Requests of 1.1 clients are rewritten to the 2.0 form before the handler sees them, answers to
 * them back to the 1.1 form.
 */
import type { AttrPath, FilterNode } from '../filter/ast.js';
import { parseFilter } from '../filter/parser.js';
import { serializeFilter } from '../filter/serialize.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { ResourceTypeDefinition } from '../schema/types.js';
import { URN } from '../schema/urns.js';
import { getCI, isForbiddenKey, isObject } from '../util/object.js';

/** The enterprise extension's key in `body`, when it holds an object. */
function enterpriseKey(registry: SchemaRegistry, rt: ResourceTypeDefinition, body: Record<string, unknown>) {
  for (const [k, v] of Object.entries(body)) {
    if (isObject(v) && /^urn:/i.test(k) && registry.canonicalUrn(rt, k) === URN.EnterpriseUser) return k;
  }
  return undefined;
}

/** `{managerId, displayName}` → `{value, displayName}`; other shapes are left to the handler's checks. */
function managerToV2(manager: unknown): unknown {
  if (!isObject(manager)) return manager;
  const id = getCI(manager, 'managerId');
  if (id === undefined) return manager;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(manager)) {
    if (isForbiddenKey(k) || k.toLowerCase() === 'managerid') continue;
    out[k] = v;
  }
  if (getCI(out, 'value') === undefined) out.value = id;
  return out;
}

/** A 1.1 request body (POST, PUT, partial-resource PATCH) with the manager in the 2.0 form. */
export function bodyManagerToV2(registry: SchemaRegistry, rt: ResourceTypeDefinition, body: unknown): unknown {
  if (!isObject(body)) return body;
  const key = enterpriseKey(registry, rt, body);
  if (key === undefined) return body;
  const ext = body[key] as Record<string, unknown>;
  const managerKey = Object.keys(ext).find((k) => k.toLowerCase() === 'manager');
  if (managerKey === undefined) return body;
  const manager = managerToV2(ext[managerKey]);
  if (manager === ext[managerKey]) return body;
  return { ...body, [key]: { ...ext, [managerKey]: manager } };
}

/** An enterprise extension object of an answer with the manager in the 1.1 form. */
export function extensionManagerToV1(ext: Record<string, unknown>): Record<string, unknown> {
  const manager = ext.manager;
  if (!isObject(manager) || manager.value === undefined) return ext;
  const { value, $ref: _ref, ...rest } = manager;
  return { ...ext, manager: { managerId: value, ...rest } };
}

/** Whether `p` is the manager's id as 1.1 names it: `[enterprise URN:]manager.managerId`. */
function isManagerId(registry: SchemaRegistry, rt: ResourceTypeDefinition, p: AttrPath): boolean {
  if (p.attr.toLowerCase() !== 'manager' || p.sub?.toLowerCase() !== 'managerid') return false;
  return p.uri === undefined || registry.canonicalUrn(rt, p.uri) === URN.EnterpriseUser;
}

/** A filter with `manager.managerId` paths renamed to `manager.value`; `undefined` when nothing changes. */
function filterManagerToV2(registry: SchemaRegistry, rt: ResourceTypeDefinition, text: string): string | undefined {
  let node: FilterNode;
  try {
    node = parseFilter(text);
  } catch {
    return undefined; // the handler answers the parse error
  }
  let changed = false;
  const walk = (n: FilterNode): void => {
    if (n.type === 'and' || n.type === 'or') for (const f of n.filters) walk(f);
    else if (n.type === 'not') walk(n.filter);
    else if ((n.type === 'compare' || n.type === 'present') && isManagerId(registry, rt, n.path)) {
      n.path = { ...n.path, sub: 'value' };
      changed = true;
    }
  };
  walk(node);
  return changed ? serializeFilter(node) : undefined;
}

const LIST_PARAMS = new Set(['attributes', 'excludedattributes', 'sortby']);

/**
 * A 1.1 request URL with `manager.managerId` in `filter`, `attributes`, `excludedAttributes` and
 * `sortBy` named as 2.0 names it (`manager.value`); the URL as it was when none names it.
 */
export function urlManagerToV2(registry: SchemaRegistry, rt: ResourceTypeDefinition, url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || !/managerid/i.test(url)) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  const out = new URLSearchParams();
  for (const [key, value] of params) {
    const k = key.toLowerCase();
    let next = value;
    if (k === 'filter') next = filterManagerToV2(registry, rt, value) ?? value;
    else if (LIST_PARAMS.has(k)) next = value.replace(/(^|[\s,:])manager\.managerid(?=$|[\s,])/gi, '$1manager.value');
    if (next !== value) changed = true;
    out.append(key, next);
  }
  return changed ? `${url.slice(0, q)}?${out.toString()}` : url;
}
