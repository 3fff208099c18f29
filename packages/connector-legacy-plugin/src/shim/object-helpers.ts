/**
 * The object helpers the older gateway object offered its plugins (`patchObj`, `getArrayObject`,
 * `getNextStartIndex`, `Lock`, `copyObj`, `extendObj`), written for the shapes that API used:
 * "type-converted" multi-valued attributes (`{ emails: { work: {…} } }`), `operation: 'delete'`
 * markers and `''` for a cleared value.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Keys that would reach Object.prototype when copied: never copied from plugin input. */
const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/** Mutual exclusion as plugins used it: `await lock.acquire()`, then `lock.release()`. */
export class LegacyLock {
  #locked = false;
  #waiting: (() => void)[] = [];

  /** Resolves when the caller holds the lock. */
  acquire(): Promise<null> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve(null);
    }
    return new Promise((resolve) => this.#waiting.push(() => resolve(null)));
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#locked = false;
  }

  /** Whether somebody holds the lock. */
  isLocked(): boolean {
    return this.#locked;
  }
}

/** The element of `obj[element]` whose `type` is `type` (case-insensitive), or `null`. */
export function getArrayObject(obj: Obj, element: string, type: string): unknown {
  const list = obj?.[element];
  if (!Array.isArray(list)) return null;
  return list.find((e) => isObj(e) && typeof e.type === 'string' && e.type.toLowerCase() === String(type).toLowerCase()) ?? null;
}

/** The next page's `startIndex`, or `startIndex` itself when this was the last page. */
export function getNextStartIndex(totalResults: number, startIndex: number, itemsPerPage: number): number {
  if (totalResults === undefined || startIndex === undefined || itemsPerPage === undefined) return startIndex;
  const next = startIndex + itemsPerPage;
  return next >= totalResults ? startIndex : next;
}

/** A deep copy (JSON-shaped values). */
export function copyObj<T>(obj: T): T {
  return obj === undefined ? obj : structuredClone(obj);
}

/** Merges `src` into `obj` in depth (objects merged, everything else replaced) and returns `obj`. */
export function extendObj(obj: Obj, src: Obj): Obj {
  if (!isObj(obj) || !isObj(src)) return obj;
  for (const [k, v] of Object.entries(src)) {
    if (UNSAFE.has(k)) continue;
    if (isObj(v) && isObj(obj[k])) extendObj(obj[k] as Obj, v);
    else obj[k] = copyObj(v);
  }
  return obj;
}

function sameElement(marker: Obj, el: unknown): boolean {
  if (!isObj(el)) return false;
  let compared = false;
  for (const [k, v] of Object.entries(marker)) {
    if (k === 'operation' || k === 'primary' || v === undefined) continue;
    if (el[k] !== v) return false;
    compared = true;
  }
  return compared;
}

function patchArray(target: Obj, key: string, list: unknown[]): void {
  const deletes = list.filter((e): e is Obj => isObj(e) && e.operation === 'delete');
  const adds = list.filter((e): e is Obj => isObj(e) && e.operation !== 'delete');
  let current = Array.isArray(target[key]) ? (target[key] as unknown[]) : [];
  // `{ operation: 'delete' }` alone removes all; a marker naming fields (a value, or an address by its type) removes those.
  const namesNothing = (d: Obj) => Object.entries(d).every(([k, v]) => k === 'operation' || k === 'primary' || v === undefined);
  for (const d of deletes) current = namesNothing(d) ? [] : current.filter((e) => !sameElement(d, e));
  for (const a of adds) {
    const existing = current.find((e) => isObj(e) && e.value === a.value && e.type === a.type);
    if (isObj(existing)) Object.assign(existing, a);
    else current.push({ ...a });
  }
  target[key] = current;
}

function patchTyped(target: Obj, key: string, byType: Obj): void {
  let current = Array.isArray(target[key]) ? (target[key] as Obj[]) : [];
  for (const [typeKey, raw] of Object.entries(byType)) {
    if (UNSAFE.has(typeKey) || !isObj(raw)) continue;
    const type = typeKey === 'undefined' ? undefined : typeKey;
    if (raw.operation === 'delete') {
      current = current.filter((e) => e.type !== type);
      continue;
    }
    const el: Obj = { ...raw };
    if (type === undefined) delete el.type;
    else el.type = type;
    const found = current.find((e) => e.type === type);
    if (found) Object.assign(found, el);
    else current.push(el);
  }
  if (current.length) target[key] = current;
  else delete target[key];
}

/**
 * Applies a modifyUser/modifyGroup `attrObj` (the older API's PATCH shape) to a stored object
 * and returns it: arrays with `operation: 'delete'` markers, type-keyed multi-valued attributes,
 * `''` clearing a value.
 */
export function patchObj(target: Obj, attrObj: Obj, isMultiValueType: (attr: string) => boolean): Obj {
  if (!isObj(target) || !isObj(attrObj)) return target;
  for (const [key, value] of Object.entries(attrObj)) {
    if (UNSAFE.has(key)) continue;
    if (Array.isArray(value)) patchArray(target, key, value);
    else if (isMultiValueType(key) && isObj(value)) patchTyped(target, key, value);
    else if (isObj(value)) {
      const sub = isObj(target[key]) ? (target[key] as Obj) : {};
      for (const [k, v] of Object.entries(value)) {
        if (UNSAFE.has(k)) continue;
        if (v === '' || v === null || (isObj(v) && v.value === '')) delete sub[k];
        else sub[k] = v;
      }
      if (Object.keys(sub).length) target[key] = sub;
      else delete target[key];
    } else if (value === '' || value === null) delete target[key];
    else target[key] = value;
  }
  return target;
}
