/**
 * Value normalization by attribute definition: canonical sub-attribute
 * casing, string booleans and numbers coerced, single values wrapped or
 * unwrapped as the schema says, `$ref: null` dropped.
 */
import { InvalidValueError } from '../errors.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';
import { isObject } from '../util/object.js';
import type { PatchQuirk } from './normalize.js';

/**
 * Normalizes `value` for `def`. With `asList` the result is always an array
 * of elements (for multi-valued attributes).
 */
export function normalizeValue(
  registry: SchemaRegistry,
  def: AttributeDefinition,
  value: unknown,
  where: string,
  quirk: (q: PatchQuirk) => void,
  asList: boolean,
): unknown {
  if (asList) {
    const list = Array.isArray(value) ? value : [value];
    return list.filter((e) => e !== null && e !== undefined).map((e, i) => element(registry, def, e, `${where}[${i}]`));
  }
  let v = value;
  if (Array.isArray(v)) {
    if (v.length !== 1) throw new InvalidValueError(`"${where}" is single-valued but got ${v.length} values`);
    quirk('wrappedSingleValue');
    v = v[0];
  }
  if (def.type !== 'complex' && isObject(v) && 'value' in v) {
    // `[{"$ref":null,"value":"User x"}]` for a simple attribute (Entra ID).
    quirk('wrappedSingleValue');
    v = v.value;
  }
  return element(registry, def, v, where);
}

function element(registry: SchemaRegistry, def: AttributeDefinition, v: unknown, where: string): unknown {
  if (def.type === 'complex') {
    // A bare string for a complex attribute is its `value` (Entra ID `manager`).
    if (!isObject(v)) return v === null ? v : { value: v };
    const out: Record<string, unknown> = {};
    for (const [k, sv] of Object.entries(v)) {
      const sd = def.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase());
      if (sv === null && k === '$ref') continue;
      out[sd?.name ?? k] = sd ? scalar(registry, sd, sv, `${where}.${sd.name}`) : sv;
    }
    return out;
  }
  return scalar(registry, def, v, where);
}

function scalar(registry: SchemaRegistry, def: AttributeDefinition, v: unknown, where: string): unknown {
  if (isObject(v) || Array.isArray(v)) {
    if (def.type === 'complex') return v;
    throw new InvalidValueError(`"${where}" must be a ${def.type}`);
  }
  return registry.coerce(def, v, where);
}
