/**
 * The JSON Schema of a whole configuration file, for editors: the gateway's sections as declared in
 * ./schema.ts, the connector's `endpoint` section from its `configSchema`, and at every value the
 * references the loader resolves (`process.env.NAME`, `process.text.…`, `process.file.…`) and
 * encrypted secrets (`enc:v1:…`), which are strings wherever they stand.
 */
import { z } from '@scimgw/config';
import { configFileSchema } from './schema.js';

type JsonSchema = Record<string, unknown>;

/** What the loader replaces before it validates. */
const REFERENCE = { type: 'string', pattern: '^(process\\.(env|text|file)\\.|enc:v1:)' };

/** Lets every non-string value also be written as a reference. */
function allowReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowReferences);
  if (typeof node !== 'object' || node === null) return node;
  const s = node as JsonSchema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(s)) {
    out[k] =
      k === 'properties' || k === 'patternProperties' || k === '$defs' ? mapValues(v, allowReferences) : allowReferences(v);
  }
  const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t) => t !== 'null');
  const leaf = types.length > 0 && types.every((t) => typeof t === 'string' && t !== 'string' && t !== 'object' && t !== 'array');
  if (!leaf) return out;
  const { description, default: dflt, title, ...rest } = out;
  return {
    ...(title === undefined ? {} : { title }),
    ...(description === undefined ? {} : { description }),
    ...(dflt === undefined ? {} : { default: dflt }),
    anyOf: [rest, REFERENCE],
  };
}

function mapValues(v: unknown, fn: (x: unknown) => unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fn(x)]));
}

/**
 * The JSON Schema (draft 2020-12) of a configuration file whose connector's `endpoint` section has
 * the JSON Schema `endpoint` (from its package's `configSchema.jsonSchema`); without one, the
 * `endpoint` section is left open.
 *
 * @example
 * import { configSchema } from '@scimgw/connector-loki';
 * writeFileSync('connector-loki.schema.json', JSON.stringify(configFileJsonSchema(configSchema.jsonSchema, 'connector-loki'), null, 2));
 */
export function configFileJsonSchema(endpoint?: JsonSchema, title = 'scimgw configuration'): JsonSchema {
  const base = z.toJSONSchema(configFileSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const withRefs = allowReferences(base) as JsonSchema;
  const properties = { ...(withRefs.properties as JsonSchema) };
  if (endpoint) {
    const { $schema: _s, ...section } = endpoint;
    properties.endpoint = allowReferences(section);
  }
  return { ...withRefs, title, properties };
}
