/** SCIM resource → endpoint record. */
import type { ScimResource } from '@scimgw/core';
import type { CompiledEntry, CompiledTarget } from './compile.js';
import { getCI, isObject, writeEndpoint } from './endpoint-path.js';
import { toEndpointValue } from './values.js';

const present = (v: unknown) => v !== undefined && v !== null;

/** Elements of a multi-valued SCIM value whose `type` is `typeKey`, primary first. */
export function elementsOfType(list: unknown[], typeKey: string): Record<string, unknown>[] {
  const tk = typeKey.toLowerCase();
  const hits = list.filter(
    (el): el is Record<string, unknown> => isObject(el) && String(getCI(el, 'type') ?? '').toLowerCase() === tk,
  );
  return [...hits.filter((el) => getCI(el, 'primary') === true), ...hits.filter((el) => getCI(el, 'primary') !== true)];
}

/** The SCIM value of `t` in `resource` as a list; `undefined` when absent or empty. */
export function extract(resource: ScimResource, t: CompiledTarget): unknown[] | undefined {
  let container: unknown = resource;
  if (t.extension) container = isObject(resource) ? getCI(resource, t.extension) : undefined;
  if (!isObject(container)) return undefined;
  return extractFrom(getCI(container, t.attr), t);
}

/** Like {@link extract}, from the attribute's value itself. */
export function extractFrom(v: unknown, t: CompiledTarget): unknown[] | undefined {
  if (!present(v)) return undefined;
  let out: unknown[];
  switch (t.shape) {
    case 'single':
      out = [v];
      break;
    case 'multi':
      out = (Array.isArray(v) ? v : [v]).filter(present);
      break;
    case 'subOfSingle':
      out = isObject(v) ? [getCI(v, t.sub as string)].filter(present) : [];
      break;
    case 'subOfMulti':
      out = (Array.isArray(v) ? v : [v]).map((el) => (isObject(el) ? getCI(el, t.sub as string) : undefined)).filter(present);
      break;
    case 'typed':
      out = elementsOfType(Array.isArray(v) ? v : [v], t.typeKey as string)
        .map((el) => getCI(el, t.sub as string))
        .filter(present);
      break;
  }
  return out.length ? out : undefined;
}

/** The endpoint value of an entry from SCIM values: a list for list entries, else the first. */
export function endpointValue(e: CompiledEntry, t: CompiledTarget, values: unknown[]): unknown {
  const converted = values.map((v) => toEndpointValue(e, t, v)).filter(present);
  if (e.isList) return converted;
  return converted[0];
}

/** The first writable target with a value (one-to-many: the first listed wins). */
export function sourceOf(e: CompiledEntry, resource: ScimResource): { t: CompiledTarget; values: unknown[] } | undefined {
  for (const t of e.targets) {
    if (t.readOnly) continue;
    const values = extract(resource, t);
    if (values) return { t, values };
  }
  return undefined;
}

/**
 * Maps a SCIM resource to an endpoint record: every writable mapped
 * attribute present in `resource`. Read-only targets (`id`, `meta`, `groups`)
 * and unmapped attributes are left out.
 *
 * @throws InvalidValueError when a value cannot be converted or a valueMap does not list it
 */
export function toEndpoint(entries: readonly CompiledEntry[], resource: ScimResource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    if (e.readOnly) continue;
    const src = sourceOf(e, resource);
    if (!src) continue;
    const v = endpointValue(e, src.t, src.values);
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    writeEndpoint(out, e.segs, v, e.listParent);
  }
  return out;
}
