/**
 * SCIM change list → endpoint modifications. Membership-style changes stay
 * per value (adding one member never rewrites the list); only changes that
 * cannot be expressed per key (e.g. `emails[type eq "work"].value` onto a
 * whole pass-through `emails`) need the current resource.
 */
import { type ApplyContext, applyChanges } from '@scimgw/core/patch';
import type { Change, ScimResource } from '@scimgw/core';
import type { FilterNode } from '@scimgw/core/filter';
import type { CompiledEntry, CompiledTarget } from './compile.js';
import { getCI, isObject } from './endpoint-path.js';
import { elementsOfType, endpointValue, sourceOf } from './to-endpoint.js';
import type { EndpointChanges } from './types.js';
import { toEndpointValue, toEndpointValueOrSkip } from './values.js';

type KeyOp =
  | { kind: 'set'; value: unknown }
  | { kind: 'clear' }
  | { kind: 'add'; values: unknown[] }
  | { kind: 'remove'; values: unknown[] };
type Emitted = { key: string; op: KeyOp };
const NEEDS_CURRENT = Symbol('needsCurrent');
type Translation = Emitted[] | typeof NEEDS_CURRENT;

const present = (v: unknown) => v !== undefined && v !== null;

/** `type eq "work" and value eq "x"` → `{ type: 'work', value: 'x' }`; anything else → undefined. */
function selector(where: FilterNode): Record<string, unknown> | undefined {
  const terms = where.type === 'and' ? where.filters : [where];
  const seed: Record<string, unknown> = {};
  for (const t of terms) {
    if (t.type !== 'compare' || t.op !== 'eq' || t.path.sub || t.path.uri || t.value === null) return undefined;
    seed[t.path.attr] = t.value;
  }
  return seed;
}

const sameKey = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

function matches(t: CompiledTarget, ch: Change): boolean {
  const ext = ch.path.extension;
  if (t.extension ? !sameKey(t.extension, ext) : ext !== undefined) return false;
  return sameKey(t.attr, ch.path.attr);
}

function listOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** A set/clear for `values` (SCIM side, already selected for the target). */
function setFrom(e: CompiledEntry, t: CompiledTarget, values: unknown[]): KeyOp {
  const v = endpointValue(e, t, values);
  if (v === undefined || (Array.isArray(v) && v.length === 0)) return { kind: 'clear' };
  return { kind: 'set', value: v };
}

function addFrom(e: CompiledEntry, t: CompiledTarget, values: unknown[]): KeyOp | undefined {
  if (values.length === 0) return undefined;
  if (!e.isList) return { kind: 'set', value: toEndpointValue(e, t, values[0]) };
  return { kind: 'add', values: values.map((v) => toEndpointValue(e, t, v)).filter(present) };
}

function removeFrom(e: CompiledEntry, t: CompiledTarget, values: unknown[]): KeyOp | undefined {
  // A value the valueMap does not list cannot be at the endpoint visibly: removing it is a no-op.
  const out = values.map((v) => toEndpointValueOrSkip(e, t, v)).filter(present);
  return out.length ? { kind: 'remove', values: out } : undefined;
}

function translateOne(e: CompiledEntry, t: CompiledTarget, ch: Change): KeyOp | undefined | typeof NEEDS_CURRENT {
  const { sub, where } = ch.path;
  const value = ch.op === 'remove' ? undefined : ch.value;
  const removeValues = ch.op === 'remove' ? ch.value : undefined;
  switch (t.shape) {
    case 'single': {
      if (where) return undefined;
      if (sub !== undefined) return NEEDS_CURRENT;
      if (ch.op === 'remove') return removeValues ? removeFrom(e, t, removeValues) : { kind: 'clear' };
      return setFrom(e, t, listOf(value));
    }
    case 'subOfSingle': {
      if (where) return undefined;
      if (sub !== undefined) {
        if (!sameKey(sub, t.sub)) return undefined;
        return ch.op === 'remove' ? { kind: 'clear' } : setFrom(e, t, listOf(value));
      }
      if (ch.op === 'remove') return { kind: 'clear' };
      const inner = isObject(value) ? getCI(value, t.sub as string) : undefined;
      if (inner === undefined) return ch.op === 'replace' ? { kind: 'clear' } : undefined;
      return setFrom(e, t, [inner]);
    }
    case 'multi': {
      if (sub !== undefined) return NEEDS_CURRENT;
      if (where) {
        const seed = ch.op === 'remove' ? selector(where) : undefined;
        if (!seed) return NEEDS_CURRENT;
        if (e.isComplex) return removeFrom(e, t, [seed]);
        const keys = Object.keys(seed);
        return keys.length === 1 && sameKey(keys[0], 'value') ? removeFrom(e, t, [getCI(seed, 'value')]) : NEEDS_CURRENT;
      }
      if (ch.op === 'add') return addFrom(e, t, listOf(value));
      if (ch.op === 'replace') return setFrom(e, t, listOf(value));
      return removeValues ? removeFrom(e, t, removeValues) : { kind: 'clear' };
    }
    case 'subOfMulti': {
      if (sub !== undefined) return sameKey(sub, t.sub) ? NEEDS_CURRENT : undefined;
      const pickSub = (list: unknown[]) =>
        list.map((el) => (isObject(el) ? getCI(el, t.sub as string) : undefined)).filter(present);
      if (where) {
        const seed = ch.op === 'remove' ? selector(where) : undefined;
        const keys = seed ? Object.keys(seed) : [];
        if (!seed || keys.length !== 1 || !sameKey(keys[0], t.sub)) return NEEDS_CURRENT;
        return removeFrom(e, t, [getCI(seed, t.sub as string)]);
      }
      if (ch.op === 'add') return addFrom(e, t, pickSub(listOf(value)));
      if (ch.op === 'replace') return setFrom(e, t, pickSub(listOf(value)));
      return removeValues ? removeFrom(e, t, pickSub(removeValues)) : { kind: 'clear' };
    }
    case 'typed': {
      const tk = t.typeKey as string;
      if (where) {
        const seed = selector(where);
        if (!seed) return NEEDS_CURRENT;
        const seedType = getCI(seed, 'type');
        if (seedType === undefined) return NEEDS_CURRENT;
        if (!sameKey(String(seedType), tk)) return undefined;
        if (sub !== undefined) {
          if (!sameKey(sub, t.sub)) return undefined;
          if (ch.op === 'remove') return { kind: 'clear' };
          return e.isList && ch.op === 'add' ? addFrom(e, t, [value]) : setFrom(e, t, [value]);
        }
        if (ch.op === 'remove') {
          const v = getCI(seed, t.sub as string);
          return v === undefined ? { kind: 'clear' } : removeFrom(e, t, [v]);
        }
        const inner = isObject(value) ? getCI(value, t.sub as string) : undefined;
        if (inner === undefined) return ch.op === 'replace' ? { kind: 'clear' } : undefined;
        return e.isList && ch.op === 'add' ? addFrom(e, t, [inner]) : setFrom(e, t, [inner]);
      }
      if (sub !== undefined) return NEEDS_CURRENT;
      const ofType = (list: unknown[]) =>
        elementsOfType(list, tk)
          .map((el) => getCI(el, t.sub as string))
          .filter(present);
      if (ch.op === 'add') return addFrom(e, t, ofType(listOf(value)));
      if (ch.op === 'replace') return setFrom(e, t, ofType(listOf(value)));
      if (!removeValues) return { kind: 'clear' };
      const drop: unknown[] = [];
      for (const el of removeValues) {
        if (!isObject(el)) {
          drop.push(el);
          continue;
        }
        const type = getCI(el, 'type');
        if (type !== undefined && !sameKey(String(type), tk)) continue;
        const v = getCI(el, t.sub as string);
        if (v !== undefined) drop.push(v);
        else if (type !== undefined) return { kind: 'clear' };
      }
      return removeFrom(e, t, drop);
    }
  }
}

function translate(entries: readonly CompiledEntry[], ch: Change): Translation {
  const out: Emitted[] = [];
  for (const e of entries) {
    if (e.readOnly) continue;
    for (const t of e.targets) {
      if (t.readOnly || !matches(t, ch)) continue;
      // A sub-attribute change of a whole pass-through object (`name.givenName` onto `name`) goes to the nested key.
      if (t.shape === 'single' && e.isComplex && ch.path.sub !== undefined && !ch.path.where) {
        const key = `${e.key}.${ch.path.sub}`;
        out.push({ key, op: ch.op === 'remove' ? { kind: 'clear' } : { kind: 'set', value: ch.value } });
        continue;
      }
      const op = translateOne(e, t, ch);
      if (op === NEEDS_CURRENT) return NEEDS_CURRENT;
      if (op) out.push({ key: e.key, op });
    }
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  if (isObject(a) && isObject(b)) {
    const av = getCI(a, 'value');
    const bv = getCI(b, 'value');
    if (av !== undefined || bv !== undefined) return av === bv;
  }
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
const minus = (list: unknown[], drop: unknown[]) => list.filter((x) => !drop.some((d) => same(x, d)));
const union = (list: unknown[], more: unknown[]) => [...list, ...minus(more, list)];

interface KeyState {
  base?: { value: unknown } | 'cleared';
  add: unknown[];
  remove: unknown[];
}

function fold(state: KeyState, op: KeyOp): void {
  switch (op.kind) {
    case 'set':
      state.base = { value: op.value };
      state.add = [];
      state.remove = [];
      return;
    case 'clear':
      state.base = 'cleared';
      state.add = [];
      state.remove = [];
      return;
    case 'add':
      if (state.base === 'cleared') state.base = { value: op.values };
      else if (state.base) state.base.value = union(listOf(state.base.value), op.values);
      else {
        state.add = union(state.add, op.values);
        state.remove = minus(state.remove, op.values);
      }
      return;
    case 'remove':
      if (state.base === 'cleared') return;
      if (state.base) {
        const cur = state.base.value;
        if (Array.isArray(cur)) state.base.value = minus(cur, op.values);
        else if (op.values.some((v) => same(v, cur))) state.base = 'cleared';
      } else {
        state.remove = union(state.remove, op.values);
        state.add = minus(state.add, op.values);
      }
  }
}

/** True when {@link changesToEndpoint} needs `current` for these changes. */
export function needsCurrent(entries: readonly CompiledEntry[], changes: readonly Change[]): boolean {
  return changes.some((ch) => translate(entries, ch) === NEEDS_CURRENT);
}

/**
 * Translates changes. `current` (the SCIM resource before the changes) is
 * required only when {@link needsCurrent} says so; then the affected endpoint
 * attributes are recomputed whole from the changed resource.
 */
export function changesToEndpoint(
  entries: readonly CompiledEntry[],
  changes: readonly Change[],
  apply: ApplyContext,
  current?: ScimResource,
): EndpointChanges {
  const states = new Map<string, KeyState>();
  const whole = new Set<CompiledEntry>();
  for (const ch of changes) {
    const tr = translate(entries, ch);
    if (tr === NEEDS_CURRENT) {
      for (const e of entries) if (!e.readOnly && e.targets.some((t) => !t.readOnly && matches(t, ch))) whole.add(e);
      continue;
    }
    for (const { key, op } of tr) {
      let s = states.get(key);
      if (!s) states.set(key, (s = { add: [], remove: [] }));
      fold(s, op);
    }
  }
  if (whole.size) {
    if (!current) {
      throw new Error('changesToEndpoint: these changes need the current resource; call needsCurrent() and pass { current }');
    }
    const { resource: after } = applyChanges(current, changes, apply);
    for (const e of whole) {
      const src = sourceOf(e, after);
      const v = src ? endpointValue(e, src.t, src.values) : undefined;
      states.set(
        e.key,
        v === undefined || (Array.isArray(v) && v.length === 0)
          ? { base: 'cleared', add: [], remove: [] }
          : { base: { value: v }, add: [], remove: [] },
      );
    }
  }
  const out: EndpointChanges = { set: {}, add: {}, remove: {}, clear: [] };
  for (const [key, s] of states) {
    if (s.base === 'cleared') out.clear.push(key);
    else if (s.base) {
      if (Array.isArray(s.base.value) && s.base.value.length === 0) out.clear.push(key);
      else out.set[key] = s.base.value;
    }
    if (s.add.length) out.add[key] = s.add;
    if (s.remove.length) out.remove[key] = s.remove;
  }
  return out;
}
