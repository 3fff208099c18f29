/** `createMapper`: one resource type's mapping, compiled once, used per request. */
import { type AttrPath, type FilterNode, parseAttrPath } from '@scimgw/core/filter';
import { type Change, type ResourceTypeDefinition, SchemaRegistry, type ScimResource } from '@scimgw/core';
import { changesToEndpoint, needsCurrent } from './changes.js';
import { type CompiledEntry, compileMap } from './compile.js';
import { convertScalar } from './convert.js';
import { deleteEndpoint, readEndpoint, splitEndpointKey, writeEndpoint } from './endpoint-path.js';
import { MapperConfigError } from './errors.js';
import { endpointPath, translateFilter } from './filter.js';
import { type GeneratedSchema, generateSchemas } from './schema.js';
import { toEndpoint } from './to-endpoint.js';
import { toScim } from './to-scim.js';
import type { EndpointChanges, MapConfig, MappedAttribute, TranslatedFilter } from './types.js';
import { requiredEntry } from './values.js';

/** Options of {@link createMapper}. */
export interface MapperOptions {
  /** Resource type id: `User`, `Group` (or another type of `registry`). Selects `map.<lower-cased id>`. */
  resourceType: string;
  /** Where standard attribute definitions come from. Default: the built-in RFC 7643 schemas. */
  registry?: SchemaRegistry;
  /**
   * Treat dots in endpoint keys as nesting (`passwordProfile.password`). Default true;
   * set false for backends whose attribute names may contain dots.
   */
  nestedEndpointKeys?: boolean;
  /** JSON path of the map section for error messages. Default `map`. */
  configPath?: string;
}

/** The mapper of one resource type. Pure: no I/O, safe to share between requests. */
export interface Mapper {
  /** Resource type id (`User`). */
  readonly resourceType: string;
  /** The resolved configuration, for introspection and logs. */
  readonly attributes: readonly MappedAttribute[];
  /** True when some single-valued attribute has a valueMap that hides resources (`unlisted: "hide"`, the default). */
  readonly hidesResources: boolean;
  /**
   * Endpoint record → SCIM resource (no `schemas`/`meta`: the core adds them).
   * `undefined` when a valueMap hides the record (`unlisted: "hide"`).
   */
  toScim(record: Record<string, unknown>): ScimResource | undefined;
  /**
   * SCIM resource → endpoint record (create, replace). Read-only and unmapped attributes are left out.
   * @throws InvalidValueError (400) for values a type or valueMap does not allow
   */
  toEndpoint(resource: ScimResource): Record<string, unknown>;
  /**
   * Core change list → endpoint modifications, per value where possible.
   * `current` is needed only when {@link Mapper.needsCurrent} is true.
   * @throws InvalidValueError (400) for values a type or valueMap does not allow
   */
  changesToEndpoint(changes: readonly Change[], options?: { current?: ScimResource | undefined }): EndpointChanges;
  /** True when these changes can only be translated with the current resource (read it first). */
  needsCurrent(changes: readonly Change[]): boolean;
  /** A SCIM filter (canonical, from `QueryRequest.filter`) in endpoint terms. */
  translateFilter(node: FilterNode | undefined): TranslatedFilter;
  /**
   * Endpoint filter selecting only records the hiding valueMaps let through, or `undefined`
   * without them (`unlisted: "drop"` entries hide nothing). AND it into endpoint queries so
   * paging stays exact.
   */
  visibilityFilter(): FilterNode | undefined;
  /** Endpoint attributes holding a SCIM path (`emails` → `mail`, `otherMails`): for projections and sorting. */
  endpointAttributesFor(scimPath: string | AttrPath): string[];
  /** Every endpoint attribute the mapping reads. */
  endpointAttributes(): string[];
  /** Every readable SCIM path, canonical (`urn:…:employeeNumber`, `members.value`): for `capabilities.filter.attributes`. */
  scimPaths(): string[];
  /** Generated schemas: the core schema first, then extensions. */
  schemas(): GeneratedSchema[];
  /** The generated core schema. */
  schema(): GeneratedSchema;
  /** Extension URNs the mapping uses. */
  extensionUrns(): string[];
  /**
   * Writes one endpoint value into a record the way {@link Mapper.toEndpoint} does
   * (nested for dotted keys, spread over a list for dotted `array` keys). Also
   * accepts keys reported by {@link Mapper.changesToEndpoint} that are not map
   * keys (`name.givenName` under a `complexObject` entry).
   */
  setEndpointValue(record: Record<string, unknown>, key: string, value: unknown): void;
  /** Reads one endpoint value from a record (nested for dotted keys). */
  getEndpointValue(record: Record<string, unknown>, key: string): unknown;
  /** Deletes one endpoint value (a dotted `array` key: its whole list) and prunes emptied objects. */
  deleteEndpointValue(record: Record<string, unknown>, key: string): void;
}

function sameAttr(t: { extension?: string; attr: string }, p: AttrPath): boolean {
  const ext = t.extension?.toLowerCase();
  if (ext ? p.uri?.toLowerCase() !== ext : p.uri !== undefined) return false;
  return t.attr.toLowerCase() === p.attr.toLowerCase();
}

function resourceTypeOf(registry: SchemaRegistry, id: string, where: string): ResourceTypeDefinition {
  const rt = registry.resourceType(id);
  if (!rt) throw new MapperConfigError(where, `unknown resource type "${id}"`);
  return rt;
}

/**
 * Compiles the mapping of one resource type from the `endpoint.map` section.
 *
 * @param map - the whole `map` object (`{ user: {…}, group: {…} }`)
 * @param options - `resourceType` selects the section (`User` → `map.user`)
 * @throws MapperConfigError naming the JSON path of the first invalid setting
 *
 * @example
 * const users = createMapper({ user: {
 *   sAMAccountName: { mapTo: 'userName', type: 'string' },
 *   mail: { mapTo: 'emails.work.value', type: 'string' },
 *   userAccountEnabled: { mapTo: 'active', type: 'string' }, // "true"/"false" at the endpoint
 * } }, { resourceType: 'User' });
 * users.toScim({ sAMAccountName: 'bjensen', mail: 'b@x', userAccountEnabled: 'true' });
 * // { userName: 'bjensen', emails: [{ type: 'work', value: 'b@x' }], active: true }
 */
export function createMapper(map: MapConfig, options: MapperOptions): Mapper {
  const root = options.configPath ?? 'map';
  if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new MapperConfigError(root, 'must be an object');
  const registry = options.registry ?? new SchemaRegistry();
  const rt = resourceTypeOf(registry, options.resourceType, root);
  const sectionKey = Object.keys(map).find((k) => k.toLowerCase() === rt.id.toLowerCase()) ?? rt.id.toLowerCase();
  const compiled = compileMap(map[sectionKey], `${root}.${sectionKey}`, registry, rt, options.nestedEndpointKeys !== false);
  const entries: readonly CompiledEntry[] = compiled.entries;
  const nested = options.nestedEndpointKeys !== false;
  const byKey = (key: string) => entries.find((e) => e.key === key);
  const generated = generateSchemas(compiled, registry, rt);
  const extensions = generated.slice(1).map((s) => s.id);
  let applyRegistry: SchemaRegistry | undefined;
  const applyContext = () => {
    // Built on the registry given (the host's: custom schemas included), not on the defaults.
    applyRegistry ??= registry.extend({ schemas: generated, extensions: { [rt.id]: extensions }, serve: [rt.id] });
    return { registry: applyRegistry, resourceType: applyRegistry.resourceType(rt.id) as ResourceTypeDefinition };
  };

  const attributes: MappedAttribute[] = entries.map((e) => ({
    endpoint: e.key,
    type: e.type,
    valueMapped: e.valueMap !== undefined,
    hides: e.hides,
    readOnly: e.readOnly,
    targets: e.targets.map((t) => ({
      text: t.text,
      path: t.path,
      attr: t.attr,
      shape: t.shape,
      custom: t.custom,
      readOnly: t.readOnly,
      writeOnly: t.writeOnly,
      ...(t.extension ? { extension: t.extension } : {}),
      ...(t.typeKey !== undefined ? { typeKey: t.typeKey } : {}),
      ...(t.sub !== undefined ? { sub: t.sub } : {}),
    })),
  }));

  const paths: string[] = [];
  for (const e of entries) {
    for (const t of e.targets) {
      if (t.writeOnly) continue;
      const prefix = t.extension ? `${t.extension}:` : '';
      const add = (p: string) => {
        if (!paths.some((x) => x.toLowerCase() === p.toLowerCase())) paths.push(p);
      };
      add(`${prefix}${t.attr}`);
      if (t.sub !== undefined) add(t.path);
      else if (t.attrDef.type === 'complex') for (const s of t.attrDef.subAttributes ?? []) add(`${prefix}${t.attr}.${s.name}`);
    }
  }

  let visibility: FilterNode | undefined | null = null;
  const visibilityFilter = (): FilterNode | undefined => {
    if (visibility !== null) return visibility;
    const parts: FilterNode[] = [];
    for (const e of entries) {
      if (!e.hides || !e.valueMap) continue;
      const path = endpointPath(e.key);
      const allowed: FilterNode[] = e.valueMap.endpointValues.map((v) => ({
        type: 'compare',
        path,
        op: 'eq',
        value: convertScalar(v, e.endpointScalar, e.format) ?? v,
      }));
      // Records without the attribute are not hidden.
      if (!requiredEntry(e)) {
        allowed.push({ type: 'not', filter: { type: 'present', path } });
      }
      parts.push(allowed.length === 1 ? (allowed[0] as FilterNode) : { type: 'or', filters: allowed });
    }
    visibility = parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { type: 'and', filters: parts };
    return visibility;
  };

  return {
    resourceType: rt.id,
    attributes,
    hidesResources: entries.some((e) => e.hides),
    toScim: (record) => toScim(entries, record),
    toEndpoint: (resource) => toEndpoint(entries, resource),
    changesToEndpoint: (changes, opts) => changesToEndpoint(entries, changes, applyContext(), opts?.current),
    needsCurrent: (changes) => needsCurrent(entries, changes),
    translateFilter: (node) => translateFilter(entries, node),
    visibilityFilter,
    endpointAttributesFor(scimPath) {
      let p: AttrPath;
      try {
        p = typeof scimPath === 'string' ? parseAttrPath(scimPath) : scimPath;
      } catch {
        return [];
      }
      const canon = p.uri ? registry.canonicalUrn(rt, p.uri) : undefined;
      const path: AttrPath =
        canon === rt.schema ? { attr: p.attr, ...(p.sub ? { sub: p.sub } : {}) } : canon ? { ...p, uri: canon } : p;
      const out: string[] = [];
      for (const e of entries) {
        const hit = e.targets.some(
          (t) =>
            sameAttr(t, path) &&
            (path.sub === undefined || t.sub === undefined || t.sub.toLowerCase() === path.sub.toLowerCase()),
        );
        if (hit && !out.includes(e.key)) out.push(e.key);
      }
      return out;
    },
    endpointAttributes: () => entries.map((e) => e.key),
    scimPaths: () => [...paths],
    schemas: () => structuredClone(generated),
    schema: () => structuredClone(generated[0] as GeneratedSchema),
    extensionUrns: () => [...extensions],
    setEndpointValue(record, key, value) {
      const e = byKey(key);
      writeEndpoint(record, e?.segs ?? splitEndpointKey(key, nested), value, e?.listParent ?? false);
    },
    getEndpointValue(record, key) {
      return readEndpoint(record, key, byKey(key)?.segs ?? splitEndpointKey(key, nested));
    },
    deleteEndpointValue(record, key) {
      const e = byKey(key);
      deleteEndpoint(record, e?.segs ?? splitEndpointKey(key, nested), e?.listParent ?? false);
    },
  };
}

/**
 * Compiles every resource type present in `map` (`user` → `User`, `group` → `Group`).
 *
 * @example
 * const { User, Group } = createMappers(config.map);
 */
export function createMappers(
  map: MapConfig,
  options: Omit<MapperOptions, 'resourceType'> & { resourceTypes?: string[] } = {},
): Record<string, Mapper> {
  const registry = options.registry ?? new SchemaRegistry();
  const out: Record<string, Mapper> = {};
  const wanted = options.resourceTypes ?? ['User', 'Group'];
  for (const id of wanted) {
    if (!Object.keys(map ?? {}).some((k) => k.toLowerCase() === id.toLowerCase())) continue;
    out[id] = createMapper(map, { ...options, registry, resourceType: id });
  }
  return out;
}

/**
 * The schemas and extensions a mapping generates, to add to the registry a connector serves, so
 * `/Schemas` and the core's validation reflect the mapping.
 *
 * @example
 * defineConnector({ registry: context.registry.extend(connectorSchemas([users, groups])), resources: {…} })
 */
export function connectorSchemas(mappers: readonly Mapper[]): {
  schemas: GeneratedSchema[];
  extensions: Record<string, string[]>;
} {
  const schemas: GeneratedSchema[] = [];
  const extensions: Record<string, string[]> = {};
  for (const m of mappers) {
    for (const s of m.schemas()) if (!schemas.some((x) => x.id.toLowerCase() === s.id.toLowerCase())) schemas.push(s);
    const ext = m.extensionUrns();
    if (ext.length) extensions[m.resourceType] = ext;
  }
  return { schemas, extensions };
}
