/**
 * Our resources and changes in the shapes the older plugin API used.
 *
 * That API handed plugins multi-valued attributes that have a `type` (emails, phoneNumbers …)
 * as "type-converted" objects keyed by type (`{ emails: { work: { value, type } } }`, `'undefined'`
 * for no type) unless `skipTypeConvert` was set; other multi-valued attributes (members, groups,
 * roles …) as arrays whose elements carry `operation: 'delete'` when removed (`{ operation:
 * 'delete' }` without a value removes all); and a cleared single value as `''`.
 */
import type { Change, ScimResource } from '@scimgw/core';
import { type FilterNode, matchesFilter } from '@scimgw/core/filter';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the conversion needs to know about the resource type's schema. */
export interface ShapeInfo {
  /** Core attributes that are multi-valued and have a `type` sub-attribute. */
  typed: ReadonlySet<string>;
  /** True for multi-valued attributes (`extension` = URN for extension attributes). */
  isMultiValued(attr: string, extension?: string): boolean;
  /** The older `scimgateway.scim.skipTypeConvert`. */
  skipTypeConvert: boolean;
}

const typeKey = (el: unknown): string => (isObj(el) && typeof el.type === 'string' && el.type !== '' ? el.type : 'undefined');

/** `[{type:'work',…}]` → `{ work: {type:'work',…} }`. */
function typeConverted(list: unknown[]): Obj {
  const out: Obj = {};
  for (const el of list) if (isObj(el)) out[typeKey(el)] = { ...el };
  return out;
}

/** A resource (POST body) in the older API's shape: `schemas` and `meta` left out, typed lists converted. */
export function toLegacyObject(resource: ScimResource, info: ShapeInfo): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(resource)) {
    if (k === 'schemas' || k === 'meta') continue;
    out[k] = !info.skipTypeConvert && info.typed.has(k) && Array.isArray(v) ? typeConverted(v) : structuredClone(v);
  }
  return out;
}

/** A plugin's object as SCIM: type-keyed objects turned back into lists (plugins may return either). */
export function fromLegacyObject(obj: Obj, info: ShapeInfo): ScimResource {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    if (info.typed.has(k) && isObj(v)) {
      out[k] = Object.entries(v)
        .filter(([, el]) => isObj(el))
        .map(([t, el]) => {
          const e = { ...(el as Obj) };
          if (t === 'undefined') delete e.type;
          else e.type ??= t;
          return e;
        });
    } else out[k] = v;
  }
  if (out.id !== undefined && typeof out.id !== 'string') out.id = String(out.id);
  return out as ScimResource;
}

/** The `type eq "x"` or `value eq "x"` a `where` names, when it is that simple. */
function simpleWhere(where: FilterNode | undefined): { type?: string; value?: unknown } | undefined {
  if (!where || where.type !== 'compare' || where.op !== 'eq' || where.path.sub) return undefined;
  const attr = where.path.attr.toLowerCase();
  if (attr === 'type') return { type: String(where.value) };
  if (attr === 'value') return { value: where.value };
  return undefined;
}

/** The elements of the current list a `where` selects (for forms the simple cases do not cover). */
function selected(current: ScimResource | undefined, attr: string, extension: string | undefined, where: FilterNode): Obj[] {
  const holder = extension ? (current?.[extension] as Obj | undefined) : current;
  const list = holder?.[attr];
  return Array.isArray(list) ? list.filter((e): e is Obj => isObj(e) && matchesFilter(where, e)) : [];
}

/** The elements of the current list, `[]` when the resource as read has none. */
function storedList(current: ScimResource | undefined, attr: string, extension?: string): Obj[] {
  const holder = extension ? (current?.[extension] as Obj | undefined) : current;
  const list = holder?.[attr];
  return Array.isArray(list) ? list.filter(isObj) : [];
}

/**
 * The stored elements a removal-list element names: by `value` (exact, else case-insensitive, as
 * SCIM compares most values), or, for elements without one (addresses), by every field it gives.
 */
function storedMatches(list: Obj[], el: Obj): Obj[] {
  if (el.value !== undefined) {
    const exact = list.filter((s) => s.value === el.value);
    if (exact.length > 0 || typeof el.value !== 'string') return exact;
    const lc = el.value.toLowerCase();
    return list.filter((s) => typeof s.value === 'string' && s.value.toLowerCase() === lc);
  }
  const fields = Object.entries(el).filter(([k]) => k !== 'operation');
  if (fields.length === 0) return [];
  return list.filter((s) => fields.every(([k, v]) => JSON.stringify(s[k]) === JSON.stringify(v)));
}

/**
 * True when converting `changes` needs the resource as it is now: typed lists (emails …) whose
 * change names elements by anything but their type (a value list to remove, a `value` filter, any
 * other filter), or replaces or removes the whole list; other lists for filters that are not a
 * simple `value eq`.
 */
export function needsCurrent(changes: readonly Change[], info: ShapeInfo): boolean {
  return changes.some((c) => {
    const { attr, extension, where } = c.path;
    if (!info.isMultiValued(attr, extension)) return false;
    const simple = where ? simpleWhere(where) : undefined;
    const typed = !extension && info.typed.has(attr);
    if (!typed) return where !== undefined && simple?.value === undefined;
    // Arrays (skipTypeConvert): removed elements carry their stored fields (type, value).
    if (info.skipTypeConvert) return where !== undefined || (c.op === 'remove' && c.value !== undefined);
    if (where) return simple?.type === undefined;
    return c.op === 'replace' || c.op === 'remove';
  });
}

function setDeep(target: Obj, key: string, sub: string | undefined, value: unknown): void {
  if (sub === undefined) {
    target[key] = value;
    return;
  }
  const holder = isObj(target[key]) ? (target[key] as Obj) : {};
  holder[sub] = value;
  target[key] = holder;
}

/**
 * Typed list (emails …) changes: entries keyed by type, deletions with `operation: 'delete'`.
 * An element removed by its value is keyed by the type it has in the resource as read (`current`);
 * `'undefined'` when it has none there, as the older gateway keyed untyped elements.
 */
function typedChange(out: Obj, c: Change, current: ScimResource | undefined): void {
  const { attr, sub, where } = c.path;
  const entries = (isObj(out[attr]) ? out[attr] : {}) as Obj;
  out[attr] = entries;
  const typeOf = (el: Obj): Obj => (typeKey(el) === 'undefined' ? {} : { type: el.type });
  const del = (el: Obj) => {
    entries[typeKey(el)] = { ...el, value: '', operation: 'delete' };
  };
  const put = (el: Obj) => {
    const k = typeKey(el);
    entries[k] = { ...(isObj(entries[k]) && (entries[k] as Obj).operation !== 'delete' ? (entries[k] as Obj) : {}), ...el };
  };
  const existing = (): Obj[] => storedList(current, attr);
  if (where) {
    const simple = simpleWhere(where);
    const targets = simple?.type !== undefined ? [{ type: simple.type }] : selected(current, attr, undefined, where);
    for (const t of targets) {
      if (c.op === 'remove') {
        if (sub) put({ ...typeOf(t), [sub]: '' });
        else del(t);
      } else put({ ...typeOf(t), ...(sub ? { [sub]: c.value } : isObj(c.value) ? c.value : { value: c.value }) });
    }
    return;
  }
  if (c.op === 'remove') {
    if (!c.value) {
      for (const el of existing()) del(el);
      return;
    }
    const stored = existing();
    for (const el of c.value.filter(isObj)) {
      // The element as stored: its type, not the one the request carried (SCIM 1.1 and value
      // filters name the value only). A resource read without the attribute at all (a plugin
      // whose getUsers does not return it): the request's own type, as the older gateway sent.
      if (stored.length === 0) del(el);
      else for (const s of storedMatches(stored, el)) del(s);
    }
    return;
  }
  const values = (Array.isArray(c.value) ? c.value : [c.value]).filter(isObj);
  if (c.op === 'replace') {
    const kept = new Set(values.map(typeKey));
    for (const el of existing()) if (!kept.has(typeKey(el))) del(el);
  }
  for (const el of values) put(el);
}

/**
 * Other multi-valued attributes (members, groups, roles …), and typed ones with `skipTypeConvert`:
 * arrays with delete markers. A removed typed element is the element as stored (with its `type`).
 */
function listChange(target: Obj, c: Change, current: ScimResource | undefined, typed: boolean): void {
  const { attr, sub, where, extension } = c.path;
  const list = (Array.isArray(target[attr]) ? target[attr] : []) as Obj[];
  target[attr] = list;
  const asElement = (v: unknown): Obj => (isObj(v) ? { ...v } : { value: v });
  if (where) {
    const simple = simpleWhere(where);
    const targets = !typed && simple?.value !== undefined ? [{ value: simple.value }] : selected(current, attr, extension, where);
    for (const t of targets) {
      if (c.op === 'remove' && !sub) list.push(typed ? { ...t, operation: 'delete' } : { operation: 'delete', value: t.value });
      else list.push({ ...t, [sub ?? 'value']: c.op === 'remove' ? '' : c.value });
    }
    return;
  }
  if (c.op === 'remove') {
    if (!c.value) list.push({ operation: 'delete' });
    else if (typed) {
      const stored = storedList(current, attr, extension);
      for (const el of c.value.map(asElement)) {
        const found = stored.length === 0 ? [el] : storedMatches(stored, el);
        for (const s of found) list.push({ ...s, operation: 'delete' });
      }
    } else for (const el of c.value) list.push({ ...asElement(el), operation: 'delete' });
    return;
  }
  if (c.op === 'replace') list.push({ operation: 'delete' });
  for (const el of Array.isArray(c.value) ? c.value : [c.value]) list.push(asElement(el));
}

/**
 * A normalized change list as the older API's modify `attrObj`. `current` is the resource before
 * the change; it is needed only when {@link needsCurrent} says so.
 */
export function changesToAttrObj(changes: readonly Change[], info: ShapeInfo, current?: ScimResource): Obj {
  const out: Obj = {};
  for (const c of changes) {
    const { attr, sub, extension } = c.path;
    const target = extension ? ((out[extension] = isObj(out[extension]) ? out[extension] : {}) as Obj) : out;
    if (info.isMultiValued(attr, extension)) {
      const typed = !extension && info.typed.has(attr);
      if (typed && !info.skipTypeConvert) typedChange(out, c, current);
      else listChange(target, c, current, typed);
      continue;
    }
    if (c.op === 'remove') setDeep(target, attr, sub, '');
    else if (sub === undefined && isObj(c.value) && isObj(target[attr])) Object.assign(target[attr] as Obj, c.value);
    else setDeep(target, attr, sub, c.value);
  }
  // A typed list whose changes named no element the resource has: nothing to hand over.
  for (const attr of info.typed) {
    const v = out[attr];
    if ((isObj(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0)) delete out[attr];
  }
  return out;
}
