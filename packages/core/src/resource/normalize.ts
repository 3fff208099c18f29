/**
 * POST/PUT body → canonical resource: schema casing, extension URNs resolved (aliases too), every
 * value checked against its definition ({@link checkValue}: no coercion), read-only attributes
 * dropped, attributes no schema defines handled by the one `unknownAttributes` policy, required
 * attributes enforced.
 */
import type { ScimResource } from '../contract/types.js';
import { InvalidSyntaxError, InvalidValueError } from '../errors.js';
import { parseAttrPath } from '../filter/path.js';
import type { PatchQuirk } from '../patch/normalize.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/types.js';
import { isObject } from '../util/object.js';
import { checkValue, unknownAttributeHandler, type ValueCheck } from './validate.js';

/** Options for {@link normalizeResource}. */
export interface NormalizeOptions {
  /** Check `required` attributes (create and replace). Default true. */
  checkRequired?: boolean;
  onQuirk?: (q: PatchQuirk) => void;
  /**
   * What to do with an attribute no schema defines: throws to refuse it, returns to leave it out.
   * Default: refuse (400 `invalidValue`).
   */
  onUnknownAttribute?: (path: string, inPath?: boolean, value?: unknown) => void;
}

/**
 * Normalizes a client-supplied resource.
 *
 * @throws InvalidSyntaxError when `body` is not an object; InvalidValueError for wrong types, a
 *   missing required attribute or (by default) an attribute no schema defines.
 */
export function normalizeResource(
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  body: unknown,
  options: NormalizeOptions = {},
): ScimResource {
  if (!isObject(body)) throw new InvalidSyntaxError('Request body must be a JSON object');
  const c: ValueCheck = {
    form: 'body',
    quirk: options.onQuirk ?? (() => {}),
    unknown: options.onUnknownAttribute ?? unknownAttributeHandler('reject'),
  };
  const out: ScimResource = {};
  const extensions = new Set<string>();

  const put = (ext: string | undefined, key: string, value: unknown) => {
    if (value === null || value === undefined) return;
    let p: ReturnType<typeof parseAttrPath>;
    try {
      p = parseAttrPath(key, (d) => new InvalidValueError(d));
    } catch {
      c.unknown(ext ? `${ext}:${key}` : key);
      return;
    }
    const r = registry.resolve(rt, ext ? { ...p, uri: ext } : p);
    if (!r?.attrDef || (r.sub !== undefined && !r.subDef)) {
      c.unknown(ext ? `${ext}:${key}` : key, false, value);
      return;
    }
    const def = r.attrDef;
    if (def.mutability === 'readOnly') return;
    const target = r.extension ? ((out[r.extension] ??= {}) as Record<string, unknown>) : out;
    if (r.extension) extensions.add(r.extension);
    if (r.sub !== undefined) {
      // Dotted key `name.givenName`.
      const sd = r.subDef as AttributeDefinition;
      if (sd.mutability === 'readOnly' || def.multiValued) {
        if (def.multiValued) throw new InvalidValueError(`"${key}": a multi-valued attribute takes an array of objects`);
        return;
      }
      const obj = (isObject(target[def.name]) ? target[def.name] : {}) as Record<string, unknown>;
      obj[sd.name] = checkValue(c, sd, value, `${def.name}.${sd.name}`, false);
      target[def.name] = obj;
      return;
    }
    const v = checkValue(c, def, value, def.name, def.multiValued);
    if (Array.isArray(v) && v.length === 0) return;
    if (isObject(v) && Object.keys(v).length === 0) return;
    if (def.type === 'complex') checkRequiredSubs(def, v);
    target[def.name] = v;
  };

  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      if (value !== undefined && (!Array.isArray(value) || value.some((s) => typeof s !== 'string')))
        throw new InvalidValueError('"schemas" must be an array of URIs');
      continue;
    }
    const ext = registry.canonicalUrn(rt, key);
    if (ext && ext !== rt.schema) {
      if (value === null) continue;
      if (!isObject(value)) throw new InvalidValueError(`"${key}" must be an object`);
      for (const [k, v] of Object.entries(value)) {
        // Some clients repeat `schemas` inside an extension object; it says nothing new.
        if (k.toLowerCase() !== 'schemas') put(ext, k, v);
      }
      continue;
    }
    if (ext === rt.schema && isObject(value)) {
      // `{"urn:…:core:2.0:User": {...}}` — core attributes nested under the core URN.
      for (const [k, v] of Object.entries(value)) if (k.toLowerCase() !== 'schemas') put(undefined, k, v);
      continue;
    }
    put(undefined, key, value);
  }

  if (options.checkRequired !== false) {
    const missing = (a: AttributeDefinition, holder: Record<string, unknown> | undefined) =>
      a.required && a.mutability !== 'readOnly' && (holder?.[a.name] === undefined || holder[a.name] === '');
    for (const a of registry.schema(rt.schema)?.attributes ?? []) {
      if (missing(a, out)) throw new InvalidValueError(`Required attribute "${a.name}" is missing`);
    }
    for (const e of rt.schemaExtensions) {
      const held = out[e.schema];
      if (e.required && !isObject(held)) throw new InvalidValueError(`Required extension "${e.schema}" is missing`);
      if (!isObject(held)) continue;
      for (const a of registry.schema(e.schema)?.attributes ?? []) {
        if (missing(a, held)) throw new InvalidValueError(`Required attribute "${e.schema}:${a.name}" is missing`);
      }
    }
  }
  for (const e of [...extensions]) {
    const c = out[e];
    if (isObject(c) && Object.keys(c).length === 0) {
      delete out[e];
      extensions.delete(e);
    }
  }
  return { schemas: [rt.schema, ...extensions], ...out };
}

/** Required sub-attributes of each complex value (custom schemas may mark some). */
function checkRequiredSubs(def: AttributeDefinition, v: unknown): void {
  const required = def.subAttributes?.filter((s) => s.required && s.mutability !== 'readOnly') ?? [];
  if (required.length === 0) return;
  for (const [i, el] of (Array.isArray(v) ? v : [v]).entries()) {
    for (const s of required) {
      if (!isObject(el) || el[s.name] === undefined || el[s.name] === '') {
        throw new InvalidValueError(`Required attribute "${def.name}${def.multiValued ? `[${i}]` : ''}.${s.name}" is missing`);
      }
    }
  }
}
