/**
 * SCIM attribute paths → stored field paths. Field names come from the schema registry's canonical
 * names (escaped by {@link encodeKey}), never from client text.
 */
import type { AttributeDefinition, ResourceTypeDefinition, SchemaRegistry } from '@scimgw/core';
import type { AttrPath } from '@scimgw/core/filter';
import { encodeKey } from './keys.js';

/** A resolved path and where it is stored. */
export interface StoredPath {
  /** Extension URN, when the attribute belongs to an extension. */
  extension?: string | undefined;
  attr: string;
  sub?: string | undefined;
  attrDef: AttributeDefinition;
  subDef?: AttributeDefinition | undefined;
  /** Stored path of the attribute (`name`, `urn:…:2·0:User.manager`). */
  field: string;
  /** The top-level stored key the attribute lives under (the attribute, or its extension). */
  top: string;
}

/** Joins stored path segments. */
export function joinField(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined).join('.');
}

/** Stored path of an attribute (optionally one of its sub-attributes). */
export function fieldOf(extension: string | undefined, attr: string, sub?: string): string {
  return joinField(
    extension === undefined ? undefined : encodeKey(extension),
    encodeKey(attr),
    sub === undefined ? undefined : encodeKey(sub),
  );
}

/** Resolves a (canonical) path against the schemas; `undefined` for attributes the schemas do not define. */
export function resolveStored(registry: SchemaRegistry, rt: ResourceTypeDefinition, path: AttrPath): StoredPath | undefined {
  const r = registry.resolve(rt, path);
  if (!r?.attrDef) return undefined;
  if (path.sub !== undefined && !r.subDef) return undefined;
  const ext = r.extension;
  return {
    extension: ext,
    attr: r.attr,
    sub: r.sub,
    attrDef: r.attrDef,
    subDef: r.subDef,
    field: fieldOf(ext, r.attr),
    top: encodeKey(ext ?? r.attr),
  };
}

/** The definition a comparison on `p` applies to (a complex attribute without sub-attribute: its `value`). */
export function leafDefinition(p: Pick<StoredPath, 'sub' | 'attrDef' | 'subDef'>): AttributeDefinition | undefined {
  if (p.sub !== undefined) return p.subDef;
  if (p.attrDef.type === 'complex') return p.attrDef.subAttributes?.find((s) => s.name === 'value');
  return p.attrDef;
}

/** True for a complex attribute that has a `value` sub-attribute. */
export function hasValueSub(def: AttributeDefinition): boolean {
  return def.type === 'complex' && (def.subAttributes?.some((s) => s.name === 'value') ?? false);
}
