/**
 * Compiles one resource type's map section: validates every entry, resolves
 * each `mapTo` target against the schema registry (standard attributes keep
 * their RFC 7643 definitions) and synthesizes definitions for custom targets.
 */
import {
  type AttributeDefinition,
  type AttributeType,
  attr,
  commonAttributes,
  type ResourceTypeDefinition,
  type SchemaRegistry,
} from '@scimgw/core';
import { splitEndpointKey } from './endpoint-path.js';
import { MapperConfigError } from './errors.js';
import { FORBIDDEN_KEYS, parseMapTo } from './map-to.js';
import type { DatetimeFormat, MapEntryConfig, MappedTarget, MapValueType, RawTarget, ScalarType, TargetShape } from './types.js';
import { compileValueMap, type ValueMap } from './value-map.js';

/** A resolved target with the definitions conversion needs. */
export interface CompiledTarget extends MappedTarget {
  /** URN of the schema the attribute belongs to. */
  schemaId: string;
  attrDef: AttributeDefinition;
  /** Definition of the value the target addresses (sub-attribute or attribute). */
  leafDef: AttributeDefinition;
  /** Conversion type on the SCIM side. */
  scimType: ScalarType | 'complex';
  /** Identifies the SCIM attribute (schema and name, lower-cased) whose elements targets share. */
  assemblyKey: string;
}

/** A compiled map entry. */
export interface CompiledEntry {
  key: string;
  segs: string[];
  /** `segs[0]` lower-cased, for case-insensitive reads of records. */
  firstLower: string;
  /** Dotted key of a list: the parent holds a list of objects (`groups.display`). */
  listParent: boolean;
  type: MapValueType;
  /** Endpoint holds a list (`array`, `complexArray`). */
  isList: boolean;
  /** Endpoint holds objects passed through (`complexArray`, `complexObject`). */
  isComplex: boolean;
  /** Scalar type at the endpoint (element type for `array`). */
  endpointScalar: ScalarType;
  valueMap: ValueMap | undefined;
  /**
   * A single-valued valueMapped entry with `unlisted: "hide"` (the default): an unlisted value
   * hides the whole resource. Otherwise an unlisted value is dropped (the attribute or element is absent).
   */
  hides: boolean;
  format: DatetimeFormat;
  targets: CompiledTarget[];
  readOnly: boolean;
  required: boolean;
  subAttributes: string[] | undefined;
  config: MapEntryConfig;
  where: string;
}

/** The compiled map of one resource type. */
export interface CompiledMap {
  entries: CompiledEntry[];
  /** Schema-level `x-agent-schema` hints. */
  agentSchema: Record<string, unknown> | undefined;
}

const TYPE_ALIASES: Record<string, MapValueType> = {
  string: 'string',
  boolean: 'boolean',
  bool: 'boolean',
  integer: 'integer',
  int: 'integer',
  number: 'number',
  decimal: 'number',
  datetime: 'datetime',
  date: 'datetime',
  array: 'array',
  complexarray: 'complexArray',
  complexobject: 'complexObject',
};
const SCALARS: ReadonlySet<string> = new Set(['string', 'boolean', 'integer', 'number', 'datetime']);
const FORMATS: ReadonlySet<string> = new Set(['iso', 'generalizedTime', 'epochMillis', 'epochSeconds', 'fileTime']);
const MUTABILITY = new Set(['readOnly', 'readWrite', 'immutable', 'writeOnly']);
const RETURNED = new Set(['always', 'never', 'default', 'request']);
const UNIQUENESS = new Set(['none', 'server', 'global']);
const UNLISTED_MODES = new Set(['hide', 'drop']);

function typeOf(raw: unknown, where: string, fallback: MapValueType): MapValueType {
  if (raw === undefined || raw === null) return fallback;
  const t =
    typeof raw === 'string' && Object.hasOwn(TYPE_ALIASES, raw.toLowerCase()) ? TYPE_ALIASES[raw.toLowerCase()] : undefined;
  if (!t) {
    throw new MapperConfigError(
      where,
      `unknown type "${String(raw)}" (use string, boolean, integer, number, datetime, array, complexArray or complexObject)`,
    );
  }
  return t;
}

function scalarOf(raw: unknown, where: string): ScalarType | undefined {
  if (raw === undefined || raw === null) return undefined;
  const t = typeOf(raw, where, 'string');
  if (!SCALARS.has(t)) throw new MapperConfigError(where, `must be a scalar type, not "${String(raw)}"`);
  return t as ScalarType;
}

function oneOf<T extends string>(raw: unknown, allowed: ReadonlySet<string>, where: string): T | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || !allowed.has(raw)) {
    throw new MapperConfigError(where, `must be one of ${[...allowed].join(', ')}`);
  }
  return raw as T;
}

/** SCIM attribute type for a scalar type. */
export function attributeType(t: ScalarType): AttributeType {
  return t === 'number' ? 'decimal' : t === 'datetime' ? 'dateTime' : t;
}

function scimTypeOf(def: AttributeDefinition): ScalarType | 'complex' {
  switch (def.type) {
    case 'complex':
      return 'complex';
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'decimal':
      return 'number';
    case 'dateTime':
      return 'datetime';
    default:
      return 'string';
  }
}

const COMMON = new Map(commonAttributes.map((a) => [a.name.toLowerCase(), a]));

interface Pending {
  raw: RawTarget;
  entry: CompiledEntry;
  schemaId: string;
}

/** Parses and resolves one resource type's map section. */
export function compileMap(
  section: unknown,
  where: string,
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  nestedKeys: boolean,
): CompiledMap {
  if (section === undefined || section === null) throw new MapperConfigError(where, `is missing (no mapping for ${rt.name})`);
  if (typeof section !== 'object' || Array.isArray(section)) throw new MapperConfigError(where, 'must be an object');
  const entries: CompiledEntry[] = [];
  const pending: Pending[] = [];
  let agentSchema: Record<string, unknown> | undefined;

  for (const [key, rawEntry] of Object.entries(section as Record<string, unknown>)) {
    const at = `${where}.${key}`;
    if (key === 'x-agent-schema') {
      if (typeof rawEntry !== 'object' || rawEntry === null || Array.isArray(rawEntry)) {
        throw new MapperConfigError(at, 'must be an object');
      }
      agentSchema = rawEntry as Record<string, unknown>;
      continue;
    }
    if (key.trim() === '') throw new MapperConfigError(at, 'endpoint attribute name is empty');
    if (typeof rawEntry !== 'object' || rawEntry === null || Array.isArray(rawEntry)) {
      throw new MapperConfigError(at, 'must be an object with "mapTo"');
    }
    const cfg = rawEntry as MapEntryConfig;
    const type = typeOf(cfg.type, `${at}.type`, 'string');
    const items = cfg.items;
    if (items !== undefined && (typeof items !== 'object' || items === null))
      throw new MapperConfigError(`${at}.items`, 'must be an object');
    const itemType = scalarOf(items?.type, `${at}.items.type`);
    const inbound = cfg.typeInbound;
    const inboundType = inbound === undefined || inbound === null ? undefined : typeOf(inbound, `${at}.typeInbound`, 'string');
    if (inboundType === 'complexArray' || inboundType === 'complexObject') {
      throw new MapperConfigError(`${at}.typeInbound`, 'must be a scalar type or array');
    }
    const isList = type === 'array' || type === 'complexArray';
    const isComplex = type === 'complexArray' || type === 'complexObject';
    const endpointScalar: ScalarType = type === 'array' ? (itemType ?? 'string') : isComplex ? 'string' : (type as ScalarType);
    const valueMap = compileValueMap(cfg.valueMap, `${at}.valueMap`);
    if (valueMap && isComplex) {
      throw new MapperConfigError(
        `${at}.valueMap`,
        'needs scalar values; map a sub-attribute instead (e.g. "groups.display" with type array)',
      );
    }
    // Checked with or without a valueMap (a misspelt mode is a mistake either way), used only with one.
    const unlisted = oneOf<'hide' | 'drop'>(cfg.unlisted, UNLISTED_MODES, `${at}.unlisted`);
    if (unlisted === 'hide' && valueMap && isList) {
      throw new MapperConfigError(
        `${at}.unlisted`,
        '"hide" needs a single-valued attribute; an unlisted element of a list is always dropped (use "drop")',
      );
    }
    const format = oneOf<DatetimeFormat>(cfg.format, FORMATS, `${at}.format`) ?? 'iso';
    const mutability = oneOf(cfg.mutability, MUTABILITY, `${at}.mutability`);
    oneOf(cfg.returned, RETURNED, `${at}.returned`);
    oneOf(cfg.uniqueness, UNIQUENESS, `${at}.uniqueness`);
    for (const flag of ['required', 'caseExact'] as const) {
      if (cfg[flag] !== undefined && typeof cfg[flag] !== 'boolean')
        throw new MapperConfigError(`${at}.${flag}`, 'must be true or false');
    }
    if (cfg.description !== undefined && typeof cfg.description !== 'string') {
      throw new MapperConfigError(`${at}.description`, 'must be a string');
    }
    const agent = cfg['x-agent-schema'];
    if (agent !== undefined && (typeof agent !== 'object' || agent === null || Array.isArray(agent))) {
      throw new MapperConfigError(`${at}.x-agent-schema`, 'must be an object');
    }
    for (const list of ['subAttributes', 'canonicalValues'] as const) {
      const v = cfg[list];
      if (v !== undefined && (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))) {
        throw new MapperConfigError(`${at}.${list}`, 'must be an array of strings');
      }
    }
    const segs = splitEndpointKey(key, nestedKeys);
    if (segs.some((s) => s === '')) throw new MapperConfigError(at, `endpoint attribute "${key}" has an empty path segment`);
    if (segs.some((s) => FORBIDDEN_KEYS.has(s))) throw new MapperConfigError(at, `endpoint attribute "${key}" is not allowed`);
    const entry: CompiledEntry = {
      key,
      segs,
      firstLower: (segs[0] as string).toLowerCase(),
      listParent: type === 'array' && segs.length > 1,
      type,
      isList,
      isComplex,
      endpointScalar,
      valueMap,
      hides: valueMap !== undefined && !isList && unlisted !== 'drop',
      format,
      targets: [],
      readOnly: mutability === 'readOnly',
      required: cfg.required === true,
      subAttributes: cfg.subAttributes?.length ? cfg.subAttributes : undefined,
      config: { ...cfg, ...(inboundType ? { typeInbound: inboundType } : {}) },
      where: at,
    };
    for (const raw of parseMapTo(cfg.mapTo, `${at}.mapTo`)) {
      const schemaId = raw.uri ? (registry.canonicalUrn(rt, raw.uri) ?? registry.schema(raw.uri)?.id ?? raw.uri) : rt.schema;
      pending.push({ raw, entry, schemaId });
    }
    entries.push(entry);
  }

  const customs = synthesizeCustoms(pending, registry, rt);
  for (const p of pending) p.entry.targets.push(resolve(p, registry, rt, customs));
  for (const e of entries) {
    // Every target read-only (id, meta, groups): the entry is never written.
    if (e.targets.every((t) => t.readOnly)) e.readOnly = true;
  }
  return { entries, agentSchema };
}

function standardDef(registry: SchemaRegistry, rt: ResourceTypeDefinition, schemaId: string, name: string) {
  if (schemaId === rt.schema) {
    const common = COMMON.get(name.toLowerCase());
    if (common) return common;
  }
  return registry.attribute(schemaId, name);
}

function customKey(schemaId: string, name: string): string {
  return `${schemaId.toLowerCase()}|${name.toLowerCase()}`;
}

/** The SCIM-side scalar type of a custom target. */
function customScalar(e: CompiledEntry): ScalarType {
  const inbound = e.config.typeInbound as MapValueType | undefined;
  if (inbound && SCALARS.has(inbound)) return inbound as ScalarType;
  return e.endpointScalar;
}

function exposesList(e: CompiledEntry): boolean {
  const inbound = e.config.typeInbound as MapValueType | undefined;
  if (inbound === 'array') return true;
  if (inbound && SCALARS.has(inbound)) return false;
  return e.isList;
}

function synthesizeCustoms(
  pending: Pending[],
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
): Map<string, AttributeDefinition> {
  const groups = new Map<string, Pending[]>();
  for (const p of pending) {
    if (standardDef(registry, rt, p.schemaId, p.raw.attr)) continue;
    const k = customKey(p.schemaId, p.raw.attr);
    const list = groups.get(k) ?? [];
    list.push(p);
    groups.set(k, list);
  }
  const out = new Map<string, AttributeDefinition>();
  for (const [k, list] of groups) {
    const first = list[0] as Pending;
    const name = first.raw.attr;
    const whole = list.filter((p) => p.raw.sub === undefined);
    const parts = list.filter((p) => p.raw.sub !== undefined);
    if (whole.length && parts.length) {
      throw new MapperConfigError(
        (parts[0] as Pending).entry.where,
        `custom attribute "${name}" is mapped both as a whole ("${(whole[0] as Pending).raw.text}") and by sub-attribute`,
      );
    }
    if (whole.length) {
      const e = (whole[0] as Pending).entry;
      if (e.isComplex) {
        out.set(
          k,
          attr({
            name,
            type: 'complex',
            multiValued: e.type === 'complexArray',
            subAttributes: (e.subAttributes ?? ['value']).filter((s) => !FORBIDDEN_KEYS.has(s)).map((s) => ({ name: s })),
          }),
        );
      } else {
        out.set(k, attr({ name, type: attributeType(customScalar(e)), multiValued: exposesList(e) }));
      }
      continue;
    }
    const subs = new Map<string, AttributeDefinition>();
    let multi = false;
    for (const p of parts) {
      if (p.entry.isComplex)
        throw new MapperConfigError(p.entry.where, `type ${p.entry.type} cannot map to a sub-attribute ("${p.raw.text}")`);
      if (p.raw.typeKey !== undefined) {
        multi = true;
        if (!subs.has('type')) subs.set('type', attr({ name: 'type' }));
      }
      if (exposesList(p.entry)) multi = true;
      const sub = p.raw.sub as string;
      if (!subs.has(sub.toLowerCase()))
        subs.set(sub.toLowerCase(), attr({ name: sub, type: attributeType(customScalar(p.entry)) }));
    }
    out.set(k, attr({ name, type: 'complex', multiValued: multi, subAttributes: [...subs.values()] }));
  }
  return out;
}

function resolve(
  p: Pending,
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  customs: Map<string, AttributeDefinition>,
): CompiledTarget {
  const { raw, entry, schemaId } = p;
  const std = standardDef(registry, rt, schemaId, raw.attr);
  const attrDef = std ?? (customs.get(customKey(schemaId, raw.attr)) as AttributeDefinition);
  const at = `${entry.where}.mapTo`;
  let leafDef = attrDef;
  let shape: TargetShape;
  if (raw.sub !== undefined) {
    if (attrDef.type !== 'complex') throw new MapperConfigError(at, `"${raw.text}": ${attrDef.name} has no sub-attributes`);
    const sd = attrDef.subAttributes?.find((s) => s.name.toLowerCase() === raw.sub?.toLowerCase());
    if (!sd) throw new MapperConfigError(at, `"${raw.text}": "${raw.sub}" is not a sub-attribute of ${attrDef.name}`);
    leafDef = sd;
    if (raw.typeKey !== undefined) {
      if (!attrDef.multiValued || !attrDef.subAttributes?.some((s) => s.name === 'type')) {
        throw new MapperConfigError(at, `"${raw.text}": ${attrDef.name} has no "type" to select elements by`);
      }
      shape = 'typed';
    } else shape = attrDef.multiValued ? 'subOfMulti' : 'subOfSingle';
  } else shape = attrDef.multiValued ? 'multi' : 'single';
  if (entry.isComplex && (shape === 'typed' || shape === 'subOfMulti' || shape === 'subOfSingle' || attrDef.type !== 'complex')) {
    throw new MapperConfigError(at, `"${raw.text}": type ${entry.type} needs a complex attribute as the target`);
  }
  const extension = schemaId === rt.schema ? undefined : schemaId;
  const name = attrDef.name;
  const sub = raw.sub === undefined ? undefined : leafDef.name;
  const mut = entry.config.mutability;
  const t: CompiledTarget = {
    text: raw.text,
    path: `${extension ? `${extension}:` : ''}${name}${sub ? `.${sub}` : ''}`,
    attr: name,
    shape,
    custom: std === undefined,
    readOnly: mut === 'readOnly' || attrDef.mutability === 'readOnly' || leafDef.mutability === 'readOnly',
    writeOnly: mut === 'writeOnly' || leafDef.mutability === 'writeOnly' || leafDef.returned === 'never',
    schemaId,
    attrDef,
    leafDef,
    scimType: scimTypeOf(leafDef),
    assemblyKey: `${schemaId.toLowerCase()}|${name.toLowerCase()}`,
  };
  if (extension) t.extension = extension;
  if (raw.typeKey !== undefined) t.typeKey = raw.typeKey;
  if (sub !== undefined) t.sub = sub;
  return t;
}
