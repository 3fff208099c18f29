/**
 * POST/PUT body → canonical resource: schema casing, extension URNs resolved
 * (aliases too), values coerced by type, read-only attributes dropped.
 */
import type { ScimResource } from '../contract/types.js';
import { InvalidSyntaxError, InvalidValueError } from '../errors.js';
import { parseAttrPath } from '../filter/path.js';
import { normalizeValue } from '../patch/values.js';
import type { PatchQuirk } from '../patch/normalize.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { ResourceTypeDefinition } from '../schema/types.js';
import { isObject } from '../util/object.js';

/** Options for {@link normalizeResource}. */
export interface NormalizeOptions {
  /** Check `required` attributes (create and replace). Default true. */
  checkRequired?: boolean;
  onQuirk?: (q: PatchQuirk) => void;
}

/**
 * Normalizes a client-supplied resource.
 *
 * @throws InvalidSyntaxError when `body` is not an object; InvalidValueError for
 *   wrong types or a missing required attribute.
 */
export function normalizeResource(
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  body: unknown,
  options: NormalizeOptions = {},
): ScimResource {
  if (!isObject(body)) throw new InvalidSyntaxError('Request body must be a JSON object');
  const quirk = options.onQuirk ?? (() => {});
  const out: ScimResource = {};
  const extensions = new Set<string>();

  const put = (ext: string | undefined, key: string, value: unknown) => {
    if (value === null || value === undefined) return;
    const p = parseAttrPath(key, (d) => new InvalidValueError(d));
    const r = registry.resolve(rt, ext ? { ...p, uri: ext } : p);
    if (!r?.attrDef) {
      // Unknown attribute: kept as sent (connectors may map it), under its extension if any.
      if (ext) {
        const c = (out[ext] ??= {}) as Record<string, unknown>;
        c[key] = value;
        extensions.add(ext);
      } else out[key] = value;
      return;
    }
    const def = r.attrDef;
    if (def.mutability === 'readOnly') return;
    const target = r.extension ? ((out[r.extension] ??= {}) as Record<string, unknown>) : out;
    if (r.extension) extensions.add(r.extension);
    if (r.sub !== undefined) {
      // Dotted key `name.givenName`.
      const sd = r.subDef;
      if (!sd || sd.mutability === 'readOnly') return;
      const obj = (isObject(target[def.name]) ? target[def.name] : {}) as Record<string, unknown>;
      obj[sd.name] = normalizeValue(registry, sd, value, `${def.name}.${sd.name}`, quirk, false);
      target[def.name] = obj;
      return;
    }
    let v = normalizeValue(registry, def, value, def.name, quirk, def.multiValued);
    if (def.type === 'complex') {
      const ro = new Set((def.subAttributes ?? []).filter((s) => s.mutability === 'readOnly').map((s) => s.name));
      const strip = (el: unknown) => {
        if (!isObject(el)) return el;
        const o: Record<string, unknown> = {};
        for (const [k, sv] of Object.entries(el)) if (!ro.has(k) && sv !== null) o[k] = sv;
        return o;
      };
      v = Array.isArray(v) ? v.map(strip) : strip(v);
    }
    if (Array.isArray(v) && v.length === 0) return;
    target[def.name] = v;
  };

  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      if (value !== undefined && !Array.isArray(value)) throw new InvalidValueError('"schemas" must be an array');
      continue;
    }
    const ext = registry.canonicalUrn(rt, key);
    if (ext && ext !== rt.schema) {
      if (value === null) continue;
      if (!isObject(value)) throw new InvalidValueError(`"${key}" must be an object`);
      for (const [k, v] of Object.entries(value)) put(ext, k, v);
      continue;
    }
    if (ext === rt.schema && isObject(value)) {
      // `{"urn:…:core:2.0:User": {...}}` — core attributes nested under the core URN.
      for (const [k, v] of Object.entries(value)) put(undefined, k, v);
      continue;
    }
    put(undefined, key, value);
  }

  if (options.checkRequired !== false) {
    for (const a of registry.schema(rt.schema)?.attributes ?? []) {
      if (a.required && a.mutability !== 'readOnly' && (out[a.name] === undefined || out[a.name] === '')) {
        throw new InvalidValueError(`Required attribute "${a.name}" is missing`);
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
