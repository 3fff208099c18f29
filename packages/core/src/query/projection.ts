/**
 * Response projection: `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5)
 * and the schema's `returned` characteristic (password is never returned,
 * `returned: always` attributes always are).
 */
import { InvalidPathError } from '../errors.js';
import { parseAttrPath } from '../filter/path.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/types.js';
import { isObject } from '../util/object.js';
import type { ScimResource } from '../contract/types.js';

/** Which attributes a client asked for. */
export interface ProjectionRequest {
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
}

type Selection = Map<string, Map<string, Set<string> | true>>; // container → attr → subs | whole

/** Splits a comma-separated `attributes` parameter (also accepts arrays). */
export function splitAttributeList(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const parts: string[] = [];
  for (const s of Array.isArray(v) ? v : [v]) {
    // Commas inside a value filter (`emails[type eq "a,b"]`) do not separate names.
    let depth = 0;
    let start = 0;
    for (let i = 0; i <= s.length; i++) {
      const ch = s[i];
      if (ch === '[') depth++;
      else if (ch === ']') depth = Math.max(0, depth - 1);
      else if (i === s.length || (ch === ',' && depth === 0)) {
        parts.push(withoutValueFilter(s.slice(start, i).trim()));
        start = i + 1;
      }
    }
  }
  const names = parts.filter(Boolean);
  return names.length ? names : undefined;
}

/**
 * `emails[type eq "work"]` → `emails`, `emails[type eq "work"].value` → `emails.value`: a value
 * filter in an attribute list (Microsoft's client sends one) selects nothing finer than the
 * attribute, which is what a projection can return (RFC 7644 §3.9 names attributes only).
 */
function withoutValueFilter(name: string): string {
  const open = name.indexOf('[');
  if (open === -1) return name;
  const close = name.lastIndexOf(']');
  return close > open ? name.slice(0, open) + name.slice(close + 1) : name.slice(0, open);
}

/** A compiled projection for one resource type, reusable across many resources. */
export class Projection {
  private readonly include: Selection | undefined;
  private readonly exclude: Selection | undefined;
  private readonly wholeExtensions = new Set<string>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly rt: ResourceTypeDefinition,
    req: ProjectionRequest,
  ) {
    this.include = req.attributes ? this.compile(req.attributes, true) : undefined;
    this.exclude = req.excludedAttributes ? this.compile(req.excludedAttributes, false) : undefined;
  }

  private compile(list: string[], including: boolean): Selection {
    const sel: Selection = new Map();
    for (const raw of list) {
      // A bare extension URN selects the whole extension.
      const asUrn = this.registry.canonicalUrn(this.rt, raw);
      if (asUrn && asUrn !== this.rt.schema) {
        if (including) this.wholeExtensions.add(asUrn.toLowerCase());
        else sel.set(asUrn.toLowerCase(), new Map([['*', true]]));
        continue;
      }
      const p = parseAttrPath(raw, (d) => new InvalidPathError(d));
      const r = this.registry.resolve(this.rt, p);
      const container = (r?.extension ?? '').toLowerCase();
      const attrName = (r?.attr ?? p.attr).toLowerCase();
      let m = sel.get(container);
      if (!m) sel.set(container, (m = new Map()));
      const cur = m.get(attrName);
      if (p.sub === undefined) m.set(attrName, true);
      else if (cur !== true) {
        const subs = cur ?? new Set<string>();
        subs.add((r?.sub ?? p.sub).toLowerCase());
        m.set(attrName, subs);
      }
    }
    return sel;
  }

  /** True when the request named no attributes (`attributes`, `excludedAttributes`). */
  get plain(): boolean {
    return this.include === undefined && this.exclude === undefined;
  }

  /**
   * The resource type's test of attributes not returned by default. For a {@link plain}
   * projection, {@link apply} returns a resource as it is exactly when no key of it passes this
   * test, so a caller may remember that answer for a frozen resource (its keys cannot change).
   */
  get hiddenTest(): (key: string) => boolean {
    return (this.hides ??= this.registry.hidesByDefault(this.rt));
  }

  private hides: ((key: string) => boolean) | undefined;

  /** True when, without attribute lists, `resource` still holds something not to return (password …). */
  private hidesSomething(resource: ScimResource): boolean {
    const hides = this.hiddenTest;
    for (const key in resource) {
      if (Object.hasOwn(resource, key) && hides(key)) return true;
    }
    return false;
  }

  /** Applies the projection to one resource; returns it unchanged (not copied) when there is nothing to drop. */
  apply(resource: ScimResource): ScimResource {
    if (!this.include && !this.exclude && !this.hidesSomething(resource)) return resource;
    const out: ScimResource = {};
    for (const [key, value] of Object.entries(resource)) {
      const extUrn = this.registry.canonicalUrn(this.rt, key);
      if (extUrn && extUrn !== this.rt.schema && isObject(value)) {
        const projected = this.container(value, extUrn);
        if (projected && Object.keys(projected).length) out[extUrn] = projected;
        continue;
      }
      const def = this.registry.resolve(this.rt, { attr: key })?.attrDef;
      const v = this.attribute('', key, value, def);
      if (v !== undefined) out[key] = v;
    }
    // `schemas` names the extensions the answer holds: not one the projection left out.
    const schemas = out.schemas;
    if (Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && !(s in out) && s !== this.rt.schema))
      out.schemas = schemas.filter((s) => typeof s !== 'string' || s === this.rt.schema || s in out || !this.isExtension(s));
    return out;
  }

  private isExtension(urn: string): boolean {
    const canonical = this.registry.canonicalUrn(this.rt, urn);
    return canonical !== undefined && canonical !== this.rt.schema;
  }

  private container(obj: Record<string, unknown>, urn: string): Record<string, unknown> | undefined {
    const l = urn.toLowerCase();
    const whole = this.wholeExtensions.has(l);
    if (this.exclude?.get(l)?.get('*')) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const def = this.registry.attribute(urn, key);
      const v = whole ? this.filterNever(value, def) : this.attribute(l, key, value, def);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  private attribute(container: string, key: string, value: unknown, def: AttributeDefinition | undefined): unknown {
    const k = key.toLowerCase();
    if (def?.returned === 'never') return undefined;
    if (container === '' && k === 'schemas') return value;
    if (def?.returned === 'always') return this.filterNever(value, def);
    const excluded = this.exclude?.get(container)?.get(k);
    if (excluded === true) return undefined;
    if (this.include) {
      const inc = this.include.get(container)?.get(k);
      if (inc === undefined) return undefined;
      if (inc !== true) return this.subset(value, inc, def);
      return this.filterNever(value, def);
    }
    if (def?.returned === 'request') return undefined;
    if (excluded instanceof Set) return this.without(value, excluded);
    return this.filterNever(value, def);
  }

  private subset(value: unknown, subs: Set<string>, def: AttributeDefinition | undefined): unknown {
    const pick = (el: unknown) => {
      if (!isObject(el)) return el;
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(el)) {
        const sd = def?.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase());
        if (sd?.returned === 'never') continue;
        if (subs.has(k.toLowerCase()) || sd?.returned === 'always') o[k] = v;
      }
      return o;
    };
    return nonEmpty(Array.isArray(value) ? value.map(pick) : pick(value));
  }

  private without(value: unknown, subs: Set<string>): unknown {
    const drop = (el: unknown) => {
      if (!isObject(el)) return el;
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(el)) if (!subs.has(k.toLowerCase())) o[k] = v;
      return o;
    };
    return nonEmpty(Array.isArray(value) ? value.map(drop) : drop(value));
  }

  private filterNever(value: unknown, def: AttributeDefinition | undefined): unknown {
    const never = def?.subAttributes?.filter((s) => s.returned === 'never').map((s) => s.name.toLowerCase());
    if (!never?.length) return value;
    return this.without(value, new Set(never));
  }
}

const isEmptyObject = (v: unknown) => isObject(v) && Object.keys(v).length === 0;

/** A projected value without elements the projection emptied (`attributes=emails.value` of an element with no value); none left: no value. */
function nonEmpty(v: unknown): unknown {
  if (Array.isArray(v)) {
    const kept = v.some(isEmptyObject) ? v.filter((e) => !isEmptyObject(e)) : v;
    return kept.length ? kept : undefined;
  }
  return isEmptyObject(v) ? undefined : v;
}
