/**
 * Tool inputs derived from the served SCIM schemas: one typed property per writable attribute,
 * extension attributes under their schema URN, descriptions and examples from the schema and its
 * `x-agent-schema` hints. A custom attribute in `/Schemas` is a property here, with no code.
 */
import { z } from '@scimgw/config';
import { describeAttribute, hintExamples, renderHints } from './describe.js';
import type { Discovery, ServedAttribute, ServedResourceType } from './discovery.js';

/** Elements one multi-valued attribute (or member list) may carry in one call. */
export const MAX_ITEMS = 1000;

/** `create`: every writable attribute, required ones required; `replace`: mutable ones, none required. */
export type InputPurpose = 'create' | 'replace';

/** Whether an attribute can be written for `purpose` (top level: immutable only on create). */
function writable(a: ServedAttribute, purpose: InputPurpose, topLevel: boolean): boolean {
  // A property named `__proto__` would set the prototype of the shape object instead.
  if (a.mutability === 'readOnly' || a.name === '__proto__') return false;
  if (topLevel && purpose === 'replace' && a.mutability === 'immutable') return false;
  return true;
}

/** The zod type of one value of `a` (not the list, for multi-valued attributes). */
function valueType(a: ServedAttribute, purpose: InputPurpose): z.ZodType {
  switch (a.type) {
    case 'boolean':
      return z.boolean();
    case 'integer':
      return z.int();
    case 'decimal':
      return z.number();
    case 'complex': {
      const shape: Record<string, z.ZodType> = {};
      for (const sub of a.subAttributes ?? []) {
        if (!writable(sub, purpose, false)) continue;
        const t = withDocs(valueOrList(sub, purpose), sub, sub.required);
        shape[sub.name] = sub.required ? t : t.optional();
      }
      return z.strictObject(shape);
    }
    default:
      // string, dateTime, reference, binary: the core checks the form.
      return z.string();
  }
}

function valueOrList(a: ServedAttribute, purpose: InputPurpose): z.ZodType {
  const one = valueType(a, purpose);
  return a.multiValued ? z.array(one).max(MAX_ITEMS) : one;
}

function withDocs<T extends z.ZodType>(t: T, a: ServedAttribute, required: boolean): T {
  const examples = hintExamples(a['x-agent-schema']);
  const doc = describeAttribute(a, required);
  const described = doc ? t.describe(doc) : t;
  return (examples ? described.meta({ examples }) : described) as T;
}

/** The properties for the attributes of one schema. */
function attributeShape(attributes: readonly ServedAttribute[], purpose: InputPurpose): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const a of attributes) {
    // `id` and `meta` are the server's; `schemas` is filled in by the tool.
    if (a.name === 'id' || a.name === 'meta' || a.name === 'schemas' || !writable(a, purpose, true)) continue;
    const required = purpose === 'create' && a.required;
    const t = withDocs(valueOrList(a, purpose), a, required);
    shape[a.name] = required ? t : t.optional();
  }
  return shape;
}

/**
 * The input object for a resource of type `rt`: core attributes by name, each extension's
 * attributes in an object keyed by the extension URN.
 *
 * @example resourceInput(userType, discovery, 'create') // z.strictObject({ userName: z.string()…, 'urn:…:enterprise:2.0:User': … })
 */
export function resourceInput(
  rt: ServedResourceType,
  discovery: Discovery,
  purpose: InputPurpose,
  options: { /** Accept (and ignore) a `schemas` list. Default true. */ schemas?: boolean } = {},
): z.ZodObject {
  const core = discovery.schemas.get(rt.schema.toLowerCase());
  const shape = attributeShape(core?.attributes ?? [], purpose);
  shape.externalId ??= z.string().optional().describe("The provisioning client's own identifier for this resource.");
  if (options.schemas !== false) {
    // Agents that know SCIM send it; the tool sets it from the attributes given.
    shape.schemas = z.array(z.string()).max(20).optional().describe('Optional: the tool sets schemas from the attributes given.');
  }
  for (const ext of rt.schemaExtensions) {
    const schema = discovery.schemas.get(ext.schema.toLowerCase());
    if (!schema) continue;
    const inner = attributeShape(schema.attributes, purpose);
    if (Object.keys(inner).length === 0) continue;
    const required = purpose === 'create' && ext.required;
    const hints = renderHints(schema['x-agent-schema']);
    const doc = [
      `${schema.name ?? ext.schema} extension${schema.description ? `: ${schema.description}` : ''}.`,
      required ? 'Required.' : '',
      hints ? `Hints: ${hints}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const t = z.strictObject(inner).describe(doc);
    shape[ext.schema] = required ? t : t.optional();
  }
  return z.strictObject(shape);
}

/** Extension URNs of `rt` a resource body uses (its keys, case-insensitively). */
export function extensionsUsed(rt: ServedResourceType, body: Record<string, unknown>): string[] {
  const keys = new Set(Object.keys(body).map((k) => k.toLowerCase()));
  return rt.schemaExtensions.map((e) => e.schema).filter((urn) => keys.has(urn.toLowerCase()));
}
