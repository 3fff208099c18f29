/**
 * Projection from the requested attributes: a list read without `attributes=userName` does not
 * carry every user's addresses, and a group read with `excludedAttributes=members` does not carry
 * its 50,000 members. The core still projects the response exactly; this only saves transfer.
 */
import type { ResourceTypeDefinition, SchemaRegistry } from '@scimgw/core';
import { parseAttrPath } from '@scimgw/core/filter';
import { encodeKey } from './keys.js';

/** A MongoDB projection, and whether a computed attribute is wanted. */
export interface ProjectionPlan {
  /** `undefined`: read whole documents. */
  projection?: Record<string, 0 | 1>;
  /** Whether the computed attribute (users' `groups`) must be computed. */
  computed: boolean;
}

/** Where a requested attribute name is stored; `undefined` when it is not a known attribute. */
interface Placed {
  /** Top-level stored key (the attribute, or its extension). */
  top: string;
  /** Stored path of the attribute itself (without sub-attribute). */
  path: string;
  attr: string;
  ext: boolean;
  /** The name has a sub-attribute (`name.givenName`). */
  sub: boolean;
}

function place(registry: SchemaRegistry, rt: ResourceTypeDefinition, name: string): Placed | undefined {
  // `urn:…:enterprise:2.0:User` alone names the whole extension.
  const whole = registry.canonicalUrn(rt, name);
  if (whole && whole !== rt.schema) return { top: encodeKey(whole), path: encodeKey(whole), attr: whole, ext: true, sub: false };
  let p: ReturnType<typeof parseAttrPath>;
  try {
    p = parseAttrPath(name);
  } catch {
    return undefined;
  }
  const r = registry.resolve(rt, p);
  if (!r?.attrDef) return undefined;
  const sub = p.sub !== undefined;
  if (r.extension) {
    const top = encodeKey(r.extension);
    return { top, path: `${top}.${encodeKey(r.attr)}`, attr: r.attr, ext: true, sub };
  }
  return { top: encodeKey(r.attr), path: encodeKey(r.attr), attr: r.attr, ext: false, sub };
}

/** Attributes every response carries whatever was requested (`returned: always`). */
function alwaysReturned(registry: SchemaRegistry, rt: ResourceTypeDefinition): string[] {
  const out = ['id', 'meta'];
  for (const a of registry.schema(rt.schema)?.attributes ?? []) if (a.returned === 'always') out.push(encodeKey(a.name));
  for (const e of rt.schemaExtensions) {
    if (registry.schema(e.schema)?.attributes.some((a) => a.returned === 'always')) out.push(encodeKey(e.schema));
  }
  return out;
}

/**
 * The projection for `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5). Anything it cannot
 * place (an unknown attribute) reads whole documents.
 *
 * @param computed - the computed attribute of this resource type (`groups` of users), if any
 */
export function planProjection(
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  hints: { attributes?: string[] | undefined; excludedAttributes?: string[] | undefined },
  computed: string | undefined,
): ProjectionPlan {
  const isComputed = (t: { attr: string; ext: boolean }) => computed !== undefined && !t.ext && t.attr === computed;
  if (hints.attributes && hints.attributes.length > 0) {
    const include: Record<string, 1> = {};
    for (const k of alwaysReturned(registry, rt)) include[k] = 1;
    let wantsComputed = false;
    for (const name of hints.attributes) {
      const t = place(registry, rt, name);
      if (!t) return { computed: computed !== undefined };
      if (isComputed(t)) wantsComputed = true;
      else include[t.top] = 1;
    }
    return { projection: include, computed: wantsComputed };
  }
  if (hints.excludedAttributes && hints.excludedAttributes.length > 0) {
    const always = new Set(alwaysReturned(registry, rt));
    const exclude: Record<string, 0> = {};
    let wantsComputed = computed !== undefined;
    for (const name of hints.excludedAttributes) {
      const t = place(registry, rt, name);
      // Sub-attributes are left to the core's projection.
      if (!t || t.sub) continue;
      if (isComputed(t)) wantsComputed = false;
      else if (!always.has(t.top) && !always.has(t.path)) exclude[t.path] = 0;
    }
    return Object.keys(exclude).length ? { projection: exclude, computed: wantsComputed } : { computed: wantsComputed };
  }
  return { computed: computed !== undefined };
}
