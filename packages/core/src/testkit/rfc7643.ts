/**
 * A strict model of RFC 7643 for tests: what a strict client (one that builds its model from
 * `/Schemas` and refuses anything else) would reject in a discovery document or a resource. Each
 * function returns the problems it found, as `path: what`; an empty list means conforming.
 */
import type { SchemaRegistry } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex'];
const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
const RETURNED = ['always', 'never', 'default', 'request'];
const UNIQUENESS = ['none', 'server', 'global'];

function members(out: string[], at: string, v: Json, allowed: readonly string[], vendorKeys = false): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k) && !(vendorKeys && k.startsWith('x-'))) out.push(`${at}.${k}: not a member RFC 7643 defines here`);
  }
}

function typed(out: string[], at: string, v: unknown, type: 'string' | 'boolean' | 'number', required = false): void {
  if (v === undefined) {
    if (required) out.push(`${at}: missing`);
    return;
  }
  if (typeof v !== type) out.push(`${at}: must be a ${type}`);
}

function meta(out: string[], at: string, v: unknown): void {
  if (v === undefined) return;
  if (!isObj(v)) {
    out.push(`${at}: must be an object`);
    return;
  }
  members(out, at, v, ['resourceType', 'created', 'lastModified', 'location', 'version']);
  for (const k of Object.keys(v)) typed(out, `${at}.${k}`, v[k], 'string');
}

function attribute(out: string[], at: string, a: unknown, sub: boolean): void {
  if (!isObj(a)) {
    out.push(`${at}: must be an object`);
    return;
  }
  members(out, at, a, [
    'name',
    'type',
    'subAttributes',
    'multiValued',
    'description',
    'required',
    'canonicalValues',
    'caseExact',
    'mutability',
    'returned',
    'uniqueness',
    'referenceTypes',
  ]);
  typed(out, `${at}.name`, a.name, 'string', true);
  for (const k of ['multiValued', 'required', 'caseExact']) typed(out, `${at}.${k}`, a[k], 'boolean', true);
  typed(out, `${at}.description`, a.description, 'string');
  const enumOf = (k: string, values: string[]) => {
    if (!values.includes(a[k] as string)) out.push(`${at}.${k}: must be one of ${values.join(', ')}`);
  };
  enumOf('type', TYPES);
  enumOf('mutability', MUTABILITY);
  enumOf('returned', RETURNED);
  enumOf('uniqueness', UNIQUENESS);
  const strings = (k: string) => {
    const v = a[k];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string')))
      out.push(`${at}.${k}: must be an array of strings`);
  };
  strings('canonicalValues');
  strings('referenceTypes');
  // §8.7.1: canonical values belong to the simple attribute they constrain (`emails.type`), never a complex one.
  if (a.type === 'complex' && a.canonicalValues !== undefined) out.push(`${at}.canonicalValues: on a complex attribute`);
  if (a.type === 'reference' && a.referenceTypes === undefined) out.push(`${at}.referenceTypes: missing on a reference`);
  if (a.type !== 'reference' && a.referenceTypes !== undefined) out.push(`${at}.referenceTypes: on a ${String(a.type)}`);
  if (a.type === 'complex') {
    if (sub) out.push(`${at}: a sub-attribute cannot be complex (§2.3.8)`);
    if (!Array.isArray(a.subAttributes)) out.push(`${at}.subAttributes: missing on a complex attribute`);
    else for (const [i, s] of a.subAttributes.entries()) attribute(out, `${at}.subAttributes[${i}]`, s, true);
  } else if (a.subAttributes !== undefined) out.push(`${at}.subAttributes: on a ${String(a.type)}`);
}

/** Problems of one `/Schemas` resource (RFC 7643 §7). Vendor keys `x-…` are allowed. */
export function schemaResourceProblems(doc: unknown, at = 'schema'): string[] {
  const out: string[] = [];
  if (!isObj(doc)) return [`${at}: must be an object`];
  members(out, at, doc, ['schemas', 'id', 'name', 'description', 'attributes', 'meta'], true);
  typed(out, `${at}.id`, doc.id, 'string', true);
  typed(out, `${at}.name`, doc.name, 'string');
  typed(out, `${at}.description`, doc.description, 'string');
  if (!Array.isArray(doc.attributes)) out.push(`${at}.attributes: must be an array`);
  else for (const [i, a] of doc.attributes.entries()) attribute(out, `${at}.attributes[${i}]`, a, false);
  meta(out, `${at}.meta`, doc.meta);
  return out;
}

/** Problems of one `/ResourceTypes` resource (RFC 7643 §6). */
export function resourceTypeProblems(doc: unknown, at = 'resourceType'): string[] {
  const out: string[] = [];
  if (!isObj(doc)) return [`${at}: must be an object`];
  members(out, at, doc, ['schemas', 'id', 'name', 'description', 'endpoint', 'schema', 'schemaExtensions', 'meta']);
  for (const k of ['name', 'endpoint', 'schema']) typed(out, `${at}.${k}`, doc[k], 'string', true);
  typed(out, `${at}.id`, doc.id, 'string');
  typed(out, `${at}.description`, doc.description, 'string');
  if (doc.schemaExtensions !== undefined) {
    if (!Array.isArray(doc.schemaExtensions)) out.push(`${at}.schemaExtensions: must be an array`);
    else
      for (const [i, e] of doc.schemaExtensions.entries()) {
        const p = `${at}.schemaExtensions[${i}]`;
        if (!isObj(e)) {
          out.push(`${p}: must be an object`);
          continue;
        }
        members(out, p, e, ['schema', 'required']);
        typed(out, `${p}.schema`, e.schema, 'string', true);
        typed(out, `${p}.required`, e.required, 'boolean', true);
      }
  }
  meta(out, `${at}.meta`, doc.meta);
  return out;
}

/** Problems of `/ServiceProviderConfig` (RFC 7643 §5, with RFC 9865's `pagination`). */
export function serviceProviderConfigProblems(doc: unknown): string[] {
  const out: string[] = [];
  const at = 'ServiceProviderConfig';
  if (!isObj(doc)) return [`${at}: must be an object`];
  const parts: Record<string, Record<string, 'boolean' | 'number' | 'string'>> = {
    patch: { supported: 'boolean' },
    bulk: { supported: 'boolean', maxOperations: 'number', maxPayloadSize: 'number' },
    filter: { supported: 'boolean', maxResults: 'number' },
    changePassword: { supported: 'boolean' },
    sort: { supported: 'boolean' },
    etag: { supported: 'boolean' },
    pagination: {
      cursor: 'boolean',
      index: 'boolean',
      defaultPaginationMethod: 'string',
      defaultPageSize: 'number',
      maxPageSize: 'number',
      cursorTimeout: 'number',
    },
  };
  members(out, at, doc, ['schemas', 'documentationUri', 'authenticationSchemes', 'meta', ...Object.keys(parts)]);
  for (const [name, fields] of Object.entries(parts)) {
    const v = doc[name];
    if (v === undefined && name === 'pagination') continue;
    if (!isObj(v)) {
      out.push(`${at}.${name}: must be an object`);
      continue;
    }
    members(out, `${at}.${name}`, v, Object.keys(fields));
    for (const [f, t] of Object.entries(fields)) typed(out, `${at}.${name}.${f}`, v[f], t, f === 'supported');
  }
  if (!Array.isArray(doc.authenticationSchemes)) out.push(`${at}.authenticationSchemes: must be an array`);
  else
    for (const [i, s] of doc.authenticationSchemes.entries()) {
      const p = `${at}.authenticationSchemes[${i}]`;
      if (!isObj(s)) {
        out.push(`${p}: must be an object`);
        continue;
      }
      members(out, p, s, ['type', 'name', 'description', 'specUri', 'documentationUri', 'primary']);
      for (const k of ['type', 'name', 'description']) typed(out, `${p}.${k}`, s[k], 'string', true);
    }
  meta(out, `${at}.meta`, doc.meta);
  return out;
}

function value(out: string[], at: string, def: AttributeDefinition, v: unknown): void {
  if (def.multiValued) {
    if (!Array.isArray(v)) {
      out.push(`${at}: multi-valued, must be an array`);
      return;
    }
    for (const [i, e] of v.entries()) single(out, `${at}[${i}]`, def, e);
  } else single(out, at, def, v);
}

function single(out: string[], at: string, def: AttributeDefinition, v: unknown): void {
  switch (def.type) {
    case 'complex': {
      if (!isObj(v)) {
        out.push(`${at}: must be an object`);
        return;
      }
      for (const [k, sv] of Object.entries(v)) {
        const sd = def.subAttributes?.find((s) => s.name === k);
        if (!sd) out.push(`${at}.${k}: no such sub-attribute`);
        else single(out, `${at}.${k}`, sd, sv);
      }
      return;
    }
    case 'boolean':
      typed(out, at, v, 'boolean', true);
      return;
    case 'integer':
      if (!Number.isSafeInteger(v)) out.push(`${at}: must be an integer`);
      return;
    case 'decimal':
      if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${at}: must be a decimal`);
      return;
    default:
      typed(out, at, v, 'string', true);
      return;
  }
}

/**
 * Problems of a resource as served for resource type `type` (User, Group, …): every member is
 * `schemas`, a common attribute, an attribute of the core schema under its exact name, or an
 * extension the resource type lists, each of the defined type, single or multi-valued as defined.
 */
export function resourceProblems(registry: SchemaRegistry, type: string, doc: unknown): string[] {
  const out: string[] = [];
  const rt = registry.resourceType(type);
  if (!rt) return [`${type}: no such resource type`];
  if (!isObj(doc)) return [`${type}: must be an object`];
  if (!Array.isArray(doc.schemas) || !doc.schemas.includes(rt.schema)) out.push(`${type}.schemas: must list ${rt.schema}`);
  typed(out, `${type}.id`, doc.id, 'string', true);
  typed(out, `${type}.externalId`, doc.externalId, 'string');
  meta(out, `${type}.meta`, doc.meta);
  const check = (schemaUrn: string, holder: Json, at: string, skip: readonly string[]) => {
    const schema = registry.schema(schemaUrn);
    for (const [k, v] of Object.entries(holder)) {
      if (skip.includes(k)) continue;
      const def = schema?.attributes.find((a) => a.name === k);
      if (!def) out.push(`${at}${k}: not defined by ${schemaUrn}`);
      else value(out, `${at}${k}`, def, v);
    }
  };
  const extensions = rt.schemaExtensions.map((e) => e.schema);
  check(rt.schema, doc, `${type}.`, ['schemas', 'id', 'externalId', 'meta', ...extensions]);
  for (const e of extensions) {
    const held = doc[e];
    if (held === undefined) continue;
    if (!isObj(held)) out.push(`${type}.${e}: must be an object`);
    else check(e, held, `${type}.${e}:`, []);
  }
  return out;
}
