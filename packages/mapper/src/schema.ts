/**
 * Schemas generated from a mapping: exactly the attributes clients can read
 * and write through the connector, typed, with sub-attributes and type keys
 * narrowed to what is mapped, allowed values from valueMaps, and agent hints.
 */
import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition, SchemaRegistry } from '@scimgw/core';
import type { CompiledEntry, CompiledMap, CompiledTarget } from './compile.js';
import type { GeneratedAttribute } from './types.js';

/** A generated schema (may carry schema-level `x-agent-schema` hints). */
export type GeneratedSchema = SchemaDefinition & { attributes: GeneratedAttribute[]; 'x-agent-schema'?: Record<string, unknown> };

interface Slot {
  def: GeneratedAttribute;
  standard: boolean;
  whole: boolean;
  subs: Set<string>;
  typeKeys: Map<string, string>;
}

const COMMON = new Set(['id', 'externalid', 'meta']);

function applyOverrides(def: GeneratedAttribute, e: CompiledEntry): void {
  const c = e.config;
  if (c.mutability) def.mutability = c.mutability;
  if (c.returned) def.returned = c.returned;
  if (typeof c.caseExact === 'boolean') def.caseExact = c.caseExact;
  if (c.uniqueness) def.uniqueness = c.uniqueness;
  if (typeof c.required === 'boolean') def.required = c.required;
  if (typeof c.description === 'string') def.description = c.description;
  if (c.canonicalValues?.length) def.canonicalValues = [...c.canonicalValues];
  else if (e.valueMap) def.canonicalValues = e.valueMap.scimValues.map(String);
  if (c['x-agent-schema']) def['x-agent-schema'] = structuredClone(c['x-agent-schema']);
}

function leafOf(slot: Slot, t: CompiledTarget): GeneratedAttribute | undefined {
  if (t.sub === undefined) return slot.def;
  return slot.def.subAttributes?.find((s) => s.name === t.sub);
}

/** Generates the core schema (first) and extension schemas of a mapping. */
export function generateSchemas(map: CompiledMap, registry: SchemaRegistry, rt: ResourceTypeDefinition): GeneratedSchema[] {
  const bySchema = new Map<string, { id: string; slots: Map<string, Slot> }>();
  bySchema.set(rt.schema.toLowerCase(), { id: rt.schema, slots: new Map() });
  for (const e of map.entries) {
    for (const t of e.targets) {
      if (t.schemaId === rt.schema && COMMON.has(t.attr.toLowerCase())) continue;
      const sk = t.schemaId.toLowerCase();
      let schema = bySchema.get(sk);
      if (!schema) bySchema.set(sk, (schema = { id: t.schemaId, slots: new Map() }));
      const ak = t.attr.toLowerCase();
      let slot = schema.slots.get(ak);
      if (!slot) {
        slot = {
          def: structuredClone(t.attrDef) as GeneratedAttribute,
          standard: !t.custom,
          whole: false,
          subs: new Set(),
          typeKeys: new Map(),
        };
        schema.slots.set(ak, slot);
      }
      if (t.sub === undefined) slot.whole = true;
      else slot.subs.add(t.sub);
      if (t.typeKey !== undefined) slot.typeKeys.set(t.typeKey.toLowerCase(), t.typeKey);
      const leaf = leafOf(slot, t);
      if (leaf) applyOverrides(leaf, e);
    }
  }
  const out: GeneratedSchema[] = [];
  for (const { id, slots } of bySchema.values()) {
    const attributes: GeneratedAttribute[] = [];
    for (const slot of slots.values()) {
      const def = slot.def;
      if (slot.standard && !slot.whole && def.subAttributes) {
        const keep = new Set(slot.subs);
        if (slot.typeKeys.size) keep.add('type');
        def.subAttributes = def.subAttributes.filter((s) => keep.has(s.name));
        const type = def.subAttributes.find((s: AttributeDefinition) => s.name === 'type');
        if (type && slot.typeKeys.size) type.canonicalValues = [...slot.typeKeys.values()];
      }
      attributes.push(def);
    }
    const known = registry.schema(id);
    const isCore = id === rt.schema;
    const name = known?.name ?? (isCore ? rt.name : (id.split(':').pop() ?? id));
    const s: GeneratedSchema = {
      id,
      name,
      description: `${known?.description ?? name} (generated from the attribute mapping)`,
      attributes,
    };
    if (isCore && map.agentSchema) s['x-agent-schema'] = structuredClone(map.agentSchema);
    out.push(s);
  }
  return out;
}
