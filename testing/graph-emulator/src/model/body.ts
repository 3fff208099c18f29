/**
 * Request bodies for creating and updating entities, checked against the schema: unknown,
 * read-only and mistyped properties are 400s, as Graph answers them. Values are copied into
 * null-prototype objects so no JSON key can reach `Object.prototype`.
 */
import { badRequest, echo } from '../graph/errors.js';
import { COMPLEX_TYPES, type PropertyDef, type TypeDef } from './schema.js';

/** A checked body: property values by canonical name, plus `x@odata.bind` lists. */
export interface CheckedBody {
  readonly values: Map<string, unknown>;
  readonly binds: Map<string, string[]>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EDM: Record<string, string> = {
  string: 'Edm.String',
  bool: 'Edm.Boolean',
  int: 'Edm.Int32',
  guid: 'Edm.Guid',
  datetime: 'Edm.DateTimeOffset',
  duration: 'Edm.Duration',
};

/** A JSON object from the client, or a 400. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
  return body as Record<string, unknown>;
}

function convertError(expected: string): Error {
  return badRequest(
    `Cannot convert a primitive value to the expected type '${expected}'. See the inner exception for more details.`,
  );
}

function checkScalar(def: Pick<PropertyDef, 'type'>, value: unknown): unknown {
  switch (def.type) {
    case 'string':
      if (typeof value !== 'string') throw convertError('Edm.String');
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw convertError('Edm.Boolean');
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw convertError('Edm.Int32');
      return value;
    case 'guid':
      if (typeof value !== 'string' || !GUID.test(value)) throw convertError('Edm.Guid');
      return value.toLowerCase();
    case 'datetime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw convertError('Edm.DateTimeOffset');
      return new Date(value).toISOString().replace('.000Z', 'Z');
    case 'duration':
      if (typeof value !== 'string' || !/^-?P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/.test(value)) {
        throw convertError('Edm.Duration');
      }
      return value;
    default:
      throw convertError(EDM[def.type] ?? def.type);
  }
}

function checkComplex(typeName: string, value: unknown, depth: number): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`Cannot convert the value to the expected type 'microsoft.graph.${typeName}'.`);
  }
  const type = COMPLEX_TYPES.get(typeName);
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith('@odata.')) continue;
    const def = type?.properties.get(key.toLowerCase());
    if (!type) {
      // Complex types the emulator only stores: keep JSON-safe plain data.
      if (depth > 8) throw badRequest('The request body is nested too deeply.');
      out[key] = cloneJson(inner, depth + 1);
      continue;
    }
    if (!def || def.name !== key) {
      throw badRequest(
        `Property '${echo(key)}' does not exist on type 'microsoft.graph.${typeName}'. Make sure to only use property names that are defined by the type.`,
      );
    }
    out[key] = checkValue(def, inner, depth + 1);
  }
  return out;
}

function cloneJson(value: unknown, depth: number): unknown {
  if (depth > 8) throw badRequest('The request body is nested too deeply.');
  if (Array.isArray(value)) return value.map((item) => cloneJson(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, inner] of Object.entries(value)) out[key] = cloneJson(inner, depth + 1);
    return out;
  }
  return value;
}

function checkValue(def: PropertyDef, value: unknown, depth = 0): unknown {
  if (value === null) return null;
  const one = (item: unknown) => (def.type === 'complex' ? checkComplex(def.complex ?? '', item, depth) : checkScalar(def, item));
  if (def.collection) {
    if (!Array.isArray(value)) throw badRequest(`A collection was expected for property '${def.name}'.`);
    if (value.length > 1000) throw badRequest(`Too many values for property '${def.name}'.`);
    return value.map(one);
  }
  return one(value);
}

/**
 * Checks a create (`POST`) or update (`PATCH`) body for `type`.
 * @throws GraphError 400 for unknown, read-only or mistyped properties.
 */
export function checkBody(type: TypeDef, body: unknown, mode: 'create' | 'update'): CheckedBody {
  const object = requireObject(body);
  const values = new Map<string, unknown>();
  const binds = new Map<string, string[]>();
  for (const [key, value] of Object.entries(object)) {
    if (key === '@odata.type') {
      if (typeof value !== 'string' || value.replace(/^#/, '').toLowerCase() !== `microsoft.graph.${type.name}`.toLowerCase()) {
        throw badRequest(`A type named '${echo(String(value))}' could not be resolved by the model.`);
      }
      continue;
    }
    const bind = /^([A-Za-z]+)@odata\.bind$/.exec(key);
    if (bind) {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        throw badRequest(`The value of '${echo(key)}' must be an array of object URLs.`);
      }
      binds.set(bind[1] as string, value as string[]);
      continue;
    }
    if (key.startsWith('@')) continue;
    const def = type.properties.get(key.toLowerCase());
    if (!def || def.name !== key) {
      if (type.navigation.has(key.toLowerCase())) {
        throw badRequest(`Property '${echo(key)}' is a navigation property; set it by reference.`);
      }
      throw badRequest(`Property '${echo(key)}' does not exist as a declared property or extension property.`);
    }
    if (def.writable === 'never' || (def.writable === 'create' && mode === 'update')) {
      throw badRequest(`Property '${def.name}' is read-only and cannot be set.`);
    }
    values.set(def.name, checkValue(def, value));
  }
  return { values, binds };
}
