/** `valueMap`: endpoint value ↔ SCIM value, an allowlist in both directions. */
import { MapperConfigError } from './errors.js';
import type { MapScalar } from './types.js';

/** A compiled valueMap. */
export interface ValueMap {
  /** Endpoint value → SCIM value; `undefined` when the value is not listed. */
  toScim(v: unknown): MapScalar | undefined;
  /** SCIM value → endpoint value (the map key); `undefined` when not listed. */
  toEndpoint(v: unknown, caseExact: boolean): string | undefined;
  /** Endpoint values (the keys). */
  readonly endpointValues: readonly string[];
  /** SCIM values, in configuration order. */
  readonly scimValues: readonly MapScalar[];
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/**
 * Compiles a `valueMap`; `undefined` for an absent or empty one (the seed's
 * files carry `"valueMap": {}` to mean "not used").
 *
 * @throws MapperConfigError for non-scalar values or two endpoint values mapped to one SCIM value
 */
export function compileValueMap(raw: unknown, where: string): ValueMap | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new MapperConfigError(where, 'must be an object of endpointValue: scimValue');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  const exact = new Map<string, MapScalar>();
  const folded = new Map<string, MapScalar>();
  const back = new Map<string, string>();
  const backFolded = new Map<string, string>();
  for (const [k, v] of entries) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new MapperConfigError(`${where}.${k}`, 'must be a string, number or boolean');
    }
    const sv = String(v);
    if (backFolded.has(sv.toLowerCase())) {
      throw new MapperConfigError(
        `${where}.${k}`,
        `"${sv}" is already the SCIM value of "${backFolded.get(sv.toLowerCase())}"; a value may be mapped only once`,
      );
    }
    exact.set(k, v);
    if (!folded.has(k.toLowerCase())) folded.set(k.toLowerCase(), v);
    back.set(sv, k);
    backFolded.set(sv.toLowerCase(), k);
  }
  return {
    toScim(v) {
      const t = text(v);
      if (t === undefined) return undefined;
      return exact.get(t) ?? folded.get(t.toLowerCase());
    },
    toEndpoint(v, caseExact) {
      const t = text(v);
      if (t === undefined) return undefined;
      return back.get(t) ?? (caseExact ? undefined : backFolded.get(t.toLowerCase()));
    },
    endpointValues: entries.map(([k]) => k),
    scimValues: entries.map(([, v]) => v as MapScalar),
  };
}
