/** Value conversion of one entry/target pair, in both directions. */
import { errors } from '@scimgw/core';
import type { CompiledEntry, CompiledTarget } from './compile.js';
import { convertScalar } from './convert.js';
import { getCI, isObject } from './endpoint-path.js';
import { FORBIDDEN_KEYS } from './map-to.js';

/** Marks an endpoint value a valueMap does not list (dropped, with its element). */
export const UNLISTED: unique symbol = Symbol('unlisted');

function pick(obj: Record<string, unknown>, keys: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    const v = obj[k];
    if (v === null || v === undefined || FORBIDDEN_KEYS.has(k)) continue;
    if (keys) {
      const lk = k.toLowerCase();
      if (!keys.some((s) => s.toLowerCase() === lk)) continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * Endpoint value → SCIM value for `target`. `undefined` when it cannot be
 * read (dropped quietly: one odd record must not fail a whole list);
 * {@link UNLISTED} when a valueMap does not list it.
 */
export function toScimValue(e: CompiledEntry, t: CompiledTarget, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (t.scimType === 'complex') {
    if (isObject(v)) {
      const o = pick(v, e.subAttributes);
      return Object.keys(o).length ? o : undefined;
    }
    // A plain list of strings mapped onto a complex multi-valued attribute (`emails`): wrap as elements.
    return t.attrDef.multiValued && (typeof v === 'string' || typeof v === 'number') ? { value: v } : undefined;
  }
  let raw: unknown = v;
  if (e.valueMap) {
    raw = e.valueMap.toScim(v);
    // An empty single value is no value (SCIM's `pr`, and the endpoints', read it as absent), as
    // the visibility filter lets it through: unlisted only where the attribute is required. In a
    // list an unlisted element, empty or not, is dropped with its siblings (an allowlist).
    if (raw === undefined) return v === '' && !e.isList && !requiredEntry(e) ? undefined : UNLISTED;
  }
  return convertScalar(raw, t.scimType, 'iso', e.format);
}

/** Whether an entry must hold a value (a record without one is hidden by a hiding valueMap). */
export function requiredEntry(e: CompiledEntry): boolean {
  return e.required || e.targets.some((t) => t.attrDef.required || t.leafDef.required);
}

function describe(t: CompiledTarget): string {
  return t.typeKey ? `${t.extension ? `${t.extension}:` : ''}${t.attr}[type eq "${t.typeKey}"].${t.sub}` : t.path;
}

/**
 * SCIM value → endpoint value. Throws `InvalidValueError` (400) for a value
 * that cannot be converted or that a valueMap does not list.
 */
export function toEndpointValue(e: CompiledEntry, t: CompiledTarget, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (e.isComplex) {
    if (isObject(v)) return pick(v, e.subAttributes);
    return { value: v };
  }
  if (isObject(v)) {
    // A whole complex value reaching a scalar endpoint attribute: its `value` is what is meant.
    const inner = getCI(v, 'value');
    if (inner === undefined) throw new errors.InvalidValueError(`"${describe(t)}" needs a simple value`);
    return toEndpointValue(e, t, inner);
  }
  let raw: unknown = v;
  if (e.valueMap) {
    const scim = t.scimType === 'complex' ? v : (convertScalar(v, t.scimType) ?? v);
    raw = e.valueMap.toEndpoint(scim, t.leafDef.caseExact || e.config.caseExact === true);
    if (raw === undefined) throw new errors.InvalidValueError(`Value "${String(v)}" is not allowed for "${describe(t)}"`);
  }
  const out = convertScalar(raw, e.endpointScalar, e.format);
  if (out === undefined) {
    throw new errors.InvalidValueError(
      `Value ${JSON.stringify(v)} of "${describe(t)}" cannot be converted to ${e.endpointScalar}`,
    );
  }
  return out;
}

/** Like {@link toEndpointValue} but `undefined` instead of throwing for unlisted values (removals). */
export function toEndpointValueOrSkip(e: CompiledEntry, t: CompiledTarget, v: unknown): unknown {
  try {
    return toEndpointValue(e, t, v);
  } catch (err) {
    if (err instanceof errors.InvalidValueError) return undefined;
    throw err;
  }
}
