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

/** The first path segments of a map's entries, exact and lower-cased. */
interface Names {
  exact: ReadonlySet<string>;
  lower: ReadonlySet<string>;
}

const namesOf = new WeakMap<readonly CompiledEntry[], Names>();

function names(entries: readonly CompiledEntry[]): Names {
  let n = namesOf.get(entries);
  if (!n)
    namesOf.set(
      entries,
      (n = { exact: new Set(entries.map((e) => e.segs[0] as string)), lower: new Set(entries.map((e) => e.firstLower)) }),
    );
  return n;
}

/**
 * Reads the record's own top-level values for the entries: by exact name, else by a key that
 * differs only in case (directories treat names that way). Such keys are found with one pass over
 * the record's keys, so the many mapped attributes a record lacks cost no lookups of their own.
 */
function topLevelReader(record: Record<string, unknown>, n: Names): (key: string, lower: string) => unknown {
  let aliases: Map<string, string> | undefined;
  for (const k of Object.keys(record)) {
    if (n.exact.has(k)) continue;
    const l = k.toLowerCase();
    if (n.lower.has(l)) (aliases ??= new Map()).set(l, k);
  }
  return (key, lower) => {
    if (Object.hasOwn(record, key)) return record[key];
    const k = aliases?.get(lower);
    return k === undefined ? undefined : record[k];
  };
}

/**
 * Maps one endpoint record. Returns `undefined` when the record is hidden: a
 * single-valued attribute with a hiding `valueMap` (`unlisted: "hide"`) holds a
 * value the map does not list. With `unlisted: "drop"` that attribute is left out.
 */
export function toScim(entries: readonly CompiledEntry[], record: Record<string, unknown>): ScimResource | undefined {
  const out: ScimResource = {};
  let assemblies: Map<string, Assembly> | undefined;
  let extensions = false;
  const assembly = (t: CompiledTarget): Assembly => {
    assemblies ??= new Map();
    let a = assemblies.get(t.assemblyKey);
    if (!a) {
      a = { container: containerFor(out, t), name: t.attr, whole: [], zipped: [], zipDrop: undefined, typed: undefined };
      assemblies.set(t.assemblyKey, a);
    }
    return a;
  };

  if (!isObject(record)) return out;
  const read = topLevelReader(record, names(entries));
  for (const e of entries) {
    const raw = readEndpoint(record, e.key, e.segs, read, e.firstLower);
    if (raw === undefined || raw === null) continue;
    const one = !Array.isArray(raw);
    let list: unknown[] | undefined;
    for (const t of e.targets) {
      if (t.writeOnly) continue;
      if (t.extension) extensions = true;
      // One value into a single-valued target (most of a record): no lists to build.
      if (one && (t.shape === 'single' || t.shape === 'subOfSingle')) {
        const v = toScimValue(e, t, raw);
        if (v === UNLISTED && e.hides) return undefined;
        if (v === undefined || v === UNLISTED) continue;
        const c = containerFor(out, t);
        if (t.shape === 'single') {
          if (c[t.attr] === undefined) c[t.attr] = v;
        } else {
          const obj = (isObject(c[t.attr]) ? c[t.attr] : (c[t.attr] = {})) as Record<string, unknown>;
          if (obj[t.sub as string] === undefined) obj[t.sub as string] = v;
        }
        continue;
      }
      list ??= one ? [raw] : (raw as unknown[]);
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

  for (const a of assemblies?.values() ?? []) {
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
  if (extensions) {
    for (const k of Object.keys(out)) {
      if (/^urn:/i.test(k) && isObject(out[k]) && Object.keys(out[k] as object).length === 0) delete out[k];
    }
  }
  return out;
}
