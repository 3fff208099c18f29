/**
 * Custom schemas and extensions from configuration: a JSON document
 * `{ "schemas": [...], "extensions": { "User": ["urn:…"] } }` whose attribute
 * definitions may leave characteristics out (RFC 7643 defaults apply).
 */
import { type AttributeInput, attr, type SchemaDefinition } from './types.js';

/** Parsed custom schema document. */
export interface SchemaDocument {
  schemas: SchemaDefinition[];
  extensions: Record<string, string[]>;
}

const TYPES = new Set(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex']);
const MUT = new Set(['readOnly', 'readWrite', 'immutable', 'writeOnly']);
const RET = new Set(['always', 'never', 'default', 'request']);
const UNIQ = new Set(['none', 'server', 'global']);

function checkAttr(a: unknown, path: string, depth: number): AttributeInput {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) throw new Error(`${path}: must be an object`);
  const o = a as Record<string, unknown>;
  if (typeof o.name !== 'string' || !/^(\$ref|[A-Za-z][\w-]*)$/.test(o.name))
    throw new Error(`${path}.name: must be an attribute name`);
  const enumCheck = (key: string, allowed: Set<string>) => {
    if (o[key] !== undefined && !allowed.has(String(o[key])))
      throw new Error(`${path}.${key}: must be one of ${[...allowed].join(', ')}`);
  };
  enumCheck('type', TYPES);
  enumCheck('mutability', MUT);
  enumCheck('returned', RET);
  enumCheck('uniqueness', UNIQ);
  for (const b of ['multiValued', 'required', 'caseExact']) {
    if (o[b] !== undefined && typeof o[b] !== 'boolean') throw new Error(`${path}.${b}: must be true or false`);
  }
  const input: AttributeInput = { ...(o as AttributeInput) };
  if (o.subAttributes !== undefined) {
    if (!Array.isArray(o.subAttributes) || depth > 0)
      throw new Error(`${path}.subAttributes: must be an array of attributes (one level deep)`);
    input.subAttributes = o.subAttributes.map((s, i) => checkAttr(s, `${path}.subAttributes[${i}]`, depth + 1));
  }
  return input;
}

/**
 * Validates a custom schema document, applying RFC 7643 attribute defaults.
 *
 * @throws Error naming the JSON path of the first problem.
 */
export function parseSchemaDocument(doc: unknown, where = 'schemas document'): SchemaDocument {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${where}: must be a JSON object`);
  const d = doc as Record<string, unknown>;
  const list = d.schemas ?? [];
  if (!Array.isArray(list)) throw new Error(`${where}.schemas: must be an array`);
  const schemas = list.map((s, i): SchemaDefinition => {
    const p = `${where}.schemas[${i}]`;
    if (typeof s !== 'object' || s === null) throw new Error(`${p}: must be an object`);
    const o = s as Record<string, unknown>;
    if (typeof o.id !== 'string' || !/^urn:/i.test(o.id)) throw new Error(`${p}.id: must be a schema URN`);
    if (!Array.isArray(o.attributes)) throw new Error(`${p}.attributes: must be an array`);
    return {
      id: o.id,
      name: typeof o.name === 'string' ? o.name : (o.id.split(':').pop() ?? o.id),
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
      attributes: o.attributes.map((a, j) => attr(checkAttr(a, `${p}.attributes[${j}]`, 0))),
    };
  });
  const ext = d.extensions ?? {};
  if (typeof ext !== 'object' || ext === null || Array.isArray(ext)) throw new Error(`${where}.extensions: must be an object`);
  const extensions: Record<string, string[]> = {};
  for (const [rt, urns] of Object.entries(ext)) {
    if (!Array.isArray(urns) || urns.some((u) => typeof u !== 'string'))
      throw new Error(`${where}.extensions.${rt}: must be an array of URNs`);
    extensions[rt] = urns as string[];
  }
  return { schemas, extensions };
}
