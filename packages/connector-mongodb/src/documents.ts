/**
 * Resources as stored: the SCIM shape, with `id` and `meta` (created, lastModified, version), keys
 * escaped ({@link encodeValue}), dateTimes as canonical ISO strings (so they compare and sort as
 * instants), no `schemas` (the core adds them), no passwords, no computed attributes, no nulls or
 * empty values. Reading reverses it.
 */
import type { AttributeDefinition, ResourceTypeDefinition, SchemaRegistry, ScimResource } from '@scimgw/core';
import { decodeKey, decodeValue, encodeKey, encodeValue, setOwn } from './keys.js';
import { formatVersion } from './versions.js';

/** A document as MongoDB holds it. */
export type StoredDoc = Record<string, unknown>;

/** Never stored: `password` (write-only, and a database is no place for it in clear). */
const NEVER_STORED = new Set(['password']);

/** The canonical form of a dateTime: `toISOString()` when it parses into years 0-9999, else unchanged. */
export function canonicalDateTime(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = Date.parse(v);
  if (Number.isNaN(t) || t < Date.UTC(0, 0, 1) || t > Date.UTC(9999, 11, 31, 23, 59, 59, 999)) return v;
  return new Date(t).toISOString();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** One complex value with its sub-attributes cleaned (nulls out, dateTimes canonical). */
function cleanComplex(v: Record<string, unknown>, def: AttributeDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const sv = v[k];
    if (sv === null || sv === undefined) continue;
    const sd = def.subAttributes?.find((s) => s.name === k);
    setOwn(out, k, sd?.type === 'dateTime' ? canonicalDateTime(sv) : sv);
  }
  return out;
}

/**
 * A value as it is stored for attribute `def` (`undefined`: store nothing): multi-valued lists keep
 * no null or empty elements, and an empty list, object or null is no value.
 */
export function cleanValue(value: unknown, def: AttributeDefinition | undefined): unknown {
  if (value === null || value === undefined) return undefined;
  if (!def) return value;
  const one = (v: unknown): unknown => {
    if (v === null || v === undefined) return undefined;
    if (def.type === 'complex' && isObject(v)) {
      const c = cleanComplex(v, def);
      return Object.keys(c).length ? c : undefined;
    }
    return def.type === 'dateTime' ? canonicalDateTime(v) : v;
  };
  if (def.multiValued) {
    const list = (Array.isArray(value) ? value : [value]).map(one).filter((v) => v !== undefined);
    return list.length ? list : undefined;
  }
  const v = one(value);
  return isEmpty(v) ? undefined : v;
}

/** What {@link toStored} needs. */
export interface StoreContext {
  registry: SchemaRegistry;
  rt: ResourceTypeDefinition;
  /** Attributes computed on read, never stored (`groups` of users). */
  computed: ReadonlySet<string>;
}

/** The stored attributes of a resource: everything but `id`, `meta`, `schemas`, passwords and computed attributes. */
export function storedAttributes(resource: ScimResource, ctx: StoreContext): StoredDoc {
  const out: StoredDoc = {};
  for (const key of Object.keys(resource)) {
    if (key === 'id' || key === 'meta' || key === 'schemas') continue;
    const value = resource[key];
    const ext = ctx.registry.canonicalUrn(ctx.rt, key);
    if (ext && ext !== ctx.rt.schema && isObject(value)) {
      const inner: Record<string, unknown> = {};
      for (const k of Object.keys(value)) {
        const def = ctx.registry.resolve(ctx.rt, { uri: ext, attr: k })?.attrDef;
        const v = cleanValue(value[k], def);
        if (v !== undefined) setOwn(inner, encodeKey(def?.name ?? k), encodeValue(v));
      }
      if (Object.keys(inner).length) setOwn(out, encodeKey(ext), inner);
      continue;
    }
    const def = ctx.registry.resolve(ctx.rt, { attr: key })?.attrDef;
    const name = def?.name ?? key;
    if (NEVER_STORED.has(name) || (ctx.computed.has(name) && def)) continue;
    const v = cleanValue(value, def);
    if (v !== undefined) setOwn(out, encodeKey(name), encodeValue(v));
  }
  return out;
}

/** `meta` as stored. */
export interface StoredMeta {
  created: string;
  lastModified: string;
  version: string;
}

/** A new document: stored attributes, `id`, `meta` and (tenancy "field") the tenant. */
export function toStored(
  resource: ScimResource,
  id: string,
  meta: StoredMeta,
  ctx: StoreContext,
  tenant?: { name: string; value: string | null },
): StoredDoc {
  const doc: StoredDoc = { id, ...storedAttributes(resource, ctx), meta: { ...meta } };
  if (tenant) doc[tenant.name] = tenant.value;
  return doc;
}

/** Instants the older product stored as epoch milliseconds become ISO strings. */
function isoOf(v: unknown): unknown {
  return typeof v === 'number' && Number.isFinite(v) ? new Date(v).toISOString() : v;
}

/** The resource as clients see it (before the core adds `schemas`, `meta.resourceType` and `meta.location`). */
export function fromStored(doc: StoredDoc, tenantField: string | undefined): ScimResource {
  const out: ScimResource = {};
  for (const key of Object.keys(doc)) {
    if (key === '_id' || key === tenantField || key === 'schemas') continue;
    const v = doc[key];
    if (isEmpty(v)) continue;
    if (key === 'meta' && isObject(v)) {
      const meta: Record<string, unknown> = {};
      if (v.created !== undefined) meta.created = isoOf(v.created);
      if (v.lastModified !== undefined) meta.lastModified = isoOf(v.lastModified);
      const version = formatVersion(v.version);
      if (version !== undefined) meta.version = version;
      out.meta = meta;
      continue;
    }
    let value = decodeValue(v);
    if (isObject(value)) {
      // A complex value or extension whose last sub-attribute was removed ($unset leaves `{}`).
      for (const k of Object.keys(value)) if (isEmpty(value[k])) delete value[k];
      if (Object.keys(value).length === 0) continue;
    } else if (Array.isArray(value)) {
      value = value.filter((e) => !isEmpty(e));
      if ((value as unknown[]).length === 0) continue;
    }
    setOwn(out, decodeKey(key), value);
  }
  return out;
}
