/**
 * Boolean attributes (RFC 7643 §2.3.2) whatever another application stored in them. The strings
 * "true" and "false" in any case are read as the booleans (as the core's filters read them); any
 * other value that is not a boolean (`1`, `"yes"`, `""`) has no boolean reading and is served as
 * absent. Reads, filters (`eq`, `pr`, `eq null`) and sorting all follow that one reading, so a
 * filter finds exactly the resources whose served values match it.
 */
import type { AttributeDefinition, ResourceTypeDefinition, SchemaRegistry, ScimResource } from '@scimgw/core';
import type { Document } from 'mongodb';

/**
 * "true" and "false" in any case, and nothing else. Letters spelled out rather than the `i` flag:
 * MongoDB's caseless matching folds Unicode too ("ſ" is an "s" there), JavaScript's `toLowerCase`
 * (the core's reading) does not.
 */
export const TRUE_TEXT = /^[Tt][Rr][Uu][Ee](?![\s\S])/;
export const FALSE_TEXT = /^[Ff][Aa][Ll][Ss][Ee](?![\s\S])/;

/** The boolean a stored value reads as, or `undefined` when it has none. */
export function readBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  if (TRUE_TEXT.test(v)) return true;
  if (FALSE_TEXT.test(v)) return false;
  return undefined;
}

/** The condition on a field "some value reads as `b`". */
export function booleanIs(b: boolean): Document {
  return { $in: [b, b ? TRUE_TEXT : FALSE_TEXT] };
}

/** The condition on a field "some value reads as a boolean" (a present boolean). */
export const BOOLEAN_PRESENT: Readonly<Document> = Object.freeze({ $in: [true, false, TRUE_TEXT, FALSE_TEXT] });

/** The condition on a field "no value reads as a boolean" (missing, or nothing a boolean can be read from). */
export const BOOLEAN_ABSENT: Readonly<Document> = Object.freeze({ $nin: [true, false, TRUE_TEXT, FALSE_TEXT] });

/**
 * An aggregation expression reading `expr` as a boolean: a boolean as it is, "true"/"false" in any
 * case as the booleans, anything else `null`. (`$toLower` is exact on the ASCII letters of
 * "true" and "false"; no other character lowers to one of them.)
 */
export function booleanExpression(expr: unknown): Document {
  const isType = (t: string) => ({ $eq: [{ $type: '$$v' }, t] });
  const fromText = {
    $let: {
      vars: { t: { $toLower: '$$v' } },
      in: { $cond: [{ $eq: ['$$t', 'true'] }, true, { $cond: [{ $eq: ['$$t', 'false'] }, false, null] }] },
    },
  };
  return { $let: { vars: { v: expr }, in: { $cond: [isType('bool'), '$$v', { $cond: [isType('string'), fromText, null] }] } } };
}

/** The boolean parts of one attribute: the attribute itself, or sub-attributes of a complex one. */
interface BooleanAttribute {
  name: string;
  multiValued: boolean;
  /** The attribute itself is a boolean. */
  self: boolean;
  /** Its boolean sub-attributes (a complex attribute). */
  subs: readonly string[];
}

/** Where a resource type's boolean values are: by top-level key (an attribute, or an extension's URN). */
export interface BooleanPaths {
  core: readonly BooleanAttribute[];
  extensions: readonly { urn: string; attributes: readonly BooleanAttribute[] }[];
}

function booleanAttributes(attributes: readonly AttributeDefinition[]): BooleanAttribute[] {
  const out: BooleanAttribute[] = [];
  for (const a of attributes) {
    const subs = a.type === 'complex' ? (a.subAttributes ?? []).filter((s) => s.type === 'boolean').map((s) => s.name) : [];
    if (a.type === 'boolean' || subs.length)
      out.push({ name: a.name, multiValued: a.multiValued, self: a.type === 'boolean', subs });
  }
  return out;
}

/** The boolean attributes of a resource type, its extensions included. */
export function booleanPaths(registry: SchemaRegistry, rt: ResourceTypeDefinition): BooleanPaths {
  return {
    core: booleanAttributes(registry.schema(rt.schema)?.attributes ?? []),
    extensions: rt.schemaExtensions
      .map((e) => ({ urn: e.schema, attributes: booleanAttributes(registry.schema(e.schema)?.attributes ?? []) }))
      .filter((e) => e.attributes.length > 0),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `container[key]` read as a boolean, or removed when it has no boolean reading. */
function readInPlace(container: Record<string, unknown>, key: string): void {
  if (!Object.hasOwn(container, key)) return;
  const b = readBoolean(container[key]);
  if (b === undefined) delete container[key];
  else container[key] = b;
}

/** Reads the values of one attribute in place, removing what has no boolean reading (and elements left empty). */
function readAttribute(container: Record<string, unknown>, a: BooleanAttribute): void {
  const v = container[a.name];
  if (v === undefined) return;
  if (a.self) {
    if (!Array.isArray(v)) {
      readInPlace(container, a.name);
      return;
    }
    const list = v.map(readBoolean).filter((b) => b !== undefined);
    if (list.length) container[a.name] = list;
    else delete container[a.name];
    return;
  }
  // A complex attribute: its boolean sub-attributes, and no element left empty by them.
  const element = (e: unknown): boolean => {
    if (!isObject(e)) return true;
    for (const s of a.subs) readInPlace(e, s);
    return Object.keys(e).length > 0;
  };
  if (Array.isArray(v)) {
    const list = v.filter(element);
    if (list.length) container[a.name] = list;
    else delete container[a.name];
  } else if (!element(v)) delete container[a.name];
}

/**
 * Makes a resource read from MongoDB say what the schema says of its boolean attributes (in place:
 * `resource` is a fresh copy of the stored document). Attribute names are the canonical ones the
 * connector stores.
 *
 * @example
 * withSchemaBooleans({ userName: 'a', active: 'True' }, booleanPaths(registry, userType)) // { userName: 'a', active: true }
 */
export function withSchemaBooleans(resource: ScimResource, paths: BooleanPaths): ScimResource {
  for (const a of paths.core) readAttribute(resource, a);
  for (const e of paths.extensions) {
    const ext = resource[e.urn];
    if (!isObject(ext)) continue;
    for (const a of e.attributes) readAttribute(ext, a);
    if (Object.keys(ext).length === 0) delete resource[e.urn];
  }
  return resource;
}
