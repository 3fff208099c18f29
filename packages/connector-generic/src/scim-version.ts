/**
 * The target's SCIM dialect. The connector works in SCIM 2.0 terms; a 1.1
 * target gets 1.1 bodies (`urn:scim:schemas:core:1.0`, PATCH as a partial
 * resource with `meta.attributes` and `operation: "delete"`), and its answers
 * are read back into 2.0 shapes.
 *
 * @see RFC 7644 §3.5.2 (2.0 PATCH); SCIM 1.1 Protocol §3.3.2 (partial modify)
 */
import { URN } from '@scimgw/core';
import type { EndpointChanges, Mapper } from '@scimgw/mapper';
import type { TargetScimVersion } from './config.js';
import { isObject } from './json.js';

/** SCIM 1.1 URNs. */
export const URN_11 = {
  core: 'urn:scim:schemas:core:1.0',
  enterprise: 'urn:scim:schemas:extension:enterprise:1.0',
} as const;

function renameKey(obj: Record<string, unknown>, from: string, to: string): void {
  const k = Object.keys(obj).find((x) => x.toLowerCase() === from.toLowerCase());
  if (k === undefined || k === to) return;
  obj[to] = obj[k];
  delete obj[k];
}

/**
 * A target resource as 2.0 JSON: 1.1 extension URNs renamed. `schemas` is left in place (the
 * mapping never reads it); a 2.0 record is returned as it is, so mapping reads the parsed object
 * without a copy.
 */
export function fromTarget(body: unknown, version: TargetScimVersion): Record<string, unknown> | undefined {
  if (!isObject(body)) return undefined;
  if (version === '2.0') return body;
  const out = { ...body };
  renameKey(out, URN_11.enterprise, URN.EnterpriseUser);
  const ext = out[URN.EnterpriseUser];
  if (isObject(ext) && isObject(ext.manager) && ext.manager.managerId !== undefined) {
    const { managerId, ...rest } = ext.manager;
    out[URN.EnterpriseUser] = { ...ext, manager: { ...rest, value: managerId } };
  }
  return out;
}

/** Schema URN in the target's dialect. */
export function urnFor(urn: string, version: TargetScimVersion): string {
  return version === '1.1' && urn.toLowerCase() === URN.EnterpriseUser.toLowerCase() ? URN_11.enterprise : urn;
}

/** Key of an endpoint attribute in the target's dialect (the enterprise URN prefix of 1.1). */
export function keyFor(key: string, version: TargetScimVersion): string {
  if (version === '1.1' && key.toLowerCase().startsWith(`${URN.EnterpriseUser.toLowerCase()}:`)) {
    const attr = key.slice(URN.EnterpriseUser.length + 1);
    // 1.1 names the manager's id `managerId` (2.0: `manager.value`).
    return `${URN_11.enterprise}:${attr.toLowerCase() === 'manager.value' ? 'manager.managerId' : attr}`;
  }
  return key;
}

/** A full resource body (POST, PUT) for the target. */
export function toTarget(
  record: Record<string, unknown>,
  resourceType: 'User' | 'Group',
  version: TargetScimVersion,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  delete out.schemas;
  delete out.meta;
  const extensions = Object.keys(out).filter((k) => /^urn:/i.test(k) && isObject(out[k]));
  if (version === '1.1') {
    for (const k of extensions) if (k.toLowerCase() === URN.EnterpriseUser.toLowerCase()) renameKey(out, k, URN_11.enterprise);
    const ext = out[URN_11.enterprise];
    if (isObject(ext) && isObject(ext.manager) && ext.manager.value !== undefined) {
      // 1.1 names the manager's id `managerId` and has no `$ref`.
      const { value, $ref: _ref, ...rest } = ext.manager;
      out[URN_11.enterprise] = { ...ext, manager: { ...rest, managerId: value } };
    }
    const exts = Object.keys(out).filter((k) => /^urn:/i.test(k) && isObject(out[k]));
    return { schemas: [URN_11.core, ...exts], ...out };
  }
  return { schemas: [resourceType === 'User' ? URN.User : URN.Group, ...extensions], ...out };
}

function literal(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** `members[value eq "u1"]`-style path selecting one element by its simple fields. */
function selectorPath(key: string, el: Record<string, unknown>): string | undefined {
  const terms = Object.entries(el)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(([k, v]) => `${k} eq ${literal(v)}`);
  return terms.length ? `${key}[${terms.join(' and ')}]` : undefined;
}

/** True when the endpoint key holds a list at the target (from the mapping). */
export function isListKey(mapper: Mapper, key: string): boolean {
  const a = mapper.attributes.find((x) => x.endpoint === key);
  return a !== undefined && (a.type === 'array' || a.type === 'complexArray');
}

/** A SCIM 2.0 PatchOp body for endpoint modifications (clear, remove, set, add). */
export function patch20(mapper: Mapper, ch: EndpointChanges): Record<string, unknown> {
  const ops: Record<string, unknown>[] = [];
  for (const key of ch.clear) ops.push({ op: 'remove', path: key });
  for (const [key, values] of Object.entries(ch.remove)) {
    if (!isListKey(mapper, key)) {
      ops.push({ op: 'remove', path: key });
      continue;
    }
    const simple = values.filter((v) => !isObject(v));
    // Simple values of a plain list: removal by value list (accepted by scimgw and Entra-style servers).
    if (simple.length) ops.push({ op: 'remove', path: key, value: simple });
    for (const el of values.filter(isObject)) {
      const path = selectorPath(key, el);
      if (path) ops.push({ op: 'remove', path });
    }
  }
  for (const [key, value] of Object.entries(ch.set)) ops.push({ op: 'replace', path: key, value });
  for (const [key, values] of Object.entries(ch.add)) ops.push({ op: 'add', path: key, value: values });
  return { schemas: [URN.PatchOp], Operations: ops };
}

/** A SCIM 1.1 partial-resource PATCH body for endpoint modifications. */
export function patch11(mapper: Mapper, ch: EndpointChanges): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const clear = new Set<string>();
  const listAt = (key: string): unknown[] => {
    const cur = mapper.getEndpointValue(body, key);
    if (Array.isArray(cur)) return cur;
    const fresh: unknown[] = [];
    mapper.setEndpointValue(body, key, fresh);
    return fresh;
  };
  for (const key of ch.clear) clear.add(keyFor(key, '1.1'));
  for (const [key, values] of Object.entries(ch.remove)) {
    if (!isListKey(mapper, key)) {
      clear.add(keyFor(key, '1.1'));
      continue;
    }
    listAt(key).push(...values.map((v) => ({ ...(isObject(v) ? v : { value: v }), operation: 'delete' })));
  }
  for (const [key, value] of Object.entries(ch.set)) {
    // Replacing a list in 1.1: drop the old values (meta.attributes), then send the new ones.
    if (Array.isArray(value)) {
      clear.add(keyFor(key, '1.1'));
      listAt(key).push(...value);
    } else mapper.setEndpointValue(body, key, value);
  }
  for (const [key, values] of Object.entries(ch.add)) listAt(key).push(...values);
  const out = toTarget(body, mapper.resourceType === 'Group' ? 'Group' : 'User', '1.1');
  if (clear.size) out.meta = { attributes: [...clear] };
  return out;
}
