/**
 * Applies normalized changes to a stored document — the helper that lets a
 * document-store connector implement `modify` in a few lines.
 */
import type { Change, ChangePath, ScimResource } from '../contract/types.js';
import { NoTargetError } from '../errors.js';
import type { FilterNode } from '../filter/ast.js';
import { matchesFilter, type PathResolver } from '../filter/evaluate.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { subAttribute } from '../schema/sub-attribute.js';
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/types.js';
import { cloneJson, findKeyCI, getCI, isObject } from '../util/object.js';

/** Schema context for {@link applyChanges}; without it, shapes are inferred from values. */
export interface ApplyContext {
  registry: SchemaRegistry;
  resourceType: ResourceTypeDefinition;
}

/** Outcome details some connectors want (e.g. to skip a write when nothing changed). */
export interface ApplyResult {
  resource: ScimResource;
  /** False when the changes left the document as it was (idempotent member add/remove). */
  changed: boolean;
}

/**
 * Returns a new document with `changes` applied; `doc` is not mutated.
 *
 * Copy-on-write: only the attributes a change touches are copied, so the cost
 * follows the size of the change, not of the document. Attributes no change
 * touches are shared between `doc` and the result — treat both as immutable
 * (store the result, don't edit it in place).
 *
 * Multi-valued elements are matched by `value` when they have one (so adding
 * an existing member or removing an absent one changes nothing), else by all
 * their fields. `primary: true` is kept unique.
 *
 * @throws NoTargetError when a `replace` value filter that is not a plain
 *   equality selector matches nothing.
 */
export function applyChanges(doc: ScimResource, changes: readonly Change[], ctx?: ApplyContext): ApplyResult {
  const out: ScimResource = { ...doc };
  const owned = new WeakSet<object>();
  let changed = false;
  for (const ch of changes) {
    if (applyOne(out, ch, owned, ctx)) changed = true;
  }
  return { resource: out, changed };
}

function defFor(path: ChangePath, ctx?: ApplyContext): AttributeDefinition | undefined {
  if (!ctx) return undefined;
  return ctx.registry.resolve(ctx.resourceType, { attr: path.attr, ...(path.extension ? { uri: path.extension } : {}) })?.attrDef;
}

function sameElement(a: unknown, b: unknown, caseExact: boolean): boolean {
  if (isObject(a) && isObject(b)) {
    const av = getCI(a, 'value');
    const bv = getCI(b, 'value');
    if (av !== undefined || bv !== undefined) {
      if (typeof av === 'string' && typeof bv === 'string' && !caseExact) return av.toLowerCase() === bv.toLowerCase();
      return av === bv;
    }
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return a === b;
}

function elementResolver(def: AttributeDefinition | undefined): PathResolver {
  return (p) => {
    const sd = def === undefined ? undefined : subAttribute(def, p.attr);
    return sd ? { attr: sd.name, attrDef: sd } : { attr: p.attr };
  };
}

/** Builds an element from an equality selector: `type eq "work"` → `{ type: 'work' }`. */
function seedFromSelector(where: FilterNode): Record<string, unknown> | undefined {
  const terms = where.type === 'and' ? where.filters : [where];
  const seed: Record<string, unknown> = {};
  for (const t of terms) {
    if (t.type !== 'compare' || t.op !== 'eq' || t.path.sub) return undefined;
    seed[t.path.attr] = t.value;
  }
  return seed;
}

function keepPrimaryUnique(list: unknown[], preferred: unknown): void {
  if (!isObject(preferred) || preferred.primary !== true) return;
  for (const el of list) if (el !== preferred && isObject(el) && el.primary === true) el.primary = false;
}

/** `container[key]`, deep-copied first unless this call already owns it (copy-on-write). */
function own(container: Record<string, unknown>, key: string, owned: WeakSet<object>): unknown {
  const v = container[key];
  if (typeof v !== 'object' || v === null || owned.has(v)) return v;
  const copy = cloneJson(v) as object;
  owned.add(copy);
  container[key] = copy;
  return copy;
}

function applyOne(root: ScimResource, ch: Change, owned: WeakSet<object>, ctx?: ApplyContext): boolean {
  const p = ch.path;
  let container: Record<string, unknown> = root;
  if (p.extension) {
    const extKey = findKeyCI(root, p.extension) ?? p.extension;
    const ext = root[extKey];
    if (!isObject(ext)) {
      if (ch.op === 'remove') return false;
      root[extKey] = {};
      owned.add(root[extKey] as object);
    } else if (!owned.has(ext)) {
      // A shallow copy of the extension object; the attribute itself is copied below.
      const copy = { ...ext };
      owned.add(copy);
      root[extKey] = copy;
    }
    container = root[extKey] as Record<string, unknown>;
  }
  const key = findKeyCI(container, p.attr) ?? p.attr;
  const def = defFor(p, ctx);
  const cur = own(container, key, owned);
  const multi = def ? def.multiValued : Array.isArray(cur) || Array.isArray(ch.value);
  const caseExact = def?.subAttributes?.find((s) => s.name === 'value')?.caseExact ?? def?.caseExact ?? false;
  const before = JSON.stringify(cur);

  if (multi) {
    const list: unknown[] = Array.isArray(cur) ? cur : cur === undefined || cur === null ? [] : [cur];
    if (p.where) {
      const resolver = elementResolver(def);
      const hits = list.filter((el) => isObject(el) && matchesFilter(p.where as FilterNode, el, resolver));
      if (ch.op === 'remove') {
        if (p.sub)
          for (const el of hits) delete (el as Record<string, unknown>)[findKeyCI(el as Record<string, unknown>, p.sub) ?? p.sub];
        else container[key] = list.filter((el) => !hits.includes(el));
      } else if (hits.length === 0) {
        const seed = seedFromSelector(p.where);
        if (!seed) {
          if (ch.op === 'replace') throw new NoTargetError(`No value of "${p.attr}" matches the filter`);
          return false;
        }
        // Upsert for equality selectors (`emails[type eq "work"].value`): what Entra ID expects.
        const el = p.sub ? { ...seed, [p.sub]: ch.value } : { ...seed, ...(isObject(ch.value) ? ch.value : { value: ch.value }) };
        list.push(el);
        keepPrimaryUnique(list, el);
        container[key] = list;
      } else {
        for (const el of hits) {
          const o = el as Record<string, unknown>;
          if (p.sub) o[findKeyCI(o, p.sub) ?? p.sub] = ch.value;
          else if (isObject(ch.value)) {
            if (ch.op === 'replace') for (const k of Object.keys(o)) delete o[k];
            Object.assign(o, ch.value);
          }
          keepPrimaryUnique(list, o);
        }
        container[key] = list;
      }
    } else if (ch.op === 'remove') {
      if (ch.value !== undefined) {
        const drop = ch.value;
        container[key] = list.filter((el) => !drop.some((d) => sameElement(el, d, caseExact)));
      } else if (p.sub) {
        for (const el of list) if (isObject(el)) delete el[findKeyCI(el, p.sub) ?? p.sub];
      } else {
        delete container[key];
      }
    } else if (p.sub) {
      for (const el of list) if (isObject(el)) el[findKeyCI(el, p.sub) ?? p.sub] = ch.value;
      container[key] = list;
    } else {
      const incoming = Array.isArray(ch.value) ? ch.value : [ch.value];
      if (ch.op === 'replace') {
        container[key] = incoming.map((e) => cloneJson(e));
        const newList = container[key] as unknown[];
        for (const el of newList) keepPrimaryUnique(newList, el);
      } else {
        for (const el of incoming) {
          const existing = list.find((x) => sameElement(x, el, caseExact));
          if (existing && isObject(existing) && isObject(el)) Object.assign(existing, el);
          else if (!existing) list.push(cloneJson(el));
          keepPrimaryUnique(list, existing ?? list[list.length - 1]);
        }
        container[key] = list;
      }
    }
    const after = container[key];
    if (Array.isArray(after) && after.length === 0) delete container[key];
  } else if (p.sub) {
    const obj = isObject(cur) ? cur : {};
    const sk = findKeyCI(obj, p.sub) ?? p.sub;
    if (ch.op === 'remove') delete obj[sk];
    else obj[sk] = ch.value;
    if (Object.keys(obj).length) container[key] = obj;
    else delete container[key];
  } else if (ch.op === 'remove') {
    delete container[key];
  } else {
    container[key] = cloneJson(ch.value);
  }

  if (p.extension && Object.keys(container).length === 0) delete root[findKeyCI(root, p.extension) ?? p.extension];
  return JSON.stringify(container[key]) !== before;
}
