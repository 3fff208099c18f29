/** Endpoint record → SCIM resource. */
import type { ScimResource } from '@scimgw/core';
import type { CompiledEntry, CompiledTarget } from './compile.js';
import { isObject, keyCI, readEndpoint } from './endpoint-path.js';
import { toScimValue, UNLISTED } from './values.js';

/** Elements being assembled for one multi-valued attribute. */
interface Assembly {
  container: Record<string, unknown>;
  name: string;
  whole: unknown[];
  /** `members.value`-style entries, aligned by endpoint index. */
  zipped: Record<string, unknown>[];
  zipDrop: Set<number> | undefined;
  /** `emails.work.value`-style entries, per type key (lower-cased). */
  typed: Map<string, { typeKey: string; elements: Record<string, unknown>[]; drop: Set<number> }> | undefined;
}

function containerFor(out: ScimResource, t: CompiledTarget): Record<string, unknown> {
  if (!t.extension) return out;
  const k = keyCI(out, t.extension) ?? t.extension;
  if (!isObject(out[k])) out[k] = {};
  return out[k] as Record<string, unknown>;
}

/**
 * Maps one endpoint record. Returns `undefined` when the record is hidden: a
 * single-valued attribute with a `valueMap` holds a value the map does not list.
 */
export function toScim(entries: readonly CompiledEntry[], record: Record<string, unknown>): ScimResource | undefined {
  const out: ScimResource = {};
  const assemblies = new Map<string, Assembly>();
  const assembly = (t: CompiledTarget): Assembly => {
    const k = `${t.schemaId.toLowerCase()}|${t.attr.toLowerCase()}`;
    let a = assemblies.get(k);
    if (!a) {
      a = { container: containerFor(out, t), name: t.attr, whole: [], zipped: [], zipDrop: undefined, typed: undefined };
      assemblies.set(k, a);
    }
    return a;
  };

  for (const e of entries) {
    if (!isObject(record)) break;
    const raw = readEndpoint(record, e.key, e.segs);
    if (raw === undefined || raw === null) continue;
    const list: unknown[] = Array.isArray(raw) ? raw : [raw];
    for (const t of e.targets) {
      if (t.writeOnly) continue;
      const vals = list.map((v) => toScimValue(e, t, v));
      if (e.hides && vals.some((v) => v === UNLISTED)) return undefined;
      const first = vals.find((v) => v !== undefined && v !== UNLISTED);
      switch (t.shape) {
        case 'single': {
          const c = containerFor(out, t);
          if (first !== undefined && c[t.attr] === undefined) c[t.attr] = first;
          break;
        }
        case 'subOfSingle': {
          if (first === undefined) break;
          const c = containerFor(out, t);
          const obj = isObject(c[t.attr]) ? (c[t.attr] as Record<string, unknown>) : (c[t.attr] = {});
          const sub = t.sub as string;
          if ((obj as Record<string, unknown>)[sub] === undefined) (obj as Record<string, unknown>)[sub] = first;
          break;
        }
        case 'multi':
          assembly(t).whole.push(...vals.filter((v) => v !== undefined && v !== UNLISTED));
          break;
        case 'subOfMulti': {
          const a = assembly(t);
          vals.forEach((v, i) => {
            if (v === UNLISTED) (a.zipDrop ??= new Set()).add(i);
            else if (v !== undefined) {
              const el = (a.zipped[i] ??= {});
              if (el[t.sub as string] === undefined) el[t.sub as string] = v;
            }
          });
          break;
        }
        case 'typed': {
          const a = assembly(t);
          const tk = (t.typeKey as string).toLowerCase();
          a.typed ??= new Map();
          let g = a.typed.get(tk);
          if (!g) a.typed.set(tk, (g = { typeKey: t.typeKey as string, elements: [], drop: new Set() }));
          const group = g;
          vals.forEach((v, i) => {
            if (v === UNLISTED) group.drop.add(i);
            else if (v !== undefined) {
              const el = (group.elements[i] ??= { type: group.typeKey });
              if (el[t.sub as string] === undefined) el[t.sub as string] = v;
            }
          });
          break;
        }
      }
    }
  }

  for (const a of assemblies.values()) {
    const elements: unknown[] = [...a.whole];
    a.zipped.forEach((el, i) => {
      if (el && !a.zipDrop?.has(i) && Object.keys(el).length) elements.push(el);
    });
    for (const g of a.typed?.values() ?? []) {
      g.elements.forEach((el, i) => {
        if (el && !g.drop.has(i) && Object.keys(el).length > 1) elements.push(el);
      });
    }
    if (elements.length) a.container[a.name] = elements;
  }
  for (const k of Object.keys(out)) {
    if (/^urn:/i.test(k) && isObject(out[k]) && Object.keys(out[k] as object).length === 0) delete out[k];
  }
  return out;
}
