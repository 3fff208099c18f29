/** 2.0 responses → SCIM 1.1 form: 1.0 schema URNs, 1.1 ListResponse, 1.1 discovery documents. */
import type { SchemaRegistry } from '../schema/registry.js';
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/types.js';
import { URN } from '../schema/urns.js';
import { isForbiddenKey, isObject, ownValue } from '../util/object.js';
import { extensionManagerToV1 } from './manager.js';
import { V1, V2_TO_V1 } from './urns.js';

/** Rewrites one resource into 1.1 form. */
export function resourceToV1(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const schemas: string[] = [V1.Core];
  for (const [k, v] of Object.entries(r)) {
    // Assigned below: an own `__proto__` would set the prototype of `out` (and is never an attribute).
    if (k === 'schemas' || isForbiddenKey(k)) continue;
    const v1 = ownValue(V2_TO_V1, k.toLowerCase());
    if (v1) {
      out[v1] = v1 === V1.EnterpriseUser && isObject(v) ? extensionManagerToV1(v) : v;
      schemas.push(v1);
    } else if (/^urn:/i.test(k) && isObject(v)) {
      out[k] = v;
      schemas.push(k);
    } else if (k === 'meta' && isObject(v)) {
      const { resourceType: _rt, ...meta } = v;
      out.meta = meta;
    } else out[k] = v;
  }
  return { schemas, ...out };
}

/** Rewrites a 2.0 response body (resource, ListResponse, BulkResponse) into 1.1 form. */
export function bodyToV1(body: unknown): unknown {
  if (!isObject(body)) return body;
  const schemas = Array.isArray(body.schemas) ? body.schemas : [];
  if (schemas.includes(URN.ListResponse)) {
    const { schemas: _s, Resources, ...rest } = body;
    return {
      schemas: [V1.Core],
      ...rest,
      Resources: Array.isArray(Resources) ? Resources.map((x) => (isObject(x) ? resourceToV1(x) : x)) : [],
    };
  }
  if (schemas.includes(URN.BulkResponse)) return { ...body, schemas: [V1.Core] };
  if ('id' in body || 'meta' in body) return resourceToV1(body);
  return body;
}

function attributeV1(a: AttributeDefinition, schema: string): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description ?? a.name,
    schema,
    readOnly: a.mutability === 'readOnly',
    required: a.required,
    caseExact: a.caseExact,
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map((s) => attributeV1(s, schema)) } : {}),
  };
}

/** A 1.1 schema document for one resource type (core attributes plus extensions). */
export function schemaV1(registry: SchemaRegistry, rt: ResourceTypeDefinition): Record<string, unknown> {
  const core = registry.schema(rt.schema);
  const attributes = (core?.attributes ?? []).map((a) => attributeV1(a, V1.Core));
  for (const e of rt.schemaExtensions) {
    const s = registry.schema(e.schema);
    const urn = ownValue(V2_TO_V1, e.schema.toLowerCase()) ?? e.schema;
    for (const a of s?.attributes ?? []) {
      const v1 = attributeV1(a, urn);
      // 1.1 names the manager's id `managerId` and has no `$ref` (see manager.ts).
      if (urn === V1.EnterpriseUser && a.name === 'manager' && Array.isArray(v1.subAttributes)) {
        v1.subAttributes = (v1.subAttributes as Record<string, unknown>[])
          .filter((sub) => sub.name !== '$ref')
          .map((sub) =>
            sub.name === 'value' ? { ...sub, name: 'managerId', description: "The id of the User's manager" } : sub,
          );
      }
      attributes.push(v1);
    }
  }
  return {
    id: V1.Core,
    name: rt.name,
    description: rt.description ?? rt.name,
    schema: V1.Core,
    endpoint: rt.endpoint,
    attributes,
  };
}

/** `/ServiceProviderConfigs` in 1.1 form, from the 2.0 document. */
export function serviceProviderConfigV1(spc: Record<string, unknown>): Record<string, unknown> {
  const { schemas: _s, pagination: _p, meta: _m, documentationUri, ...rest } = spc;
  return {
    schemas: [V1.Core],
    ...(documentationUri ? { documentationUrl: documentationUri } : {}),
    ...rest,
    xmlDataFormat: { supported: false },
  };
}
